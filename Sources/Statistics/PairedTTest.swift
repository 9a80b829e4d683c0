/// The outcome of a paired t-test.
public struct PairedTestResult: Sendable, Equatable, Codable {
  /// t = mean(d) / (sd(d) / sqrt(n)) for the differences d = a - b.
  public var t: Double
  /// n - 1.
  public var degreesOfFreedom: Double
  /// Two-sided p-value.
  public var pValue: Double
  /// mean(a - b).
  public var meanDifference: Double
}

extension HypothesisTests {
  /// Student's paired t-test, two-sided: a one-sample t-test of the differences `a[i] - b[i]`
  /// against zero (`scipy.stats.ttest_rel(a, b)`). Needs at least two pairs. Zero variance of the
  /// differences gives t = ±inf and p = 0 (t = NaN and p = NaN when all differences are zero).
  public static func pairedTTest(_ a: [Double], _ b: [Double]) -> PairedTestResult {
    precondition(
      a.count == b.count && a.count >= 2,
      "a paired t-test needs two equally long samples of >= 2 values, got \(a.count) and \(b.count)")
    let d = zip(a, b).map { $0 - $1 }
    let n = Double(d.count)
    let mean = Statistics.mean(d)
    let standardError = (Statistics.variance(d) / n).squareRoot()
    guard standardError > 0 else {
      let t: Double = mean == 0 ? .nan : (mean > 0 ? .infinity : -.infinity)
      return PairedTestResult(
        t: t, degreesOfFreedom: n - 1, pValue: mean == 0 ? .nan : 0, meanDifference: mean)
    }
    let t = mean / standardError
    let p = SpecialFunctions.studentTTwoSidedTail(t, degreesOfFreedom: n - 1)
    return PairedTestResult(t: t, degreesOfFreedom: n - 1, pValue: min(1, p), meanDifference: mean)
  }
}
