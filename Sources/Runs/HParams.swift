import Core
import Foundation
import TensorBoard

/// A run's configuration as TensorBoard hyperparameters: every number, string and boolean leaf
/// of its JSON, named by its path (`ppo.learning_rate`, `model.hidden`); arrays become one string.
enum HParams {
  /// The leaves of a JSON object, in sorted key order (the config is written with sorted keys).
  static func flatten(_ json: Data) -> [(name: String, value: HParamValue)] {
    guard let value = try? JSONValue.parse(String(decoding: json, as: UTF8.self)) else { return [] }
    var out: [(name: String, value: HParamValue)] = []
    walk(value, path: "", into: &out)
    return out
  }

  private static func walk(
    _ value: JSONValue, path: String, into out: inout [(name: String, value: HParamValue)]
  ) {
    switch value {
    case .object(let pairs):
      for (key, child) in pairs { walk(child, path: path.isEmpty ? key : "\(path).\(key)", into: &out) }
    case .int(let n): out.append((path, .number(Double(n))))
    case .double(let x): out.append((path, .number(x)))
    case .string(let s): out.append((path, .string(s)))
    case .bool(let b): out.append((path, .bool(b)))
    case .array: out.append((path, .string(value.text)))
    case .null: break
    }
  }
}
