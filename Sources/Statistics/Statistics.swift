import Foundation

/// Descriptive statistics over samples of `Double` (returns over seeds, say).
///
/// Conventions match NumPy / SciPy so numbers agree with Python notebooks:
/// ``standardDeviation(_:)`` is the sample standard deviation (`np.std(x, ddof=1)`),
/// ``quantile(_:_:)`` interpolates linearly (`np.quantile(x, q)`, Hyndman-Fan type 7), and
/// ``interquartileMean(_:)`` is rliable's IQM (`scipy.stats.trim_mean(x, 0.25)`).
public enum Statistics {
  /// Arithmetic mean; NaN for an empty sample.
  public static func mean(_ x: [Double]) -> Double {
    guard !x.isEmpty else { return .nan }
    var sum = 0.0
    for v in x { sum += v }
    return sum / Double(x.count)
  }

  /// Sample variance with Bessel's correction (divides by n - 1); NaN when n < 2.
  /// Two-pass (subtract the mean first) so large offsets do not cancel catastrophically.
  public static func variance(_ x: [Double]) -> Double {
    guard x.count >= 2 else { return .nan }
    let m = mean(x)
    var ss = 0.0
    for v in x { ss += (v - m) * (v - m) }
    return ss / Double(x.count - 1)
  }

  /// Sample standard deviation, `np.std(x, ddof=1)`; NaN when n < 2.
  public static func standardDeviation(_ x: [Double]) -> Double { variance(x).squareRoot() }

  /// The `q`-quantile with linear interpolation between order statistics, as `np.quantile(x, q)`:
  /// position `h = (n - 1) q`, value `x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h])`.
  /// Infinite values are allowed (a run that never reached a threshold counts as `+inf`).
  public static func quantile(_ x: [Double], _ q: Double) -> Double {
    precondition(!x.isEmpty, "quantile of an empty sample")
    precondition(q >= 0 && q <= 1, "quantile level must lie in [0, 1], got \(q)")
    return sortedQuantile(x.sorted(), q)
  }

  /// The median, `np.median(x)`.
  public static func median(_ x: [Double]) -> Double { quantile(x, 0.5) }

  /// ``quantile(_:_:)`` of an already ascending sample (no copy, no sort).
  public static func sortedQuantile(_ sorted: [Double], _ q: Double) -> Double {
    let h = Double(sorted.count - 1) * q
    let i = Int(h.rounded(.down))
    let fraction = h - Double(i)
    let low = sorted[i]
    if fraction == 0 || i + 1 >= sorted.count { return low }
    let high = sorted[i + 1]
    if low == high { return low }  // also keeps inf == inf from producing inf - inf = NaN
    if high.isInfinite || low.isInfinite { return high.isInfinite ? high : low }
    return low + fraction * (high - low)
  }

  /// Trimmed mean exactly as `scipy.stats.trim_mean(x, proportiontocut)`: sort, drop
  /// `floor(proportiontocut * n)` values from each end, average the rest.
  ///
  /// SciPy trims whole observations (it does not weight a partially cut one), so for n = 10 and
  /// 0.25 it drops 2 from each end and averages 6 values.
  public static func trimmedMean(_ x: [Double], proportionToCut: Double) -> Double {
    precondition(!x.isEmpty, "trimmed mean of an empty sample")
    precondition(
      proportionToCut >= 0 && proportionToCut < 0.5,
      "proportionToCut must lie in [0, 0.5), got \(proportionToCut)")
    let sorted = x.sorted()
    return sortedTrimmedMean(sorted, proportionToCut: proportionToCut)
  }

  static func sortedTrimmedMean(_ sorted: [Double], proportionToCut: Double) -> Double {
    let n = sorted.count
    let cut = Int((proportionToCut * Double(n)).rounded(.down))
    var sum = 0.0
    for i in cut..<(n - cut) { sum += sorted[i] }
    return sum / Double(n - 2 * cut)
  }

  /// Interquartile mean (IQM) of Agarwal et al. (2021), "Deep RL at the Edge of the Statistical
  /// Precipice": the mean of the middle 50% of scores. rliable computes it as
  /// `scipy.stats.trim_mean(scores, proportiontocut=0.25, axis=None)` over the flattened
  /// runs x tasks matrix, which is what this does (pass all scores flattened).
  public static func interquartileMean(_ x: [Double]) -> Double {
    trimmedMean(x, proportionToCut: 0.25)
  }
}
