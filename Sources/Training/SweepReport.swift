import Core
import Foundation
import Reinforcement
import Reports
import Statistics

/// The importance of one parameter: the fraction of the complete trials' score variance that its
/// value alone explains (the correlation ratio eta^2 = between-group variance / total variance,
/// a first-order, fANOVA-style variance split over the observed trials), with the groups it used.
public struct SweepImportance: Sendable, Equatable {
  public struct Group: Sendable, Equatable {
    public var label: String
    public var scores: [Double]
    public var mean: Double { Statistics.mean(scores) }
  }

  public var parameter: String
  /// In [0, 1]; nil when fewer than 3 complete trials or all scores are equal.
  public var fraction: Double?
  public var groups: [Group]

  /// Groups: one per choice (or per value, when at most 4 distinct values occur), else 4
  /// equal-count bins of the sorted values.
  public static func compute(_ p: SweepParameter, index: Int, trials: [SweepTrial]) -> SweepImportance {
    let done = trials.filter { $0.state == .complete && $0.score?.isFinite == true }
    let pairs = done.map { ($0.values[index], $0.score!) }.sorted { $0.0.number < $1.0.number }
    var groups: [Group] = []
    let distinct = Array(Set(pairs.map(\.0))).sorted { $0.number < $1.number }
    if case .choice = p.kind {
      for v in distinct {
        groups.append(Group(label: p.rawText(v), scores: pairs.filter { $0.0 == v }.map(\.1)))
      }
    } else if distinct.count <= 4 {
      for v in distinct {
        groups.append(Group(label: short(p, v), scores: pairs.filter { $0.0 == v }.map(\.1)))
      }
    } else {
      let bins = 4
      for b in 0..<bins {
        let slice = Array(pairs[(b * pairs.count / bins)..<((b + 1) * pairs.count / bins)])
        guard let first = slice.first, let last = slice.last else { continue }
        groups.append(Group(label: "\(short(p, first.0))-\(short(p, last.0))", scores: slice.map(\.1)))
      }
    }
    let all = pairs.map(\.1)
    var fraction: Double?
    if all.count >= 3 {
      let mean = Statistics.mean(all)
      let total = all.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
      if total > 0 {
        let between = groups.reduce(0) { $0 + Double($1.scores.count) * ($1.mean - mean) * ($1.mean - mean) }
        fraction = Swift.min(Swift.max(between / total, 0), 1)
      }
    }
    return SweepImportance(parameter: p.name, fraction: fraction, groups: groups)
  }

  static func short(_ p: SweepParameter, _ v: SweepValue) -> String {
    if case .real(let x) = v { return String(format: "%.3g", x) }
    return p.rawText(v)
  }
}

/// Writes a sweep's results: `trials.csv`, `best.yaml` (a preset `rl train --preset` loads),
/// `report.md` with the trial table, parameter importance, marginal plots
/// (`marginal-NAME.svg`), `importance.svg` and the learning curves of the top trials
/// (`top-curves.svg`).
public struct SweepReport {
  public var space: SweepSpace
  public var trials: [SweepTrial]
  public var training: SweepTraining
  public var rungs: [Int]
  public var command: String
  public var sampler: SweepSamplerKind
  public var pruner: SweepPrunerKind
  /// Trials whose curves are drawn.
  public var topCount = 5

  public init(
    space: SweepSpace, trials: [SweepTrial], training: SweepTraining, rungs: [Int], command: String,
    sampler: SweepSamplerKind, pruner: SweepPrunerKind
  ) {
    self.space = space
    self.trials = trials
    self.training = training
    self.rungs = rungs
    self.command = command
    self.sampler = sampler
    self.pruner = pruner
  }

  /// Complete trials, best first.
  public var ranked: [SweepTrial] {
    trials.filter { $0.state == .complete }.sorted {
      ($0.score ?? -.infinity, -$0.number) > ($1.score ?? -.infinity, -$1.number)
    }
  }

