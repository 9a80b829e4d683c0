import Core
import Environments
import Foundation
import Reinforcement

/// What `rl train` asks for (and each run of `rl compare` or a sweep), before presets apply:
/// ``resolve()`` turns it into the full ``PPORunConfig`` the run folder records. The one place
/// where presets, `--set` overrides, environment options and the shaping are combined.
public struct PPORunRequest: Sendable, Equatable {
  /// Environment name; nil: the preset's.
  public var env: String?
  /// Preset name or YAML path; nil: the environment's preset (library defaults if it has none).
  public var preset: String?
  /// `NAME=VALUE` hyperparameter overrides, applied in order after the preset.
  public var overrides: [String] = []
  /// Environment settings, over the preset's.
  public var envOptions: [String: String] = [:]
  /// Environment steps; nil: the preset's `n_timesteps`.
  public var steps: Int?
  public var seed: UInt64 = 0
  public var shaping = "none"
  public var evalFreq = 5_000
  public var evalEpisodes = 20
  public var checkpointFreq = 50
  public var threads = 1
  /// `auto`, `fused` or `tape` (``PPORunConfig/update``).
  public var update = "auto"

  public init(env: String? = nil, preset: String? = nil) {
    self.env = env
    self.preset = preset
  }

  /// The run configuration.
  /// - Throws: ``ConfigError`` whose message names the flag (`--set`, `--shaping`...) and the
  ///   allowed values; ``EnvironmentError`` / ``GridMapError`` for an unknown environment or
  ///   setting; file errors for an unreadable preset.
  public func resolve() throws -> PPORunConfig {
    let chosenPreset: PPOPreset?
    if let preset {
      chosenPreset = try PPOPreset.resolve(preset)
    } else if let env {
      let folder = try PPOPreset.requireDirectory()
      chosenPreset = try PPOPreset.url(forEnvironment: env, in: folder).map(PPOPreset.load(contentsOf:))
    } else {
      throw ConfigError(
        "give --env (cartpole, gridworld:NAME) or --preset (\(PPOPreset.available().joined(separator: ", ")))"
      )
    }
    guard let envName = env ?? chosenPreset?.environment else {
      throw ConfigError("the preset names no environment: give --env")
    }
    var ppo = chosenPreset?.config ?? PPOConfig()
    for item in overrides {
      guard let eq = item.firstIndex(of: "=") else {
        throw ConfigError(
          "--set expects NAME=VALUE, got '\(item)' (names: \(PPOConfig.keys.joined(separator: ", ")))")
      }
      do { try ppo.set(String(item[..<eq]), String(item[item.index(after: eq)...])) } catch let error
        as ConfigError
      {
        throw ConfigError("--set: \(error.message)")
      }
    }
    try ppo.validate()
    var config = PPORunConfig(env: envName, totalTimesteps: steps ?? ppo.nTimesteps, ppo: ppo)
    config.envOptions = (chosenPreset?.environmentOptions ?? [:]).merging(envOptions) { $1 }
    let spec = try EnvironmentSpec.parse(envName, options: config.envOptions)
    config.preset = preset ?? chosenPreset?.name
    config.seed = seed
    do { _ = try RewardShaping(name: shaping, environment: spec, gamma: ppo.gamma) } catch let error
      as ShapingError
    {
      throw ConfigError("--shaping: \(error.message)")
    }
    config.shaping = shaping == "none" ? nil : shaping
    config.evalFreq = evalFreq
    config.evalEpisodes = evalEpisodes
    config.checkpointFreq = checkpointFreq
    config.threads = threads
    config.update = update == "auto" ? nil : update
    return config
  }
}
