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
      Runs go to OUT/runs/<shaping>/seed-<k>; a rerun skips finished runs. --dry-run prints one \
      shell command per run instead (for GNU parallel or a Slurm array); then `losslab rl report OUT`. \
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

  @Option(help: "Concurrent runs (default: the number of cores).")
  var jobs: Int?

  @Option(help: "Comparison folder.")
  var out: String

  @Option(
    parsing: .unconditional,
    help: "Steps-to-threshold threshold (default: 90% of the way from random to optimal; 475 for CartPole).")
  var threshold: Double?

  @Flag(name: .customLong("dry-run"), help: "Print one shell command per run instead of running.")
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
    try Allowed.check("--jobs", jobs, 1...Limits.jobs)
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
    let jobs = self.jobs ?? cores
    var plan = ComparePlan(env: env, shapings: names, seeds: seeds, out: URL(fileURLWithPath: out))
    plan.envOptions = envOptions
    plan.firstSeed = firstSeed
    plan.steps = steps
    plan.preset = preset
    plan.overrides = overrides
    plan.evalFreq = evalFreq
    plan.evalEpisodes = evalEpisodes
    plan.threads = ComparePlan.threadsPerJob(cores: cores, jobs: jobs)
    let runs = try plan.runs()
    let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    if dryRun {
      for run in runs { print(run.shellCommand(executable: CommandLine.arguments[0], threads: plan.threads)) }
      return
    }
    // Validate the whole command once (env, preset, overrides, every shaping) before starting runs.
    try validateFirstRuns(plan, shapings: names)
    let stepsPerRun = try expectedSteps(plan, shaping: names[0])
    let bar =
      noProgress
      ? nil : ProgressBar(total: max(1, runs.count * stepsPerRun), label: "compare \(runs.count) runs")
    // One `rl compare` per folder: a second one would truncate the logs of runs in progress.
    let lock: RunLock
    do {
      try AtomicFile.createFolder(plan.out)
      lock = try RunLock(folder: plan.out)
    } catch let error as RunLifecycleError {
      FileHandle.standardError.write(Data("Error: --out \(error.description)\n".utf8))
      throw ExitCode(2)
    }
    defer { withExtendedLifetime(lock) {} }
    let interrupt = InterruptHandler.install()
    defer { interrupt.uninstall() }
    let outcome = try CompareRunner.run(
      runs, executable: executable, jobs: jobs, threads: plan.threads, stepsPerRun: stepsPerRun,
      progress: bar,
      interrupt: interrupt)
    print(
      "\(outcome.finished.count) runs finished, \(outcome.skipped.count) skipped (already finished), \(outcome.failed.count) failed"
        + String(format: " in %.1f s (%d jobs x %d BLAS threads)", outcome.wallSeconds, jobs, plan.threads))
    for (run, reason) in outcome.failed { print("FAILED \(run.folder.path): \(reason)") }
    if !outcome.notStarted.isEmpty {
      print("interrupted: \(outcome.notStarted.count) runs not started; rerun the same command to continue")
    }
    let scan = try ReportRun.scan(plan.out.appendingPathComponent("runs"))
    let report = try Report(runs: scan.runs, problems: scan.problems, order: names, threshold: threshold)
    let command = (["losslab"] + CommandLine.arguments.dropFirst()).map(Shell.quote).joined(separator: " ")
    try report.write(to: plan.out, command: command)
    print(report.markdownTable())
    print("report: \(plan.out.appendingPathComponent("report.md").path)")
    if !outcome.failed.isEmpty { throw ExitCode(1) }
    if interrupt.isRequested { throw ExitCode(130) }
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
