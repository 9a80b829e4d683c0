import Core
import Environments
import Foundation
import NeuralNets
import Tensors

/// What a PPO run needs to continue exactly where it stopped, besides the tensors (policy
/// parameters and Adam moments, saved in safetensors): counters, the observation normaliser's
/// statistics (in Double, exactly), and every action taken, which rebuild the environments'
/// state (their generators included) by replay.
public struct PPOState: Codable, Sendable, Equatable {
  public var numTimesteps: Int
  public var iterations: Int
  public var nUpdates: Int
  public var seed: UInt64
  public var totalTimesteps: Int
  public var normalizer: NormalizerState?
  /// Actions taken, one byte each, step-major (JSON: base64); empty for a box action space.
  public var actions: Data
  /// Box action spaces: the actions sent to the environments, step-major, as little-endian
  /// Float32 (JSON: base64).
  public var continuousActions: Data? = nil
  /// Reward scaling statistics and each copy's running return (`norm_reward`).
  public var rewardNormalizer: RewardNormalizerState? = nil

  public struct RewardNormalizerState: Codable, Sendable, Equatable {
    public var mean: Double
    public var variance: Double
    public var count: Double
    public var returns: [Double]
    public var gamma: Double
    public var clip: Double
  }

  public struct NormalizerState: Codable, Sendable, Equatable {
    public var mean: [Double]
    public var variance: [Double]
    public var count: Double
    public var clip: Double
  }

  enum CodingKeys: String, CodingKey {
    case numTimesteps = "num_timesteps"
    case iterations
    case nUpdates = "n_updates"
    case seed
    case totalTimesteps = "total_timesteps"
    case normalizer = "obs_rms"
    case actions
    case continuousActions = "continuous_actions"
    case rewardNormalizer = "ret_rms"
  }

  /// Floats as little-endian Float32 bytes, and back (nil when the byte count is not a multiple of 4).
  public static func encodeFloats(_ values: [Float]) -> Data {
    var data = Data(capacity: values.count * 4)
    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    return data
  }

  public static func decodeFloats(_ data: Data) -> [Float]? {
    guard data.count % 4 == 0 else { return nil }
    let bytes = [UInt8](data)
    return (0..<(bytes.count / 4)).map { i in
      let b = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[4 * i + $1]) << (8 * $1) }
      return Float(bitPattern: b)
    }
  }
}

extension PPOState {
  /// Rejects values no run can have written (a loaded file is input like any other): negative
  /// counters, actions outside the action space, normaliser statistics that are not finite.
  public func validate(actionCount: Int, observationSize: Int) throws {
    for (key, value) in [
      ("num_timesteps", numTimesteps), ("iterations", iterations), ("n_updates", nUpdates),
      ("total_timesteps", totalTimesteps),
    ] where value < 0 {
      throw ConfigError("checkpoint state: \(key) is \(value); allowed 0 or more")
    }
    if let offset = actions.firstIndex(where: { Int($0) >= actionCount }) {
      throw ConfigError(
        "checkpoint state: action \(actions[offset]) at index \(offset - actions.startIndex) is outside "
          + "the action space 0..<\(actionCount)")
    }
    if let saved = rewardNormalizer {
      guard [saved.mean, saved.count, saved.gamma, saved.clip].allSatisfy(\.isFinite),
        saved.variance.isFinite,
        saved.variance >= 0, saved.count > 0, saved.clip > 0, saved.returns.allSatisfy(\.isFinite)
      else {
        throw ConfigError(
          "checkpoint state: ret_rms holds a value out of range (finite; variance >= 0, count and clip > 0)")
      }
    }
    if let saved = normalizer {
      guard saved.mean.count == observationSize, saved.variance.count == observationSize else {
        throw ConfigError(
          "checkpoint state: obs_rms has \(saved.mean.count) means and \(saved.variance.count) variances "
            + "for \(observationSize) features")
      }
      guard saved.mean.allSatisfy(\.isFinite), saved.variance.allSatisfy({ $0.isFinite && $0 >= 0 }),
        saved.count.isFinite, saved.count > 0, saved.clip.isFinite, saved.clip > 0
      else {
        throw ConfigError(
          "checkpoint state: obs_rms holds a value out of range (means finite, variances >= 0, count and clip > 0)"
        )
      }
    }
  }
}

