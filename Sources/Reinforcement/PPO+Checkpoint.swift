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
  /// Actions taken, one byte each, step-major (JSON: base64).
  public var actions: Data

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
      actions: Data(actionHistory))
  }

  /// Restores a saved run into this freshly created one (same config, environment and seed):
  /// loads the tensors, then replays the recorded actions on the environments (reset with the
  /// seed), which rebuilds their state, the episode statistics and the current observations.
  public func restore(state: PPOState, tensors file: SafeTensors.File) throws {
    guard state.seed == seed else {
      throw ConfigError("checkpoint was saved with seed \(state.seed), this run has seed \(seed)")
    }
    guard state.actions.count == state.numTimesteps, state.numTimesteps % config.nEnvs == 0 else {
      throw ConfigError(
        "checkpoint is inconsistent: \(state.actions.count) recorded actions for \(state.numTimesteps) timesteps"
      )
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
    replay(Array(state.actions))
    numTimesteps = state.numTimesteps
    iterations = state.iterations
    nUpdates = state.nUpdates
  }
}
