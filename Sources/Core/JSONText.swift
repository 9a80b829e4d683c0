import Foundation

/// The JSON string and number literals every LossLab writer shares (reports, manifests,
/// metrics, safetensors headers, reference cases), so all of them escape and print alike.
///
/// Strings are escaped as Python's `json.dumps(..., ensure_ascii=False)` and serde_json write
/// them: `\"`, `\\`, the short forms `\b \f \n \r \t`, other controls below U+0020 as `\u00xx`
/// (lowercase hex), everything else (non-ASCII included) as is.
public enum JSONText {
  /// How `number(_:nonFinite:)` writes NaN and the infinities, which JSON has no literal for.
  public enum NonFinite: Sendable {
    /// `NaN`, `Infinity`, `-Infinity` bare, as Python's `json.dumps` (and `json.loads`) do.
    case pythonLiteral
    /// The same words as JSON strings (`"NaN"`), for readers that accept strict JSON only.
    case quotedString
  }

  /// `s` as a JSON string literal, quotes included.
  public static func quoted(_ s: String) -> String {
    var out = ""
    appendQuoted(s, to: &out)
    return out
  }

  /// Appends `s` as a JSON string literal to `out` (no intermediate string).
  public static func appendQuoted(_ s: String, to out: inout String) {
    out += "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }

  /// `x` as a JSON number: the shortest decimal that round-trips (Swift's `description`, which
  /// matches Python's `repr(float)`: `0.1`, `1.0`, `1e-07`, `1.5e+300`). Non-finite values follow
  /// `nonFinite`.
  public static func number(_ x: Double, nonFinite: NonFinite = .pythonLiteral) -> String {
    guard x.isFinite else {
      let word = x.isNaN ? "NaN" : (x > 0 ? "Infinity" : "-Infinity")
      return nonFinite == .quotedString ? "\"" + word + "\"" : word
    }
    return x.description
  }

  /// `value` encoded the one way LossLab writes `Encodable` values as JSON: keys sorted, `/` as
  /// is, on one line or pretty-printed (two-space indent, `"key" : value`), no final newline.
  public static func data<T: Encodable>(_ value: T, pretty: Bool = false) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting =
      pretty
      ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(value)
  }

  /// `data(value, pretty:)` as a string.
  public static func string<T: Encodable>(_ value: T, pretty: Bool = false) throws -> String {
    String(decoding: try data(value, pretty: pretty), as: UTF8.self)
  }
}

/// An optional that encodes as JSON `null` when nil (synthesised `Encodable` leaves nil
/// optionals out), for keys that are always present.
public struct JSONNullable<Value: Encodable>: Encodable {
  public var value: Value?

  public init(_ value: Value?) { self.value = value }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    if let value { try c.encode(value) } else { try c.encodeNil() }
  }
}
