import Core
import Foundation
import Statistics

/// A report over runs of several environments: one ``Report`` per environment (written into a
/// sub-folder named after it) and, at the top, rliable's aggregate metrics across the
/// environments with every environment's final returns normalised by its random and optimal
/// scores.
public struct MultiEnvironmentReport: Sendable {
  /// Per environment, in name order.
  public var reports: [(folder: String, report: Report)]
  public var aggregates: AggregateReport
  public var problems: [String]

  public init(
    runs: [ReportRun], problems: [String] = [], order: [String] = [], baseline: String = "none",
    seed: UInt64 = 0
  ) throws {
    let runs = RunVariant.labelled(runs)
    let envs = Set(runs.map(\.config.env)).sorted()
    guard envs.count > 1 else {
      throw CompareError("a multi-environment report needs runs of several environments")
    }
    var reports: [(String, Report)] = []
    var normalizations: [ScoreNormalization] = []
    var finals: [(group: String, env: String, score: Double)] = []
    var used: Set<String> = []
    var notes = problems
    for env in envs {
      let group = runs.filter { $0.config.env == env }
      var folder = MultiEnvironmentReport.slug(env)
      while used.contains(folder) { folder += "-" }
      used.insert(folder)
      do {
        let report = try Report(runs: group, order: order, baseline: baseline, seed: seed)
        reports.append((folder, report))
      } catch let error as CompareError {
        notes.append("\(env): \(error.message)")
        continue
      }
      let spec = try group[0].config.environmentSpec()
      let n = ScoreNormalization.defaults(env: env, spec: spec, gamma: group[0].config.ppo.gamma)
      guard n.optimal != n.random else {
        notes.append("\(env): random and optimal scores are equal; left out of the aggregate metrics")
        continue
      }
      normalizations.append(n)
      for run in group where run.isFinished {
        if let score = run.finalReturn { finals.append((run.group, env, score)) }
      }
    }
    guard !normalizations.isEmpty else {
      throw CompareError("no environment with finished runs: \(notes.joined(separator: "; "))")
    }
    self.reports = reports.map { (folder: $0.0, report: $0.1) }
    aggregates = AggregateReport(
      finalReturns: finals, normalizations: normalizations, order: order, seed: seed)
    self.problems = notes
  }

  /// A folder name for an environment: characters outside `[A-Za-z0-9._-]` become `-`.
  static func slug(_ env: String) -> String {
    var out = ""
    for c in env {
      if c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "_" || c == "-") {
        out.append(c)
      } else if !out.hasSuffix("-") {
        out += "-"
      }
    }
    return out.isEmpty ? "env" : out
  }

  public func markdown(command: String?) -> String {
    var out = "# Comparison across \(reports.count) environments\n\n"
    if let command { out += "```\n\(command)\n```\n\n" }
    out += "Per-environment reports (learning curves, AUC, steps to threshold, p-values):\n\n"
    for (folder, report) in reports {
      out +=
        "- [\(report.env)](\(folder)/report.md): \(report.summaries.reduce(0) { $0 + $1.seeds }) finished runs\n"
    }
    out += "\n" + aggregates.markdown()
    if !problems.isEmpty {
      out += "\n## Left out\n\n"
      for p in problems { out += "- \(p)\n" }
    }
    return out
  }

  /// The group table printed by the CLI.
  public func markdownTable() -> String {
    var table = Table(
      headers: ["group"] + AggregateMetric.allCases.map { "\($0.title) (95% CI)" },
      alignments: [.left] + Array(repeating: .right, count: AggregateMetric.allCases.count))
    for group in aggregates.groups {
      table.append(
        [group]
          + AggregateMetric.allCases.map { m in
            let ci = aggregates.intervals[group]![m]!
            return String(format: "%.3f [%.3f, %.3f]", ci.estimate, ci.low, ci.high)
          })
    }
    return table.markdown()
  }

  /// Writes every environment's report into its folder and the aggregate report at the top.
  public func write(to folder: URL, command: String? = nil) throws {
    try AtomicFile.createFolder(folder)
    for (name, report) in reports {
      try report.write(to: folder.appendingPathComponent(name, isDirectory: true), command: command)
    }
    try aggregates.write(to: folder)
    try AtomicFile.write(markdown(command: command), to: folder.appendingPathComponent("report.md"))
  }
}
