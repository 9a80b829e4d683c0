// Environments: the Gymnasium-style environment protocol, CartPole-v1, text-map gridworlds,
// the vectorised runner, wrappers and the value-iteration solver. Knows nothing about agents.
import Core

/// An observation or action space, as Gymnasium describes them.
public enum Space: Sendable, Equatable, CustomStringConvertible {
  /// A box of floats with per-element bounds (row-major `shape`; `low`/`high` have `shape`'s product).
  case box(low: [Float], high: [Float], shape: [Int])
  /// The integers `0..<n`.
  case discrete(Int)

  /// Number of floats in one observation (box) or 1 (discrete).
  public var flatSize: Int {
    switch self {
    case .box(_, _, let shape): return shape.reduce(1, *)
    case .discrete: return 1
    }
  }

  /// The `n` of a discrete space; nil for a box.
  public var count: Int? {
    if case .discrete(let n) = self { return n }
    return nil
  }

  /// True for `.discrete`.
  public var isDiscrete: Bool { count != nil }

  /// The bounds of a box (nil for a discrete space).
  public var bounds: (low: [Float], high: [Float])? {
    if case .box(let low, let high, _) = self { return (low, high) }
    return nil
  }

  public var description: String {
    switch self {
    case .discrete(let n): return "Discrete(\(n))"
    case .box(let low, let high, let shape):
      let lo = Set(low)
      let hi = Set(high)
      let bound = { (s: Set<Float>, all: [Float]) -> String in
        s.count == 1 ? Space.format(all[0]) : "[" + all.map(Space.format).joined(separator: ", ") + "]"
      }
      return
        "Box(\(bound(lo, low)), \(bound(hi, high)), (\(shape.map(String.init).joined(separator: ", "))\(shape.count == 1 ? "," : "")))"
    }
  }

  static func format(_ x: Float) -> String {
    if x == .infinity { return "inf" }
    if x == -.infinity { return "-inf" }
    if x == x.rounded() && abs(x) < 1e7 { return String(Int(x)) }
    return "\(x)"
  }
}

/// What one `step` returns besides the observation (written into the caller's buffer).
///
/// `terminated` means the MDP reached a terminal state: the value of what follows is zero.
/// `truncated` means the episode was cut (a time limit): PPO bootstraps from the value of the
/// final observation. Both can be true at once (Gymnasium's `TimeLimit` sets `truncated` on the
/// last allowed step whatever `terminated` says).
public struct StepOutcome: Sendable, Equatable {
  public var reward: Double
  public var terminated: Bool
  public var truncated: Bool
  /// The step entered a goal cell (gridworlds) or reached the goal that ends the episode (MountainCar's
  /// flag, Acrobot's line: `success == terminated`); false for environments without goals (CartPole, Pendulum).
  public var success: Bool

  @inlinable
  public init(reward: Double, terminated: Bool, truncated: Bool, success: Bool = false) {
    self.reward = reward
    self.terminated = terminated
    self.truncated = truncated
    self.success = success
  }
}

/// A single environment with Gymnasium's semantics, allocation-free in the hot path.
///
/// Observations are written into a caller-owned buffer of exactly `observationSize` floats, and
/// all randomness (initial states, slips) comes from the caller's generator, so a vector runner
/// can keep N environments, N generators and one `[N, observationSize]` buffer contiguous.
/// Use ``EnvironmentSession`` for the convenient `reset(seed:) -> [Float]` form.
///
/// Actions: an environment with a `.discrete(n)` action space is stepped with
/// ``step(_:using:observation:)``; one with a `.box` action space (MountainCarContinuous,
/// Pendulum) with ``step(continuous:using:observation:)``, which takes `actionSize` floats from a
/// caller-owned buffer (a vector runner passes a row of its `[N, actionSize]` action buffer) and
/// clips them to the bounds itself, as Gymnasium's environments do. Calling the other form is a
/// programming error: callers check ``actionSpace`` (``Space/isDiscrete``) first.
public protocol Environment: Sendable {
  var observationSpace: Space { get }
  /// `.discrete(n)` or a `.box` (continuous actions).
  var actionSpace: Space { get }
  /// Floats per observation (`observationSpace.flatSize`).
  var observationSize: Int { get }
  /// Number of discrete actions (0 for a box action space).
  var actionCount: Int { get }
  /// Floats per continuous action (0 for a discrete action space).
  var actionSize: Int { get }
  /// Starts a new episode and writes its first observation.
  mutating func reset(using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>)
  /// Applies `action` (in `0..<actionCount`) and writes the next observation.
  mutating func step(
    _ action: Int, using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>
  ) -> StepOutcome
  /// Applies the continuous `action` (`actionSize` floats, any values) and writes the next observation.
  mutating func step(
    continuous action: UnsafeBufferPointer<Float>, using rng: inout RandomGenerator,
    observation: UnsafeMutableBufferPointer<Float>
  ) -> StepOutcome
}

