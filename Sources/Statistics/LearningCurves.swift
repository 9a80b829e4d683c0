import Foundation

/// A learning curve: a metric (evaluation return, say) logged at increasing steps.
public struct LearningCurve: Sendable, Equatable, Codable {
  /// Steps (timesteps, samples), strictly increasing.
  public let steps: [Double]
  public let values: [Double]

  public init(steps: [Double], values: [Double]) {
    precondition(
      steps.count == values.count, "LearningCurve: \(steps.count) steps but \(values.count) values")
    for i in steps.indices.dropFirst() {
      precondition(
        steps[i] > steps[i - 1],
        "LearningCurve steps must increase strictly; step \(i) is \(steps[i]) after \(steps[i - 1])")
    }
    self.steps = steps
    self.values = values
  }

  /// The curve linearly interpolated at `x`; NaN outside `[steps.first, steps.last]` (a curve says
  /// nothing about steps it never reached, and a report should not pretend it does).
  public func value(at x: Double) -> Double {
    guard let first = steps.first, let last = steps.last, x >= first, x <= last else { return .nan }
    // Binary search for the segment steps[i] <= x <= steps[i + 1].
    var lo = 0
    var hi = steps.count - 1
    while hi - lo > 1 {
      let mid = (lo + hi) / 2
      if steps[mid] <= x { lo = mid } else { hi = mid }
    }
    if steps[lo] == x || lo == hi { return values[lo] }
    if steps[hi] == x { return values[hi] }
    let w = (x - steps[lo]) / (steps[hi] - steps[lo])
    return values[lo] + w * (values[hi] - values[lo])
  }

  /// ``value(at:)`` at every point of `grid`.
  public func values(at grid: [Double]) -> [Double] { grid.map(value(at:)) }

  /// Trapezoid area under the curve between `lower` and `upper` (both inside the curve's range),
  /// with the curve interpolated at the two ends.
  public func area(from lower: Double, to upper: Double) -> Double {
    precondition(lower <= upper, "area bounds reversed: \(lower) > \(upper)")
    precondition(
      !steps.isEmpty && lower >= steps.first! && upper <= steps.last!,
      "area bounds [\(lower), \(upper)] outside the curve's steps [\(steps.first ?? .nan), \(steps.last ?? .nan)]"
    )
    var xs = [lower]
    for s in steps where s > lower && s < upper { xs.append(s) }
    if upper > lower { xs.append(upper) }
    var area = 0.0
    var previous = value(at: xs[0])
    for i in xs.indices.dropFirst() {
      let current = value(at: xs[i])
      area += 0.5 * (previous + current) * (xs[i] - xs[i - 1])
      previous = current
    }
    return area
  }

  /// Normalised area under the curve: `area(from:to:) / ((upper - lower) * normalizer)`, i.e. the
  /// curve's mean level over the range as a fraction of `normalizer` (for example the maximum
  /// return, 500 for CartPole-v1). Defaults to the curve's whole range.
  public func normalizedArea(from lower: Double? = nil, to upper: Double? = nil, normalizer: Double = 1)
    -> Double
  {
    precondition(steps.count >= 2, "normalised area needs at least two points, got \(steps.count)")
    precondition(normalizer != 0, "normaliser must be non-zero")
    let lo = lower ?? steps.first!
    let hi = upper ?? steps.last!
    precondition(hi > lo, "normalised area needs a non-empty step range, got [\(lo), \(hi)]")
    return area(from: lo, to: hi) / ((hi - lo) * normalizer)
  }

  /// The first logged step whose value reaches `threshold` (`>=` when `higherIsBetter`, else
  /// `<=`), or `nil` if the curve never reaches it. No interpolation between logged points.
  public func firstStep(reaching threshold: Double, higherIsBetter: Bool = true) -> Double? {
    for (s, v) in zip(steps, values) where higherIsBetter ? v >= threshold : v <= threshold { return s }
    return nil
  }
}

/// Comparing learning curves of several runs logged on different step grids.
public enum LearningCurves {
  /// The step range every curve covers: `[max of first steps, min of last steps]`, or `nil` when
  /// they do not overlap.
  public static func commonRange(_ curves: [LearningCurve]) -> ClosedRange<Double>? {
    guard !curves.isEmpty, curves.allSatisfy({ !$0.steps.isEmpty }) else { return nil }
    let lo = curves.map { $0.steps.first! }.max()!
    let hi = curves.map { $0.steps.last! }.min()!
    return lo <= hi ? lo...hi : nil
  }

