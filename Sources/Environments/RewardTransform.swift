import Core

/// A hook for reward shaping: computes the reward an agent learns from, from the environment's
/// true reward and the transition.
///
/// Order in ``SyncVectorEnv/step(_:)`` for copy `i` (one transform instance per copy):
/// 1. the environment steps (its ``TimeLimit`` included) and writes the observation after the step;
/// 2. the true reward is added to the episode's true return (``EpisodeRecord/return``);
/// 3. `transform(...)` gets the observation before the step, the action (0 for continuous
///    actions), the observation after it
///    (the final observation when the episode ended) and both flags, and returns the shaped reward,
///    which goes into `rewards` and the episode's ``EpisodeRecord/shapedReturn``;
/// 4. if the episode ended, the record is published, the environment resets, and
///    `reset(observation:)` is called with the new episode's first observation.
public protocol RewardTransform: Sendable {
  /// Called with the first observation of every episode.
  mutating func reset(observation: UnsafeBufferPointer<Float>)
  mutating func transform(
    reward: Double, observation: UnsafeBufferPointer<Float>, action: Int,
    nextObservation: UnsafeBufferPointer<Float>, terminated: Bool, truncated: Bool
  ) -> Double
}

extension RewardTransform {
  public mutating func reset(observation: UnsafeBufferPointer<Float>) {}
}

/// The identity transform: the agent learns from the true reward.
public struct IdentityReward: RewardTransform {
  public init() {}
  @inline(__always)
  public func transform(
    reward: Double, observation: UnsafeBufferPointer<Float>, action: Int,
    nextObservation: UnsafeBufferPointer<Float>, terminated: Bool, truncated: Bool
  ) -> Double { reward }
}

/// Return, length and outcome of one finished episode (Gymnasium's `RecordEpisodeStatistics`
/// `episode["r"]` and `episode["l"]`).
public struct EpisodeRecord: Sendable, Equatable {
  /// The environment copy it ran in.
  public var envIndex: Int
  /// The undiscounted sum of true (untransformed) rewards.
  public var `return`: Double
  /// The undiscounted sum of the rewards the agent saw (after the ``RewardTransform``).
  public var shapedReturn: Double
  public var length: Int
  public var terminated: Bool
  public var truncated: Bool
  /// The last step entered a goal (gridworlds).
  public var success: Bool

  public init(
    envIndex: Int, return: Double, shapedReturn: Double, length: Int, terminated: Bool, truncated: Bool,
    success: Bool
  ) {
    self.envIndex = envIndex
    self.return = `return`
    self.shapedReturn = shapedReturn
    self.length = length
    self.terminated = terminated
    self.truncated = truncated
    self.success = success
  }
}

/// Gymnasium's `RecordEpisodeStatistics` for a single environment: keeps the running return and
/// length and publishes ``lastEpisode`` when an episode ends.
public struct EpisodeStatistics<Base: Environment>: EnvironmentWrapper {
  public var base: Base
  public private(set) var episodeReturn = 0.0
  public private(set) var episodeLength = 0
  /// The most recently finished episode (its `shapedReturn` equals its return).
  public private(set) var lastEpisode: EpisodeRecord? = nil

  public init(_ base: Base) { self.base = base }

  public mutating func reset(using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>)
  {
    episodeReturn = 0
    episodeLength = 0
    base.reset(using: &rng, observation: observation)
  }

  public mutating func step(
    _ action: Int, using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>
  ) -> StepOutcome {
    record(base.step(action, using: &rng, observation: observation))
  }

  public mutating func step(
    continuous action: UnsafeBufferPointer<Float>, using rng: inout RandomGenerator,
    observation: UnsafeMutableBufferPointer<Float>
  ) -> StepOutcome {
    record(base.step(continuous: action, using: &rng, observation: observation))
  }

  mutating func record(_ outcome: StepOutcome) -> StepOutcome {
    episodeReturn += outcome.reward
    episodeLength += 1
    if outcome.terminated || outcome.truncated {
      lastEpisode = EpisodeRecord(
        envIndex: 0, return: episodeReturn, shapedReturn: episodeReturn, length: episodeLength,
        terminated: outcome.terminated, truncated: outcome.truncated, success: outcome.success)
    }
    return outcome
  }
}
