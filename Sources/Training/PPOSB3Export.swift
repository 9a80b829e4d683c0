import Core
import Environments
import Foundation
import NeuralNets
import Reinforcement
import Tensors

/// A trained PPO policy as Stable-Baselines3 loads it, for `losslab rl export RUN --sb3 DIR`:
///
/// - `DIR/policy.safetensors`: the `state_dict` of SB3 2.x's `MlpPolicy` (an
///   `ActorCriticPolicy` with separate actor and critic networks): `mlp_extractor.policy_net.{0,2,..}.{weight,bias}`,
///   `mlp_extractor.value_net.{0,2,..}.{weight,bias}`, `action_net.{weight,bias}`,
///   `value_net.{weight,bias}`, float32, weights `[out, in]` as `torch.nn.Linear` holds them;
/// - `DIR/sb3_kwargs.json`: the Gymnasium id, `policy_kwargs` (`net_arch` as `{pi, vf}`,
///   `activation_fn` as the `torch.nn` class name, `ortho_init`, Adam's `eps`), the PPO keyword
///   arguments translated from the run's config (schedules as RL-Zoo strings `lin_X`), and the
///   observation normaliser as `VecNormalize` holds it (`obs_rms` mean, var and count,
///   `clip_obs`, `epsilon`, `norm_reward: false`), since SB3 normalises outside the policy.
///
/// A shared trunk has no `MlpPolicy` equivalent in SB3 2.x (`net_arch` lists no shared layers
/// since 1.8), so such runs are refused with a message.
public enum SB3Export {
  public static let weightsName = "policy.safetensors"
  public static let kwargsName = "sb3_kwargs.json"

  /// `policy_kwargs` of `PPO("MlpPolicy", env, policy_kwargs=...)`.
  public struct PolicyKwargs: Encodable {
    public struct NetArch: Encodable {
      public var pi: [Int]
      public var vf: [Int]
    }
    public var netArch: NetArch
    /// `torch.nn` class name: `Tanh` or `ReLU`.
    public var activationFn: String
    public var orthoInit: Bool
    public var optimizerKwargs: [String: Double]
    /// Box action spaces only (absent for a discrete one): the Gaussian / gSDE settings.
    public var logStdInit: Double?
    public var fullStd: Bool?
    public var useExpln: Bool?
    public var squashOutput: Bool?

    enum CodingKeys: String, CodingKey {
      case netArch = "net_arch"
      case activationFn = "activation_fn"
      case orthoInit = "ortho_init"
      case optimizerKwargs = "optimizer_kwargs"
      case logStdInit = "log_std_init"
      case fullStd = "full_std"
      case useExpln = "use_expln"
      case squashOutput = "squash_output"
    }
  }

  /// PPO's keyword arguments (`stable_baselines3.PPO`), under SB3's names.
  public struct PPOKwargs: Encodable {
    public var learningRate: Schedule
    public var nSteps: Int
    public var batchSize: Int
    public var nEpochs: Int
    public var gamma: Double
    public var gaeLambda: Double
    public var clipRange: Schedule
    public var clipRangeVf: JSONNullable<Schedule>
    public var normalizeAdvantage: Bool
    public var entCoef: Double
    public var vfCoef: Double
    public var maxGradNorm: Double
    public var targetKl: JSONNullable<Double>
    public var seed: UInt64
    /// Box action spaces only: gSDE (`use_sde`, `sde_sample_freq`).
    public var useSde: Bool?
    public var sdeSampleFreq: Int?

    enum CodingKeys: String, CodingKey {
      case learningRate = "learning_rate"
      case nSteps = "n_steps"
      case batchSize = "batch_size"
      case nEpochs = "n_epochs"
      case gamma
      case gaeLambda = "gae_lambda"
      case clipRange = "clip_range"
      case clipRangeVf = "clip_range_vf"
      case normalizeAdvantage = "normalize_advantage"
      case entCoef = "ent_coef"
      case vfCoef = "vf_coef"
      case maxGradNorm = "max_grad_norm"
      case targetKl = "target_kl"
      case seed
      case useSde = "use_sde"
      case sdeSampleFreq = "sde_sample_freq"
    }
  }

  /// `VecNormalize(venv, norm_obs=True, norm_reward=False, clip_obs=..., epsilon=...)` with
  /// `obs_rms` set to these statistics.
  public struct VecNormalizeState: Encodable {
    public struct RunningMeanStd: Encodable {
      public var mean: [Double]
      public var `var`: [Double]
      public var count: Double
    }
    public var normObs = true
    public var normReward = false
    public var clipObs: Double
    public var epsilon: Double
    public var obsRms: RunningMeanStd

    enum CodingKeys: String, CodingKey {
      case normObs = "norm_obs"
      case normReward = "norm_reward"
      case clipObs = "clip_obs"
      case epsilon
      case obsRms = "obs_rms"
    }
  }

