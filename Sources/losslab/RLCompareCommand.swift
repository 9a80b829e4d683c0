import ArgumentParser
import Core
import Environments
import Foundation
import Reinforcement
import Reports
import Runs
import Tensors
import Training

/// `losslab rl compare`: every (shaping, seed) as an `rl train` run, then the report.
struct RLCompareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract:
      "Compare reward shapings over seeds: runs rl train per (shaping, seed) in parallel, then reports.",
    discussion: """
      Runs go to OUT/runs/<shaping>/seed-<k>; a rerun skips finished runs and resumes the others. \
      --executor local runs --jobs of them here; --executor slurm submits one sbatch job array \
      (OUT/slurm/, on a file system the compute nodes share; see docs/cluster.md) and watches it. \
      --dry-run prints the runs (local: one shell command each; slurm: the job list and the sbatch \
      script) instead. `losslab rl report OUT` aggregates the finished runs at any time. \
      Shapings: \(ShapingSpec.knownDescription).
      """)

  @Option(
    help:
      "Environment: a name from `losslab env list` (cartpole, acrobot, mountaincar, gridworld:NAME, gridworld:PATH.map) or a Gymnasium id."
  )
  var env: String

  @Option(
    name: .customLong("env-option"), help: "Environment setting KEY=VALUE passed to every run (repeatable).")
  var envOptions: [String] = []

  @Option(help: "Comma-separated shaping names; the first `none` is the baseline.")
  var shapings: String = "none,pbrs:bfs"

  @Option(help: "Seeds per shaping (seeds FIRST ..< FIRST + N).")
  var seeds: Int = 10

  @Option(name: .customLong("first-seed"), help: "First seed.")
  var firstSeed: UInt64 = 0

  @Option(help: "Environment steps per run (default: the preset's n_timesteps).")
  var steps: Int?

  @Option(help: "Preset name or YAML path (default: the environment's).")
  var preset: String?

  @Option(name: .customLong("set"), help: "Hyperparameter override NAME=VALUE for every run (repeatable).")
  var overrides: [String] = []

  @Option(
    name: .customLong("eval-freq"), help: "Deterministic evaluation every N steps (the learning curve).")
  var evalFreq: Int = 5_000

  @Option(name: .customLong("eval-episodes"), help: "Episodes per evaluation.")
  var evalEpisodes: Int = 20

  @OptionGroup var execution: ExecutorOptions

  @Option(help: "Comparison folder.")
  var out: String

  @Option(
    parsing: .unconditional,
    help: "Steps-to-threshold threshold (default: 90% of the way from random to optimal; 475 for CartPole).")
  var threshold: Double?

  @Flag(
    name: .customLong("dry-run"),
    help: "Print the runs (or the Slurm job list and script) instead of running.")
  var dryRun = false

  @Flag(name: .customLong("no-progress"), help: "No progress bar.")
  var noProgress = false

  var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

  func validate() throws {
    try Allowed.name("--env", env)
    try Allowed.path("--out", out)
    try Allowed.name("--preset", preset)
    try Allowed.assignments("--set", overrides, names: PPOConfig.keys)
    try Allowed.assignments(
      "--env-option", envOptions,
      names: EnvironmentSpec.cartPoleKeys.map(\.key) + GridSettings.keys.map(\.key))
    _ = try shapingNames()
    try Allowed.check("--seeds", seeds, 1...Limits.seeds)
    if firstSeed > UInt64.max - UInt64(seeds - 1) {
      throw Allowed.error(
        "--first-seed", "\(firstSeed)", "0...\(UInt64.max - UInt64(seeds - 1))",
        "the last seed, FIRST + --seeds - 1, must fit in 64 bits")
    }
    try Allowed.check("--steps", steps, 1...Limits.environmentSteps)
    try Allowed.check("--eval-freq", evalFreq, 1...Limits.steps, "a learning curve needs evaluations")
    try Allowed.check("--eval-episodes", evalEpisodes, 1...Limits.repeats)
    try Allowed.check(
      "--threshold", threshold, -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
  }

  /// The `--shapings` list, each name checked.
  func shapingNames() throws -> [String] {
    let names = shapings.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
      !$0.isEmpty
    }
    guard !names.isEmpty else {
      throw ValidationError(
        "--shapings '\(shapings)': allowed a comma-separated list of \(ShapingSpec.knownDescription)")
    }
    for name in names {
      do { _ = try ShapingSpec.parse(name) } catch let error as ShapingError {
        throw ValidationError("--shapings: \(error.message)")
      }
    }
    guard Set(names).count == names.count else { throw ValidationError("--shapings: a shaping is repeated") }
    return names
  }

  func run() throws {
    let names = try shapingNames()
    var plan = ComparePlan(env: env, shapings: names, seeds: seeds, out: URL(fileURLWithPath: out))
    plan.envOptions = envOptions
    plan.firstSeed = firstSeed
    plan.steps = steps
    plan.preset = preset
    plan.overrides = overrides
    plan.evalFreq = evalFreq
    plan.evalEpisodes = evalEpisodes
    plan.threads = execution.threadsPerRun(cores: cores)
    let runs = try plan.runs()
    let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    let slurmFolder = plan.out.appendingPathComponent("slurm", isDirectory: true)
    if dryRun && execution.executor == .local {
      for run in runs { print(run.shellCommand(executable: CommandLine.arguments[0], threads: plan.threads)) }
      return
    }
    // Validate the whole command once (env, preset, overrides, every shaping) before starting runs.
    try validateFirstRuns(plan, shapings: names)
    let stepsPerRun = try expectedSteps(plan, shaping: names[0])
    let jobs = try plan.jobs(stepsPerRun: stepsPerRun)
    let executor = execution.make(
      executable: executable, cores: cores, folder: slurmFolder, jobName: "losslab-compare")
    if dryRun, let slurm = executor as? SlurmExecutor {
      try printSlurmDryRun(slurm, jobs: jobs)
      return
    }
    // One comparison per folder: the folder's run lock refuses a second one (exit status 2).
    let lock: RunLock
    do {
      try AtomicFile.createFolder(plan.out)
      lock = try RunLock(folder: plan.out)
    } catch let error as RunLifecycleError {
      throw ValidationError("--out: \(error)")
    }
    defer { withExtendedLifetime(lock) {} }
    let bar =
      noProgress
      ? nil
      : ProgressBar(
        total: TrainingJob.totalSteps(jobs), label: "compare \(jobs.count) runs (\(executor.name))")
    let interrupt = InterruptHandler.install()
    defer { interrupt.uninstall() }
    let outcome = try executor.run(jobs, progress: bar, interrupt: interrupt)
    var summary =
      "\(outcome.finished.count) runs finished, \(outcome.skipped.count) skipped (already finished), \(outcome.failed.count) failed"
    if !outcome.stillRunning.isEmpty { summary += ", \(outcome.stillRunning.count) still queued or running" }
    if let local = executor as? LocalExecutor {
      summary += String(
        format: " in %.1f s (%d jobs x %d BLAS threads)", outcome.wallSeconds, local.jobs, local.threads)
    } else {
      summary += String(format: " in %.1f s (Slurm, %d CPUs per task)", outcome.wallSeconds, plan.threads)
    }
    print(summary)
    for (job, reason) in outcome.failed { print("FAILED \(job.folder.path): \(reason)") }
    for note in outcome.notes { print(note) }
    if !outcome.notStarted.isEmpty {
      print("interrupted: \(outcome.notStarted.count) runs not started; rerun the same command to continue")
    }
    if !outcome.stillRunning.isEmpty {
      print("`losslab rl report \(Shell.quote(out))` aggregates the runs finished so far at any time")
      throw ExitCode(130)
    }
    let scan = try ReportRun.scan(plan.out.appendingPathComponent("runs"))
    let report = try Report(runs: scan.runs, problems: scan.problems, order: names, threshold: threshold)
    let command = (["losslab"] + CommandLine.arguments.dropFirst()).map(Shell.quote).joined(separator: " ")
    try report.write(to: plan.out, command: command)
    print(report.markdownTable())
    print("report: \(plan.out.appendingPathComponent("report.md").path)")
    if !outcome.failed.isEmpty {
      if executor is SlurmExecutor { print("rerun the same command to resubmit the failed runs only") }
      throw ExitCode(1)
    }
    if interrupt.isRequested { throw ExitCode(130) }
  }

  /// `--dry-run --executor slurm`: the job list and the script that would be submitted now.
  func printSlurmDryRun(_ slurm: SlurmExecutor, jobs: [TrainingJob]) throws {
    let submit = SlurmExecutor.tasksToSubmit(jobs, active: [])
    print("# job list (\(slurm.files.jobList.path)): task, run, folder, argv, resume argv")
    print(try SlurmScript.jobList(jobs), terminator: "")
    if submit.isEmpty {
      print("# every run is finished: nothing to submit")
      return
    }
    print(
      "# sbatch script (\(slurm.files.script.path)), submitted with: sbatch --parsable \(slurm.files.script.path)"
    )
    print(try slurm.script(indices: submit, title: "losslab rl compare"), terminator: "")
  }

  /// Fails fast with the train command's own message if the arguments are wrong for any shaping.
  func validateFirstRuns(_ plan: ComparePlan, shapings: [String]) throws {
    for shaping in shapings {
      do { _ = try RLTrainCommand.resolve(plan.request(shaping: shaping, seed: plan.firstSeed)) } catch {
        throw ValidationError("\(shaping): \(RLTrainCommand.message(for: error))")
      }
    }
  }

  /// Environment steps per run as `rl train` will run them (the preset's when --steps is absent).
  func expectedSteps(_ plan: ComparePlan, shaping: String) throws -> Int {
    let config = try RLTrainCommand.resolve(plan.request(shaping: shaping, seed: plan.firstSeed))
    let rollout = config.ppo.rolloutSize
    return (config.totalTimesteps + rollout - 1) / rollout * rollout
  }
}
