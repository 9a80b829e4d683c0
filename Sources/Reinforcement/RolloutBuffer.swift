/// One rollout of `nSteps` steps of `nEnvs` environment copies, and its GAE advantages and returns
/// (Stable-Baselines3's `RolloutBuffer`).
///
/// Buffers, row `t * nEnvs + e` for step `t` of copy `e`:
/// `observations [nSteps * nEnvs, observationSize]`; `actions`, `rewards`, `episodeStarts`,
/// `values`, `logProbs`, `advantages`, `returns` `[nSteps * nEnvs]`.
///
/// `rewards` already include the time-limit bootstrap: when an episode is truncated (not
/// terminated) the collector adds `gamma * V(final observation)` to that step's reward, so the
/// backward pass below can treat every episode end alike (SB3 >= 1.x, DLR-RM/stable-baselines3#633).
public struct RolloutBuffer: Sendable {
  public let nSteps: Int
  public let nEnvs: Int
  public let observationSize: Int
  public var observations: [Float]
  public var actions: [Int]
  /// Box action spaces: the Gaussian samples `[nSteps * nEnvs, actionSize]` (empty otherwise).
  public var continuousActions: [Float]
  public let actionSize: Int
  public var rewards: [Float]
  /// 1 where the observation is the first of an episode (the previous step ended one).
  public var episodeStarts: [Float]
  public var values: [Float]
  public var logProbs: [Float]
  public var advantages: [Float]
  public var returns: [Float]

  public init(nSteps: Int, nEnvs: Int, observationSize: Int, actionSize: Int = 0) {
    precondition(nSteps > 0 && nEnvs > 0, "RolloutBuffer needs positive sizes, got \(nSteps) x \(nEnvs)")
    self.nSteps = nSteps
    self.nEnvs = nEnvs
    self.observationSize = observationSize
    let n = nSteps * nEnvs
    observations = [Float](repeating: 0, count: n * observationSize)
    actions = [Int](repeating: 0, count: n)
    self.actionSize = actionSize
    continuousActions = [Float](repeating: 0, count: n * actionSize)
    rewards = [Float](repeating: 0, count: n)
    episodeStarts = rewards
    values = rewards
    logProbs = rewards
    advantages = rewards
    returns = rewards
  }

  public var count: Int { nSteps * nEnvs }

  /// GAE(lambda) (Schulman et al. 2016, eq. 16), backwards over the rollout:
  /// `delta_t = r_t + gamma * V(s_{t+1}) * (1 - done_{t+1}) - V(s_t)`,
  /// `A_t = delta_t + gamma * lambda * (1 - done_{t+1}) * A_{t+1}`, and `R_t = A_t + V(s_t)`
  /// (the TD(lambda) return, the value target).
  ///
  /// - Parameters:
  ///   - lastValues: `V(s_T)` for the observation after the last step, one per copy.
  ///   - dones: whether the last step of each copy ended its episode (terminated or truncated).
  public mutating func computeReturnsAndAdvantages(
    lastValues: [Float], dones: [Bool], gamma: Float, gaeLambda: Float
  ) {
    precondition(
      lastValues.count == nEnvs && dones.count == nEnvs,
      "computeReturnsAndAdvantages: \(lastValues.count) values and \(dones.count) dones for \(nEnvs) copies")
    let (n, steps) = (nEnvs, nSteps)
    rewards.withUnsafeBufferPointer { r in
      values.withUnsafeBufferPointer { v in
        episodeStarts.withUnsafeBufferPointer { starts in
          advantages.withUnsafeMutableBufferPointer { adv in
            returns.withUnsafeMutableBufferPointer { ret in
              for e in 0..<n {
                var lastGaeLam: Float = 0
                for t in stride(from: steps - 1, through: 0, by: -1) {
                  let i = t * n + e
                  let nextNonTerminal: Float
                  let nextValue: Float
                  if t == steps - 1 {
                    nextNonTerminal = dones[e] ? 0 : 1
                    nextValue = lastValues[e]
                  } else {
                    nextNonTerminal = 1 - starts[i + n]
                    nextValue = v[i + n]
                  }
                  let delta = r[i] + gamma * nextValue * nextNonTerminal - v[i]
                  lastGaeLam = delta + gamma * gaeLambda * nextNonTerminal * lastGaeLam
                  adv[i] = lastGaeLam
                  ret[i] = lastGaeLam + v[i]
                }
              }
            }
          }
        }
      }
    }
  }
}
