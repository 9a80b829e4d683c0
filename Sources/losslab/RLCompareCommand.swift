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
      "Compare reward shapings or hyperparameter variants over seeds: runs rl train per (configuration, seed) in parallel, then reports.",
    discussion: """
      Runs go to OUT/runs/<configuration>/seed-<k>; a rerun skips finished runs and resumes the \
      others. --vary KEY=a,b,c (any preset key, repeatable) makes an ablation: every combination of \
      the values, crossed with --shapings, is a configuration named `KEY=a` (with the shaping first \
      when several are given). \
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

  @Option(
    help:
      "Comma-separated shaping names; the first `none` is the baseline (default: none,pbrs:bfs; with --vary: none)."
  )
  var shapings: String?

  @Option(
    name: .customLong("vary"),
    help:
      "Ablation over a preset key: KEY=VALUE,VALUE,... (at least two values; brackets keep a list together, net_arch=[64,64],[128,128]); repeatable, the configurations are every combination."
  )
  var vary: [String] = []

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
    help:
      "Steps-to-threshold threshold (default: gridworlds 90% of the way from random to optimal; CartPole 475; Acrobot -100, MountainCar -150, MountainCarContinuous 80, Pendulum -250)."
  )
  var threshold: Double?

  @Flag(
    name: .customLong("dry-run"),
    help: "Print the runs (or the Slurm job list and script) instead of running.")
  var dryRun = false

  @Flag(name: .customLong("no-progress"), help: "No progress bar.")
  var noProgress = false

  var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

  func validate() throws {
    try Allowed.runOptions(
      env: env, out: out, preset: preset, overrides: overrides, envOptions: envOptions)
    _ = try shapingNames()
    _ = try variations()
    try Allowed.seeds(seeds, first: firstSeed)
    try Allowed.check("--steps", steps, 1...Limits.environmentSteps)
    try Allowed.check("--eval-freq", evalFreq, 1...Limits.steps, "a learning curve needs evaluations")
    try Allowed.check("--eval-episodes", evalEpisodes, 1...Limits.repeats)
    try Allowed.check(
      "--threshold", threshold, -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
  }

  /// The `--shapings` list, each name checked.
  func shapingNames() throws -> [String] {
    let shapings = self.shapings ?? (vary.isEmpty ? "none,pbrs:bfs" : "none")
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
    let shapingList = try shapingNames()
    var plan = ComparePlan(env: env, shapings: shapingList, seeds: seeds, out: URL(fileURLWithPath: out))
    plan.variations = try variations()
    let variants = plan.variants()
    let names = variants.map(\.name)
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
    try validateFirstRuns(plan, variants: variants)
    let stepsPerRun = try expectedSteps(plan, variant: variants[0])
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
    let report = try Report(
      runs: scan.runs, problems: scan.problems, order: names, baseline: vary.isEmpty ? "none" : names[0],
      threshold: threshold)
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

  /// Fails fast with the train command's own message if the arguments are wrong for any variant.
  func validateFirstRuns(_ plan: ComparePlan, variants: [CompareVariant]) throws {
    for variant in variants {
      do { _ = try RLTrainCommand.resolve(plan.request(variant: variant, seed: plan.firstSeed)) } catch {
        throw ValidationError("\(variant.name): \(RLTrainCommand.message(for: error))")
      }
    }
  }

  /// Environment steps per run as `rl train` will run them (the preset's when --steps is absent).
  func expectedSteps(_ plan: ComparePlan, variant: CompareVariant) throws -> Int {
    let config = try RLTrainCommand.resolve(plan.request(variant: variant, seed: plan.firstSeed))
    let rollout = config.ppo.rolloutSize
    return (config.totalTimesteps + rollout - 1) / rollout * rollout
  }

  /// Most configurations one command may make (shapings x every combination of --vary values).
  static let maximumVariants = 1_000

  /// The `--vary` options as (preset key, canonical values), each key and value checked.
  func variations() throws -> [(key: String, values: [String])] {
    var result: [(key: String, values: [String])] = []
    var count = try shapingNames().count
    for text in vary {
      guard let equals = text.firstIndex(of: "=") else {
        throw ValidationError(
          "--vary '\(text)': allowed KEY=VALUE,VALUE,... with KEY a preset key (\(PPOConfig.keys.joined(separator: ", ")))"
        )
      }
      let key = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
      guard PPOConfig.keys.contains(key) else {
        throw ValidationError(
          "--vary '\(text)': unknown preset key '\(key)' (allowed: \(PPOConfig.keys.joined(separator: ", ")))"
        )
      }
      guard !result.contains(where: { $0.key == key }) else {
        throw ValidationError("--vary: the key '\(key)' is given twice; list all its values in one --vary")
      }
      var values: [String] = []
      for value in RLCompareCommand.splitValues(String(text[text.index(after: equals)...])) {
        do { values.append(try RunVariant.canonicalValue(key: key, value: value)) } catch let error
          as ConfigError
        {
          throw ValidationError("--vary '\(text)': \(error.message)")
        }
      }
      guard values.count >= 2, Set(values).count == values.count else {
        throw ValidationError(
          "--vary '\(text)': allowed at least two different comma-separated values for \(key) (got \(values.count == 0 ? "none" : values.joined(separator: ", ")))"
        )
      }
      let (product, overflow) = count.multipliedReportingOverflow(by: values.count)
      count = product
      guard !overflow, count <= RLCompareCommand.maximumVariants else {
        throw ValidationError(
          "--vary: allowed at most \(RLCompareCommand.maximumVariants) configurations (shapings x every combination of values)"
        )
      }
      result.append((key, values))
    }
    return result
  }

  /// Comma-separated values, commas inside brackets kept (`[64,64],[128,128]`).
  static func splitValues(_ text: String) -> [String] {
    var values: [String] = []
    var current = ""
    var depth = 0
    for c in text {
      if c == "[" { depth += 1 }
      if c == "]" { depth = max(0, depth - 1) }
      if c == "," && depth == 0 {
        values.append(current)
        current = ""
      } else {
        current.append(c)
      }
    }
    values.append(current)
    return values.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }
}
