import Environments
import Foundation
import Reinforcement
import Tensors
import Testing

@testable import Reinforcement

/// RL-Zoo's CartPole-v1 preset (the one shipped in environments/presets/cartpole.yaml).
func cartPolePreset() -> PPOConfig {
  var c = PPOConfig()
  c.nEnvs = 8
  c.nSteps = 32
  c.batchSize = 256
  c.gaeLambda = 0.8
  c.gamma = 0.98
  c.nEpochs = 20
  c.entCoef = 0
  c.learningRate = .linear(1e-3)
  c.clipRange = .linear(0.2)
  c.nTimesteps = 100_000
  return c
}

@Suite struct CartPoleTrainingTests {
  @Test func shortTrainingLearns() throws {
    BLAS.threads = 1
    let spec = try EnvironmentSpec.parse("cartpole")
    let config = cartPolePreset()
    let steps = 25_000
    let ppo = try PPO(
      config: config, env: spec.makeVector(numEnvs: config.nEnvs), seed: 1, totalTimesteps: steps)
    let clock = ContinuousClock.now
    while !ppo.isFinished { try ppo.iterate() }
    let elapsed = ContinuousClock.now - clock
    let eval = Evaluation.run(
      policy: ppo.policy, normalizer: ppo.normalizer, spec: spec, episodes: 20, deterministic: true,
      seed: 1000)
    print(
      "CartPole \(steps) steps: \(elapsed), ep_rew_mean \(ppo.episodeRewardMean ?? .nan), eval \(eval.meanReturn)"
    )
    // A random policy averages about 22; a learning agent is far above within 25k steps.
    #expect(eval.meanReturn > 150)
    #expect((ppo.episodeRewardMean ?? 0) > 60)
  }
}
