import Core
import Environments
import Foundation
import Reinforcement
import Reports
import Runs
import TestSupport
import Testing
import Training

@testable import Reports

/// The comparison report on synthetic run folders whose statistics were computed independently
/// with NumPy 2.4 / SciPy 1.17 (`scipy.stats.ttest_ind(x, base, equal_var=False)`, Holm by hand
/// as statsmodels' `multipletests(method="holm")`, `np.trapezoid`, `scipy.stats.trim_mean(x, 0.25)`).
@Suite struct ReportTests {
  static let steps: [Double] = [1000, 2000, 3000, 4000]
  static let data: [(String, [[Double]])] = [
    ("none", [[10, 100, 150, 200], [20, 150, 250, 300], [15, 120, 200, 250], [30, 200, 300, 350]]),
    (
      "pbrs:upright",
      [[50, 300, 480, 480], [60, 476, 500, 500], [40, 350, 470, 490], [70, 490, 500, 500]]
    ),
    ("scale:0.1", [[5, 50, 80, 100], [10, 90, 120, 150], [8, 70, 100, 120], [12, 100, 150, 180]]),
  ]

  /// Writes CartPole run folders (4000 steps, evaluations at `steps`) under `root/runs`.
  static func writeRuns(_ root: URL, failing: Bool = true) throws {
    for (shaping, curves) in data {
      for (seed, values) in curves.enumerated() {
        let folder = RunFolder(
          url: root.appendingPathComponent("runs/\(ComparePlan.slug(shaping))/seed-\(seed)"))
        try writeRun(folder, shaping: shaping, seed: seed, values: values, status: .finished)
      }
    }
    if failing {
      let folder = RunFolder(url: root.appendingPathComponent("runs/none/seed-9"))
      try writeRun(folder, shaping: "none", seed: 9, values: [0, 0], status: .failed(reason: "loss is NaN"))
    }
  }

  static func writeRun(_ folder: RunFolder, shaping: String, seed: Int, values: [Double], status: RunStatus)
    throws
  {
    try folder.create()
    var config = PPORunConfig(env: "cartpole", totalTimesteps: 4000, ppo: PPOConfig())
    config.seed = UInt64(seed)
    config.shaping = shaping == "none" ? nil : shaping
    try folder.writeConfig(config)
    let logger = try MetricsLogger(
      folder: folder.url,
      keys: [MetricName.totalTimesteps, MetricName.episodeRewardMean, MetricName.evalMeanReward])
    for (s, v) in zip(steps, values) {
      try logger.log([
        MetricName.totalTimesteps: s, MetricName.episodeRewardMean: v / 2, MetricName.evalMeanReward: v,
      ])
    }
    try logger.close()
    try folder.writeStatus(status)
  }

  @Test func statisticsMatchScipy() throws {
    let root = try makeScratchFolder()
    try Self.writeRuns(root)
    let scan = try ReportRun.scan(root)
    #expect(scan.runs.count == 13)
    let report = try Report(runs: scan.runs, order: ["none", "pbrs:upright", "scale:0.1"])
    #expect(report.summaries.map(\.shaping) == ["none", "pbrs:upright", "scale:0.1"])
    #expect(report.reference.threshold == 475)
    let none = report.summaries[0]
    let upright = report.summaries[1]
    let scaled = report.summaries[2]
    #expect(none.seeds == 4 && none.unfinished == 1)
    #expect(none.pValueAUC == nil && none.pValueFinal == nil)
    func close(_ a: Double?, _ b: Double, _ tol: Double = 1e-9) -> Bool {
      a.map { abs($0 - b) <= tol } ?? false
    }
    // Normalised AUC over steps 1000..4000 with [0, 500]: np.trapezoid(v, steps) / 3000 / 500.
    #expect(close(none.auc.estimate, 0.34291666666666665, 1e-12))
    #expect(close(upright.auc.estimate, 0.7768333333333334, 1e-12))
    #expect(close(scaled.auc.estimate, 0.17541666666666667, 1e-12))
    // IQM of 4 finals: trim_mean(x, 0.25).
    #expect(none.iqm.estimate == 275 && upright.iqm.estimate == 495 && scaled.iqm.estimate == 135)
    // Holm-corrected Welch p-values (raw: AUC 0.0004995408238583072, 0.031094243311581983;
    // final 0.006006978823105689, 0.015411344809713484; steps 0.07960498081790626 and NaN, which
    // the report reads as 1: both samples constant and equal).
    #expect(close(upright.pValueAUC, 0.0009990816477166145))
    #expect(close(scaled.pValueAUC, 0.031094243311581983))
    #expect(close(upright.pValueFinal, 0.012013957646211378))
    #expect(close(scaled.pValueFinal, 0.015411344809713484))
    #expect(close(upright.pValueSteps, 0.15920996163581252))
    #expect(close(scaled.pValueSteps, 1))
    // Steps to 475: upright reaches at 3000, 2000, 4000, 2000 -> median 2500; the others never.
    #expect(upright.threshold.reached == 4 && upright.threshold.median == 2500)
    #expect(none.threshold.reached == 0 && none.threshold.median.isInfinite)
    // Final return CI brackets the mean.
    #expect(none.finalReturn.estimate == 275 && none.finalReturn.low <= 275 && none.finalReturn.high >= 275)
  }

