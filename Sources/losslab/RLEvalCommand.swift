import ArgumentParser
import Core
import Environments
import Foundation
import Reinforcement
import Runs
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
      var object: [String: Any] = [
        "run": runFolder, "env": trained.config.env, "checkpoint_step": trained.checkpoint.step,
        "episodes": result.episodes,
        "deterministic": deterministic, "seed": seed, "mean_return": result.meanReturn,
        "std_return": result.stdReturn,
        "mean_length": result.meanLength,
      ]
      if let ceiling {
        object["success_rate"] = result.successRate
        object["optimal_success_rate"] = ceiling.optimalSuccess
        object["optimal_return"] = ceiling.optimalReturn
        object["time_limit"] = ceiling.horizon ?? NSNull()
      }
      let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
      print(String(decoding: data, as: UTF8.self))
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