extension PPO {
  /// Tensor names: `policy.<SB3 name>` and `optimizer.exp_avg.<i>` / `optimizer.exp_avg_sq.<i>`.
  public func checkpointTensors() -> [(name: String, tensor: Tensor)] {
    policy.namedTensors(prefix: "policy") + optimizer.stateTensors()
  }

  /// safetensors metadata (Adam's step count).
  public func checkpointMetadata() -> [String: String] { optimizer.stateMetadata() }

  public var state: PPOState {
    PPOState(
      numTimesteps: numTimesteps, iterations: iterations, nUpdates: nUpdates, seed: seed,
      totalTimesteps: totalTimesteps,
      normalizer: normalizer.map {
        .init(mean: $0.mean, variance: $0.variance, count: $0.count, clip: $0.clip)
      },
      actions: Data(actionHistory),
      continuousActions: env.actionSpace.isDiscrete ? nil : PPOState.encodeFloats(continuousHistory),
      rewardNormalizer: rewardNormalizer.map {
        .init(
          mean: $0.mean, variance: $0.variance, count: $0.count, returns: $0.returns, gamma: $0.gamma,
          clip: $0.clip)
      })
  }

  /// Restores a saved run into this freshly created one (same config, environment and seed):
  /// loads the tensors, then replays the recorded actions on the environments (reset with the
  /// seed), which rebuilds their state, the episode statistics and the current observations.
  public func restore(state: PPOState, tensors file: SafeTensors.File) throws {
    guard state.seed == seed else {
      throw ConfigError("checkpoint was saved with seed \(state.seed), this run has seed \(seed)")
    }
    var continuous: [Float] = []
    if env.actionSpace.isDiscrete {
      guard state.actions.count == state.numTimesteps, state.numTimesteps % config.nEnvs == 0 else {
        throw ConfigError(
          "checkpoint is inconsistent: \(state.actions.count) recorded actions for \(state.numTimesteps) timesteps"
        )
      }
    } else {
      guard let floats = state.continuousActions.flatMap(PPOState.decodeFloats),
        floats.count == state.numTimesteps * env.actionSize, state.numTimesteps % config.nEnvs == 0,
        floats.allSatisfy(\.isFinite)
      else {
        throw ConfigError(
          "checkpoint is inconsistent: continuous_actions must hold \(env.actionSize) finite Float32 per timestep "
            + "for \(state.numTimesteps) timesteps")
      }
      continuous = floats
    }
    try state.validate(actionCount: env.actionCount, observationSize: env.observationSize)
    try policy.load(from: file, prefix: "policy")
    try optimizer.restore(from: file)
    if let saved = state.normalizer {
      guard saved.mean.count == env.observationSize else {
        throw ConfigError(
          "checkpoint normaliser has \(saved.mean.count) features, the environment \(env.observationSize)")
      }
      normalizer = ObservationNormalizer(
        mean: saved.mean, variance: saved.variance, count: saved.count, clip: saved.clip)
    } else if config.normalize {
      throw ConfigError("the run normalises observations but the checkpoint holds no statistics")
    }
    if let saved = state.rewardNormalizer {
      guard saved.returns.count == config.nEnvs else {
        throw ConfigError("checkpoint ret_rms has \(saved.returns.count) returns for \(config.nEnvs) copies")
      }
      rewardNormalizer = RewardNormalizer(
        mean: saved.mean, variance: saved.variance, count: saved.count, returns: saved.returns,
        gamma: saved.gamma,
        clip: saved.clip)
    } else if config.normReward {
      throw ConfigError("the run scales rewards (norm_reward) but the checkpoint holds no ret_rms statistics")
    }
    replay(Array(state.actions), continuous: continuous)
    numTimesteps = state.numTimesteps
    iterations = state.iterations
    nUpdates = state.nUpdates
  }
}
