import Foundation

/// A training metric that became NaN or infinite.
public struct NonFiniteMetricError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The first non-finite metric, in the order given.
  public let metric: String
  public let value: Double
  public let step: Int
  /// Every non-finite metric at that step (including ``metric``).
  public let allMetrics: [String]

  public var description: String {
    let others = allMetrics.filter { $0 != metric }
    let also = others.isEmpty ? "" : " (also non-finite: \(others.joined(separator: ", ")))"
    return "\(metric) is \(MetricsLogger.format(value)) at step \(step)\(also); "
      + "try a lower learning rate or check the reward scale"
  }
}

/// Stops training at the first NaN/Inf instead of logging garbage for hours.
///
/// ```swift
/// try NumericGuard.check([("train/loss", loss), ("train/value_loss", valueLoss)], step: step)
/// ```
public enum NumericGuard {
  /// Throws ``NonFiniteMetricError`` naming the first non-finite value (in the order given) and
  /// the step.
  public static func check(_ values: [(name: String, value: Double)], step: Int) throws {
    let bad = values.filter { !$0.value.isFinite }
    guard let first = bad.first else { return }
    throw NonFiniteMetricError(
      metric: first.name, value: first.value, step: step, allMetrics: bad.map(\.name))
  }

  /// ``check(_:step:)`` for a dictionary (checked in sorted key order, so the message is stable).
  public static func check(_ values: [String: Double], step: Int) throws {
    try check(values.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }, step: step)
  }
}
