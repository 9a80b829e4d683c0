import ArgumentParser
import Core
import Environments
import Foundation
import Reinforcement
import Runs
import Training

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

  @Option(
    help:
      "Environment: a name from `losslab env list` (cartpole, acrobot, mountaincar, gridworld:NAME, gridworld:PATH.map) or a Gymnasium id (default: the preset's)."
  )
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

  @Option(
    help:
      "Environment steps to train for (default: the preset's n_timesteps; with --resume, the new total, above the steps done)."
  )
  var steps: Int?

  @OptionGroup var runFolder: RunFolderOptions

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

  @Option(
    help:
      "PPO update implementation: auto (fused C kernels where the CPU has AVX2 or AVX-512), fused or tape (kept by --resume)."
  )
  var update = "auto"

  @Flag(name: .customLong("no-progress"), help: "No progress bar.")
  var noProgress = false

  func validate() throws {
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
    guard ["auto", "fused", "tape"].contains(update) else {
      throw ValidationError("--update must be auto, fused or tape, got '\(update)'")
    }
    try Allowed.check("--eval-freq", evalFreq, 0...Limits.steps)
    try Allowed.check("--eval-episodes", evalEpisodes, 1...Limits.repeats)
    try Allowed.check("--checkpoint-freq", checkpointFreq, 1...Limits.steps)
  }

  /// The request as the library takes it (presets are applied in ``PPORunRequest/resolve()``).
  func runRequest() throws -> PPORunRequest {
    var request = PPORunRequest(env: env, preset: preset)
    request.overrides = overrides
    request.envOptions = try environment.options()
    request.steps = steps
    request.seed = seed
    request.shaping = shaping
    request.evalFreq = evalFreq
    request.evalEpisodes = evalEpisodes
    request.checkpointFreq = checkpointFreq
    request.threads = threads
    request.update = update
    return request
  }

  func runConfig() throws -> PPORunConfig { try RLTrainCommand.resolve(runRequest()) }

  /// ``PPORunRequest/resolve()`` with its errors as usage errors (exit 2).
  static func resolve(_ request: PPORunRequest) throws -> PPORunConfig {
    do { return try request.resolve() } catch let error as ConfigError {
      throw ValidationError(error.message)
    } catch let error as EnvironmentError {
      throw ValidationError(error.message)
    } catch let error as GridMapError {
      throw ValidationError(error.description)
    }
  }

  func run() throws {
    try TrainingCommandExit.run {
      let interrupt = InterruptHandler.install()
      defer { interrupt.uninstall() }
      let session = try TrainingSession(try runFolder.request(), interrupt: interrupt)
      let config = try PPOTraining.config(for: session, requestedSteps: steps, fresh: runConfig)
      let folder = session.folder
      let training: PPOTraining
      do { training = try PPOTraining(config: config, session: session) } catch let error as ConfigError {
        throw ValidationError(error.message)
      }
      if session.isResuming {
        print("resuming \(folder.url.path) at \(training.ppo.numTimesteps) timesteps")
      }
      let bar =
        noProgress
        ? nil
        : ProgressBar(total: config.totalTimesteps, initial: training.ppo.numTimesteps, label: "train")
      let startSteps = training.ppo.numTimesteps
      let outcome = try training.run(progress: bar)
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
        return .finished
      case .interrupted:
        print(
          "interrupted at \(outcome.timesteps) timesteps; checkpoint saved to \(outcome.checkpoint?.weightsURL.path ?? "-")"
        )
        print("continue with: losslab rl train --resume \(folder.url.path)")
        return .interrupted
      }
    }
  }
}
