import ArgumentParser
import Environments
import Experiments
import Foundation
import Reinforcement

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
    if episodes < 1 { throw ValidationError("--episodes must be positive, got \(episodes)") }
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
          run: runFolder, env: trained.config.env, checkpointStep: trained.checkpoint.step,
          episodes: result.episodes, deterministic: deterministic, seed: seed, meanReturn: result.meanReturn,
          stdReturn: result.stdReturn, meanLength: result.meanLength,
          ceiling: ceiling.map { ($0, result.successRate) }))
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
/// (`time_limit` null when the map has none).
private struct EvaluationJSON: Encodable {
  var run: String
  var env: String
  var checkpointStep: Int
  var episodes: Int
  var deterministic: Bool
  var seed: UInt64
  var meanReturn: Double
  var stdReturn: Double
  var meanLength: Double
  var ceiling: (GridworldCeiling, successRate: Double)?

  enum CodingKeys: String, CodingKey {
    case run, env, episodes, deterministic, seed
    case checkpointStep = "checkpoint_step"
    case meanReturn = "mean_return"
    case stdReturn = "std_return"
    case meanLength = "mean_length"
    case successRate = "success_rate"
    case optimalSuccessRate = "optimal_success_rate"
    case optimalReturn = "optimal_return"
    case timeLimit = "time_limit"
  }

  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(run, forKey: .run)
    try c.encode(env, forKey: .env)
    try c.encode(checkpointStep, forKey: .checkpointStep)
    try c.encode(episodes, forKey: .episodes)
    try c.encode(deterministic, forKey: .deterministic)
    try c.encode(seed, forKey: .seed)
    try c.encode(meanReturn, forKey: .meanReturn)
    try c.encode(stdReturn, forKey: .stdReturn)
    try c.encode(meanLength, forKey: .meanLength)
    guard let pair = ceiling else { return }
    let (ceiling, successRate) = pair
    try c.encode(successRate, forKey: .successRate)
    try c.encode(ceiling.optimalSuccess, forKey: .optimalSuccessRate)
    try c.encode(ceiling.optimalReturn, forKey: .optimalReturn)
    try c.encode(ceiling.horizon, forKey: .timeLimit)  // null without a time limit
  }
}
