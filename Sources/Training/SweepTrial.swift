import Core
import Foundation

/// One trial of a sweep: a point of the search space, the score it reached at each rung of the
/// budget (one rung without a pruner) and how it ended.
public struct SweepTrial: Sendable, Equatable {
  public enum State: String, Sendable, Equatable, Codable {
    /// Sampled, not yet at its last rung (a sweep interrupted here continues it on rerun).
    case running
    /// Ran to the full budget; `score` is its final score.
    case complete
    /// Stopped by the pruner after `rungScores.count` rungs.
    case pruned
    /// A run failed; `reason` says why.
    case failed
  }

  /// 0, 1, 2, ... in sampling order.
  public var number: Int
  /// One value per parameter of the space, in the space's order.
  public var values: [SweepValue]
  public var state: State = .running
  /// The aggregate score at each rung reached (rung 0 first).
  public var rungScores: [Double] = []
  public var reason: String?

  public init(number: Int, values: [SweepValue]) {
    self.number = number
    self.values = values
  }

  /// Whether the trial will not run again.
  public var isFinal: Bool { state != .running }
  /// The final score of a complete trial.
  public var score: Double? { state == .complete ? rungScores.last : nil }
  /// The last rung reached (-1: none) and its score.
  public var lastRung: Int { rungScores.count - 1 }
}

/// `trials.json`: every trial with its values as text, so a rerun continues exactly (the
/// samplers are deterministic functions of the seed, the trial number and the earlier trials).
/// `trials.csv` is the same table for people and spreadsheets.
public enum SweepTrialsFile {
  public static let jsonName = "trials.json"
  public static let csvName = "trials.csv"

  struct Record: Codable {
    var trial: Int
    var params: [String: String]
    var state: SweepTrial.State
    var rungScores: [Double]
    var reason: String?
  }

  public static func write(_ trials: [SweepTrial], space: SweepSpace, to folder: URL) throws {
    let records = trials.map { t in
      Record(
        trial: t.number,
        params: Dictionary(
          uniqueKeysWithValues: zip(space.parameters, t.values).map { ($0.name, $0.rawText($1)) }),
        state: t.state, rungScores: t.rungScores, reason: t.reason)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try AtomicFile.write(try encoder.encode(records), to: folder.appendingPathComponent(jsonName))
  }

  /// The trials in `folder/trials.json` (none when the file does not exist).
  /// - Throws: ``ConfigError`` naming the file when it is unreadable or does not fit the space.
  public static func read(from folder: URL, space: SweepSpace) throws -> [SweepTrial] {
    let url = folder.appendingPathComponent(jsonName)
    guard FileManager.default.fileExists(atPath: url.path) else { return [] }
    let records: [Record]
    do { records = try JSONDecoder().decode([Record].self, from: Data(contentsOf: url)) } catch {
      throw ConfigError("\(url.path): unreadable (\(error)); move it away to start the sweep over")
    }
    var trials: [SweepTrial] = []
    for (i, r) in records.enumerated() {
      guard r.trial == i else {
        throw ConfigError("\(url.path): trial \(r.trial) is out of order (expected \(i))")
      }
      var values: [SweepValue] = []
      for p in space.parameters {
        guard let text = r.params[p.name], let v = p.value(fromText: text) else {
          throw ConfigError(
            "\(url.path): trial \(i) has no valid value for '\(p.name)' in this search space "
              + "(the space file changed; use a new --out)")
        }
        values.append(v)
      }
      var t = SweepTrial(number: i, values: values)
      t.state = r.state
      t.rungScores = r.rungScores
      t.reason = r.reason
      trials.append(t)
    }
    return trials
  }

  /// `trials.csv`: trial, one column per parameter, state, score, rung, seeds, steps, reason.
  /// `steps` is the budget the trial reached (the rung's), `score` the last rung's score
  /// (the final score for complete trials; the score the pruner judged for pruned ones).
  public static func csv(_ trials: [SweepTrial], space: SweepSpace, rungs: [Int], seeds: Int) -> String {
    var table = Table(
      headers: ["trial"] + space.parameters.map(\.name) + [
        "state", "score", "rung", "seeds", "steps", "reason",
      ])
    for t in trials {
      let rung = t.lastRung
      table.append(
        [String(t.number)] + zip(space.parameters, t.values).map { $0.rawText($1) } + [
          t.state.rawValue, t.rungScores.last.map { "\($0)" } ?? "", rung >= 0 ? String(rung) : "",
          String(seeds), rung >= 0 && rung < rungs.count ? String(rungs[rung]) : "", t.reason ?? "",
        ])
    }
    return table.csv()
  }
}
