import Core
import Environments
import Foundation
import Reinforcement
import Yams

/// Hyperparameter presets: YAML files under `environments/presets/`, one per environment, with
/// Stable-Baselines3 / RL-Zoo names (`n_envs`, `n_steps`, `batch_size`, `gamma`, `learning_rate:
/// lin_1e-3`, ...; see ``PPOConfig/keys``) plus `env` (the environment it is for) and
/// `env_options` (a map of `--env-option` settings).
///
/// ```yaml
/// env: cartpole
/// n_timesteps: 100000
/// n_envs: 8
/// learning_rate: lin_1e-3
/// net_arch: [64, 64]
/// ```
public struct PPOPreset: Sendable, Equatable {
  public var name: String
  public var environment: String?
  public var environmentOptions: [String: String]
  public var config: PPOConfig

  /// Parses preset text; unknown keys and bad values are errors naming `FILE:LINE:COLUMN` (`file`
  /// is the path, or the preset's name for text that has none), the key and the allowed values.
  public static func parse(_ text: String, name: String, file: String? = nil) throws -> PPOPreset {
    let file = file ?? name
    guard text.utf8.count <= maximumBytes else {
      throw ConfigError(
        "\(file): \(text.utf8.count) bytes; a preset may have at most \(maximumBytes) (is it a preset?)")
    }
    // The node tree gives each value's position; the loaded values keep YAML's typing (1e-3, yes).
    let root = try YAMLText.compose(text, file: file)
    let node: Any?
    do { node = try YAMLText.onLargeStack { try Yams.load(yaml: text) } } catch {
      throw ConfigError("\(file): not valid YAML (\(error))")
    }
    guard let map = node as? [String: Any], case .mapping(let top)? = root else {
      throw YAMLText.error(at: root, file: file, "expected a mapping of hyperparameters at the top level")
    }
    var preset = PPOPreset(name: name, environment: nil, environmentOptions: [:], config: PPOConfig())
    for key in map.keys.sorted() {
      let value = map[key]!
      // Errors point at the value, or at the key when the key itself is unknown.
      let pair = top.first(where: { $0.key.string == key })
      let at = PPOConfig.keys.contains(key) || key.hasPrefix("env") ? pair?.value : pair?.key
      switch key {
      case "env":
        preset.environment = scalarText(value)
      case "env_options":
        guard let options = value as? [String: Any] else {
          throw YAMLText.error(at: at, file: file, "env_options must be a mapping of option = value")
        }
        for (k, v) in options { preset.environmentOptions[k] = scalarText(v) }
      default:
        do { try preset.config.set(key, scalarText(value)) } catch let error as ConfigError {
          throw YAMLText.error(at: at, file: file, error.message)
        }
      }
    }
    do { try preset.config.validate() } catch let error as ConfigError {
      throw ConfigError("\(file): \(error.message)")
    }
    return preset
  }

  /// The largest preset file read (the shipped ones are under 1 KB).
  public static let maximumBytes = 65_536

  static func scalarText(_ value: Any) -> String {
    if let list = value as? [Any] { return list.map(scalarText).joined(separator: ",") }
    if value is NSNull { return "none" }
    if let b = value as? Bool { return b ? "true" : "false" }
    if let i = value as? Int { return String(i) }
    if let d = value as? Double { return "\(d)" }
    return "\(value)"
  }

  public static func load(contentsOf url: URL) throws -> PPOPreset {
    let text: String
    do { text = try String(contentsOf: url, encoding: .utf8) } catch {
      throw ConfigError("cannot read preset \(url.path): \(error.plainReason)")
    }
    return try parse(text, name: url.deletingPathExtension().lastPathComponent, file: url.path)
  }

  /// `presets` in the environments folder, found as the gridworld maps are (`EnvironmentsFolder`).
  public static func defaultDirectory() -> URL? {
    EnvironmentsFolder.locate()?.appendingPathComponent("presets")
  }

  /// The preset folder, or an error listing the places searched.
  public static func requireDirectory() throws -> URL {
    guard let dir = defaultDirectory() else {
      throw PresetFolderError(
        message: EnvironmentsFolder.notFoundMessage("the preset folder environments/presets"))
    }
    return dir
  }

  /// The preset file for an environment name: `cartpole` -> `cartpole.yaml`,
  /// `gridworld:frozenlake-8x8` -> `frozenlake-8x8.yaml`, a Gymnasium id as the environment it
  /// names (`CartPole-v1` -> `cartpole.yaml`); nil when there is none.
  public static func url(forEnvironment env: String, in directory: URL? = nil) -> URL? {
    guard let dir = directory ?? defaultDirectory() else { return nil }
    let name = EnvironmentSpec.canonicalName(env)
    var stem = name.hasPrefix("gridworld:") ? String(name.dropFirst("gridworld:".count)) : name
    stem = URL(fileURLWithPath: stem).deletingPathExtension().lastPathComponent
    let url = dir.appendingPathComponent(stem + ".yaml")
    return FileManager.default.fileExists(atPath: url.path) ? url : nil
  }

  /// A preset by name (`cartpole`) or path (`my/preset.yaml`).
  public static func resolve(_ nameOrPath: String, in directory: URL? = nil) throws -> PPOPreset {
    if nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") || nameOrPath.hasSuffix(".yml") {
      return try load(contentsOf: URL(fileURLWithPath: nameOrPath))
    }
    let dir = try directory ?? requireDirectory()
    let url = dir.appendingPathComponent(nameOrPath + ".yaml")
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw ConfigError(
        "unknown preset '\(nameOrPath)' (allowed: \(available(in: dir).joined(separator: ", ")), or a path to a .yaml file)"
      )
    }
    return try load(contentsOf: url)
  }

  public static func available(in directory: URL? = nil) -> [String] {
    guard let dir = directory ?? defaultDirectory(),
      let files = try? FileManager.default.contentsOfDirectory(atPath: dir.path)
    else { return [] }
    return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
  }
}

/// The preset folder is nowhere to be found: a broken installation, not a bad value (exit 1).
public struct PresetFolderError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public var description: String { message }
}
