import Core
import Environments
import Foundation
import Statistics

/// How one environment's returns are normalised for the aggregate metrics (rliable's
/// `(score - random) / (optimal - random)`): 0 is the uniform-random policy, 1 the optimal return
/// where one is known, else a documented reference level.
public struct ScoreNormalization: Sendable, Equatable {
  public var env: String
  public var random: Double
  public var optimal: Double
  /// Where `random` and `optimal` come from, for the report.
  public var randomSource: String
  public var optimalSource: String

  public init(env: String, random: Double, optimal: Double, randomSource: String, optimalSource: String) {
    self.env = env
    self.random = random
    self.optimal = optimal
    self.randomSource = randomSource
    self.optimalSource = optimalSource
  }

  /// Episodes of the Monte Carlo estimate of the random policy's return (seed 0).
  public static let randomEpisodes = 200

  public func callAsFunction(_ score: Double) -> Double {
    Aggregates.normalizedScore(score, random: random, optimal: optimal)
  }

  /// The reference scores of an environment:
  /// - gridworlds: the uniform-random policy's expected return (exact, by dynamic programming
  ///   over the time limit) and the optimal return R* (finite-horizon value iteration);
  /// - CartPole-v1: random = Monte Carlo mean of the uniform-random policy (about 22), optimal =
  ///   the time limit (500 steps of reward 1); with the Sutton-Barto reward the optimum is 0;
  /// - classic control (no known optimum): random = Monte Carlo, 1 = Gymnasium's
  ///   `reward_threshold` (the return at which the task counts as solved; -200 for Pendulum,
  ///   which has none).
  public static func defaults(env: String, spec: EnvironmentSpec, gamma: Double) -> ScoreNormalization {
    let monteCarlo =
      "uniform-random policy, mean of \(randomEpisodes) episodes (seed 0)"
    switch spec.kind {
    case .gridworld:
      let reference = ReportReference.defaults(for: spec, gamma: gamma)
      return ScoreNormalization(
        env: env, random: reference.randomReturn ?? reference.low,
        optimal: reference.optimalReturn ?? reference.high,
        randomSource: "uniform-random policy, exact expected return over the time limit",
        optimalSource: "R*, finite-horizon value iteration")
    case .cartPole(let sutton, let limit):
      let top = Double(limit ?? CartPole.maxEpisodeSteps)
      return ScoreNormalization(
        env: env, random: randomPolicyReturn(spec), optimal: sutton ? 0 : top, randomSource: monteCarlo,
        optimalSource: sutton
          ? "0: never falling within the time limit (Sutton-Barto reward)"
          : "\(Report.number(top)): balancing for the whole time limit")
    case .classic(let classic, _):
      let threshold = classic.rewardThreshold ?? -200
      return ScoreNormalization(
        env: env, random: randomPolicyReturn(spec), optimal: threshold, randomSource: monteCarlo,
        optimalSource: classic.rewardThreshold != nil
          ? "Gymnasium's reward_threshold \(Report.number(threshold)) for \(classic.gymnasiumID) (solved; no known optimum)"
          : "-200: a solved swing-up (\(classic.gymnasiumID) has no reward_threshold)")
    }
  }

  /// The mean undiscounted return of the uniform-random policy over `episodes` episodes, seeded
  /// (reproducible); continuous actions are drawn uniformly from the action box.
  public static func randomPolicyReturn(
    _ spec: EnvironmentSpec, episodes: Int = randomEpisodes, seed: UInt64 = 0
  )
    -> Double
  {
    var session = EnvironmentSession(spec.makeEnvironment())
    var rng = RandomGenerator(seed: seed, stream: 1)
    let space = session.environment.actionSpace
    var total = 0.0
    for episode in 0..<episodes {
      _ = session.reset(seed: seed &+ UInt64(episode))
      // Every environment has a time limit or terminates; the cap only guards against a map
      // without either.
      for _ in 0..<100_000 {
        let result: StepResult
        if let n = space.count {
          result = session.step(rng.int(below: n))
        } else if let (low, high) = space.bounds {
          result = session.step(
            continuous: zip(low, high).map { Float(rng.uniform(Double($0), Double($1))) })
        } else {
          break
        }
        total += result.reward
        if result.terminated || result.truncated { break }
      }
    }
    return total / Double(max(episodes, 1))
  }
}
