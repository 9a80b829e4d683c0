import Foundation

// BLEU from sufficient statistics (sacrebleu `BLEU.compute_bleu`, Papineni et al. 2002, eq. 1-2):
// BLEU = BP * exp(sum_n log p_n / N), BP = exp(1 - r/c) when c < r, with the precisions p_n in
// percent as sacrebleu computes them, so the score lies in [0, 100].

/// Smoothing methods and their default values (sacrebleu's `SMOOTH_DEFAULTS`).
public enum BLEUSmoothingMethod: String, CaseIterable, Sendable {
  /// NIST geometric sequence smoothing: the k-th zero-count order gets 1 / (2^k * total).
  case exp
  /// Zero counts are replaced by a floor value (default 0.1).
  case floor
  /// k is added to the counts and totals of orders 2 and up (default 1).
  case addK = "add-k"
  /// No smoothing.
  case none

  /// sacrebleu's default value for the method, or nil when it takes none.
  public var defaultValue: Double? {
    switch self {
    case .floor: 0.1
    case .addK: 1
    case .exp, .none: nil
    }
  }
}

/// A smoothing method with its value (nil: the method's default).
public struct BLEUSmoothing: Sendable, Hashable {
  public var method: BLEUSmoothingMethod
  public var value: Double?

  public init(_ method: BLEUSmoothingMethod = .exp, value: Double? = nil) {
    self.method = method
    self.value = value
  }

  /// The value used in the computation: the given one, else the method's default.
  public var resolvedValue: Double? { value ?? method.defaultValue }

  /// The signature's `smooth:` field: `exp`, `none`, `floor[0.10]`, `add-k[1.00]`.
  public var signature: String {
    guard method.defaultValue != nil, let v = resolvedValue else { return method.rawValue }
    return method.rawValue + "[" + BLEUScore.fixed(v, 2) + "]"
  }
}

/// sacrebleu's sufficient statistics of one segment or a whole corpus:
/// `[hyp_len, ref_len, correct[1...N], total[1...N]]`. Corpus statistics are sums of segment ones.
public struct BLEUStatistics: Sendable, Equatable {
  /// Hypothesis tokens.
  public var hypothesisLength: Int
  /// Closest reference length (summed over segments for a corpus).
  public var referenceLength: Int
  /// Clipped n-gram matches, n = 1 ... N.
  public var correct: [Int]
  /// Hypothesis n-grams, n = 1 ... N.
  public var total: [Int]

  public init(hypothesisLength: Int, referenceLength: Int, correct: [Int], total: [Int]) {
    precondition(
      correct.count == total.count && !correct.isEmpty,
      "BLEUStatistics: correct (\(correct.count)) and total (\(total.count)) need the same nonzero order")
    self.hypothesisLength = hypothesisLength
    self.referenceLength = referenceLength
    self.correct = correct
    self.total = total
  }

  /// All-zero statistics for n-gram orders 1 ... `maxOrder`.
  public static func zero(maxOrder: Int = BLEUSettings.defaultMaxOrder) -> BLEUStatistics {
    BLEUStatistics(
      hypothesisLength: 0, referenceLength: 0, correct: Array(repeating: 0, count: maxOrder),
      total: Array(repeating: 0, count: maxOrder))
  }

  public static func += (lhs: inout BLEUStatistics, rhs: BLEUStatistics) {
    precondition(lhs.correct.count == rhs.correct.count, "BLEUStatistics: orders differ")
    lhs.hypothesisLength += rhs.hypothesisLength
    lhs.referenceLength += rhs.referenceLength
    for n in lhs.correct.indices {
      lhs.correct[n] += rhs.correct[n]
      lhs.total[n] += rhs.total[n]
    }
  }

  public static func + (lhs: BLEUStatistics, rhs: BLEUStatistics) -> BLEUStatistics {
    var sum = lhs
    sum += rhs
    return sum
  }

  /// sacrebleu's `my_log`: log(0) is -9999999999 rather than -inf, so a zero precision gives a
  /// score of exactly 0.
  @inline(__always)
  static func myLog(_ x: Double) -> Double { x == 0 ? -9_999_999_999 : Foundation.log(x) }

