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

/// The comparison report on classic-control runs: the documented success bars, the success rate
/// (reaching MountainCar's flag) and never-reached seeds kept in steps to threshold.
@Suite struct ClassicReportTests {
  @Test func classicThresholdsAreTheDocumentedSuccessBars() throws {
    let expected: [(String, Double, Double, Double)] = [
      ("acrobot", -100, -500, 0), ("mountaincar", -150, -200, 0), ("mountaincar-continuous", 80, -99.9, 100),
      ("pendulum", -250, -16.2736044 * 200, 0),
    ]
    for (name, threshold, low, high) in expected {
      let reference = ReportReference.defaults(for: try EnvironmentSpec.parse(name), gamma: 0.99)
      #expect(reference.threshold == threshold, "\(name)")
      #expect(abs(reference.low - low) < 1e-9 && reference.high == high, "\(name)")
      #expect(reference.explanation.contains("per-seed success bar"), "\(reference.explanation)")
    }
  }

  /// Three MountainCar shapings x 3 seeds: evaluations at 1000..3000 steps with success rates.
  @Test func successRateAndNeverReachedSeeds() throws {
    let root = try makeScratchFolder()
    let data: [(String, [[Double]], [Double])] = [
      ("none", [[-200, -200, -200], [-200, -200, -190], [-200, -200, -200]], [0, 0.25, 0]),
      ("pbrs:energy", [[-200, -140, -120], [-200, -160, -130], [-190, -120, -110]], [1, 1, 1]),
      ("naive:velocity", [[-200, -200, -160], [-200, -200, -200], [-200, -145, -200]], [0.5, 0, 0.5]),
    ]
    for (shaping, curves, success) in data {
      for (seed, values) in curves.enumerated() {
        let folder = RunFolder(
          url: root.appendingPathComponent("runs/\(ComparePlan.slug(shaping))/seed-\(seed)"))
        try folder.create()
        var config = PPORunConfig(env: "mountaincar", totalTimesteps: 3000, ppo: PPOConfig())
        config.seed = UInt64(seed)
        config.shaping = shaping == "none" ? nil : shaping
        try folder.writeConfig(config)
        let logger = try MetricsLogger(
          folder: folder.url,
          keys: [MetricName.totalTimesteps, MetricName.evalMeanReward, "eval/success_rate"])
        for (k, v) in values.enumerated() {
          try logger.log([
            MetricName.totalTimesteps: Double(1000 * (k + 1)), MetricName.evalMeanReward: v,
            "eval/success_rate": k == values.count - 1 ? success[seed] : 0,
          ])
        }
        try logger.close()
        try folder.writeStatus(.finished)
      }
    }
    let report = try Report(runs: try ReportRun.scan(root).runs, order: data.map(\.0))
    #expect(report.reference.threshold == -150)
    let (none, energy, naive) = (report.summaries[0], report.summaries[1], report.summaries[2])
    #expect(none.successRate.map { abs($0 - 0.25 / 3) < 1e-12 } == true)
    #expect(energy.successRate == 1)
    // Steps to threshold -150: energy reaches it at 2000, 3000, 2000; naive only in seed 2 (at
    // 2000); none never. Never-reached seeds stay in the count and make the median infinite.
    #expect(energy.threshold.steps == [2000, 3000, 2000] && energy.threshold.median == 2000)
    #expect(naive.threshold.steps == [nil, nil, 2000] && naive.threshold.reached == 1)
    #expect(naive.threshold.median.isInfinite && none.threshold.reached == 0)
    #expect(none.threshold.steps.count == 3)
    try report.write(to: root, command: "losslab rl report x")
    let rows = try CSV.parse(try readText(root.appendingPathComponent("summary.csv")))
    let column = { (name: String) in rows[0].firstIndex(of: name)! }
    #expect(rows[2][column("success_rate")] == "1")
    #expect(rows[3][column("steps_to_threshold_median")] == "inf")
    #expect(rows[3][column("reached_threshold")] == "1")
    let markdown = try readText(root.appendingPathComponent("report.md"))
    #expect(markdown.contains("success rate") && markdown.contains(" never |"), "\(markdown)")
    #expect(markdown.contains("threshold -150 (the per-seed success bar"), "\(markdown)")
  }
}
