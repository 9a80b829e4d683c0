/// A JSON value that keeps object keys in file order (Foundation's `JSONSerialization` does not),
/// so a file can be read, edited and written back with the same structure. Integers and floats
/// are told apart by their literal; floats print shortest-round-trip, as Python's `repr`.
/// Malformed JSON text: what is wrong and the byte offset where it was found.
public struct JSONError: Error, CustomStringConvertible, Sendable, Equatable {
  public var message: String
  public var offset: Int
  public var description: String { "JSON: \(message) at byte \(offset)" }
}

public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case int(Int)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.int(let x), .int(let y)): return x == y
    case (.double(let x), .double(let y)): return x == y
    case (.string(let x), .string(let y)): return x == y
    case (.array(let x), .array(let y)): return x == y
    case (.object(let x), .object(let y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: return false
    }
  }

  public subscript(key: String) -> JSONValue? {
    if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
    return nil
  }

  public var number: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .double(let d): return d
    default: return nil
    }
  }
  public var array: [JSONValue]? {
    if case .array(let a) = self { return a }
    return nil
  }
  public var bool: Bool? {
    if case .bool(let b) = self { return b }
    return nil
  }

  /// Sets (or appends) `key` in an object.
  public mutating func set(_ key: String, _ value: JSONValue) {
    guard case .object(var pairs) = self else {
      preconditionFailure("set(\(key)) on a non-object JSON value")
    }
    if let i = pairs.firstIndex(where: { $0.0 == key }) {
      pairs[i].1 = value
    } else {
      pairs.append((key, value))
    }
    self = .object(pairs)
  }

  /// Serialises with `", "` and `": "` separators (Python's `json.dumps` default).
  public var text: String {
    var out = ""
    write(into: &out)
    return out
  }

  func write(into out: inout String) {
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .int(let i): out += String(i)
    case .double(let d): out += JSONText.number(d)
    case .string(let s): JSONText.appendQuoted(s, to: &out)
    case .array(let items):
      out += "["
      for (i, item) in items.enumerated() {
        if i > 0 { out += ", " }
        item.write(into: &out)
      }
      out += "]"
    case .object(let pairs):
      out += "{"
      for (i, (k, v)) in pairs.enumerated() {
        if i > 0 { out += ", " }
        JSONText.appendQuoted(k, to: &out)
        out += ": "
        v.write(into: &out)
      }
      out += "}"
    }
  }

  /// Parses UTF-8 JSON text.
  public static func parse(_ text: String) throws -> JSONValue {
    var parser = Parser(bytes: Array(text.utf8))
    parser.skipSpace()
    let value = try parser.value()
    parser.skipSpace()
    guard parser.i == parser.bytes.count else {
      throw parser.error("trailing characters after the JSON value")
    }
    return value
  }

  /// The deepest nesting of arrays and objects accepted (as Foundation's JSONSerialization): a
  /// deeper document is refused instead of overflowing the stack of this recursive parser.
  public static let maximumDepth = 512

  struct Parser {
    let bytes: [UInt8]
    var i = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ message: String) -> JSONError {
      JSONError(message: message, offset: i)
    }

    mutating func skipSpace() {
      while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 {
        i += 1
      }
    }

    mutating func literal(_ word: String, _ value: JSONValue) throws -> JSONValue {
      let w = Array(word.utf8)
      guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else {
        throw error("unexpected token")
      }
      i += w.count
      return value
    }

    mutating func value() throws -> JSONValue {
      guard i < bytes.count else { throw error("unexpected end") }
      let opens = bytes[i] == UInt8(ascii: "{") || bytes[i] == UInt8(ascii: "[")
      if opens {
        guard depth < JSONValue.maximumDepth else {
          throw error("arrays and objects nested deeper than \(JSONValue.maximumDepth) levels")
        }
        depth += 1
      }
      defer { if opens { depth -= 1 } }
      switch bytes[i] {
      case UInt8(ascii: "{"):
        i += 1
        var pairs: [(String, JSONValue)] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
          i += 1
          return .object(pairs)
        }
        while true {
          skipSpace()
          guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a key") }
          let key = try string()
          skipSpace()
          guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':'") }
          i += 1
          skipSpace()
          pairs.append((key, try value()))
          skipSpace()
          guard i < bytes.count else { throw error("unexpected end") }
          if bytes[i] == UInt8(ascii: ",") {
            i += 1
          } else if bytes[i] == UInt8(ascii: "}") {
            i += 1
            return .object(pairs)
          } else {
            throw error("expected ',' or '}'")
          }
        }
      case UInt8(ascii: "["):
        i += 1
        var items: [JSONValue] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
          i += 1
          return .array(items)
        }
        while true {
          skipSpace()
          items.append(try value())
          skipSpace()
          guard i < bytes.count else { throw error("unexpected end") }
          if bytes[i] == UInt8(ascii: ",") {
            i += 1
          } else if bytes[i] == UInt8(ascii: "]") {
            i += 1
            return .array(items)
          } else {
            throw error("expected ',' or ']'")
          }
        }
      case UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "t"): return try literal("true", .bool(true))
      case UInt8(ascii: "f"): return try literal("false", .bool(false))
      case UInt8(ascii: "n"): return try literal("null", .null)
      case UInt8(ascii: "N"): return try literal("NaN", .double(.nan))
      case UInt8(ascii: "I"): return try literal("Infinity", .double(.infinity))
      default: return try number()
      }
    }

    mutating func number() throws -> JSONValue {
      let start = i
      if i < bytes.count, bytes[i] == UInt8(ascii: "-") {
        i += 1
        if i < bytes.count, bytes[i] == UInt8(ascii: "I") {
          return try literal("Infinity", .double(-.infinity))
        }
      }
      var isInteger = true
      while i < bytes.count {
        let b = bytes[i]
        if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") || b == UInt8(ascii: "-")
          || b == UInt8(ascii: "+")
        {
          i += 1
        } else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
          isInteger = false
          i += 1
        } else {
          break
        }
      }
      let s = String(decoding: bytes[start..<i], as: UTF8.self)
      if isInteger, let n = Int(s) { return .int(n) }
      guard let d = Double(s) else { throw error("bad number '\(s)'") }
      return .double(d)
    }

    mutating func string() throws -> String {
      i += 1
      var scalars = String.UnicodeScalarView()
      var run = i
      func flush(_ end: Int) {
        scalars.append(contentsOf: String(decoding: bytes[run..<end], as: UTF8.self).unicodeScalars)
      }
      while i < bytes.count {
        let b = bytes[i]
        if b == UInt8(ascii: "\"") {
          flush(i)
          i += 1
          return String(scalars)
        }
        if b == UInt8(ascii: "\\") {
          flush(i)
          i += 1
          guard i < bytes.count else { break }
          let e = bytes[i]
          i += 1
          switch e {
          case UInt8(ascii: "n"): scalars.append("\n")
          case UInt8(ascii: "t"): scalars.append("\t")
          case UInt8(ascii: "r"): scalars.append("\r")
          case UInt8(ascii: "b"): scalars.append("\u{08}")
          case UInt8(ascii: "f"): scalars.append("\u{0C}")
          case UInt8(ascii: "u"):
            guard i + 4 <= bytes.count,
              var code = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16)
            else { throw error("bad \\u escape") }
            i += 4
            // A high surrogate pairs only with a following `\u` low surrogate; alone it becomes
            // U+FFFD (FuzzJSON found `\ud83d\u0041` trapping on `low - 0xDC00`).
            if code >= 0xD800 && code < 0xDC00, i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"),
              bytes[i + 1] == UInt8(ascii: "u"),
              let low = UInt32(String(decoding: bytes[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16),
              (0xDC00..<0xE000).contains(low)
            {
              code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
              i += 6
            }
            scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
          default: scalars.append(Unicode.Scalar(e))
          }
          run = i
          continue
        }
        i += 1
      }
      throw error("unterminated string")
    }
  }
}
