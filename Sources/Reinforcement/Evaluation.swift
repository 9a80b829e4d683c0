import Core
import Environments
import Foundation
import Tensors

/// The outcome of evaluating a policy for a number of episodes.
public struct EvaluationResult: Sendable, Equatable, Codable {
  /// True (unshaped) undiscounted returns, one per episode.
  public var returns: [Double]
  public var lengths: [Int]
  /// Whether each episode ended in a goal (gridworlds; all false elsewhere).
  public var successes: [Bool]

  public var episodes: Int { returns.count }
  public var meanReturn: Double { returns.reduce(0, +) / Double(Swift.max(returns.count, 1)) }
  /// Population standard deviation (NumPy's `np.std`, which SB3's `evaluate_policy` reports).
  public var stdReturn: Double {
    let m = meanReturn
    return (returns.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(Swift.max(returns.count, 1))).squareRoot()
  }
  public var meanLength: Double { Double(lengths.reduce(0, +)) / Double(Swift.max(lengths.count, 1)) }
  public var successRate: Double {
    Double(successes.filter { $0 }.count) / Double(Swift.max(successes.count, 1))
  }
}

/// Runs a policy on separate environment copies, as SB3's `evaluate_policy`: copy `i` of `n`
/// contributes `(episodes + i) / n` episodes, so the set of episodes does not depend on which copy
/// finishes first.
public enum Evaluation {
  /// Upper bound on an evaluation episode for environments without a time limit (a deterministic
  /// policy can loop forever in CliffWalking); such episodes end truncated and count as failures.
  public static let defaultStepCap = 10_000

  /// An evaluation copy of `spec`: the same environment, with a time limit of `cap` steps where it
  /// has none.
  public static func evaluationSpec(_ spec: EnvironmentSpec, cap: Int = defaultStepCap) -> EnvironmentSpec {
    guard spec.timeLimit == nil else { return spec }
    switch spec.kind {
    case .cartPole(let sutton, _):
      return EnvironmentSpec(name: spec.name, kind: .cartPole(suttonBartoReward: sutton, timeLimit: cap))
    case .gridworld(var map):
      map.settings.timeLimit = cap
      return EnvironmentSpec(name: spec.name, kind: .gridworld(map))
    case .classic(let env, _):
      return EnvironmentSpec(name: spec.name, kind: .classic(env, timeLimit: cap))
    }
  }

  /// Evaluates `policy` for `episodes` episodes on `spec` (time-capped, see ``evaluationSpec``),
  /// seeding the copies with `seed` and, for stochastic actions, sampling from a stream of `seed`.
  public static func run(
    policy: ActorCritic, normalizer: ObservationNormalizer?, spec: EnvironmentSpec, episodes: Int,
    deterministic: Bool, seed: UInt64, maxCopies: Int = 16
  ) -> EvaluationResult {
    precondition(episodes > 0, "evaluation needs at least one episode, got \(episodes)")
    let n = Swift.min(episodes, maxCopies)
    let env = evaluationSpec(spec).makeVector(numEnvs: n)
    return run(
      policy: policy, normalizer: normalizer, env: env, episodes: episodes, deterministic: deterministic,
      seed: seed)
  }

  public static func run(
    policy: ActorCritic, normalizer: ObservationNormalizer?, env: any VectorEnvironment, episodes: Int,
    deterministic: Bool, seed: UInt64
  ) -> EvaluationResult {
    let n = env.numEnvs
    let d = env.observationSize
    let targets = (0..<n).map { (episodes + $0) / n }
    var counts = [Int](repeating: 0, count: n)
    var perCopy = [[EpisodeRecord]](repeating: [], count: n)
    var rng = RandomGenerator(seed: seed ^ 0xE7A1_0000_0000_0001, stream: 0)
    var actions = [Int](repeating: 0, count: n)
    var logProbs = [Float](repeating: 0, count: n)
    var gaussianActions = [Float](repeating: 0, count: n * env.actionSize)
    var envActions = gaussianActions
    env.reset(seed: seed)
    while zip(counts, targets).contains(where: { $0 < $1 }) {
      var obs = env.observations
      if let normalizer { obs = normalizer.normalize(obs) }
      if let head = policy.gaussian {
        // Box actions: the mean (deterministic) or a draw from N(mean, sigma(s)^2), clipped or squashed.
        let (mean, _, latent) = policy.forwardWithLatent(Tensor(shape: [n, d], data: obs))
        head.act(
          mean: mean, latent: latent, matrices: nil, deterministic: deterministic, using: &rng,
          gaussian: &gaussianActions, envActions: &envActions, logProbs: &logProbs)
        env.step(continuous: envActions)
      } else {
        let (logits, _) = policy.forward(Tensor(shape: [n, d], data: obs))
        CategoricalPolicy.act(
          logits: logits, deterministic: deterministic, using: &rng, actions: &actions, logProbs: &logProbs)
        env.step(actions)
      }
      for e in env.finishedEpisodes where counts[e.envIndex] < targets[e.envIndex] {
        perCopy[e.envIndex].append(e)
        counts[e.envIndex] += 1
      }
    }
    let all = perCopy.flatMap { $0 }
    return EvaluationResult(
      returns: all.map(\.return), lengths: all.map(\.length), successes: all.map(\.success))
  }
}

extension Evaluation {
  /// Actions for a batch of logits `[n, A]`: argmax when `deterministic`, else sampled.
  public static func act(
    logits: Tensor, deterministic: Bool, rng: inout RandomGenerator, actions: inout [Int],
    logProbs: inout [Float]
  ) {
    CategoricalPolicy.act(
      logits: logits, deterministic: deterministic, using: &rng, actions: &actions, logProbs: &logProbs)
  }
}