  /// Everything `sb3_kwargs.json` holds.
  public struct Kwargs: Encodable {
    public var algorithm = "PPO"
    public var policy = "MlpPolicy"
    /// Gymnasium id of the environment (nil for LossLab-only environments).
    public var envID: JSONNullable<String>
    public var losslabEnv: String
    public var losslabEnvOptions: [String: String]
    public var nEnvs: Int
    public var observationSize: Int
    public var actionCount: Int
    public var totalTimesteps: Int
    public var checkpointStep: Int
    public var policyKwargs: PolicyKwargs
    public var ppoKwargs: PPOKwargs
    public var vecNormalize: JSONNullable<VecNormalizeState>

    enum CodingKeys: String, CodingKey {
      case algorithm, policy
      case envID = "env_id"
      case losslabEnv = "losslab_env"
      case losslabEnvOptions = "losslab_env_options"
      case nEnvs = "n_envs"
      case observationSize = "observation_size"
      case actionCount = "action_count"
      case totalTimesteps = "total_timesteps"
      case checkpointStep = "checkpoint_step"
      case policyKwargs = "policy_kwargs"
      case ppoKwargs = "ppo_kwargs"
      case vecNormalize = "vec_normalize"
    }
  }

  /// The `state_dict` tensors, in SB3's order. Throws for a shared trunk.
  public static func stateDict(_ policy: ActorCritic) throws -> [(name: String, tensor: Tensor)] {
    guard policy.sharedLayers.isEmpty else {
      throw ConfigError(
        "--sb3: this run uses a shared trunk (shared_trunk: true), which SB3 2.x's MlpPolicy cannot "
          + "express (net_arch has no shared layers since SB3 1.8); export it with --onnx instead")
    }
    return policy.namedTensors()
  }

  /// The Gymnasium id of a LossLab environment name, nil when there is none.
  public static func gymnasiumID(_ env: String) -> String? {
    let name = EnvironmentSpec.canonicalName(env)
    if let alias = EnvironmentSpec.gymnasiumIDs.first(where: { $0.name == name }) { return alias.id }
    return ClassicControl.allCases.first { $0.name == name }?.gymnasiumID
  }

  public static func kwargs(
    config: PPORunConfig, policy: ActorCritic, normalizer: ObservationNormalizer?, checkpointStep: Int
  ) -> Kwargs {
    let ppo = config.ppo
    let arch = policy.policyLayers.map { $0.weight.value.shape[0] }
    let vfArch = policy.valueLayers.map { $0.weight.value.shape[0] }
    let box = policy.gaussian != nil
    return Kwargs(
      envID: JSONNullable(gymnasiumID(config.env)), losslabEnv: config.env,
      losslabEnvOptions: config.envOptions,
      nEnvs: ppo.nEnvs, observationSize: policy.observationSize, actionCount: policy.actionCount,
      totalTimesteps: config.totalTimesteps, checkpointStep: checkpointStep,
      policyKwargs: PolicyKwargs(
        netArch: .init(pi: arch, vf: vfArch), activationFn: policy.activation == .tanh ? "Tanh" : "ReLU",
        orthoInit: ppo.orthoInit, optimizerKwargs: ["eps": ppo.adamEps],
        logStdInit: box ? ppo.logStdInit : nil, fullStd: box ? ppo.fullStd : nil,
        useExpln: box ? ppo.useExpln : nil, squashOutput: box ? ppo.squashOutput : nil),
      ppoKwargs: PPOKwargs(
        learningRate: ppo.learningRate, nSteps: ppo.nSteps, batchSize: ppo.batchSize, nEpochs: ppo.nEpochs,
        gamma: ppo.gamma, gaeLambda: ppo.gaeLambda, clipRange: ppo.clipRange,
        clipRangeVf: JSONNullable(ppo.clipRangeVf), normalizeAdvantage: ppo.normalizeAdvantage,
        entCoef: ppo.entCoef, vfCoef: ppo.vfCoef, maxGradNorm: ppo.maxGradNorm,
        targetKl: JSONNullable(ppo.targetKl), seed: config.seed, useSde: box ? ppo.useSde : nil,
        sdeSampleFreq: box ? ppo.sdeSampleFreq : nil),
      vecNormalize: JSONNullable(
        normalizer.map {
          VecNormalizeState(
            clipObs: $0.clip, epsilon: ObservationNormalizer.epsilon,
            obsRms: .init(mean: $0.mean, var: $0.variance, count: $0.count))
        }))
  }
}

extension TrainedPolicy {
  /// Writes `policy.safetensors` and `sb3_kwargs.json` into `folder` (created if missing),
  /// each atomically.
  public func writeSB3(to folder: URL) throws {
    let tensors = try SB3Export.stateDict(policy)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try SafeTensors.save(
      tensors, metadata: ["format": "pt"], to: folder.appendingPathComponent(SB3Export.weightsName))
    let kwargs = SB3Export.kwargs(
      config: config, policy: policy, normalizer: normalizer, checkpointStep: checkpoint.step)
    try AtomicFile.write(
      try JSONText.string(kwargs, pretty: true) + "\n",
      to: folder.appendingPathComponent(SB3Export.kwargsName))
  }
}
