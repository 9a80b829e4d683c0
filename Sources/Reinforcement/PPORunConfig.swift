import Environments
import Foundation

/// Everything that defines a PPO training run; saved as the run folder's `config.json` and read
/// back by `--resume` and `rl eval`.
public struct PPORunConfig: Codable, Sendable, Equatable {
  /// Environment name (`cartpole`, `gridworld:frozenlake-8x8`) and `--env-option` settings.
  public var env: String
  public var envOptions: [String: String] = [:]
  /// The preset the hyperparameters started from (name or path), for the record.
  public var preset: String?
  public var seed: UInt64 = 0
  public var totalTimesteps: Int
  /// Deterministic evaluation every this many environment steps (0: only at the end).
  public var evalFreq: Int = 5_000
  public var evalEpisodes: Int = 20
  /// Checkpoint every this many iterations (and always at the end or on Ctrl-C).
  public var checkpointFreq: Int = 50
  /// OpenBLAS threads.
  public var threads: Int = 1
  /// PPO's update implementation (`rl train --update`): nil or `auto` (the fused C kernels where
  /// the CPU has AVX2 or AVX-512, else the tape), `fused` or `tape`. Saved so that `--resume`
  /// continues on the same code path.
  public var update: String?
  /// Reward shaping name (`pbrs:bfs`, see `ShapingSpec`); nil or `none`: the true reward.
  public var shaping: String?
  public var ppo: PPOConfig

  public init(env: String, totalTimesteps: Int, ppo: PPOConfig) {
    self.env = env
    self.totalTimesteps = totalTimesteps
    self.ppo = ppo
  }

  enum CodingKeys: String, CodingKey {
    case env
    case envOptions = "env_options"
    case preset, seed
    case totalTimesteps = "total_timesteps"
    case evalFreq = "eval_freq"
    case evalEpisodes = "eval_episodes"
    case checkpointFreq = "checkpoint_freq"
    case threads, update, shaping, ppo
  }

  /// The environment, parsed with its options.
  public func environmentSpec() throws -> EnvironmentSpec {
    try EnvironmentSpec.parse(env, options: envOptions)
  }
}
