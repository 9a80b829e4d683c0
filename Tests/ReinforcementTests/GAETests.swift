import Core
import Environments
import Foundation
import Reinforcement
import Tensors
import Testing

@testable import Reinforcement

/// An environment whose episodes last `length` steps with reward 1 per step and a constant
/// observation; it terminates at the end when `terminates`, otherwise only the time limit cuts it.
struct FixedLengthEnv: Environment {
  var length: Int
  var terminates: Bool
  var t = 0
  var observationSpace: Space { .box(low: [0], high: [1], shape: [1]) }
  var actionSpace: Space { .discrete(2) }
  mutating func reset(using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>) {
    t = 0
    observation[0] = 0.5
  }
  mutating func step(
    _ action: Int, using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>
  ) -> StepOutcome {
    t += 1
    observation[0] = 0.5
    return StepOutcome(reward: 1, terminated: terminates && t >= length, truncated: false)
  }
}

/// Reference GAE by the definition A_t = sum_k (gamma lambda)^k delta_{t+k} within the episode
/// (Schulman et al. 2016, eq. 16), independent of the buffer's backward recursion.
func referenceGAE(
  rewards: [Double], values: [Double], ends: [Bool], bootstrap: Double, gamma: Double, lambda: Double
) -> [Double] {
  let n = rewards.count
  var deltas = [Double](repeating: 0, count: n)
  for t in 0..<n {
    let next = t == n - 1 ? (ends[t] ? 0 : bootstrap) : (ends[t] ? 0 : values[t + 1])
    deltas[t] = rewards[t] + gamma * next - values[t]
  }
  return (0..<n).map { t in
    var a = 0.0
    var w = 1.0
    for k in t..<n {
      a += w * deltas[k]
      if ends[k] { break }
      w *= gamma * lambda
    }
    return a
  }
}

@Suite struct GAETests {
  @Test func closedFormWithTermination() {
    // One copy, 5 steps, reward 1, V = 0; the episode ends after step 2. lambda = 1, gamma = 0.5:
    // A = discounted reward-to-go within each episode, plus gamma^k V(s_5) for the open one.
    var buffer = RolloutBuffer(nSteps: 5, nEnvs: 1, observationSize: 1)
    buffer.rewards = [1, 1, 1, 1, 1]
    buffer.values = [0, 0, 0, 0, 0]
    buffer.episodeStarts = [1, 0, 0, 1, 0]
    buffer.computeReturnsAndAdvantages(lastValues: [4], dones: [false], gamma: 0.5, gaeLambda: 1)
    let expected: [Float] = [1.75, 1.5, 1, 1 + 0.5 * (1 + 0.5 * 4), 1 + 0.5 * 4]
    for i in 0..<5 { #expect(abs(buffer.advantages[i] - expected[i]) < 1e-6) }
    #expect(buffer.returns == buffer.advantages)  // V = 0
  }

  @Test func matchesDefinitionForLambdaBelowOne() {
    // Two copies interleaved; values nonzero; lambda 0.8, gamma 0.98 (the CartPole preset).
    let rewards: [[Double]] = [[1, 0.5, -1, 2, 0, 1], [0, 0, 3, 1, 1, -2]]
    let values: [[Double]] = [[0.3, -0.2, 1.5, 0.7, 0.1, 0.9], [1, 2, 0.5, -1, 0.4, 0.2]]
    let ends: [[Bool]] = [
      [false, true, false, false, false, false], [false, false, false, true, false, true],
    ]
    let last: [Double] = [2.5, -3]
    var buffer = RolloutBuffer(nSteps: 6, nEnvs: 2, observationSize: 1)
    for t in 0..<6 {
      for e in 0..<2 {
        buffer.rewards[t * 2 + e] = Float(rewards[e][t])
        buffer.values[t * 2 + e] = Float(values[e][t])
        buffer.episodeStarts[t * 2 + e] = t > 0 && ends[e][t - 1] ? 1 : 0
      }
    }
    buffer.computeReturnsAndAdvantages(
      lastValues: last.map(Float.init), dones: [ends[0][5], ends[1][5]], gamma: 0.98, gaeLambda: 0.8)
    for e in 0..<2 {
      let a = referenceGAE(
        rewards: rewards[e], values: values[e], ends: ends[e], bootstrap: last[e], gamma: 0.98, lambda: 0.8)
      for t in 0..<6 {
        #expect(abs(Double(buffer.advantages[t * 2 + e]) - a[t]) < 1e-5, "copy \(e) step \(t)")
        #expect(abs(Double(buffer.returns[t * 2 + e]) - (a[t] + values[e][t])) < 1e-5)
      }
    }
  }

  /// Collects one rollout with V fixed to `c` (value head zeroed, bias c) on episodes of 3 steps,
  /// and returns the advantages of copy 0.
  func rolloutAdvantages(terminates: Bool, c: Float, gamma: Double, lambda: Double) throws -> [Float] {
    var config = PPOConfig()
    config.nEnvs = 1
    config.nSteps = 7
    config.batchSize = 7
    config.gamma = gamma
    config.gaeLambda = lambda
    let env = SyncVectorEnv(
      TimeLimit(FixedLengthEnv(length: 3, terminates: terminates), maxEpisodeSteps: 3), numEnvs: 1)
    let ppo = try PPO(config: config, env: env, seed: 0, totalTimesteps: 7)
    ppo.policy.valueHead.weight.value = Tensor(zeros: ppo.policy.valueHead.weight.value.shape)
    ppo.policy.valueHead.bias!.value = Tensor([c])
    ppo.collectRollout()
    #expect(ppo.buffer.values.allSatisfy { $0 == c })
    return ppo.buffer.advantages
  }

  @Test func truncationBootstrapsFromFinalObservation() throws {
    // Episodes of 3 steps, 7 steps collected: steps 0-2, 3-5 complete, step 6 open.
    // Truncated: the last step of an episode earns 1 + gamma * V(final) = 1 + gamma * c.
    let (gamma, c) = (0.9, Float(2))
    let truncated = try rolloutAdvantages(terminates: false, c: c, gamma: gamma, lambda: 1)
    let terminated = try rolloutAdvantages(terminates: true, c: c, gamma: gamma, lambda: 1)
    let g = Float(gamma)
    // lambda = 1: A_t = discounted rewards to the episode end (+ gamma^k c if cut or open) - c.
    let cut: [Float] = [1 + g + g * g * (1 + g * c), 1 + g * (1 + g * c), 1 + g * c].map { $0 - c }
    let ended: [Float] = [1 + g + g * g, 1 + g, 1].map { $0 - c }
    let open: Float = 1 + g * c - c  // step 6: bootstrapped from V(s_7) = c either way
    for t in 0..<6 {
      #expect(abs(truncated[t] - cut[t % 3]) < 1e-5, "truncated step \(t)")
      #expect(abs(terminated[t] - ended[t % 3]) < 1e-5, "terminated step \(t)")
    }
    #expect(abs(truncated[6] - open) < 1e-5)
    #expect(abs(terminated[6] - open) < 1e-5)
  }
}
