import Foundation
import Reinforcement

/// Names the configurations ("variants") that a report groups runs by: the shaping, plus
/// `key=value` for every preset key whose value differs between the runs (an ablation made with
/// `rl compare --vary learning_rate=0.001,0.0003`). `rl compare` names its run folders with the
/// same function, so the report's groups are the command's variants.
public enum RunVariant {
  /// The value of preset key `key` in `ppo` as `config.json` writes it (`0.001`, `[64,64]`,
  /// `true`, `none` for an absent optional); nil for an unknown key.
  public static func valueText(_ ppo: PPOConfig, key: String) -> String? {
    valueTexts(ppo)[key]
  }

  /// Every preset key's ``valueText(_:key:)``.
  public static func valueTexts(_ ppo: PPOConfig) -> [String: String] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    guard let data = try? encoder.encode(ppo),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return [:] }
    var texts: [String: String] = [:]
    for key in PPOConfig.keys {
      guard let value = object[key], !(value is NSNull) else {
        texts[key] = "none"
        continue
      }
      if let text = value as? String {
        texts[key] = text
      } else if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]),
        let text = String(data: data, encoding: .utf8)
      {
        texts[key] = text
      }
    }
    return texts
  }

  /// The canonical text of `value` for preset key `key` (what the report will read back from the
  /// run's config), or the error `PPOConfig.set` gives for a bad key or value.
  public static func canonicalValue(key: String, value: String) throws -> String {
    var ppo = PPOConfig()
    try ppo.set(key, value)
    return valueText(ppo, key: key) ?? value
  }

  /// `shaping, key=value, ...`; the shaping is left out when `includeShaping` is false and there
  /// are assignments.
  public static func label(shaping: String, assignments: [(key: String, value: String)], includeShaping: Bool)
    -> String
  {
    let parts =
      (includeShaping || assignments.isEmpty ? [shaping] : []) + assignments.map { "\($0.key)=\($0.value)" }
    return parts.joined(separator: ", ")
  }

  /// Runs with their variant set (those that have one keep it): the preset keys whose values
  /// differ between runs of the same environment, with the shaping when shapings differ.
  public static func labelled(_ runs: [ReportRun]) -> [ReportRun] {
    let texts = runs.map { valueTexts($0.config.ppo) }
    var varying: Set<String> = []
    for env in Set(runs.map(\.config.env)) {
      let indices = runs.indices.filter { runs[$0].config.env == env }
      for key in PPOConfig.keys where Set(indices.map { texts[$0][key] ?? "" }).count > 1 {
        varying.insert(key)
      }
    }
    let keys = PPOConfig.keys.filter { varying.contains($0) }
    let includeShaping = Set(runs.map(\.shaping)).count > 1
    return runs.indices.map { i in
      var run = runs[i]
      if run.variant == nil {
        run.variant = label(
          shaping: run.shaping, assignments: keys.map { ($0, texts[i][$0] ?? "") },
          includeShaping: includeShaping)
      }
      return run
    }
  }
}