  public func write(to out: URL) throws {
    try AtomicFile.write(
      SweepTrialsFile.csv(trials, space: space, rungs: rungs, seeds: training.seeds),
      to: out.appendingPathComponent(SweepTrialsFile.csvName))
    let best = ranked.first
    if let best, let yaml = try? bestPreset(best) {
      try AtomicFile.write(yaml, to: out.appendingPathComponent("best.yaml"))
    }
    var md = "# Sweep: \(training.env)\n\n```\n\(command)\n```\n\n"
    let counts = Dictionary(grouping: trials, by: \.state).mapValues(\.count)
    md +=
      "Sampler `\(sampler.rawValue)`, pruner `\(pruner.rawValue)` (rung budgets \(rungs.map(String.init).joined(separator: ", ")) steps), "
    md +=
      "score: `\(training.metric.rawValue)` of the deterministic evaluation return over \(training.seeds) seed(s). "
    md += "\(trials.count) trials: \(counts[.complete] ?? 0) complete, \(counts[.pruned] ?? 0) pruned, "
    md += "\(counts[.failed] ?? 0) failed, \(counts[.running] ?? 0) unfinished.\n\n"
    if let best {
      md += "Best: trial \(best.number), score \(String(format: "%.4g", best.score ?? .nan)): "
      md += zip(space.parameters, best.values).map { "`\($0.name)=\($0.rawText($1))`" }.joined(
        separator: ", ")
      md +=
        ". Preset: `best.yaml` (`losslab rl train --preset \(out.appendingPathComponent("best.yaml").path)"
      if let s = shaping(of: best), s != "none" { md += " --shaping \(s)" }
      md += " --out RUN`).\n\n"
    }
    md += "## Trials\n\n"
    var table = Table(
      headers: ["trial"] + space.parameters.map(\.name) + ["state", "rung", "steps", "score"])
    for t in trials {
      table.append(
        [String(t.number)] + zip(space.parameters, t.values).map { $0.rawText($1) } + [
          t.state.rawValue, t.lastRung >= 0 ? String(t.lastRung) : "-",
          t.lastRung >= 0 && t.lastRung < rungs.count ? String(rungs[t.lastRung]) : "-",
          t.rungScores.last.map { String(format: "%.4g", $0) } ?? "-",
        ])
    }
    md += table.markdown() + "\n"
    let importances = space.parameters.indices.map {
      SweepImportance.compute(space.parameters[$0], index: $0, trials: trials)
    }
    md += "## Parameter importance\n\n"
    md +=
      "Fraction of the complete trials' score variance explained by each parameter alone (eta^2, a first-order "
    md +=
      "variance split over the observed trials; values near 0 mean the score did not depend on it here).\n\n"
    var imp = Table(headers: ["parameter", "importance", "groups (mean score)"])
    for i in importances {
      imp.append([
        i.parameter, i.fraction.map { String(format: "%.2f", $0) } ?? "-",
        i.groups.map { "\($0.label): \(String(format: "%.4g", $0.mean)) (n=\($0.scores.count))" }.joined(
          separator: "; "),
      ])
    }
    md += imp.markdown() + "\n"
    if importances.contains(where: { $0.fraction != nil }) {
      let chart = BarChart(
        title: "Parameter importance (eta^2)", yLabel: "fraction of variance",
        bars: importances.map { .init(label: $0.parameter, value: $0.fraction ?? 0) })
      try AtomicFile.write(chart.svg(), to: out.appendingPathComponent("importance.svg"))
      md += "![importance](importance.svg)\n\n"
    }
    for i in importances where !i.groups.isEmpty {
      let name = "marginal-\(ComparePlan.slug(i.parameter)).svg"
      let chart = BarChart(
        title: "\(i.parameter): mean score (bars: min to max)", yLabel: training.metric.rawValue,
        bars: i.groups.map {
          .init(label: $0.label, value: $0.mean, low: $0.scores.min(), high: $0.scores.max())
        })
      try AtomicFile.write(chart.svg(), to: out.appendingPathComponent(name))
      md += "![\(i.parameter)](\(name))\n"
    }
    let curves = topCurves()
    if !curves.isEmpty {
      let chart = LineChart(
        title: "Top \(curves.count) trials: evaluation return (mean over seeds)", series: curves)
      try AtomicFile.write(chart.svg(), to: out.appendingPathComponent("top-curves.svg"))
      md += "\n## Learning curves of the top trials\n\n![top trials](top-curves.svg)\n"
    }
    try AtomicFile.write(md, to: out.appendingPathComponent("report.md"))
  }

  func shaping(of trial: SweepTrial) -> String? {
    zip(space.parameters, trial.values).first { $0.0.isShaping }.map { $0.0.text($0.1) }
  }

  /// The mean evaluation curve over seeds of each of the best complete trials.
  func topCurves() -> [PlotSeries] {
    var series: [PlotSeries] = []
    for t in ranked.prefix(topCount) {
      let curves = training.seedList.compactMap {
        SweepTraining.evalCurve(in: training.seedFolder(t.number, seed: $0), upTo: rungs.last ?? 0)
      }
      guard !curves.isEmpty else { continue }
      let grid = LearningCurves.commonGrid(curves)
      guard !grid.isEmpty else { continue }
      let mean = grid.map { x in Statistics.mean(curves.map { $0.value(at: x) }) }
      series.append(
        PlotSeries(name: "trial \(t.number) (\(String(format: "%.4g", t.score ?? .nan)))", x: grid, y: mean))
    }
    return series
  }

  /// `best.yaml`: the resolved hyperparameters of the best trial's first seed, as a preset.
  public func bestPreset(_ best: SweepTrial) throws -> String {
    let folder = training.seedFolder(best.number, seed: training.firstSeed)
    let config = try RunFolderReader.config(folder)
    var ppo = config.ppo
    ppo.nTimesteps = rungs.last ?? ppo.nTimesteps
    let data = try JSONEncoder().encode(ppo)
    let object = (try JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    var yaml = "# Best trial of a losslab sweep: trial \(best.number), \(training.metric.rawValue) "
    yaml += String(format: "%.6g", best.score ?? .nan) + " over \(training.seeds) seed(s).\n"
    if let s = shaping(of: best), s != "none" {
      yaml += "# Train it with --shaping \(s) (not a preset key).\n"
    }
    yaml += "env: \(JSONText.quoted(config.env))\n"
    if !config.envOptions.isEmpty {
      yaml += "env_options:\n"
      for (k, v) in config.envOptions.sorted(by: { $0.key < $1.key }) {
        yaml += "  \(k): \(JSONText.quoted(v))\n"
      }
    }
    for key in PPOConfig.keys {
      guard let value = object[key] else { continue }
      let text: String
      if value is NSNull {
        text = "null"
      } else if let d = try? JSONSerialization.data(withJSONObject: [value], options: [.fragmentsAllowed]),
        let s = String(data: d, encoding: .utf8)
      {
        text = String(s.dropFirst().dropLast())
      } else {
        text = "\(value)"
      }
      yaml += "\(key): \(text)\n"
    }
    return yaml
  }
}

/// Reads a PPO run's `config.json`.
enum RunFolderReader {
  static func config(_ folder: URL) throws -> PPORunConfig {
    try ReportRun(folder: folder).config
  }
}
