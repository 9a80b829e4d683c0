import Core
import Environments
import Foundation
import Tensors

/// Steps-per-second measurements behind `losslab bench env`: random actions from our generator
/// (uniform over the box for continuous actions), automatic reset, one thread. Single
/// environments are stepped through their concrete type; vectorised runs go through
/// ``SyncVectorEnv`` (actions drawn into an `[N]` or `[N, actionSize]` buffer each step).
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
    let (low, high) = env.actionSpace.bounds ?? ([], [])
    var action = [Float](repeating: 0, count: env.actionSize)
    var total = 0.0
    observation.withUnsafeMutableBufferPointer { obs in
      action.withUnsafeMutableBufferPointer { action in
        env.reset(using: &rng, observation: obs)
        for _ in 0..<steps {
          let outcome: StepOutcome
          if actions > 0 {
            outcome = env.step(rng.int(below: actions), using: &rng, observation: obs)
          } else {
            for k in 0..<action.count { action[k] = low[k] + (high[k] - low[k]) * rng.uniformFloat() }
            outcome = env.step(continuous: UnsafeBufferPointer(action), using: &rng, observation: obs)
          }
          total += outcome.reward
          if outcome.terminated || outcome.truncated { env.reset(using: &rng, observation: obs) }
        }
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
    let k = venv.actionSize
    let (low, high) = venv.actionSpace.bounds ?? ([], [])
    var continuous = [Float](repeating: 0, count: numEnvs * k)
    var total = 0.0
    for _ in 0..<(steps / numEnvs) {
      if n > 0 {
        for i in 0..<numEnvs { actions[i] = rng.int(below: n) }
        venv.step(actions)
      } else {
        for j in 0..<(numEnvs * k) {
          continuous[j] = low[j % k] + (high[j % k] - low[j % k]) * rng.uniformFloat()
        }
        venv.step(continuous: continuous)
      }
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

  /// CartPole-v1 (500-step limit), the given FrozenLake map, then Acrobot-v1, MountainCar-v0,
  /// MountainCarContinuous-v0 and Pendulum-v1 (Gymnasium's time limits): a bare environment,
  /// then vector runners of each size in `vectorSizes`.
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
      + classicFigures(vectorSizes: vectorSizes, trials: trials, secondsPerTrial: secondsPerTrial)
  }

  static func classicFigures(vectorSizes: [Int], trials: Int, secondsPerTrial: Double) -> [Figure] {
    func run<E: Environment>(_ env: ClassicControl, _ base: E) -> [Figure] {
      figures(
        env.name, TimeLimit(base, maxEpisodeSteps: env.defaultTimeLimit), vectorSizes: vectorSizes,
        trials: trials, secondsPerTrial: secondsPerTrial)
    }
    return run(.acrobot, Acrobot()) + run(.mountainCar, MountainCar())
      + run(.mountainCarContinuous, MountainCarContinuous()) + run(.pendulum, Pendulum())
  }
}
