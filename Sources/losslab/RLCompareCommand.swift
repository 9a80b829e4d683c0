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
      Runs go to OUT/runs/<configuration>/seed-<k>; a rerun skips finished runs. --vary KEY=a,b,c \
      (any preset key, repeatable) makes an ablation: every combination of the values, crossed with \
      --shapings, is a configuration named `KEY=a` (with the shaping first when several are given). --dry-run prints one \
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
    _ = try variations()
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
    let jobs = self.jobs ?? cores
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
    plan.threads = ComparePlan.threadsPerJob(cores: cores, jobs: jobs)
    let runs = try plan.runs()
    let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    if dryRun {
      for run in runs { print(run.shellCommand(executable: CommandLine.arguments[0], threads: plan.threads)) }
      return
    }
    // Validate the whole command once (env, preset, overrides, every shaping) before starting runs.
    try validateFirstRuns(plan, variants: variants)
    let stepsPerRun = try expectedSteps(plan, variant: variants[0])
    let bar =
      noProgress
      ? nil : ProgressBar(total: max(1, runs.count * stepsPerRun), label: "compare \(runs.count) runs")
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
    let report = try Report(
      runs: scan.runs, problems: scan.problems, order: names, baseline: vary.isEmpty ? "none" : names[0],
      threshold: threshold)
    let command = (["losslab"] + CommandLine.arguments.dropFirst()).map(Shell.quote).joined(separator: " ")
    try report.write(to: plan.out, command: command)
    print(report.markdownTable())
    print("report: \(plan.out.appendingPathComponent("report.md").path)")
    if !outcome.failed.isEmpty { throw ExitCode(1) }
    if interrupt.isRequested { throw ExitCode(130) }
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
