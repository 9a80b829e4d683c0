import ArgumentParser
import Environments
import Experiments
import Foundation
import Reinforcement

/// `losslab rl train`: parses flags, resolves the preset and overrides, runs `PPOTraining`.
struct RLTrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract:
      "Train a PPO agent; writes a run folder (config.json, metrics.csv/jsonl, curve.svg, checkpoints).",
    discussion: """
      Hyperparameters come from the environment's preset in environments/presets (e.g. cartpole.yaml) \
      under Stable-Baselines3's names; override any with --set NAME=VALUE. Allowed names: \
      \(PPOConfig.keys.joined(separator: ", ")).
      """)

  @Option(help: "Environment: cartpole, gridworld:NAME or gridworld:PATH.map (default: the preset's).")
  var env: String?

  @OptionGroup var environment: EnvironmentOptions

  @Option(help: "Preset name in environments/presets or a path to a YAML file (default: the environment's).")
  var preset: String?

  @Option(
    name: .customLong("set"), help: "Override a hyperparameter, NAME=VALUE (repeatable), e.g. gamma=0.98.")
  var overrides: [String] = []

  @Option(
    help: "Reward shaping to train on (reported returns stay true): \(ShapingSpec.knownDescription).")
  var shaping: String = "none"

  @Option(help: "Random seed (initialisation, environments, sampling, shuffles).")
  var seed: UInt64 = 0

  @Option(help: "Environment steps to train for (default: the preset's n_timesteps).")
  var steps: Int?

  @Option(help: "Run folder to write.")
  var out: String?

  @Option(help: "Continue the run in this folder from its latest checkpoint (--steps may extend it).")
  var resume: String?

  @Option(
    name: .customLong("eval-freq"),
    help: "Deterministic evaluation every N environment steps (0: only at the end).")
  var evalFreq: Int = 5_000

  @Option(name: .customLong("eval-episodes"), help: "Episodes per evaluation.")
  var evalEpisodes: Int = 20

  @Option(name: .customLong("checkpoint-freq"), help: "Checkpoint every N iterations (and at the end).")
  var checkpointFreq: Int = 50

  @Option(help: "OpenBLAS threads (1 is fastest for these network sizes).")
  var threads: Int = 1

  @Flag(name: .customLong("no-progress"), help: "No progress bar.")
  var noProgress = false

  func validate() throws {
    if resume == nil && out == nil { throw ValidationError("--out is required (or --resume RUN_FOLDER)") }
    if resume != nil && out != nil { throw ValidationError("--out and --resume exclude each other") }
    try Allowed.path("--out", out)
    try Allowed.path("--resume", resume)
    try Allowed.name("--env", env)
    try Allowed.name("--preset", preset)
    try Allowed.name("--shaping", shaping)
    do { _ = try ShapingSpec.parse(shaping) } catch let error as ShapingError {
      throw ValidationError("--shaping: \(error.message)")
    }
    try Allowed.assignments("--set", overrides, names: PPOConfig.keys)
    _ = try environment.options()
    try Allowed.check("--steps", steps, 1...Limits.environmentSteps)
    try ThreadsOption.check(threads)
    try Allowed.check("--eval-freq", evalFreq, 0...Limits.steps)
    try Allowed.check("--eval-episodes", evalEpisodes, 1...Limits.repeats)
    try Allowed.check("--checkpoint-freq", checkpointFreq, 1...Limits.steps)
  }

  func runConfig() throws -> PPORunConfig {
    let chosenPreset: PPOPreset?
    if let preset {
      chosenPreset = try PPOPreset.resolve(preset)
    } else if let env {
      // The environment's preset; none in the (found) preset folder: the library defaults.
      let folder = try PPOPreset.requireDirectory()
      chosenPreset = try PPOPreset.url(forEnvironment: env, in: folder).map(PPOPreset.load(contentsOf:))
    } else {
      throw ValidationError(
        "give --env (cartpole, gridworld:NAME) or --preset (\(PPOPreset.available().joined(separator: ", ")))"
      )
    }
    guard let envName = env ?? chosenPreset?.environment else {
      throw ValidationError("the preset names no environment: give --env")
    }
    var ppo = chosenPreset?.config ?? PPOConfig()
    for item in overrides {
      guard let eq = item.firstIndex(of: "=") else {
        throw ValidationError(
          "--set expects NAME=VALUE, got '\(item)' (names: \(PPOConfig.keys.joined(separator: ", ")))")
      }
      do { try ppo.set(String(item[..<eq]), String(item[item.index(after: eq)...])) } catch let error
        as ConfigError
      {
        throw ValidationError("--set: \(error.message)")
      }
    }
    do { try ppo.validate() } catch let error as ConfigError { throw ValidationError(error.message) }
    var config = PPORunConfig(env: envName, totalTimesteps: steps ?? ppo.nTimesteps, ppo: ppo)
    config.envOptions = (chosenPreset?.environmentOptions ?? [:]).merging(try environment.options()) { $1 }
    _ = try environment.spec(envName, options: config.envOptions)  // fail early on a bad name/option
    config.preset = preset ?? chosenPreset?.name
    config.seed = seed
    do {
      let spec = try environment.spec(envName, options: config.envOptions)
      _ = try RewardShaping(name: shaping, environment: spec, gamma: ppo.gamma)
    } catch let error as ShapingError { throw ValidationError("--shaping: \(error.message)") }
    config.shaping = shaping == "none" ? nil : shaping
    config.evalFreq = evalFreq
    config.evalEpisodes = evalEpisodes
    config.checkpointFreq = checkpointFreq
    config.threads = threads
    return config
  }

  func run() throws {
    let folder: RunFolder
    var config: PPORunConfig
    if let resume {
      folder = RunFolder(url: URL(fileURLWithPath: resume))
      guard FileManager.default.fileExists(atPath: folder.configURL.path) else {
        throw ValidationError("--resume: \(resume) is not a run folder (no config.json)")
      }
      config = try folder.readConfig(PPORunConfig.self)
      if let steps { config.totalTimesteps = steps }
    } else {
      folder = RunFolder(url: URL(fileURLWithPath: out!))
      config = try runConfig()
    }
    let training: PPOTraining
    do { training = try PPOTraining(config: config, folder: folder, resume: resume != nil) } catch let error
      as ConfigError
    {
      throw ValidationError(error.message)
    }
    if resume != nil {
      print("resuming \(folder.url.path) at \(training.ppo.numTimesteps) timesteps")
    }
    let bar =
      noProgress
      ? nil
      : ProgressBar(total: config.totalTimesteps, initial: training.ppo.numTimesteps, label: "train")
    let interrupt = InterruptHandler.install()
    defer { interrupt.uninstall() }
    let startSteps = training.ppo.numTimesteps
    let outcome = try training.run(progress: bar, interrupt: interrupt)
    let rate = Double(outcome.timesteps - startSteps) / max(outcome.wallSeconds, 1e-9)
    var summary = "\(config.env) seed \(config.seed): \(outcome.timesteps) timesteps"
    summary += String(format: " in %.2f s (%.0f steps/s)", outcome.wallSeconds, rate)
    if let r = training.ppo.episodeRewardMean { summary += String(format: ", ep_rew_mean %.2f", r) }
    if let e = outcome.lastEvaluation {
      summary += String(
        format: ", eval %.2f +/- %.2f over %d episodes", e.meanReturn, e.stdReturn, e.episodes)
      if training.spec.gridMap != nil { summary += String(format: " (success %.3f)", e.successRate) }
    }
    print(summary)
    switch outcome.status {
    case .finished:
      print("run folder: \(folder.url.path)")
    case .interrupted:
      print(
        "interrupted at \(outcome.timesteps) timesteps; checkpoint saved to \(outcome.checkpoint?.weightsURL.path ?? "-")"
      )
      print("continue with: losslab rl train --resume \(folder.url.path)")
      throw ExitCode(130)
    }
  }
}