extension Environment {
  public var observationSize: Int { observationSpace.flatSize }
  public var actionCount: Int { actionSpace.count ?? 0 }
  public var actionSize: Int { actionSpace.isDiscrete ? 0 : actionSpace.flatSize }

  /// Discrete environments: continuous actions are a programming error.
  public mutating func step(
    continuous action: UnsafeBufferPointer<Float>, using rng: inout RandomGenerator,
    observation: UnsafeMutableBufferPointer<Float>
  ) -> StepOutcome {
    preconditionFailure("\(Self.self) has a discrete action space: step it with an integer action")
  }
}

/// An environment that wraps `base` (Gymnasium's `Wrapper`) and keeps its spaces.
public protocol EnvironmentWrapper: Environment {
  associatedtype Base: Environment
  var base: Base { get }
}

extension EnvironmentWrapper {
  public var observationSpace: Space { base.observationSpace }
  public var actionSpace: Space { base.actionSpace }
  public var observationSize: Int { base.observationSize }
  public var actionCount: Int { base.actionCount }
  public var actionSize: Int { base.actionSize }
}

/// The result of ``EnvironmentSession/step(_:)``.
public struct StepResult: Sendable, Equatable {
  public var observation: [Float]
  public var reward: Double
  public var terminated: Bool
  public var truncated: Bool
  public var success: Bool
}

/// One environment with its own generator and observation buffer: the `reset(seed:)` /
/// `step(_:)` form of the API, for people and tests (it allocates the returned arrays).
/// Seeding uses stream 0, so copy 0 of a ``SyncVectorEnv`` reset with the same seed agrees.
public struct EnvironmentSession<E: Environment>: Sendable {
  public var environment: E
  public private(set) var rng: RandomGenerator
  public private(set) var observation: [Float]

  public init(_ environment: E) {
    self.environment = environment
    rng = RandomGenerator(seed: 0)
    observation = [Float](repeating: 0, count: environment.observationSize)
  }

  /// Starts an episode; the generator is reseeded with `RandomGenerator(seed: seed, stream: 0)`.
  public mutating func reset(seed: UInt64) -> [Float] {
    rng = RandomGenerator(seed: seed, stream: 0)
    return reset()
  }

  /// Starts an episode, continuing the current generator.
  public mutating func reset() -> [Float] {
    observation.withUnsafeMutableBufferPointer { environment.reset(using: &rng, observation: $0) }
    return observation
  }

  public mutating func step(_ action: Int) -> StepResult {
    precondition(
      action >= 0 && action < environment.actionCount,
      "action \(action) outside 0..<\(environment.actionCount)")
    let outcome = observation.withUnsafeMutableBufferPointer {
      environment.step(action, using: &rng, observation: $0)
    }
    return StepResult(
      observation: observation, reward: outcome.reward, terminated: outcome.terminated,
      truncated: outcome.truncated, success: outcome.success)
  }

  /// Box action spaces: `action` has `actionSize` floats (out-of-bounds values are clipped by the
  /// environment).
  public mutating func step(continuous action: [Float]) -> StepResult {
    precondition(
      !environment.actionSpace.isDiscrete && action.count == environment.actionSize,
      "\(action.count) floats for the action space \(environment.actionSpace)")
    let outcome = observation.withUnsafeMutableBufferPointer { obs in
      action.withUnsafeBufferPointer { environment.step(continuous: $0, using: &rng, observation: obs) }
    }
    return StepResult(
      observation: observation, reward: outcome.reward, terminated: outcome.terminated,
      truncated: outcome.truncated, success: outcome.success)
  }
}
