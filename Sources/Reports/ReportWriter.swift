import Core
import Foundation
import Runs
import Statistics

/// Writes a ``Report`` as `summary.csv`, `curves.csv`, `report.md`, `curves.svg` and `auc.svg`.
extension Report {
  /// `summary.csv` columns, one row per shaping.
  public static let summaryColumns = [
    "shaping", "seeds", "unfinished", "success_rate", "final_return_mean", "final_return_ci_low",
    "final_return_ci_high",
    "iqm",
    "iqm_ci_low", "iqm_ci_high", "threshold", "steps_to_threshold_median", "reached_threshold", "auc_mean",
    "auc_ci_low", "auc_ci_high", "p_value_auc", "p_value_final", "p_value_steps", "final_shaped_train_return",
    "optimal_return", "optimality_gap",
  ]

  /// CSV cell: empty for nil/NaN, `inf` for infinity, shortest round-trip otherwise.
  static func cell(_ x: Double?) -> String {
    guard let x, !x.isNaN else { return "" }
    return MetricsLogger.format(x)
  }

  public func summaryCSV() -> String {
    var table = Table(headers: Report.summaryColumns)
    for s in summaries {
      table.append(
        [
          s.shaping, String(s.seeds), String(s.unfinished), Report.cell(s.successRate),
          Report.cell(s.finalReturn.estimate),
          Report.cell(s.finalReturn.low), Report.cell(s.finalReturn.high), Report.cell(s.iqm.estimate),
          Report.cell(s.iqm.low), Report.cell(s.iqm.high), Report.cell(reference.threshold),
          Report.cell(s.threshold.median), String(s.threshold.reached), Report.cell(s.auc.estimate),
          Report.cell(s.auc.low), Report.cell(s.auc.high), Report.cell(s.pValueAUC),
          Report.cell(s.pValueFinal),
          Report.cell(s.pValueSteps), Report.cell(s.finalShapedTrainReturn), Report.cell(s.optimalReturn),
          Report.cell(s.optimalityGap),
        ])
    }
    return table.csv()
  }

  /// `curves.csv`: `shaping, metric, step, mean, ci_low, ci_high` (mean over seeds, 95% pointwise
  /// bootstrap band).
  public func curvesCSV() -> String {
    var table = Table(headers: ["shaping", "metric", "step", "mean", "ci_low", "ci_high"])
    for (shaping, metric, band) in bands {
      for i in band.steps.indices {
        table.append(
          [
            shaping, metric, Report.cell(band.steps[i]), Report.cell(band.center[i]),
            Report.cell(band.low[i]),
            Report.cell(band.high[i]),
          ])
      }
    }
    return table.csv()
  }

  /// Learning curves (true evaluation return) of every shaping with their bands.
  public func curvesChart() -> LineChart {
    let series = bands.filter { $0.metric == MetricName.evalMeanReward }.map {
      PlotSeries(
        name: $0.shaping, x: $0.band.steps, y: $0.band.center, bandLow: $0.band.low, bandHigh: $0.band.high)
    }
    return LineChart(
      title: "\(env): true evaluation return (mean over seeds, 95% CI)", xLabel: "environment steps",
      yLabel: "return", series: series, references: reference.lines(threshold: true))
  }

  /// Normalised AUC per shaping; 1 is the upper normalisation level (R*), 0 the lower (the random
  /// policy on gridworlds).
  public func aucChart() -> BarChart {
    var references: [ReferenceLine] = []
    if reference.optimalReturn != nil, reference.optimalReturn == reference.high {
      references.append(ReferenceLine(name: "R*", value: 1))
    }
    if reference.randomReturn != nil, reference.randomReturn == reference.low {
      references.append(ReferenceLine(name: "random", value: 0))
    }
    return BarChart(
      title: "\(env): normalised area under the learning curve (95% CI)", yLabel: "normalised AUC",
      bars: summaries.map {
        BarChart.Bar(label: $0.shaping, value: $0.auc.estimate, low: $0.auc.low, high: $0.auc.high)
      }, references: references)
  }

