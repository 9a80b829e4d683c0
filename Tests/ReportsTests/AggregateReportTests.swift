import Core
import Environments
import Foundation
import Reinforcement
import Reports
import Runs
import Statistics
import TestSupport
import Testing
import Training

@testable import Reports

/// rliable's section of the reports: normalisation, the aggregate table, the two figures, variant
/// groups (`rl compare --vary`) and the report across several environments.
@Suite struct AggregateReportTests {
  /// Writes finished runs of `env` whose final evaluation return is `finals[k]` for seed k.
  static func writeRuns(
    _ root: URL, env: String, group: String, shaping: String? = nil, learningRate: Double? = nil,
    finals: [Double]
  ) throws {
    for (seed, final) in finals.enumerated() {
      let folder = RunFolder(
        url: root.appendingPathComponent(
          "\(env.replacingOccurrences(of: ":", with: "-"))/\(group)/seed-\(seed)"))
      try folder.create()
      var ppo = PPOConfig()
      if let learningRate { try ppo.set("learning_rate", String(learningRate)) }
      var config = PPORunConfig(env: env, totalTimesteps: 4000, ppo: ppo)
      config.seed = UInt64(seed)
      config.shaping = shaping
      try folder.writeConfig(config)
      let logger = try MetricsLogger(
        folder: folder.url, keys: [MetricName.totalTimesteps, MetricName.evalMeanReward])
      for (step, value) in [(2000.0, final / 2), (4000.0, final)] {
        try logger.log([MetricName.totalTimesteps: step, MetricName.evalMeanReward: value])
      }
      try logger.close()
      try folder.writeStatus(.finished)
    }
  }

  @Test func normalisationsSayWhereTheirNumbersComeFrom() throws {
    let cart = ScoreNormalization.defaults(
      env: "cartpole", spec: try EnvironmentSpec.parse("cartpole"), gamma: 0.99)
    #expect(cart.optimal == 500)
    // The uniform-random policy balances CartPole for about 22 steps.
    #expect(cart.random > 18 && cart.random < 27, "random CartPole return \(cart.random)")
    #expect(cart.randomSource.contains("uniform-random"))
    let grid = ScoreNormalization.defaults(
      env: "gridworld:fourrooms", spec: try EnvironmentSpec.parse("gridworld:fourrooms"), gamma: 0.99)
    let reference = ReportReference.defaults(
      for: try EnvironmentSpec.parse("gridworld:fourrooms"), gamma: 0.99)
    #expect(grid.optimal == reference.optimalReturn && grid.random == reference.randomReturn)
    let acrobot = ScoreNormalization.defaults(
      env: "acrobot", spec: try EnvironmentSpec.parse("acrobot"), gamma: 0.99)
    #expect(acrobot.optimal == -100 && acrobot.random < -400)
    #expect(acrobot.optimalSource.contains("reward_threshold"))
    // Seeded: the same number every time.
    #expect(ScoreNormalization.randomPolicyReturn(try EnvironmentSpec.parse("cartpole")) == cart.random)
  }

  @Test func singleEnvironmentReportCarriesTheAggregateSection() throws {
    let root = try makeScratchFolder()
    try ReportTests.writeRuns(root)
    let report = try Report(
      runs: try ReportRun.scan(root).runs, order: ["none", "pbrs:upright", "scale:0.1"])
    let aggregates = try #require(report.aggregates)
    #expect(aggregates.groups == ["none", "pbrs:upright", "scale:0.1"])
    let n = aggregates.normalizations[0]
    // The none group's final returns [200, 300, 250, 350], normalised by CartPole's random and 500.
    let none = [200.0, 300, 250, 350].map(n.callAsFunction)
    #expect(abs(aggregates.intervals["none"]![.mean]!.estimate - Statistics.mean(none)) < 1e-12)
    #expect(abs(aggregates.intervals["none"]![.iqm]!.estimate - Statistics.interquartileMean(none)) < 1e-12)
    #expect(aggregates.improvements.count == 6)
    let upright = aggregates.improvements.first { $0.x == "pbrs:upright" && $0.y == "none" }!
    #expect(upright.interval.estimate == 1)  // every upright run beats every baseline run
    let folder = try makeScratchFolder("aggregate-out")
    try report.write(to: folder)
    let markdown = try readText(folder.appendingPathComponent("report.md"))
    #expect(markdown.contains("## Aggregate metrics (rliable)"))
    #expect(markdown.contains("![performance profiles](profile.svg)"))
    #expect(markdown.contains("uniform-random policy"))
    for file in ["profile.svg", "improvement.svg", "aggregates.csv", "improvement.csv"] {
      #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "\(file)")
    }
    let csv = try readText(folder.appendingPathComponent("aggregates.csv"))
    #expect(csv.hasPrefix(AggregateReport.columns.joined(separator: ",")))
  }

