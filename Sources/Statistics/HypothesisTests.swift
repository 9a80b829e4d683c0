import Foundation

/// The outcome of Welch's unequal-variances t-test.
public struct WelchTestResult: Sendable, Equatable, Codable {
  /// t = (mean(a) - mean(b)) / sqrt(s_a^2 / n_a + s_b^2 / n_b).
  public var t: Double
  /// Welch-Satterthwaite degrees of freedom (real-valued).
  public var degreesOfFreedom: Double
  /// Two-sided p-value.
  public var pValue: Double
  /// mean(a) - mean(b).
  public var meanDifference: Double
}

/// Frequentist tests for comparing configurations over seeds.
public enum HypothesisTests {
  /// Welch's t-test of equal means without assuming equal variances (Welch, 1947), two-sided:
  /// `scipy.stats.ttest_ind(a, b, equal_var=False)`.
  ///
  /// Each sample needs at least two values. When both samples have zero variance the statistic is
  /// undefined: equal means give t = NaN and p = NaN, different means give t = ±inf and p = 0.
  public static func welchTTest(_ a: [Double], _ b: [Double]) -> WelchTestResult {
    precondition(
      a.count >= 2 && b.count >= 2,
      "Welch's t-test needs >= 2 values per sample, got \(a.count) and \(b.count)")
    let na = Double(a.count)
    let nb = Double(b.count)
    let difference = Statistics.mean(a) - Statistics.mean(b)
    let va = Statistics.variance(a) / na  // squared standard error of each mean
    let vb = Statistics.variance(b) / nb
    let standardError = (va + vb).squareRoot()
    guard standardError > 0 else {
      let t: Double = difference == 0 ? .nan : (difference > 0 ? .infinity : -.infinity)
      return WelchTestResult(
        t: t, degreesOfFreedom: na + nb - 2, pValue: difference == 0 ? .nan : 0, meanDifference: difference)
    }
    let t = difference / standardError
    // Welch-Satterthwaite: (va + vb)^2 / (va^2 / (na - 1) + vb^2 / (nb - 1)).
    let df = (va + vb) * (va + vb) / (va * va / (na - 1) + vb * vb / (nb - 1))
    let p = SpecialFunctions.studentTTwoSidedTail(t, degreesOfFreedom: df)
    return WelchTestResult(t: t, degreesOfFreedom: df, pValue: min(1, p), meanDifference: difference)
  }

  /// Holm-Bonferroni adjusted p-values (Holm, 1979), in the order given: with p sorted ascending,
  /// p~_(i) = max_{j <= i} min(1, (m - j + 1) p_(j)). Reject hypothesis i at family-wise level
  /// alpha when its adjusted p-value is <= alpha. Matches
  /// `statsmodels.stats.multitest.multipletests(p, method="holm")[1]`. NaN p-values stay NaN and
  /// do not count towards m.
  public static func holmBonferroni(_ pValues: [Double]) -> [Double] {
    let order = pValues.indices.filter { !pValues[$0].isNaN }.sorted { pValues[$0] < pValues[$1] }
    let m = order.count
    var adjusted = pValues
    var running = 0.0
    for (rank, index) in order.enumerated() {
      running = max(running, min(1, Double(m - rank) * pValues[index]))
      adjusted[index] = running
    }
    return adjusted
  }
}
