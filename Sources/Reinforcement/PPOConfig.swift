import Core
import Foundation
import NeuralNets
import Tensors

/// Activation between hidden layers of the policy (SB3's `activation_fn`).
public enum PolicyActivation: String, Sendable, Codable, CaseIterable {
  case tanh, relu

  /// The fused kernel: tanh with the rounded coefficients the policy has always used, so that
  /// PPO runs reproduce bit for bit.
  public var fused: FusedActivation {
    switch self {
    case .tanh: return .tanhRounded
    case .relu: return .relu
    }
  }
}

/// PPO hyperparameters under Stable-Baselines3's names and with their meanings
/// (`stable_baselines3/ppo/ppo.py`). Defaults are SB3's, except where noted.
public struct PPOConfig: Sendable, Equatable, Codable {
  /// Parallel environment copies (RL-Zoo's `n_envs`). Default 1.
  public var nEnvs = 1
  /// Steps per copy per rollout; a rollout holds `nEnvs * nSteps` transitions. Default 2048.
  public var nSteps = 2048
  /// Minibatch size. Default 64.
  public var batchSize = 64
  /// Passes over each rollout. Default 10.
  public var nEpochs = 10
  /// Discount factor. Default 0.99.
  public var gamma = 0.99
  /// GAE's lambda (Schulman et al. 2016). Default 0.95.
  public var gaeLambda = 0.95
  /// PPO's epsilon, constant or `lin_X`. Default 0.2.
  public var clipRange: Schedule = .constant(0.2)
  /// Clipping of the value prediction around the old value (SB3's `clip_range_vf`); nil: none.
  public var clipRangeVf: Schedule? = nil
  /// Entropy bonus coefficient. Default 0.
  public var entCoef = 0.0
  /// Value loss coefficient. Default 0.5.
  public var vfCoef = 0.5
  /// Global gradient-norm clip. Default 0.5.
  public var maxGradNorm = 0.5
  /// Adam step size, constant or `lin_X`. Default 3e-4.
  public var learningRate: Schedule = .constant(3e-4)
  /// Stop the epochs of an update once the approximate KL exceeds `1.5 * targetKl`; nil: never.
  public var targetKl: Double? = nil
  /// Normalise advantages per minibatch (mean 0, std 1). Default true.
  public var normalizeAdvantage = true
  /// Hidden widths of the policy and value networks (SB3 default `[64, 64]`).
  public var netArch = [64, 64]
  /// One trunk feeding both heads (true) or separate actor and critic networks (false, SB3's default).
  public var sharedTrunk = false
  /// Hidden activation. Default tanh.
  public var activationFn: PolicyActivation = .tanh
  /// Orthogonal initialisation (gains sqrt 2, 0.01, 1); false: PyTorch's default `nn.Linear` init.
  public var orthoInit = true
  /// Adam's epsilon (SB3 passes 1e-5 for PPO).
  public var adamEps = 1e-5
  /// Running observation normalisation, as SB3's `VecNormalize(norm_reward=False)`. Default false.
  public var normalize = false
  /// Observations are clipped to [-clipObs, clipObs] after normalisation (VecNormalize's 10).
  public var clipObs = 10.0
  /// Default training length in environment steps (RL-Zoo's `n_timesteps`).
  public var nTimesteps = 100_000
  /// Reward scaling as VecNormalize's `norm_reward`: rewards divided by the running standard
  /// deviation of the discounted return (discount `gamma`), clipped to `clipReward`. Default false.
  public var normReward = false
  /// Scaled rewards are clipped to [-clipReward, clipReward] (VecNormalize's 10).
  public var clipReward = 10.0
  // Box action spaces only (SB3's `ActorCriticPolicy` arguments):
  /// Initial value of the `log_std` parameter (SB3's default 0).
  public var logStdInit = 0.0
  /// generalized State-Dependent Exploration (Raffin et al. 2021) instead of independent noise.
  public var useSde = false
  /// gSDE: resample the exploration matrices every N steps; -1: only at the start of a rollout.
  public var sdeSampleFreq = -1
  /// gSDE: one std per (latent feature, action) (true) or per latent feature (false).
  public var fullStd = true
  /// gSDE: `expln` instead of `exp` for the std (keeps it positive without growing fast).
  public var useExpln = false
  /// tanh squashing of the Gaussian sample (with the log-det correction), rescaled to the bounds.
  public var squashOutput = false

  public init() {}

