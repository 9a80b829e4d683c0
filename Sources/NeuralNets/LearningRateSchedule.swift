import Foundation
import Tensors

/// A hyperparameter that changes over training (a learning rate, PPO's clip range), one type for
/// every trainer. Two ways to ask for its value, each evaluated as its source library does:
/// - `value(progress:)`: progress in [0, 1] done (0 at the first update, clamped), the
///   optimizers' convention (`optimizer.learningRate = schedule(progress: p)`); CleanRL's
///   `anneal_lr` is `progress = (update - 1) / numUpdates`;
/// - `value(progressRemaining:)`: Stable-Baselines3's "progress remaining" (1 at the start, 0 at
///   the end); `linear(X)` is then SB3's `linear_schedule`, `X * progress_remaining`.
///
/// Text forms (RL-Zoo's, plus cosine): a number (`0.2`, `3e-4`) for a constant, `lin_X` for a
/// linear decay from `X` to 0 (`lin_1e-3`), `lin_X_Y` from `X` to `Y`, `cos_X_Y` for cosine
/// annealing from `X` to `Y`.
public enum Schedule: Sendable, Equatable, Codable, CustomStringConvertible {
  case constant(Double)
  /// `initial + (final - initial) * progress`.
  case linear(initial: Double, final: Double)
  /// Cosine annealing (Loshchilov & Hutter 2017) without restarts:
  /// `final + (initial - final) * (1 + cos(pi * progress)) / 2`.
  case cosine(initial: Double, final: Double)

  /// A linear decay from `x` to 0 (RL-Zoo's `lin_X`).
  public static func linear(_ x: Double) -> Schedule { .linear(initial: x, final: 0) }

  /// The value when `progress` (clamped to [0, 1]) of training is done.
  public func value(progress: Double) -> Double {
    let p = Swift.min(Swift.max(progress, 0), 1)
    switch self {
    case .constant(let x): return x
    case .linear(let initial, let final): return initial + (final - initial) * p
    case .cosine(let initial, let final):
      return final + (initial - final) * (1 + Foundation.cos(Double.pi * p)) / 2
    }
  }

  /// The value when `progressRemaining` of training is left (SB3; not clamped).
  public func value(progressRemaining: Double) -> Double {
    switch self {
    case .constant(let x): return x
    case .linear(let initial, let final):
      return final == 0 ? initial * progressRemaining : final + (initial - final) * progressRemaining
    case .cosine: return value(progress: 1 - progressRemaining)
    }
  }

  /// The value as an optimizer's learning rate.
  public func callAsFunction(progress: Double) -> Float { Float(value(progress: progress)) }

  /// The value at the start of training.
  public var initialValue: Double { value(progress: 0) }

  /// Parses `0.2`, `lin_0.2`, `lin_1_0.1` or `cos_1_0.1`; nil for anything else.
  public init?(text: String) {
    let t = text.trimmingCharacters(in: .whitespaces)
    let parts = t.split(separator: "_", omittingEmptySubsequences: false)
    let numbers = parts.dropFirst().compactMap { Double($0) }.filter(\.isFinite)
    switch (parts.first, parts.count, numbers.count) {
    case ("lin", 2, 1): self = .linear(numbers[0])
    case ("lin", 3, 2): self = .linear(initial: numbers[0], final: numbers[1])
    case ("cos", 3, 2): self = .cosine(initial: numbers[0], final: numbers[1])
    default:
      guard parts.count == 1, let x = Double(t), x.isFinite else { return nil }
      self = .constant(x)
    }
  }

  public var description: String {
    switch self {
    case .constant(let x): return Schedule.format(x)
    case .linear(let x, 0): return "lin_" + Schedule.format(x)
    case .linear(let x, let y): return "lin_\(Schedule.format(x))_\(Schedule.format(y))"
    case .cosine(let x, let y): return "cos_\(Schedule.format(x))_\(Schedule.format(y))"
    }
  }

  /// `3` for whole numbers, Swift's shortest round-trip form otherwise.
  public static func format(_ x: Double) -> String {
    if x == x.rounded(), Swift.abs(x) < 1e15 { return String(Int64(x)) }
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
        in: container, debugDescription: "'\(text)' is not a schedule (a number, lin_X, lin_X_Y or cos_X_Y)")
    }
    self = s
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .constant(let x): try container.encode(x)
    default: try container.encode(description)
    }
  }
}
