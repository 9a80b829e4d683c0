import Core

/// Gymnasium's `TimeLimit` wrapper: `truncated` becomes true on the `maxEpisodeSteps`-th step of
/// an episode (whatever `terminated` says, as in Gymnasium). `nil` means no limit.
public struct TimeLimit<Base: Environment>: EnvironmentWrapper {
  public var base: Base
  public let maxEpisodeSteps: Int?
  /// Steps taken in the current episode.
  public private(set) var elapsedSteps = 0

  public init(_ base: Base, maxEpisodeSteps: Int?) {
    precondition(
      maxEpisodeSteps.map { $0 > 0 } ?? true, "maxEpisodeSteps must be positive, got \(maxEpisodeSteps!)")
    self.base = base
    self.maxEpisodeSteps = maxEpisodeSteps
  }

  public mutating func reset(using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>)
  {
    elapsedSteps = 0
    base.reset(using: &rng, observation: observation)
  }

  public mutating func step(
    _ action: Int, using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>
  ) -> StepOutcome {
    count(base.step(action, using: &rng, observation: observation))
  }

  public mutating func step(
    continuous action: UnsafeBufferPointer<Float>, using rng: inout RandomGenerator,
    observation: UnsafeMutableBufferPointer<Float>
  ) -> StepOutcome {
    count(base.step(continuous: action, using: &rng, observation: observation))
  }

  @inline(__always)
  mutating func count(_ outcome: StepOutcome) -> StepOutcome {
    var outcome = outcome
    elapsedSteps += 1
    if let limit = maxEpisodeSteps, elapsedSteps >= limit { outcome.truncated = true }
    return outcome
  }
}