  enum CodingKeys: String, CodingKey, CaseIterable {
    case nEnvs = "n_envs"
    case nSteps = "n_steps"
    case batchSize = "batch_size"
    case nEpochs = "n_epochs"
    case gamma
    case gaeLambda = "gae_lambda"
    case clipRange = "clip_range"
    case clipRangeVf = "clip_range_vf"
    case entCoef = "ent_coef"
    case vfCoef = "vf_coef"
    case maxGradNorm = "max_grad_norm"
    case learningRate = "learning_rate"
    case targetKl = "target_kl"
    case normalizeAdvantage = "normalize_advantage"
    case netArch = "net_arch"
    case sharedTrunk = "shared_trunk"
    case activationFn = "activation_fn"
    case orthoInit = "ortho_init"
    case adamEps = "adam_eps"
    case normalize
    case clipObs = "clip_obs"
    case nTimesteps = "n_timesteps"
    case normReward = "norm_reward"
    case clipReward = "clip_reward"
    case logStdInit = "log_std_init"
    case useSde = "use_sde"
    case sdeSampleFreq = "sde_sample_freq"
    case fullStd = "full_std"
    case useExpln = "use_expln"
    case squashOutput = "squash_output"
  }

  public init(from decoder: Decoder) throws {
    self.init()
    let c = try decoder.container(keyedBy: CodingKeys.self)
    for key in CodingKeys.allCases where c.contains(key) {
      if key == .clipRangeVf || key == .targetKl, try c.decodeNil(forKey: key) {
        try set(key.rawValue, "none")
        continue
      }
      switch key {
      case .netArch: netArch = try c.decode([Int].self, forKey: key)
      case .clipRange: clipRange = try c.decode(Schedule.self, forKey: key)
      case .learningRate: learningRate = try c.decode(Schedule.self, forKey: key)
      case .clipRangeVf: clipRangeVf = try c.decode(Schedule.self, forKey: key)
      case .normalizeAdvantage, .sharedTrunk, .orthoInit, .normalize, .normReward, .useSde, .fullStd,
        .useExpln,
        .squashOutput:
        try set(key.rawValue, String(try c.decode(Bool.self, forKey: key)))
      case .activationFn: try set(key.rawValue, try c.decode(String.self, forKey: key))
      case .sdeSampleFreq: try set(key.rawValue, String(try c.decode(Int.self, forKey: key)))
      default: try set(key.rawValue, Schedule.format(try c.decode(Double.self, forKey: key)))
      }
    }
    try validate()
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(nEnvs, forKey: .nEnvs)
    try c.encode(nSteps, forKey: .nSteps)
    try c.encode(batchSize, forKey: .batchSize)
    try c.encode(nEpochs, forKey: .nEpochs)
    try c.encode(gamma, forKey: .gamma)
    try c.encode(gaeLambda, forKey: .gaeLambda)
    try c.encode(clipRange, forKey: .clipRange)
    try c.encode(clipRangeVf, forKey: .clipRangeVf)
    try c.encode(entCoef, forKey: .entCoef)
    try c.encode(vfCoef, forKey: .vfCoef)
    try c.encode(maxGradNorm, forKey: .maxGradNorm)
    try c.encode(learningRate, forKey: .learningRate)
    try c.encode(targetKl, forKey: .targetKl)
    try c.encode(normalizeAdvantage, forKey: .normalizeAdvantage)
    try c.encode(netArch, forKey: .netArch)
    try c.encode(sharedTrunk, forKey: .sharedTrunk)
    try c.encode(activationFn, forKey: .activationFn)
    try c.encode(orthoInit, forKey: .orthoInit)
    try c.encode(adamEps, forKey: .adamEps)
    try c.encode(normalize, forKey: .normalize)
    try c.encode(clipObs, forKey: .clipObs)
    try c.encode(nTimesteps, forKey: .nTimesteps)
    try c.encode(normReward, forKey: .normReward)
    try c.encode(clipReward, forKey: .clipReward)
    try c.encode(logStdInit, forKey: .logStdInit)
    try c.encode(useSde, forKey: .useSde)
    try c.encode(sdeSampleFreq, forKey: .sdeSampleFreq)
    try c.encode(fullStd, forKey: .fullStd)
    try c.encode(useExpln, forKey: .useExpln)
    try c.encode(squashOutput, forKey: .squashOutput)
  }

  /// The names `set(_:_:)` accepts, in declaration order.
  public static var keys: [String] { CodingKeys.allCases.map(\.rawValue) }