  /// The Markdown table of the report (also printed by the CLI).
  public func markdownTable() -> String {
    let hasSuccess = summaries.contains { $0.successRate != nil }
    let headers =
      ["shaping", "seeds"] + (hasSuccess ? ["success rate"] : []) + [
        "final return (95% CI)", "IQM (95% CI)", "steps to threshold (median)", "reached", "AUC (95% CI)",
        "p AUC", "p final", "p steps",
      ] + (reference.optimalReturn != nil ? ["optimality gap"] : [])
    var table = Table(
      headers: headers, alignments: [.left] + Array(repeating: .right, count: headers.count - 1))
    func ci(_ c: ConfidenceInterval) -> String {
      String(format: "%.3f [%.3f, %.3f]", c.estimate, c.low, c.high)
    }
    func p(_ x: Double?) -> String {
      guard let x else { return "-" }
      if x.isNaN { return "n/a" }
      return x < 0.001 ? String(format: "%.1e", x) : String(format: "%.3f", x)
    }
    for s in summaries {
      var row = [
        s.shaping, String(s.seeds) + (s.unfinished > 0 ? " (+\(s.unfinished) unfinished)" : ""),
      ]
      if hasSuccess { row.append(s.successRate.map { String(format: "%.2f", $0) } ?? "-") }
      row += [
        ci(s.finalReturn),
        ci(s.iqm), s.threshold.median.isInfinite ? "never" : Report.number(s.threshold.median),
        "\(s.threshold.reached)/\(s.seeds)", ci(s.auc), p(s.pValueAUC), p(s.pValueFinal), p(s.pValueSteps),
      ]
      if let gap = s.optimalityGap { row.append(String(format: "%.3f", abs(gap) < 5e-4 ? 0 : gap)) }
      table.append(row)
    }
    return table.markdown()
  }

  public func markdown(command: String?) -> String {
    let hasSuccess = summaries.contains { $0.successRate != nil }
    let kind = summaries.contains { $0.shaping.contains("=") } ? "Comparison" : "Reward shaping comparison"
    var out = "# \(kind): \(env)\n\n"
    if let command { out += "```\n\(command)\n```\n\n" }
    let finished = summaries.reduce(0) { $0 + $1.seeds }
    out += "\(finished) finished runs of up to \(stepsPerRun) environment steps; "
    out += "every return is the environment's true (unshaped) return; "
    out += "final return = the last deterministic evaluation (eval/mean_reward) of each run.\n\n"
    out += "Reference: \(reference.explanation).\n\n"
    out += markdownTable() + "\n"
    out += """
      Final return: mean over seeds with a 95% percentile bootstrap CI. IQM: interquartile mean \
      with a 95% stratified bootstrap CI (Agarwal et al. 2021). Steps to threshold: first \
      evaluation at or above the threshold; runs that never reach it count as never (median \
      `never` when fewer than half do). AUC: mean evaluation return over steps \
      \(Report.number(aucRange.lowerBound))..\(Report.number(aucRange.upperBound)), normalised as above. \
      p-values: Welch's t-test against `\(baseline)` (two-sided), Holm-corrected over the \
      \(max(summaries.count - 1, 0)) comparisons of each column; p steps treats never-reached runs \
      as reaching at the end of training (\(stepsPerRun) steps), which understates differences.\
      \(hasSuccess ? " Success rate: the fraction of the last evaluation's episodes that reached the goal, mean over seeds." : "")

      ![learning curves](curves.svg)

      ![AUC](auc.svg)

      """
    if let aggregates { out += "\n" + aggregates.markdown() }
    let unfinished = runs.filter { !$0.isFinished }
    if !unfinished.isEmpty || !problems.isEmpty {
      out += "\n## Runs left out\n\n"
      for r in unfinished {
        out +=
          "- `\(r.folder.path)` (\(r.group), seed \(r.config.seed)): \(r.status?.description ?? "no status")\n"
      }
      for p in problems { out += "- \(p)\n" }
    }
    return out
  }

  /// Writes every report file into `folder` (atomically).
  public func write(to folder: URL, command: String? = nil) throws {
    try AtomicFile.createFolder(folder)
    try AtomicFile.write(summaryCSV(), to: folder.appendingPathComponent("summary.csv"))
    try AtomicFile.write(curvesCSV(), to: folder.appendingPathComponent("curves.csv"))
    try AtomicFile.write(curvesChart().svg(), to: folder.appendingPathComponent("curves.svg"))
    try AtomicFile.write(aucChart().svg(), to: folder.appendingPathComponent("auc.svg"))
    try aggregates?.write(to: folder)
    try AtomicFile.write(markdown(command: command), to: folder.appendingPathComponent("report.md"))
  }
}
