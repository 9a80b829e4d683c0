import Core

/// N environment copies stepped in lockstep into structure-of-arrays buffers, with automatic reset
/// (Stable-Baselines3's convention: after a step, `observations` holds the first observation of
/// the next episode for copies whose episode ended, and `finalObservations` holds the observation
/// that ended it, SB3's `terminal_observation`, for bootstrapping on truncation).
///
/// Buffers: `observations` and `finalObservations` are `[numEnvs, observationSize]` row-major;
/// `rewards`, `rawRewards`, `terminated`, `truncated` are `[numEnvs]` and describe the last step.
public protocol VectorEnvironment: AnyObject {
  var numEnvs: Int { get }
  var observationSize: Int { get }
  /// Number of discrete actions (0 for a box action space).
  var actionCount: Int { get }
  /// Floats per continuous action (0 for a discrete action space).
  var actionSize: Int { get }
  var observationSpace: Space { get }
  var actionSpace: Space { get }
  /// Current observations (after autoreset).
  var observations: [Float] { get }
  /// Rewards of the last step after the ``RewardTransform`` (what the agent learns from).
  var rewards: [Float] { get }
  /// True rewards of the last step.
  var rawRewards: [Float] { get }
  var terminated: [Bool] { get }
  var truncated: [Bool] { get }
  /// Valid in rows whose episode ended in the last step (`terminated || truncated`).
  var finalObservations: [Float] { get }
  /// Episodes that finished in the last step, in copy order.
  var finishedEpisodes: [EpisodeRecord] { get }
  /// Reseeds copy `i` with `RandomGenerator(seed: seed, stream: UInt64(i))` and resets every copy.
  func reset(seed: UInt64)
  /// Steps every copy; `actions.count == numEnvs` (discrete action spaces).
  func step(_ actions: [Int])
  func step(_ actions: UnsafeBufferPointer<Int>)
  /// Steps every copy with continuous actions (box action spaces): `actions` is
  /// `[numEnvs, actionSize]` row-major; each environment clips its row to its bounds.
  func step(continuous actions: UnsafeBufferPointer<Float>)
  /// Read-only views of `observations` and `finalObservations` without copies.
  func withObservations<R>(
    _ body: (_ observations: UnsafeBufferPointer<Float>, _ finalObservations: UnsafeBufferPointer<Float>)
      throws -> R
  ) rethrows -> R
}

extension VectorEnvironment {
  public func step(_ actions: [Int]) { actions.withUnsafeBufferPointer { step($0) } }
  public func step(continuous actions: [Float]) { actions.withUnsafeBufferPointer { step(continuous: $0) } }
}

/// The vector runner over copies of one concrete environment type: generic, so each copy's step
/// is a direct (specialised) call, and allocation-free per step.
public final class SyncVectorEnv<E: Environment, Transform: RewardTransform>: VectorEnvironment {
  public let numEnvs: Int
  public let observationSize: Int
  public let actionCount: Int
  public let actionSize: Int
  public let observationSpace: Space
  public let actionSpace: Space
  public private(set) var observations: [Float]
  public private(set) var finalObservations: [Float]
  public private(set) var rewards: [Float]
  public private(set) var rawRewards: [Float]
  public private(set) var terminated: [Bool]
  public private(set) var truncated: [Bool]
  public private(set) var finishedEpisodes: [EpisodeRecord] = []
  // Per-copy state in raw buffers owned by the runner: the step loop touches them without
  // exclusivity or uniqueness checks per copy.
  let envs: UnsafeMutablePointer<E>
  let generators: UnsafeMutablePointer<RandomGenerator>
  let tfs: UnsafeMutablePointer<Transform>
  let episodeReturns: UnsafeMutablePointer<Double>
  let shapedReturns: UnsafeMutablePointer<Double>
  let episodeLengths: UnsafeMutablePointer<Int>
  /// The observation before the step of the copy being stepped.
  let previous: UnsafeMutablePointer<Float>

  /// Copies `environment` `numEnvs` times, each with its own copy of `transform`. Call `reset(seed:)` before stepping.
  public init(_ environment: E, numEnvs: Int, transform: Transform) {
    precondition(numEnvs > 0, "numEnvs must be positive, got \(numEnvs)")
    self.numEnvs = numEnvs
    observationSize = environment.observationSize
    actionCount = environment.actionCount
    actionSize = environment.actionSize
    observationSpace = environment.observationSpace
    actionSpace = environment.actionSpace
    envs = .allocate(capacity: numEnvs)
    envs.initialize(repeating: environment, count: numEnvs)
    tfs = .allocate(capacity: numEnvs)
    tfs.initialize(repeating: transform, count: numEnvs)
    generators = .allocate(capacity: numEnvs)
    for i in 0..<numEnvs { (generators + i).initialize(to: RandomGenerator(seed: 0, stream: UInt64(i))) }
    episodeReturns = .allocate(capacity: numEnvs)
    episodeReturns.initialize(repeating: 0, count: numEnvs)
    shapedReturns = .allocate(capacity: numEnvs)
    shapedReturns.initialize(repeating: 0, count: numEnvs)
    episodeLengths = .allocate(capacity: numEnvs)
    episodeLengths.initialize(repeating: 0, count: numEnvs)
    previous = .allocate(capacity: max(1, observationSize))
    previous.initialize(repeating: 0, count: max(1, observationSize))
    observations = [Float](repeating: 0, count: numEnvs * observationSize)
    finalObservations = observations
    rewards = [Float](repeating: 0, count: numEnvs)
    rawRewards = rewards
    terminated = [Bool](repeating: false, count: numEnvs)
    truncated = terminated
    finishedEpisodes.reserveCapacity(numEnvs)
  }