  @Test func variantsGroupByTheKeysThatDiffer() throws {
    let root = try makeScratchFolder()
    try Self.writeRuns(root, env: "cartpole", group: "lr-a", learningRate: 0.001, finals: [100, 200, 300])
    try Self.writeRuns(root, env: "cartpole", group: "lr-b", learningRate: 0.0003, finals: [300, 400, 500])
    let report = try Report(runs: try ReportRun.scan(root).runs)
    let groups = report.summaries.map(\.shaping)
    #expect(Set(groups) == ["learning_rate=0.001", "learning_rate=0.0003"], "\(groups)")
    #expect(
      RunVariant.label(shaping: "none", assignments: [("learning_rate", "0.001")], includeShaping: false)
        == "learning_rate=0.001")
    #expect(try RunVariant.canonicalValue(key: "learning_rate", value: "1e-3") == "0.001")
    #expect(try RunVariant.canonicalValue(key: "net_arch", value: "[32, 32]") == "[32,32]")
    #expect(throws: ConfigError.self) { try RunVariant.canonicalValue(key: "gamma", value: "2") }
  }

  @Test func severalEnvironmentsAreNormalisedAndAggregated() throws {
    let root = try makeScratchFolder()
    try Self.writeRuns(root, env: "cartpole", group: "none", finals: [200, 300, 400])
    try Self.writeRuns(
      root, env: "cartpole", group: "pbrs", shaping: "pbrs:upright", finals: [450, 500, 500])
    try Self.writeRuns(root, env: "acrobot", group: "none", finals: [-400, -300, -200])
    try Self.writeRuns(
      root, env: "acrobot", group: "pbrs", shaping: "pbrs:upright", finals: [-150, -100, -90])
    let scan = try ReportRun.scan(root)
    #expect(throws: CompareError.self) { try Report(runs: scan.runs) }
    let multi = try MultiEnvironmentReport(runs: scan.runs)
    #expect(multi.reports.map(\.folder) == ["acrobot", "cartpole"])
    let aggregates = multi.aggregates
    #expect(aggregates.normalizations.map(\.env) == ["acrobot", "cartpole"])
    #expect(Set(aggregates.groups) == ["none", "pbrs:upright"])
    // Mean: the mean over environments of each environment's mean normalised return.
    let (acro, cart) = (aggregates.normalizations[0], aggregates.normalizations[1])
    let expected =
      (Statistics.mean([-400.0, -300, -200].map(acro.callAsFunction))
        + Statistics.mean([200.0, 300, 400].map(cart.callAsFunction))) / 2
    #expect(abs(aggregates.intervals["none"]![.mean]!.estimate - expected) < 1e-12)
    let out = try makeScratchFolder("multi-out")
    try multi.write(to: out, command: "losslab rl report runs")
    let markdown = try readText(out.appendingPathComponent("report.md"))
    #expect(markdown.contains("[acrobot](acrobot/report.md)"))
    #expect(markdown.contains("reward_threshold"))
    #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("cartpole/report.md").path))
    #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("profile.svg").path))
  }

  @Test func improvementChartDrawsOneIntervalPerPairAndADashedHalf() {
    let chart = IntervalChart(
      title: "P(X > Y)", xLabel: "P(X > Y)",
      rows: [
        .init(
          label: "a > b", colourIndex: 0,
          interval: ConfidenceInterval(estimate: 0.7, low: 0.5, high: 0.9, level: 0.95)),
        .init(
          label: "b > a", colourIndex: 1,
          interval: ConfidenceInterval(estimate: 0.3, low: 0.1, high: 0.5, level: 0.95)),
      ], references: [ReferenceLine(name: "P", value: 0.5)], range: 0...1)
    let svg = chart.svg()
    #expect(svg.components(separatedBy: "class=\"interval\"").count == 3)
    #expect(svg.components(separatedBy: "class=\"estimate\"").count == 3)
    #expect(svg.contains("stroke-dasharray=\"6 4\"") && svg.contains(">P = 0.5</text>"))
    #expect(layoutProblems(svg).isEmpty, "\(layoutProblems(svg))")
  }
}
