import ArgumentParser
import Foundation
import Training

/// Where an experiment's runs go.
enum ExecutorKind: String, ExpressibleByArgument, CaseIterable {
  case local
  case slurm
}

/// The executor options shared by the commands that run many `rl train` jobs (`rl compare`):
/// `--executor local` runs `--jobs` child processes here, `--executor slurm` one sbatch job array.
struct ExecutorOptions: ParsableArguments {
  @Option(
    help:
      "Where the runs go: local (child processes here) or slurm (one sbatch job array; see docs/cluster.md).")
  var executor: ExecutorKind = .local

  @Option(help: "Concurrent runs with --executor local (default: the number of cores).")
  var jobs: Int?

  @Option(name: .customLong("slurm-partition"), help: "Slurm partition (default: the cluster's default).")
  var slurmPartition: String?

  @Option(
    name: .customLong("slurm-time"),
    help: "Time limit per array task, e.g. 30, 2:00:00, 1-00 (default: the partition's).")
  var slurmTime: String?

  @Option(
    name: .customLong("slurm-cpus-per-task"),
    help: "CPUs per array task; also each run's BLAS threads (default: 1).")
  var slurmCPUsPerTask: Int?

  @Option(name: .customLong("slurm-mem"), help: "Memory per array task, e.g. 2G (default: the partition's).")
  var slurmMem: String?

  @Option(
    name: .customLong("slurm-extra"),
    help: "Another sbatch option for every task, e.g. --account=abc (repeatable).")
  var slurmExtra: [String] = []

  @Option(
    name: .customLong("slurm-max-parallel"), help: "At most this many array tasks at once (the array's %MAX)."
  )
  var slurmMaxParallel: Int?

  @Flag(
    name: .customLong("cancel-on-interrupt"),
    help: "With --executor slurm: Ctrl-C cancels the array (scancel) instead of leaving it running.")
  var cancelOnInterrupt = false

  func validate() throws {
    try Allowed.check("--jobs", jobs, 1...Limits.jobs)
    try Allowed.check("--slurm-cpus-per-task", slurmCPUsPerTask, 1...Limits.workers)
    try Allowed.check("--slurm-max-parallel", slurmMaxParallel, 1...Limits.jobs)
    func text(_ flag: String, _ value: String?, _ check: (String) -> String?) throws {
      guard let value else { return }
      if let allowed = check(value) { throw ValidationError("\(flag) '\(value)': allowed \(allowed)") }
    }
    try text("--slurm-partition", slurmPartition, SlurmSettings.checkPartition)
    try text("--slurm-time", slurmTime, SlurmSettings.checkTime)
    try text("--slurm-mem", slurmMem, SlurmSettings.checkMemory)
    for extra in slurmExtra { try text("--slurm-extra", extra, SlurmSettings.checkExtra) }
    if executor == .local {
      let given: [(String, Bool)] = [
        ("--slurm-partition", slurmPartition != nil), ("--slurm-time", slurmTime != nil),
        ("--slurm-cpus-per-task", slurmCPUsPerTask != nil), ("--slurm-mem", slurmMem != nil),
        ("--slurm-extra", !slurmExtra.isEmpty), ("--slurm-max-parallel", slurmMaxParallel != nil),
        ("--cancel-on-interrupt", cancelOnInterrupt),
      ]
      if let hit = given.first(where: { $0.1 }) {
        throw ValidationError("\(hit.0) applies to --executor slurm only (the executor is local)")
      }
    } else if let jobs {
      throw ValidationError(
        "--jobs \(jobs) applies to --executor local only; with --executor slurm use --slurm-max-parallel")
    }
  }

  /// The `--slurm-*` settings.
  var slurmSettings: SlurmSettings {
    var s = SlurmSettings()
    s.partition = slurmPartition
    s.time = slurmTime
    s.cpusPerTask = slurmCPUsPerTask ?? 1
    s.memory = slurmMem
    s.extra = slurmExtra
    s.maxParallel = slurmMaxParallel
    s.cancelOnInterrupt = cancelOnInterrupt
    // Tests poll a local Slurm quickly; a cluster's squeue deserves the default 5 s.
    if let text = ProcessInfo.processInfo.environment["LOSSLAB_SLURM_POLL_SECONDS"],
      let seconds = Double(text),
      seconds.isFinite, seconds >= 0.1, seconds <= 3_600
    {
      s.pollSeconds = seconds
    }
    return s
  }

  /// BLAS threads per run: the cores split over `--jobs` here, `--slurm-cpus-per-task` on Slurm.
  func threadsPerRun(cores: Int) -> Int {
    switch executor {
    case .local: return ComparePlan.threadsPerJob(cores: cores, jobs: jobs ?? cores)
    case .slurm: return slurmCPUsPerTask ?? 1
    }
  }

  /// The executor; Slurm's files go to `folder` (the experiment folder's `slurm/`).
  func make(executable: URL, cores: Int, folder: URL, jobName: String) -> any JobExecutor {
    switch executor {
    case .local:
      return LocalExecutor(executable: executable, jobs: jobs ?? cores, threads: threadsPerRun(cores: cores))
    case .slurm:
      var settings = slurmSettings
      settings.jobName = jobName
      return SlurmExecutor(
        settings: settings, folder: folder.standardizedFileURL.absoluteURL,
        executable: executable.standardizedFileURL.absoluteURL,
        workingFolder: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    }
  }
}
