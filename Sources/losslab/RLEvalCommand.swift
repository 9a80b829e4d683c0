import ArgumentParser
import Core
import Environments
import Foundation
import Reinforcement
import Runs
import Tensors
import Training

/// `losslab rl eval RUN`: evaluates a trained policy; for gridworlds beside the solver's optimum.
struct RLEvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract:
      "Evaluate a trained PPO policy: mean and std of the true return, success rate and the optimum for gridworlds."
  )

  @Argument(help: "Run folder written by `losslab rl train`.")
  var runFolder: String

  @Option(help: "Episodes to run.")
  var episodes: Int = 100

  @Flag(
    inversion: .prefixedNo,
    help: "Greedy actions (argmax), as SB3's evaluate_policy; --no-deterministic samples.")
  var deterministic = true

  @Option(help: "Seed of the evaluation environments.")
  var seed: UInt64 = 12_345

  @Option(help: "Checkpoint step to load (default: the latest).")
  var checkpoint: Int?

  @Flag(help: "Print the frames of one episode first.")
  var render = false

  @Flag(help: "Print one JSON object instead of text.")
  var json = false

  func validate() throws {
    try Allowed.path("RUN", runFolder)
    try Allowed.check("--episodes", episodes, 1...Limits.repeats)
    try Allowed.check("--checkpoint", checkpoint, 0...Limits.steps)
  }

  func run() throws {
    let trained: TrainedPolicy
    do {
      trained = try TrainedPolicy(folder: RunFolder(url: URL(fileURLWithPath: runFolder)), step: checkpoint)
    } catch let error as ConfigError {
      throw ValidationError(error.message)
    }
    if render {
      let color = isatty(STDOUT_FILENO) == 1
      for frame in trained.renderEpisode(deterministic: deterministic, seed: seed, color: color) {
        print(frame + "\n")
      }
    }
    let result = trained.evaluate(episodes: episodes, deterministic: deterministic, seed: seed)
    let ceiling = trained.spec.gridMap.map { GridworldCeiling(map: $0) }
    if json {
      try printJSON(
        EvaluationJSON(
          run: runFolder, env: trained.config.env, checkpoint_step: trained.checkpoint.step,
          episodes: result.episodes, deterministic: deterministic, seed: seed, mean_return: result.meanReturn,
          std_return: result.stdReturn, mean_length: result.meanLength,
          success_rate: ceiling.map { _ in result.successRate },
          optimal_success_rate: ceiling?.optimalSuccess,
          optimal_return: ceiling?.optimalReturn, time_limit: ceiling.map { JSONNullable($0.horizon) }))
      return
    }
    print(
      "\(trained.config.env), checkpoint at \(trained.checkpoint.step) timesteps, \(result.episodes) \(deterministic ? "deterministic" : "stochastic") episodes (seed \(seed))"
    )
    print(
      String(
        format: "return  %.3f +/- %.3f (std)   mean length %.1f", result.meanReturn, result.stdReturn,
        result.meanLength))
    if let ceiling {
      let limit = ceiling.horizon.map { "\($0)-step limit" } ?? "no time limit"
      print(
        String(
          format: "success %.3f   optimal %.3f (solver, %@)", result.successRate, ceiling.optimalSuccess,
          limit))
      print(String(format: "optimal expected return %.3f", ceiling.optimalReturn))
    }
  }
}

/// `rl eval --json`: the evaluation, plus the success rate and the optimal ceiling on gridworlds
/// (`time_limit` null when the map has none; the gridworld keys absent elsewhere).
private struct EvaluationJSON: Encodable {
  var run: String
  var env: String
  var checkpoint_step: Int
  var episodes: Int
  var deterministic: Bool
  var seed: UInt64
  var mean_return: Double
  var std_return: Double
  var mean_length: Double
  var success_rate: Double?
  var optimal_success_rate: Double?
  var optimal_return: Double?
  var time_limit: JSONNullable<Int>?
}
