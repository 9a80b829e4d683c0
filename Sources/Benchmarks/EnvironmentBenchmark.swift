import Core
import Environments
import Foundation
import Tensors

/// Steps-per-second measurements behind `losslab bench env`: random actions from our generator,
/// automatic reset, one thread. Single environments are stepped through their concrete type;
/// vectorised runs go through ``SyncVectorEnv`` (actions drawn into an `[N]` buffer each step).
public enum EnvironmentBenchmark {
  public struct Figure: Sendable {
    public var environment: String
    /// 1 for a bare environment (no vector runner).
    public var numEnvs: Int
    public var vectorised: Bool
    /// Median over the trials.
    public var stepsPerSecond: Double
    public var trials: [Double]
  }

  /// A bare environment stepped `steps` times with random actions, resetting when an episode ends.
  static func single<E: Environment>(_ prototype: E, steps: Int, seed: UInt64) -> Double {
    var env = prototype
    var rng = RandomGenerator(seed: seed)
    var observation = [Float](repeating: 0, count: env.observationSize)
    let actions = env.actionCount
    var total = 0.0
    observation.withUnsafeMutableBufferPointer { obs in
      env.reset(using: &rng, observation: obs)
      for _ in 0..<steps {
        let outcome = env.step(rng.int(below: actions), using: &rng, observation: obs)
        total += outcome.reward
        if outcome.terminated || outcome.truncated { env.reset(using: &rng, observation: obs) }
      }
    }
    return total + Double(observation[0])
  }

  /// `steps` total environment steps (`steps / numEnvs` vector steps) through a ``SyncVectorEnv``.
  static func vector<E: Environment>(_ prototype: E, numEnvs: Int, steps: Int, seed: UInt64) -> Double {
    let venv = SyncVectorEnv(prototype, numEnvs: numEnvs)
    venv.reset(seed: seed)
    var rng = RandomGenerator(seed: seed, stream: 1 << 32)
    var actions = [Int](repeating: 0, count: numEnvs)
    let n = venv.actionCount
    var total = 0.0
    for _ in 0..<(steps / numEnvs) {
      for i in 0..<numEnvs { actions[i] = rng.int(below: n) }
      venv.step(actions)
      total += Double(venv.rewards[0])
    }
    return total
  }

  static func figures<E: Environment>(
    _ name: String, _ prototype: E, vectorSizes: [Int], trials: Int, secondsPerTrial: Double
  ) -> [Figure] {
    var out: [Figure] = []
    let rates = Timing.rates(trials: trials, secondsPerTrial: secondsPerTrial) {
      single(prototype, steps: $0, seed: 1)
    }
    out.append(
      Figure(
        environment: name, numEnvs: 1, vectorised: false, stepsPerSecond: Timing.median(rates), trials: rates)
    )
    for n in vectorSizes {
      let r = Timing.rates(trials: trials, secondsPerTrial: secondsPerTrial) {
        vector(prototype, numEnvs: n, steps: max($0, n), seed: 1)
      }
      out.append(
        Figure(environment: name, numEnvs: n, vectorised: true, stepsPerSecond: Timing.median(r), trials: r))
    }
    return out
  }

  /// CartPole-v1 (500-step limit) and the given FrozenLake map: a bare environment, then vector
  /// runners of each size in `vectorSizes`.
  public static func run(
    frozenLake: GridMap, vectorSizes: [Int] = [8, 64], trials: Int = 5, secondsPerTrial: Double = 0.3
  ) -> [Figure] {
    let cartPole = TimeLimit(CartPole(), maxEpisodeSteps: CartPole.maxEpisodeSteps)
    let lake = TimeLimit(Gridworld(map: frozenLake), maxEpisodeSteps: frozenLake.settings.timeLimit)
    return figures(
      "cartpole", cartPole, vectorSizes: vectorSizes, trials: trials, secondsPerTrial: secondsPerTrial)
      + figures(
        "gridworld:\(frozenLake.name)", lake, vectorSizes: vectorSizes, trials: trials,
        secondsPerTrial: secondsPerTrial)
  }
}
