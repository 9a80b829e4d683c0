import Core
import Foundation
import Runs
import Statistics

/// The rliable section of a report (Agarwal et al. 2021): every group's final returns, normalised
/// per environment (task), summarised by IQM, mean, median and optimality gap with stratified
/// bootstrap CIs, performance profiles with confidence bands, and the probability of improvement
/// between every pair of groups.
public struct AggregateReport: Sendable {
  /// One normalisation per task, in task order.
  public var normalizations: [ScoreNormalization]
  /// Groups in report order (those with a finished run on every task).
  public var groups: [String]
  /// `scores[group][task][run]`: normalised final returns.
  public var scores: [String: [[Double]]]
  public var intervals: [String: [AggregateMetric: ConfidenceInterval]]
  public var profiles: [String: PerformanceProfile]
  /// P(X > Y) for every ordered pair of distinct groups.
  public var improvements: [(x: String, y: String, interval: ConfidenceInterval)]
  /// Groups left out, with why.
  public var problems: [String] = []
  public var resamples: Int

  /// Thresholds of the performance profiles.
  public static let profilePoints = 101

  /// - Parameters:
  ///   - finalReturns: one entry per finished run: its group, environment and final return.
  ///   - normalizations: one per environment; environments without one are left out.
  ///   - order: group order (others follow in order of first appearance).
  public init(
    finalReturns: [(group: String, env: String, score: Double)], normalizations: [ScoreNormalization],
    order: [String], resamples: Int = Bootstrap.defaultResamples, seed: UInt64 = 0
  ) {
    self.normalizations = normalizations
    self.resamples = resamples
    var ordered = order
    for entry in finalReturns where !ordered.contains(entry.group) { ordered.append(entry.group) }
    var scores: [String: [[Double]]] = [:]
    var groups: [String] = []
    var problems: [String] = []
    for group in ordered {
      let byTask = normalizations.map { n in
        finalReturns.filter { $0.group == group && $0.env == n.env && $0.score.isFinite }.map { n($0.score) }
      }
      guard !byTask.isEmpty, byTask.allSatisfy({ !$0.isEmpty }) else {
        if finalReturns.contains(where: { $0.group == group }) {
          problems.append("\(group): no finished run on some environment, left out of the aggregate metrics")
        }
        continue
      }
      groups.append(group)
      scores[group] = byTask
    }
    self.groups = groups
    self.scores = scores
    self.problems = problems
    var intervals: [String: [AggregateMetric: ConfidenceInterval]] = [:]
    var profiles: [String: PerformanceProfile] = [:]
    let all = scores.values.flatMap { $0.flatMap { $0 } }
    let taus = PerformanceProfile.linspace(
      min(0, all.min() ?? 0), max(1, all.max() ?? 1), points: AggregateReport.profilePoints)
    for group in groups {
      let s = scores[group]!
      intervals[group] = Aggregates.intervalEstimates(s, resamples: resamples, seed: seed)
      profiles[group] = PerformanceProfile(runsByTask: s, taus: taus, resamples: resamples, seed: seed)
    }
    var improvements: [(String, String, ConfidenceInterval)] = []
    for x in groups {
      for y in groups where y != x {
        improvements.append(
          (x, y, ProbabilityOfImprovement.interval(scores[x]!, scores[y]!, resamples: resamples, seed: seed)))
      }
    }
    self.intervals = intervals
    self.profiles = profiles
    self.improvements = improvements.map { (x: $0.0, y: $0.1, interval: $0.2) }
  }

  /// `aggregates.csv` columns.
  public static let columns =
    ["group", "runs"]
    + AggregateMetric.allCases.flatMap {
      ["\($0.rawValue)", "\($0.rawValue)_ci_low", "\($0.rawValue)_ci_high"]
    }

  /// One row per group: the metrics with their CIs.
  public func csv() -> String {
    var table = Table(headers: AggregateReport.columns)
    for group in groups {
      var row = [group, String(scores[group]!.reduce(0) { $0 + $1.count })]
      for metric in AggregateMetric.allCases {
        let ci = intervals[group]![metric]!
        row += [Report.cell(ci.estimate), Report.cell(ci.low), Report.cell(ci.high)]
      }
      table.append(row)
    }
    return table.csv()
  }