  /// BLEU from these statistics (sacrebleu `BLEU.compute_bleu`).
  ///
  /// - Parameters:
  ///   - smoothing: smoothing method and value.
  ///   - effectiveOrder: average only up to the highest order with a nonzero total (what sentence
  ///     BLEU needs for sentences shorter than N tokens).
  public func score(smoothing: BLEUSmoothing = BLEUSmoothing(), effectiveOrder: Bool = false)
    -> BLEUScore
  {
    let order = correct.count
    let sysLen = hypothesisLength
    let refLen = referenceLength
    var bp = 1.0
    if sysLen < refLen { bp = sysLen > 0 ? Foundation.exp(1 - Double(refLen) / Double(sysLen)) : 0 }
    var precisions = [Double](repeating: 0, count: order)
    var counts = correct.map(Double.init)
    var totals = total.map(Double.init)
    // Early stop when nothing matches, whatever the smoothing (sacrebleu #141).
    if !correct.contains(where: { $0 != 0 }) {
      return BLEUScore(
        score: 0, counts: counts, totals: totals, precisions: precisions, bp: bp,
        sysLen: sysLen, refLen: refLen)
    }
    let value = smoothing.resolvedValue ?? 0
    var smoothMteval = 1.0
    var effOrder = order
    for n in 1...order {
      if smoothing.method == .addK && n > 1 {
        counts[n - 1] += value
        totals[n - 1] += value
      }
      if totals[n - 1] == 0 { break }
      if effectiveOrder { effOrder = n }
      if counts[n - 1] == 0 {
        switch smoothing.method {
        case .exp:
          smoothMteval *= 2
          precisions[n - 1] = 100 / (smoothMteval * totals[n - 1])
        case .floor:
          precisions[n - 1] = 100 * value / totals[n - 1]
        case .addK, .none:
          break
        }
      } else {
        precisions[n - 1] = 100 * counts[n - 1] / totals[n - 1]
      }
    }
    var logSum = 0.0
    for p in precisions[0..<effOrder] { logSum += Self.myLog(p) }
    let score = bp * Foundation.exp(logSum / Double(effOrder))
    return BLEUScore(
      score: score, counts: counts, totals: totals, precisions: precisions, bp: bp, sysLen: sysLen,
      refLen: refLen)
  }
}

/// A BLEU score with its parts, as sacrebleu's `BLEUScore` holds them.
public struct BLEUScore: Sendable, Equatable {
  /// BLEU in [0, 100].
  public var score: Double
  /// Matches per order; with `add-k` these include k for orders >= 2, as sacrebleu reports them.
  public var counts: [Double]
  /// N-grams per order; with `add-k` these include k for orders >= 2.
  public var totals: [Double]
  /// Precisions in percent, after smoothing.
  public var precisions: [Double]
  /// Brevity penalty.
  public var bp: Double
  public var sysLen: Int
  public var refLen: Int

  /// `sys_len / ref_len`, 0 when `ref_len` is 0.
  public var ratio: Double { refLen != 0 ? Double(sysLen) / Double(refLen) : 0 }

  /// sacrebleu's verbose part: `90.8/77.8/68.8/61.1 (BP = 0.972 ratio = 0.973 hyp_len = 7961 ref_len = 8183)`.
  public var verbose: String {
    let precisionText = precisions.map { Self.fixed($0, 1) }.joined(separator: "/")
    return precisionText + " (BP = " + Self.fixed(bp, 3) + " ratio = " + Self.fixed(ratio, 3)
      + " hyp_len = \(sysLen) ref_len = \(refLen))"
  }

  /// `str(BLEUScore)`: `BLEU = 71.79 90.8/77.8/68.8/61.1 (BP = ...)`, the score with `width` decimals.
  public func formatted(width: Int = 2) -> String {
    "BLEU = " + Self.fixed(score, width) + " " + verbose
  }

  /// Python's `f"{x:.{decimals}f}"`: the exact binary value rounded to `decimals` places, ties to
  /// even (what C's `%.*f` does too). Exact integer arithmetic for the usual case (at most 3
  /// decimals, |x| < 2^53), C's `vsnprintf` otherwise: sentence-level output formats 8 numbers a
  /// line, and a C variadic call from Swift costs microseconds.
  public static func fixed(_ x: Double, _ decimals: Int) -> String {
    guard x.isFinite, (0...3).contains(decimals), abs(x) < 0x1p53 else { return cFixed(x, decimals) }
    if x.sign == .minus { return "-" + fixed(-x, decimals) }
    var power: UInt64 = 1
    for _ in 0..<decimals { power *= 10 }
    var q: UInt64 = 0
    if x.isNormal {
      // x = m * 2^e exactly; q = round_half_even(x * 10^decimals), with m * 10^decimals < 2^63.
      let m = x.significandBitPattern | (1 << 52)
      let e = Int(x.exponent) - 52
      let scaled = m * power
      if e >= 0 {
        q = scaled << UInt64(e)
      } else if -e < 64 {
        let k = UInt64(-e)
        q = scaled >> k
        let r = scaled & ((1 << k) - 1)
        let half: UInt64 = 1 << (k - 1)
        if r > half || (r == half && q & 1 == 1) { q += 1 }
      }
    }
    let integer = String(q / power)
    guard decimals > 0 else { return integer }
    let fraction = String(q % power)
    return integer + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
  }

  static func cFixed(_ x: Double, _ decimals: Int) -> String {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 400) { buffer in
      let n = withVaList([Int32(decimals), x]) { vsnprintf(buffer.baseAddress!, 400, "%.*f", $0) }
      return String(
        decoding: UnsafeRawBufferPointer(start: UnsafeRawPointer(buffer.baseAddress!), count: Int(n)),
        as: UTF8.self)
    }
  }
}
