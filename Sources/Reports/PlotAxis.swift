import Foundation

/// A linear axis with "nice" ticks at 1, 2 or 5 times a power of ten that ends where the data
/// ends.
///
/// Tick rule: the axis spans the data `[lo, hi]`; an end is moved out to the next tick only when
/// that tick lies within ``margin`` (5%) of the span, so an axis never runs on past the data by
/// more than that (a 40,960-step run ends at 40,960 with its last tick at 40k, not at 50k). The
/// step is the smallest 1-2-5 step at least `(hi - lo) / (targetTicks - 1)`, made finer while
/// fewer than `targetTicks - 2` ticks fall on the axis. Every tick lies on the axis.
struct Axis {
  let lower: Double
  let upper: Double
  let step: Double
  let ticks: [Double]
  let suffixFrom: Double

  /// How far past the data (as a fraction of its span) an end may move to reach a tick.
  static let margin = 0.05

  init(values: [Double], suffixFrom: Double, targetTicks: Int = 6) {
    var lo = values.min() ?? 0
    var hi = values.max() ?? 1
    if lo == hi {
      let pad = lo == 0 ? 1 : abs(lo) * 0.1
      lo -= pad
      hi += pad
    }
    let rule = Axis.ticks(lo, hi, targetCount: targetTicks)
    self.lower = rule.lower
    self.upper = rule.upper
    self.step = rule.step
    self.ticks = rule.ticks
    self.suffixFrom = suffixFrom
  }

  /// The tick rule (see the type's documentation) for finite `lo < hi`.
  static func ticks(_ lo: Double, _ hi: Double, targetCount: Int = 6) -> (
    lower: Double, upper: Double, ticks: [Double], step: Double
  ) {
    precondition(hi > lo && lo.isFinite && hi.isFinite, "Axis.ticks needs finite lo < hi, got \(lo), \(hi)")
    let slack = (hi - lo) * margin
    var step = niceStep((hi - lo) / Double(max(targetCount - 1, 1)))
    // Degenerate ranges (an infinite span, or a span too small for the values' precision to count
    // ticks in) get just their two ends.
    let fallback = (lower: lo, upper: hi, ticks: [lo, hi], step: hi - lo)
    for _ in 0..<64 {
      guard step.isFinite, step > 0, abs(lo / step) < 1e15, abs(hi / step) < 1e15 else { return fallback }
      let below = (lo / step).rounded(.down) * step
      let above = (hi / step).rounded(.up) * step
      let lower = lo - below <= slack ? below : lo
      let upper = above - hi <= slack ? above : hi
      // Multiply integers by step (not accumulate) so 0.1 + 0.2 style drift never shows in labels.
      let first = (lower / step - 1e-9).rounded(.up)
      let last = (upper / step + 1e-9).rounded(.down)
      let ticks = first <= last ? stride(from: first, through: last, by: 1).map { $0 * step } : []
      if ticks.count >= max(targetCount - 2, 2) { return (lower, upper, ticks, step) }
      step = smallerStep(step)
    }
    return fallback
  }

  /// The smallest step of the form 1, 2 or 5 times a power of ten that is at least `raw`.
  static func niceStep(_ raw: Double) -> Double {
    let magnitude = pow(10, (log10(raw)).rounded(.down))
    let residual = raw / magnitude
    return (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * magnitude
  }

  /// The next finer 1-2-5 step: 5 -> 2 -> 1 -> 0.5.
  static func smallerStep(_ step: Double) -> Double {
    let magnitude = pow(10, log10(step * (1 + 1e-9)).rounded(.down))
    switch (step / magnitude).rounded() {
    case 1: return magnitude / 2
    case 2: return magnitude
    default: return 2 * magnitude
    }
  }

  /// Tick text: `250k`, `1.5M`, `0.25`, `-100`; decimals just enough for the step.
  func label(_ v: Double) -> String {
    if v == 0 { return "0" }
    let maxAbs = max(abs(lower), abs(upper))
    var scale = 1.0
    var suffix = ""
    if maxAbs >= suffixFrom {
      if maxAbs >= 1e6 {
        (scale, suffix) = (1e6, "M")
      } else if maxAbs >= 1e3 {
        (scale, suffix) = (1e3, "k")
      }
    }
    let scaledStep = step / scale
    let decimals =
      scaledStep.isFinite && scaledStep > 0
      ? min(max(0, Int((-log10(scaledStep) - 1e-9).rounded(.up))), 12) : 0
    var text = String(format: "%.\(decimals)f", v / scale)
    if text.hasPrefix("-"), Double(text) == 0 { text.removeFirst() }
    return text + suffix
  }
}