  /// `improvement.csv`: `x, y, probability, ci_low, ci_high` for every ordered pair.
  public func improvementCSV() -> String {
    var table = Table(headers: ["x", "y", "probability_of_improvement", "ci_low", "ci_high"])
    for (x, y, ci) in improvements {
      table.append([x, y, Report.cell(ci.estimate), Report.cell(ci.low), Report.cell(ci.high)])
    }
    return table.csv()
  }

  var tasksText: String {
    normalizations.count == 1 ? normalizations[0].env : "\(normalizations.count) environments"
  }

  /// Performance profiles: the fraction of runs above each normalised score, 95% bands.
  public func profileChart() -> LineChart {
    LineChart(
      title: "\(tasksText): performance profiles of the normalised final return (95% CI)",
      xLabel: "normalised final return \u{03C4} (0 = random, 1 = optimal)",
      yLabel: "fraction of runs with score > \u{03C4}",
      series: groups.map { g in
        let p = profiles[g]!
        return PlotSeries(name: g, x: p.taus, y: p.fractions, bandLow: p.low, bandHigh: p.high)
      })
  }

  /// P(X > Y) of each group over every other (rliable's interval plot), a dashed line at 0.5.
  public func improvementChart() -> IntervalChart {
    IntervalChart(
      title: "\(tasksText): probability of improvement P(X > Y) (95% CI)", xLabel: "P(X > Y)",
      rows: improvements.map { (x, y, ci) in
        IntervalChart.Row(label: "\(x) > \(y)", colourIndex: groups.firstIndex(of: x) ?? 0, interval: ci)
      }, references: [ReferenceLine(name: "P", value: 0.5)], range: 0...1, width: 720)
  }

  /// The Markdown section: the normalisation table, the metrics table and the figures.
  public func markdown() -> String {
    var out = "## Aggregate metrics (rliable)\n\n"
    out += "Final returns normalised per environment as (return - random) / (optimal - random):\n\n"
    var norms = Table(headers: ["environment", "random", "optimal (score 1)", "random from", "optimal from"])
    for n in normalizations {
      norms.append([
        n.env, Report.number(n.random), Report.number(n.optimal), n.randomSource, n.optimalSource,
      ])
    }
    out += norms.markdown() + "\n"
    var table = Table(
      headers: ["group", "runs"] + AggregateMetric.allCases.map { "\($0.title) (95% CI)" },
      alignments: [.left] + Array(repeating: .right, count: 1 + AggregateMetric.allCases.count))
    for group in groups {
      var row = [group, String(scores[group]!.reduce(0) { $0 + $1.count })]
      for metric in AggregateMetric.allCases {
        let ci = intervals[group]![metric]!
        row.append(String(format: "%.3f [%.3f, %.3f]", ci.estimate, ci.low, ci.high))
      }
      table.append(row)
    }
    out += table.markdown() + "\n"
    out += """
      Median and mean: of the per-environment mean scores; IQM: mean of the middle 50% of all runs; \
      optimality gap: 1 - mean(min(score, 1)) (lower is better). 95% percentile CIs from a \
      stratified bootstrap (runs resampled within each environment, \(resamples) resamples, seed 0), \
      as rliable's `get_interval_estimates` (Agarwal et al. 2021). Performance profile: fraction of \
      runs whose normalised score exceeds \u{03C4}. Probability of improvement: P(X > Y) = \
      P(X_run > Y_run) + 0.5 P(=) per environment, averaged over environments; > 0.5 favours X.

      ![performance profiles](profile.svg)

      ![probability of improvement](improvement.svg)

      """
    for p in problems { out += "- \(p)\n" }
    return out
  }

  /// Writes `aggregates.csv`, `improvement.csv`, `profile.svg` and `improvement.svg`.
  public func write(to folder: URL) throws {
    try AtomicFile.write(csv(), to: folder.appendingPathComponent("aggregates.csv"))
    try AtomicFile.write(improvementCSV(), to: folder.appendingPathComponent("improvement.csv"))
    try AtomicFile.write(profileChart().svg(), to: folder.appendingPathComponent("profile.svg"))
    try AtomicFile.write(improvementChart().svg(), to: folder.appendingPathComponent("improvement.svg"))
  }
}