  @Test func writesSummaryCurvesFiguresAndMarkdown() throws {
    let root = try makeScratchFolder()
    try Self.writeRuns(root)
    let scan = try ReportRun.scan(root)
    let report = try Report(runs: scan.runs)
    try report.write(to: root, command: "losslab rl report x")
    let rows = try CSV.parse(try readText(root.appendingPathComponent("summary.csv")))
    let required = [
      "shaping", "seeds", "final_return_mean", "final_return_ci_low", "final_return_ci_high", "iqm",
      "iqm_ci_low",
      "iqm_ci_high", "steps_to_threshold_median", "reached_threshold", "auc_mean", "p_value_auc",
      "p_value_final",
      "optimal_return",
    ]
    for column in required { #expect(rows[0].contains(column), "summary.csv lacks \(column)") }
    #expect(rows.count == 4)
    let column = { (name: String) in rows[0].firstIndex(of: name)! }
    #expect(rows[1][column("shaping")] == "none")  // baseline first
    #expect(rows[1][column("p_value_auc")] == "")  // empty for the baseline
    #expect(rows[1][column("steps_to_threshold_median")] == "inf")
    #expect(rows[2][column("reached_threshold")] == "4")
    let curves = try CSV.parse(try readText(root.appendingPathComponent("curves.csv")))
    #expect(curves[0] == ["shaping", "metric", "step", "mean", "ci_low", "ci_high"])
    #expect(
      curves.contains {
        $0[0] == "pbrs:upright" && $0[1] == "eval/mean_reward" && $0[2] == "4000" && $0[3] == "492.5"
      })
    let markdown = try readText(root.appendingPathComponent("report.md"))
    #expect(markdown.contains("| pbrs:upright"))
    #expect(markdown.contains("loss is NaN"))  // the failed run is reported, not hidden
    #expect(markdown.contains("![learning curves](curves.svg)"))
    for figure in ["curves.svg", "auc.svg"] {
      #expect(try readText(root.appendingPathComponent(figure)).contains("<svg"))
    }
  }

  @Test func gridworldReferenceUsesTheSolver() throws {
    // Corridor S..G, goal reward 1, 10-step limit: R* = 1; the random policy's return by the
    // finite-horizon recursion; the threshold sits 90% of the way from it to 1.
    let map = try GridMapFixture.corridor()
    let spec = EnvironmentSpecFixture.gridworld(map)
    let ref = ReportReference.defaults(for: spec, gamma: 0.99)
    #expect(abs(ref.optimalReturn! - 1) < 1e-12)
    #expect(ref.low > 0 && ref.low < 1)
    #expect(abs(ref.threshold - (ref.low + 0.9 * (1 - ref.low))) < 1e-12)
    // Random walk on a 4-cell corridor with walls at both ends: after 3 steps it has reached the
    // goal only by moving right three times, probability (1/4)^3.
    let table = TransitionTable(map: map)
    #expect(abs(ReportReference.randomPolicyReturn(table, horizon: 3) - 1.0 / 64) < 1e-15)
  }

  @Test func noRunsIsAClearError() throws {
    let root = try makeScratchFolder()
    let scan = try ReportRun.scan(root)
    #expect(throws: CompareError.self) { try Report(runs: scan.runs) }
  }
}

enum GridMapFixture {
  static func corridor() throws -> GridMap {
    try GridMap.parse(
      "time_limit = 10\naction_order = left,down,right,up\n---\n######\n#S..G#\n######\n", file: "c.map",
      name: "corridor")
  }
}

enum EnvironmentSpecFixture {
  static func gridworld(_ map: GridMap) -> EnvironmentSpec {
    EnvironmentSpec(name: "gridworld:\(map.name)", kind: .gridworld(map))
  }
}