  deinit {
    envs.deinitialize(count: numEnvs)
    envs.deallocate()
    tfs.deinitialize(count: numEnvs)
    tfs.deallocate()
    generators.deinitialize(count: numEnvs)
    generators.deallocate()
    episodeReturns.deallocate()
    shapedReturns.deallocate()
    episodeLengths.deallocate()
    previous.deallocate()
  }

  /// The environment copies (a snapshot).
  public var environments: [E] { Array(UnsafeBufferPointer(start: envs, count: numEnvs)) }
  /// The reward transforms of the copies (a snapshot).
  public var transforms: [Transform] { Array(UnsafeBufferPointer(start: tfs, count: numEnvs)) }

  public func reset(seed: UInt64) {
    let d = observationSize
    finishedEpisodes.removeAll(keepingCapacity: true)
    for i in 0..<numEnvs {
      generators[i] = RandomGenerator(seed: seed, stream: UInt64(i))
      episodeReturns[i] = 0
      shapedReturns[i] = 0
      episodeLengths[i] = 0
      rewards[i] = 0
      rawRewards[i] = 0
      terminated[i] = false
      truncated[i] = false
    }
    observations.withUnsafeMutableBufferPointer { obs in
      for i in 0..<numEnvs {
        let row = UnsafeMutableBufferPointer(rebasing: obs[(i * d)..<((i + 1) * d)])
        envs[i].reset(using: &generators[i], observation: row)
        tfs[i].reset(observation: UnsafeBufferPointer(row))
      }
    }
  }

  public func step(_ actions: UnsafeBufferPointer<Int>) {
    precondition(actionSpace.isDiscrete, "step(_:) needs a discrete action space, not \(actionSpace)")
    precondition(actions.count == numEnvs, "\(actions.count) actions for \(numEnvs) environments")
    stepEach { i, row in
      let action = actions[i]
      precondition(
        action >= 0 && action < actionCount, "action \(action) of env \(i) outside 0..<\(actionCount)")
      return (envs[i].step(action, using: &generators[i], observation: row), action)
    }
  }

  public func step(continuous actions: UnsafeBufferPointer<Float>) {
    precondition(!actionSpace.isDiscrete, "step(continuous:) needs a box action space, not \(actionSpace)")
    let k = actionSize
    precondition(
      actions.count == numEnvs * k, "\(actions.count) floats for \(numEnvs) environments x \(k) per action")
    stepEach { i, row in
      let action = UnsafeBufferPointer(start: actions.baseAddress! + i * k, count: k)
      return (envs[i].step(continuous: action, using: &generators[i], observation: row), 0)
    }
  }

  /// Steps copy `i` with `stepCopy(i, row)` (which returns the outcome and the action index the
  /// reward transform sees), then does the bookkeeping: returns, flags, final observations, reset.
  @inline(__always)
  func stepEach(
    _ stepCopy: (_ i: Int, _ row: UnsafeMutableBufferPointer<Float>) -> (StepOutcome, Int)
  ) {
    let d = observationSize
    finishedEpisodes.removeAll(keepingCapacity: true)
    observations.withUnsafeMutableBufferPointer { obs in
      finalObservations.withUnsafeMutableBufferPointer { finals in
        rewards.withUnsafeMutableBufferPointer { rewards in
          rawRewards.withUnsafeMutableBufferPointer { rawRewards in
            terminated.withUnsafeMutableBufferPointer { terminated in
              truncated.withUnsafeMutableBufferPointer { truncated in
                let before = UnsafeBufferPointer(start: previous, count: d)
                for i in 0..<numEnvs {
                  let row = UnsafeMutableBufferPointer(start: obs.baseAddress! + i * d, count: d)
                  previous.update(from: row.baseAddress!, count: d)
                  let (outcome, action) = stepCopy(i, row)
                  let shaped = tfs[i].transform(
                    reward: outcome.reward, observation: before, action: action,
                    nextObservation: UnsafeBufferPointer(row), terminated: outcome.terminated,
                    truncated: outcome.truncated)
                  episodeReturns[i] += outcome.reward
                  shapedReturns[i] += shaped
                  episodeLengths[i] += 1
                  rawRewards[i] = Float(outcome.reward)
                  rewards[i] = Float(shaped)
                  terminated[i] = outcome.terminated
                  truncated[i] = outcome.truncated
                  if outcome.terminated || outcome.truncated {
                    (finals.baseAddress! + i * d).update(from: row.baseAddress!, count: d)
                    finishedEpisodes.append(
                      EpisodeRecord(
                        envIndex: i, return: episodeReturns[i], shapedReturn: shapedReturns[i],
                        length: episodeLengths[i], terminated: outcome.terminated,
                        truncated: outcome.truncated,
                        success: outcome.success))
                    episodeReturns[i] = 0
                    shapedReturns[i] = 0
                    episodeLengths[i] = 0
                    envs[i].reset(using: &generators[i], observation: row)
                    tfs[i].reset(observation: UnsafeBufferPointer(row))
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  public func withObservations<R>(
    _ body: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>) throws -> R
  ) rethrows -> R {
    try observations.withUnsafeBufferPointer { o in
      try finalObservations.withUnsafeBufferPointer { try body(o, $0) }
    }
  }
}

extension SyncVectorEnv where Transform == IdentityReward {
  public convenience init(_ environment: E, numEnvs: Int) {
    self.init(environment, numEnvs: numEnvs, transform: IdentityReward())
  }
}
