import Core
import Foundation
import NeuralNets
import Reinforcement
import Tensors
import Testing
import Training

/// `rl export --sb3`'s contents without Python: SB3 `MlpPolicy` state_dict names and `[out, in]`
/// shapes, the keyword arguments translated from the config, the VecNormalize statistics, and the
/// refusal of a shared trunk.
@Suite struct SB3ExportTests {
  static func policy(shared: Bool = false) -> ActorCritic {
    var rng = RandomGenerator(seed: 4)
    return ActorCritic(
      observationSize: 4, actionCount: 2, netArch: [8, 6], sharedTrunk: shared, activation: .relu,
      orthoInit: true, using: &rng)
  }

  @Test func stateDictUsesMlpPolicyNames() throws {
    let tensors = try SB3Export.stateDict(Self.policy())
    #expect(
      tensors.map(\.name) == [
        "mlp_extractor.policy_net.0.weight", "mlp_extractor.policy_net.0.bias",
        "mlp_extractor.policy_net.2.weight", "mlp_extractor.policy_net.2.bias",
        "mlp_extractor.value_net.0.weight", "mlp_extractor.value_net.0.bias",
        "mlp_extractor.value_net.2.weight", "mlp_extractor.value_net.2.bias",
        "action_net.weight", "action_net.bias", "value_net.weight", "value_net.bias",
      ])
    #expect(
      tensors.map(\.tensor.shape) == [
        [8, 4], [8], [6, 8], [6], [8, 4], [8], [6, 8], [6], [2, 6], [2], [1, 6], [1],
      ])
    #expect(throws: ConfigError.self) { try SB3Export.stateDict(Self.policy(shared: true)) }
  }

  @Test func kwargsTranslateTheConfig() throws {
    var ppo = PPOConfig()
    ppo.netArch = [8, 6]
    ppo.activationFn = .relu
    ppo.learningRate = .linear(1e-3)
    ppo.nSteps = 32
    var config = PPORunConfig(env: "cartpole", totalTimesteps: 1_000, ppo: ppo)
    config.seed = 3
    var normalizer = ObservationNormalizer(size: 4, clip: 5)
    let batch: [Float] = [1, 2, 3, 4, -1, 0, 2, 8]
    batch.withUnsafeBufferPointer { normalizer.update($0) }
    let kwargs = SB3Export.kwargs(
      config: config, policy: Self.policy(), normalizer: normalizer, checkpointStep: 64)
    let text = try JSONText.string(kwargs)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    #expect(object["env_id"] as? String == "CartPole-v1" && object["policy"] as? String == "MlpPolicy")
    let policyKwargs = try #require(object["policy_kwargs"] as? [String: Any])
    #expect(policyKwargs["net_arch"] as? [String: [Int]] == ["pi": [8, 6], "vf": [8, 6]])
    #expect(policyKwargs["activation_fn"] as? String == "ReLU" && policyKwargs["ortho_init"] as? Bool == true)
    let ppoKwargs = try #require(object["ppo_kwargs"] as? [String: Any])
    #expect(ppoKwargs["learning_rate"] as? String == "lin_0.001" && ppoKwargs["n_steps"] as? Int == 32)
    #expect(ppoKwargs["target_kl"] is NSNull && ppoKwargs["seed"] as? Int == 3)
    let vecNormalize = try #require(object["vec_normalize"] as? [String: Any])
    #expect(vecNormalize["clip_obs"] as? Double == 5 && vecNormalize["epsilon"] as? Double == 1e-8)
    let rms = try #require(vecNormalize["obs_rms"] as? [String: Any])
    // Within a few ulps: Foundation's JSONSerialization does not always parse to the nearest double
    // (Python's json does; the exact digits are checked in the text below).
    let mean = try #require(rms["mean"] as? [Double])
    let variance = try #require(rms["var"] as? [Double])
    for (x, y) in zip(mean + variance, normalizer.mean + normalizer.variance) {
      #expect(abs(x - y) <= 1e-15 * max(1, abs(y)), "\(x) vs \(y)")
    }
    #expect(mean.count == 4 && variance.count == 4)
    for y in normalizer.mean + normalizer.variance {
      #expect(text.contains("\(y)"), "\(y) not written exactly")
    }
    #expect(SB3Export.gymnasiumID("gridworld:frozenlake-4x4") == "FrozenLake-v1")
    #expect(SB3Export.gymnasiumID("acrobot") == "Acrobot-v1")
    #expect(SB3Export.gymnasiumID("gridworld:maze.map") == nil)
  }
}
