import Foundation
import Statistics

/// Any number of methods against MLE over the same seeds (corpus BLEU on one split): per seed,
/// mean, a 95% t confidence interval of each mean, and a paired t-test of each method against
/// MLE with Holm-Bonferroni adjusted p-values over the methods.
public struct MRTMethodComparison: Codable, Sendable {
  public struct Method: Codable, Sendable {
    public var label: String
    public var scores: [Double]
    public var mean: Double
    /// 95% t interval of the mean (the mean itself for one seed).
    public var interval: [Double]
    /// Against MLE (nil for MLE itself).
    public var meanDifference: Double?
    public var pairedTest: PairedTestResult?
    public var holmPValue: Double?
  }

  public var seeds: [String]
  /// MLE first.
  public var methods: [Method]

  /// `scores[i]` are the per-seed scores of `labels[i]`; `labels[0]` is the baseline (MLE).
  public init(seeds: [String], labels: [String], scores: [[Double]]) {
    precondition(labels.count == scores.count && !labels.isEmpty, "one score list per label")
    precondition(scores.allSatisfy { $0.count == seeds.count }, "one score per seed and method")
    self.seeds = seeds
    let baseline = scores[0]
    let tests = scores.dropFirst().map { seeds.count >= 2 ? HypothesisTests.pairedTTest($0, baseline) : nil }
    let holm = HypothesisTests.holmBonferroni(tests.map { $0?.pValue ?? .nan })
    methods = labels.indices.map { i in
      let x = scores[i]
      let mean = Statistics.mean(x)
      var interval = [mean, mean]
      if x.count >= 2 {
        let half =
          Self.tQuantile975(degreesOfFreedom: Double(x.count - 1))
          * (Statistics.variance(x) / Double(x.count)).squareRoot()
        interval = [mean - half, mean + half]
      }
      return Method(
        label: labels[i], scores: x, mean: mean, interval: interval,
        meanDifference: i == 0 ? nil : mean - Statistics.mean(baseline),
        pairedTest: i == 0 ? nil : tests[i - 1], holmPValue: i == 0 ? nil : holm[i - 1])
    }
  }

  /// The 0.975 quantile of Student's t (bisection on the CDF; 12.706 for 1 degree of freedom).
  static func tQuantile975(degreesOfFreedom df: Double) -> Double {
    var low = 0.0
    var high = 1_000.0
    for _ in 0..<100 {
      let mid = (low + high) / 2
      if SpecialFunctions.studentTCDF(mid, degreesOfFreedom: df) < 0.975 { low = mid } else { high = mid }
    }
    return (low + high) / 2
  }

  /// Markdown: one row per seed (each method, and its difference to MLE), mean, 95% CI, then one
  /// line per method with the paired test.
  public var markdown: String {
    func f(_ x: Double) -> String { String(format: "%.2f", x) }
    func signed(_ x: Double) -> String { String(format: "%+.2f", x) }
    let baseline = methods[0]
    var header = ["seed", baseline.label]
    for m in methods.dropFirst() { header += [m.label, "\(m.label) - \(baseline.label)"] }
    var lines = [
      "| " + header.joined(separator: " | ") + " |", "|" + String(repeating: "---|", count: header.count),
    ]
    for (s, seed) in seeds.enumerated() {
      var row = [seed, f(baseline.scores[s])]
      for m in methods.dropFirst() { row += [f(m.scores[s]), f(m.scores[s] - baseline.scores[s])] }
      lines.append("| " + row.joined(separator: " | ") + " |")
    }
    var mean = ["mean", f(baseline.mean)]
    var ci = ["95% CI", "\(f(baseline.interval[0]))-\(f(baseline.interval[1]))"]
    for m in methods.dropFirst() {
      mean += [f(m.mean), f(m.meanDifference ?? 0)]
      ci += ["\(f(m.interval[0]))-\(f(m.interval[1]))", ""]
    }
    lines.append("| " + mean.joined(separator: " | ") + " |")
    lines.append("| " + ci.joined(separator: " | ") + " |")
    lines.append("")
    let k = methods.count - 1
    for m in methods.dropFirst() {
      guard let test = m.pairedTest else {
        lines.append("\(m.label) vs \(baseline.label): one seed, no test")
        continue
      }
      lines.append(
        "paired t-test (\(m.label) vs \(baseline.label), n = \(seeds.count)): mean difference "
          + "\(signed(test.meanDifference)), t = \(String(format: "%.3f", test.t)), df = "
          + "\(Int(test.degreesOfFreedom)), p = \(String(format: "%.4f", test.pValue)), Holm-adjusted "
          + "over \(k) comparison\(k == 1 ? "" : "s"): p = \(String(format: "%.4f", m.holmPValue ?? .nan))")
    }
    return lines.joined(separator: "\n")
  }
}
