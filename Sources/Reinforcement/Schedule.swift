import Foundation
import Tensors

/// A hyperparameter that may change over training, as a function of SB3's "progress remaining"
/// (1 at the start of training, 0 at the end).
///
/// Text forms (RL-Zoo's): a number (`0.2`, `3e-4`) for a constant, `lin_X` for a linear decay from
/// `X` to 0 (`lin_1e-3`).
public enum Schedule: Sendable, Equatable, Codable, CustomStringConvertible {
  case constant(Double)
  case linear(Double)

  /// The value when `progressRemaining` (in [0, 1]) of training is left.
  public func value(progressRemaining: Double) -> Double {
    switch self {
    case .constant(let x): return x
    case .linear(let x): return x * progressRemaining
    }
  }

  /// The value at the start of training.
  public var initialValue: Double { value(progressRemaining: 1) }

  /// Parses `0.2` or `lin_0.2`; nil for anything else.
  public init?(text: String) {
    let t = text.trimmingCharacters(in: .whitespaces)
    if t.hasPrefix("lin_"), let x = Double(t.dropFirst(4)), x.isFinite {
      self = .linear(x)
    } else if let x = Double(t), x.isFinite {
      self = .constant(x)
    } else {
      return nil
    }
  }

  public var description: String {
    switch self {
    case .constant(let x): return Schedule.format(x)
    case .linear(let x): return "lin_" + Schedule.format(x)
    }
  }

  static func format(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"
  }

  public init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let x = try? container.decode(Double.self) {
      self = .constant(x)
      return
    }
    let text = try container.decode(String.self)
    guard let s = Schedule(text: text) else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "'\(text)' is not a schedule (a number or lin_NUMBER)")
    }
    self = s
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .constant(let x): try container.encode(x)
    case .linear: try container.encode(description)
    }
  }
}
