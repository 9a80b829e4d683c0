import Foundation

/// Special functions behind the p-values: the regularised incomplete beta function and the
/// Student t distribution built on it.
public enum SpecialFunctions {
  /// The regularised incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b), for a, b > 0 and
  /// 0 <= x <= 1 (`scipy.special.betainc(a, b, x)`).
  ///
  /// Evaluated with the continued fraction of Numerical Recipes (3rd ed., eq. 6.4.5) by the modified
  /// Lentz method, on the side of the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) where it converges
  /// fastest; relative accuracy about 1e-14 for moderate a and b.
  public static func regularizedIncompleteBeta(_ a: Double, _ b: Double, _ x: Double) -> Double {
    incompleteBeta(a, b, x: x, oneMinusX: 1 - x)
  }

  /// I_x(a, b) with 1 - x supplied separately, so callers that know it exactly (t-test tails)
  /// keep full precision when x is close to 1.
  static func incompleteBeta(_ a: Double, _ b: Double, x: Double, oneMinusX y: Double) -> Double {
    precondition(a > 0 && b > 0, "incomplete beta needs a, b > 0, got a = \(a), b = \(b)")
    precondition(x >= 0 && x <= 1, "incomplete beta needs 0 <= x <= 1, got \(x)")
    if x.isNaN || a.isNaN || b.isNaN { return .nan }
    if x == 0 { return 0 }
    if y == 0 { return 1 }
    // Prefactor x^a (1-x)^b / (a B(a, b)) in logs (eq. 6.4.5).
    let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(y)
    let front = exp(logFront)
    if x < (a + 1) / (a + b + 2) {
      return front * betaContinuedFraction(a, b, x) / a
    }
    return 1 - front * betaContinuedFraction(b, a, y) / b
  }

  /// The continued fraction for I_x(a, b) (Numerical Recipes `betacf`), modified Lentz.
  private static func betaContinuedFraction(_ a: Double, _ b: Double, _ x: Double) -> Double {
    let tiny = 1e-300
    let epsilon = 1e-16
    let qab = a + b
    let qap = a + 1
    let qam = a - 1
    var c = 1.0
    var d = 1 - qab * x / qap
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    // Converges in O(sqrt(max(a, b))) terms; the cap only guards against pathological input.
    for m in 1...100_000 {
      let m = Double(m)
      let m2 = 2 * m
      var aa = m * (b - m) * x / ((qam + m2) * (a + m2))  // even step d_{2m}
      d = 1 + aa * d
      if abs(d) < tiny { d = tiny }
      c = 1 + aa / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      h *= d * c
      aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))  // odd step d_{2m+1}
      d = 1 + aa * d
      if abs(d) < tiny { d = tiny }
      c = 1 + aa / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      h *= delta
      if abs(delta - 1) < epsilon { break }
    }
    return h
  }

  /// The Student t cumulative distribution P(T <= t) with `degreesOfFreedom` > 0 (real-valued, as
  /// Welch's test needs): `scipy.stats.t.cdf(t, df)`.
  public static func studentTCDF(_ t: Double, degreesOfFreedom df: Double) -> Double {
    let tail = 0.5 * studentTTwoSidedTail(t, degreesOfFreedom: df)
    return t >= 0 ? 1 - tail : tail
  }

  /// P(|T| >= |t|) = I_{df/(df+t^2)}(df/2, 1/2) (Abramowitz and Stegun 26.7.1 / 26.5.27).
  public static func studentTTwoSidedTail(_ t: Double, degreesOfFreedom df: Double) -> Double {
    precondition(df > 0, "Student t needs positive degrees of freedom, got \(df)")
    if t.isNaN { return .nan }
    if t.isInfinite { return 0 }
    let t2 = t * t
    // x = df / (df + t^2) and 1 - x = t^2 / (df + t^2), both formed without cancellation.
    return incompleteBeta(df / 2, 0.5, x: df / (df + t2), oneMinusX: t2 / (df + t2))
  }
}