  /// The union of all curves' steps inside their ``commonRange(_:)``, ascending: the grid on which
  /// interpolating every curve loses no logged point.
  public static func commonGrid(_ curves: [LearningCurve]) -> [Double] {
    guard let range = commonRange(curves) else { return [] }
    var all = Set<Double>([range.lowerBound, range.upperBound])
    for curve in curves { for s in curve.steps where range.contains(s) { all.insert(s) } }
    return all.sorted()
  }

  /// Each curve's normalised area over the curves' common range, so runs logged at different steps
  /// or for different lengths are compared over the same steps. (Interpolating a curve onto a
  /// finer grid does not change its trapezoid area, so this equals the area on ``commonGrid(_:)``.)
  public static func normalizedAreas(_ curves: [LearningCurve], normalizer: Double = 1) -> [Double] {
    guard let range = commonRange(curves), range.upperBound > range.lowerBound else {
      preconditionFailure("normalised areas need curves overlapping on a non-empty step range")
    }
    return curves.map {
      $0.normalizedArea(from: range.lowerBound, to: range.upperBound, normalizer: normalizer)
    }
  }
}

/// Several runs' curves summarised on one grid: a centre line (mean by default) and a pointwise
/// bootstrap confidence band, ready for ``PlotSeries``.
public struct CurveBand: Sendable, Equatable {
  public let steps: [Double]
  public let center: [Double]
  public let low: [Double]
  public let high: [Double]

  /// Interpolates every curve onto `grid` (default: ``LearningCurves/commonGrid(_:)``, or
  /// `points` evenly spaced steps over the common range) and, at each grid step, takes
  /// `statistic` over runs with its percentile bootstrap CI (same `seed` at every step, so the
  /// band is reproducible).
  public init(
    curves: [LearningCurve], grid: [Double]? = nil, points: Int? = nil, level: Double = 0.95,
    resamples: Int = 1000, seed: UInt64 = 0, statistic: ([Double]) -> Double = Statistics.mean
  ) {
    precondition(!curves.isEmpty, "CurveBand needs at least one curve")
    var steps = grid ?? LearningCurves.commonGrid(curves)
    if grid == nil, let points, let range = LearningCurves.commonRange(curves) {
      precondition(points >= 2, "CurveBand needs at least 2 grid points, got \(points)")
      let width = range.upperBound - range.lowerBound
      steps = (0..<points).map { range.lowerBound + width * Double($0) / Double(points - 1) }
    }
    let columns = curves.map { $0.values(at: steps) }
    var center: [Double] = []
    var low: [Double] = []
    var high: [Double] = []
    for i in steps.indices {
      let sample = columns.map { $0[i] }.filter { !$0.isNaN }
      guard !sample.isEmpty else {
        center.append(.nan)
        low.append(.nan)
        high.append(.nan)
        continue
      }
      let ci = Bootstrap.confidenceInterval(
        sample, level: level, resamples: resamples, seed: seed, statistic: statistic)
      center.append(ci.estimate)
      low.append(ci.low)
      high.append(ci.high)
    }
    self.steps = steps
    self.center = center
    self.low = low
    self.high = high
  }
}

/// Steps-to-threshold over runs, counting the runs that never got there instead of dropping them
/// (dropping them would make a method that fails half the time look fast).
///
/// A run that never reaches the threshold counts as `+inf` steps, so the median is `+inf` when
/// fewer than half the runs reach it.
public struct ThresholdSummary: Sendable, Equatable {
  /// Steps per run; `nil` where the run never reached the threshold.
  public let steps: [Double?]
  /// Runs that reached the threshold.
  public let reached: Int
  /// Median steps with never = `+inf`.
  public let median: Double

  /// Summarises steps per run (`nil` = never reached).
  public init(steps: [Double?]) {
    precondition(!steps.isEmpty, "ThresholdSummary needs at least one run")
    self.steps = steps
    reached = steps.count(where: { $0 != nil })
    median = Statistics.median(steps.map { $0 ?? .infinity })
  }

  /// Summarises the first step at which each curve reaches `threshold`.
  public init(curves: [LearningCurve], threshold: Double, higherIsBetter: Bool = true) {
    self.init(steps: curves.map { $0.firstStep(reaching: threshold, higherIsBetter: higherIsBetter) })
  }

  /// Number of runs.
  public var runs: Int { steps.count }
}