  /// Sets one hyperparameter from text (`--set gamma=0.98`, preset files). Lists are written
  /// `64,64` or `[64, 64]`; optional values accept `none`.
  public mutating func set(_ key: String, _ text: String) throws {
    let value = text.trimmingCharacters(in: .whitespaces)
    func int(upTo maximum: Int) throws -> Int {
      guard let x = Int(value) ?? Double(value).flatMap({ $0 == $0.rounded() ? Int(exactly: $0) : nil }),
        (1...maximum).contains(x)
      else { throw ConfigError("invalid value '\(text)' for \(key) (allowed: an integer in 1...\(maximum))") }
      return x
    }
    func real(_ range: ClosedRange<Double>, _ allowed: String) throws -> Double {
      guard let x = Double(value), range.contains(x) else {
        throw ConfigError("invalid value '\(text)' for \(key) (allowed: \(allowed))")
      }
      return x
    }
    func bool() throws -> Bool {
      switch value.lowercased() {
      case "true", "1", "yes": return true
      case "false", "0", "no": return false
      default: throw ConfigError("invalid value '\(text)' for \(key) (allowed: true|false)")
      }
    }
    func schedule() throws -> Schedule {
      guard let s = Schedule(text: value), s.initialValue >= 0 else {
        throw ConfigError("invalid value '\(text)' for \(key) (allowed: a non-negative number or lin_NUMBER)")
      }
      return s
    }
    let isNone = ["none", "null", "~", ""].contains(value.lowercased())
    switch key {
    case "n_envs": nEnvs = try int(upTo: PPOConfig.maximumEnvironments)
    case "n_steps": nSteps = try int(upTo: PPOConfig.maximumRollout)
    case "batch_size": batchSize = try int(upTo: PPOConfig.maximumRollout)
    case "n_epochs": nEpochs = try int(upTo: 100_000)
    case "gamma": gamma = try real(0...1, "a number in [0, 1]")
    case "gae_lambda": gaeLambda = try real(0...1, "a number in [0, 1]")
    case "clip_range": clipRange = try schedule()
    case "clip_range_vf": clipRangeVf = isNone ? nil : try schedule()
    case "ent_coef": entCoef = try real(-1e9...1e9, "a number")
    case "vf_coef": vfCoef = try real(0...1e9, "a non-negative number")
    case "max_grad_norm": maxGradNorm = try real(0...1e30, "a non-negative number")
    case "learning_rate": learningRate = try schedule()
    case "target_kl": targetKl = isNone ? nil : try real(0...1e30, "a non-negative number or none")
    case "normalize_advantage": normalizeAdvantage = try bool()
    case "net_arch":
      let parts = value.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: ",")
      let widths = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
      guard widths.count == parts.count, (1...16).contains(widths.count),
        widths.allSatisfy({ (1...PPOConfig.maximumWidth).contains($0) })
      else {
        throw ConfigError(
          "invalid value '\(text)' for net_arch (allowed: 1 to 16 comma-separated widths in 1...\(PPOConfig.maximumWidth), e.g. 64,64)"
        )
      }
      netArch = widths
    case "shared_trunk": sharedTrunk = try bool()
    case "activation_fn":
      guard let a = PolicyActivation(rawValue: value.lowercased()) else {
        throw ConfigError(
          "invalid value '\(text)' for activation_fn (allowed: \(PolicyActivation.allCases.map(\.rawValue).joined(separator: "|")))"
        )
      }
      activationFn = a
    case "ortho_init": orthoInit = try bool()
    case "adam_eps": adamEps = try real(0...1, "a number in [0, 1]")
    case "normalize": normalize = try bool()
    case "clip_obs": clipObs = try real(1e-9...1e30, "a positive number")
    case "n_timesteps": nTimesteps = try int(upTo: PPOConfig.maximumTimesteps)
    case "norm_reward": normReward = try bool()
    case "clip_reward": clipReward = try real(1e-9...1e30, "a positive number")
    case "log_std_init": logStdInit = try real(-20...20, "a number in [-20, 20]")
    case "use_sde": useSde = try bool()
    case "sde_sample_freq":
      guard let x = Int(value), x == -1 || (1...PPOConfig.maximumRollout).contains(x) else {
        throw ConfigError(
          "invalid value '\(text)' for sde_sample_freq (allowed: -1 or an integer in 1...\(PPOConfig.maximumRollout))"
        )
      }
      sdeSampleFreq = x
    case "full_std": fullStd = try bool()
    case "use_expln": useExpln = try bool()
    case "squash_output": squashOutput = try bool()
    default:
      throw ConfigError(
        "unknown hyperparameter '\(key)' (allowed: \(PPOConfig.keys.joined(separator: ", ")))")
    }
  }

  /// Checks the combination (SB3's own assertions).
  public func validate() throws {
    let (rollout, overflow) = nEnvs.multipliedReportingOverflow(by: nSteps)
    if overflow || rollout > PPOConfig.maximumRollout {
      throw ConfigError(
        "n_envs * n_steps must be at most \(PPOConfig.maximumRollout) (got \(nEnvs) * \(nSteps))")
    }
    if nEnvs * nSteps < 2 {
      throw ConfigError("n_envs * n_steps must be at least 2 (got \(nEnvs) * \(nSteps))")
    }
    if batchSize > nEnvs * nSteps {
      throw ConfigError(
        "batch_size \(batchSize) is larger than a rollout (n_envs * n_steps = \(nEnvs * nSteps))")
    }
  }

  /// Transitions per rollout.
  public var rolloutSize: Int { nEnvs * nSteps }

  /// Bounds on values a preset or `--set` may give (memory: a rollout buffer holds
  /// `n_envs * n_steps` observations; the action history a byte per step).
  public static let maximumEnvironments = 4_096
  public static let maximumRollout = 16_777_216
  public static let maximumWidth = 4_096
  public static let maximumTimesteps = 1_000_000_000
}
