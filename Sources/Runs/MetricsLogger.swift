import Core
import Foundation
import Statistics
import TensorBoard

/// Writes one row of training metrics per update to `metrics.csv` and `metrics.jsonl` in a run
/// folder, under the names Stable-Baselines3 and CleanRL users know (`time/total_timesteps`,
/// `rollout/ep_rew_mean`, `train/value_loss`, ...).
///
/// Columns are declared up front, so the CSV header never changes during a run; the first column
/// is always ``stepKey`` (`time/total_timesteps`), which identifies a row when a run resumes.
///
/// File formats:
/// - CSV: RFC 4180, header line first. A metric missing from a row is an **empty** cell.
///   NaN and infinities are written `nan`, `inf`, `-inf` (pandas reads these as floats).
/// - JSON lines: one object per row, keys in column order. A missing metric is **omitted** from
///   the object (not `null`); NaN and infinities are the strings `"nan"`, `"inf"`, `"-inf"`
///   (JSON has no literal for them).
/// - Numbers are the shortest decimal that reads back as the same `Double` (integral values
///   below 2^53 without a fraction: `2048`, not `2048.0`).
///
/// Each row is handed to the operating system with one `write(2)` per file as soon as it is
/// logged, so a crash or kill loses nothing already logged (not `fsync`ed: a power cut may).
///
/// Not `Sendable`: log from one thread (the training loop).
public final class MetricsLogger {
  /// The step column, first in every file: environment steps (or samples) seen so far.
  public static let stepKey = MetricName.totalTimesteps

  /// File names inside the run folder.
  public static let csvName = "metrics.csv"
  public static let jsonlName = "metrics.jsonl"

  /// Column names in order; `keys[0] == stepKey`.
  public let keys: [String]
  public let csvURL: URL
  public let jsonlURL: URL
  private let keyIndex: [String: Int]
  private let csvHandle: FileHandle
  private let jsonlHandle: FileHandle
  private var isClosed = false
  private let events: EventFileWriter?

  /// Opens the metric files in `folder`.
  ///
  /// - Parameters:
  ///   - folder: the run folder (created if missing).
  ///   - keys: metric names in column order; ``stepKey`` is put first if not already there.
  ///   - resumingAfter: `nil` starts fresh files (replacing old ones). A step `s` continues an
  ///     existing run that resumes from a checkpoint at step `s`: a torn last line (a kill
  ///     mid-write) and rows with a step greater than `s` are dropped (they belong to the
  ///     abandoned future), the rest kept, and new rows append.
  ///     If no files exist yet it starts fresh.
  ///   - events: a TensorBoard event file that receives every row as scalars too.
  /// - Throws: ``FileError`` when files cannot be written, or when resuming files whose header is
  ///   not `keys` (the columns of a run cannot change).
  public init(folder: URL, keys: [String], resumingAfter step: Int? = nil, events: EventFileWriter? = nil)
    throws
  {
    self.events = events
    var columns = keys.filter { $0 != MetricsLogger.stepKey }
    columns.insert(MetricsLogger.stepKey, at: 0)
    precondition(Set(columns).count == columns.count, "MetricsLogger: duplicate metric keys in \(keys)")
    self.keys = columns
    var index: [String: Int] = [:]
    for (i, key) in columns.enumerated() { index[key] = i }
    keyIndex = index
    csvURL = folder.appendingPathComponent(MetricsLogger.csvName)
    jsonlURL = folder.appendingPathComponent(MetricsLogger.jsonlName)

    var csvText = CSV.line(columns)
    var jsonlText = ""
    if let step, FileManager.default.fileExists(atPath: csvURL.path) {
      // A kill mid-write can leave a torn last line (no newline yet): it is dropped.
      let table = try MetricsTable.parse(
        MetricsLogger.completeLines(try MetricsTable.text(of: csvURL)), path: csvURL.path)
      guard table.keys == columns else {
        throw FileError(
          path: csvURL.path,
          reason: "cannot resume: its columns \(table.keys) differ from this run's \(columns)")
      }
      for row in table.rows where (row[0] ?? -.infinity) <= Double(step) {
        csvText += MetricsLogger.csvLine(row)
      }
      if let text = try? String(contentsOf: jsonlURL, encoding: .utf8) {
        for line in MetricsLogger.completeLines(text).split(separator: "\n")
        where MetricsLogger.jsonlStep(line).map({ $0 <= Double(step) }) ?? false {
          jsonlText += line + "\n"
        }
      }
    }
    try AtomicFile.write(csvText, to: csvURL)
    try AtomicFile.write(jsonlText, to: jsonlURL)
    csvHandle = try MetricsLogger.openForAppend(csvURL)
    jsonlHandle = try MetricsLogger.openForAppend(jsonlURL)
  }

  deinit {
    if !isClosed {
      try? csvHandle.close()
      try? jsonlHandle.close()
    }
  }

  /// Logs one row. `values` must contain ``stepKey``; other declared keys may be missing (empty
  /// cell / omitted). Unknown keys are a programming error (the header is fixed).
  /// - Throws: ``FileError`` if a file cannot be written.
  public func log(_ values: [String: Double]) throws {
    precondition(!isClosed, "MetricsLogger.log after close()")
    precondition(
      values[MetricsLogger.stepKey] != nil, "MetricsLogger.log: missing \(MetricsLogger.stepKey) in \(values)"
    )
    var row = [Double?](repeating: nil, count: keys.count)
    for (key, value) in values {
      guard let i = keyIndex[key] else {
        preconditionFailure("MetricsLogger.log: undeclared metric '\(key)'; declared: \(keys)")
      }
      row[i] = value
    }
    try append(MetricsLogger.csvLine(row), to: csvHandle, url: csvURL)
    try append(jsonLine(row), to: jsonlHandle, url: jsonlURL)
    if let events, let step = row[0] {
      let scalars = zip(keys, row).dropFirst().compactMap { key, value in value.map { (tag: key, value: $0) }
      }
      try events.scalars(scalars, step: Int(exactly: step.rounded(.down)) ?? 0)
    }
  }

  /// Closes both files (also done on deinit). Logging after `close()` is an error.
  public func close() throws {
    guard !isClosed else { return }
    isClosed = true
    try csvHandle.close()
    try jsonlHandle.close()
  }

  // MARK: Formatting

  /// The shortest text that reads back as exactly `value`; `nan`, `inf`, `-inf` for non-finite.
  public static func format(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    if value == 0 { return value.sign == .minus ? "-0" : "0" }
    if value == value.rounded(), abs(value) < 0x1p53 { return String(Int64(value)) }
    return "\(value)"  // Swift's description is the shortest round-tripping decimal
  }

  /// `text` up to and including its last newline (a torn, unterminated last line is dropped).
  static func completeLines(_ text: String) -> String {
    guard let end = text.lastIndex(of: "\n") else { return "" }
    return String(text[...end])
  }

  static func csvLine(_ row: [Double?]) -> String {
    row.map { $0.map(format) ?? "" }.joined(separator: ",") + "\n"
  }

  private func jsonLine(_ row: [Double?]) -> String {
    var parts: [String] = []
    for (i, value) in row.enumerated() {
      guard let value else { continue }
      let text = value.isFinite ? MetricsLogger.format(value) : "\"\(MetricsLogger.format(value))\""
      parts.append("\(JSONText.quoted(keys[i])):\(text)")
    }
    return "{" + parts.joined(separator: ",") + "}\n"
  }

  private static func jsonlStep(_ line: Substring) -> Double? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
      return nil
    }
    return (object[stepKey] as? NSNumber)?.doubleValue
  }

  private static func openForAppend(_ url: URL) throws -> FileHandle {
    do {
      let handle = try FileHandle(forWritingTo: url)
      try handle.seekToEnd()
      return handle
    } catch {
      throw FileError(path: url.path, reason: "cannot open for appending: \(error.plainReason)")
    }
  }

  private func append(_ text: String, to handle: FileHandle, url: URL) throws {
    do {
      try handle.write(contentsOf: Data(text.utf8))
    } catch {
      throw FileError(path: url.path, reason: "cannot append a metrics row: \(error.plainReason)")
    }
  }
}

/// A metrics CSV read back: column names and rows of optional numbers (`nil` = empty cell).
public struct MetricsTable: Sendable, Equatable {
  public let keys: [String]
  public let rows: [[Double?]]

  public init(keys: [String], rows: [[Double?]]) {
    self.keys = keys
    self.rows = rows
  }

  /// Reads a metrics CSV written by ``MetricsLogger`` (or any numeric CSV with a header).
  /// - Throws: ``FileError`` naming the path for unreadable files, ragged rows or non-numbers.
  public static func read(_ url: URL) throws -> MetricsTable {
    try parse(text(of: url), path: url.path)
  }

  static func text(of url: URL) throws -> String {
    do {
      return try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw FileError(path: url.path, reason: "cannot read: \(error.plainReason)")
    }
  }

  /// Parses the text of a metrics CSV; `path` names it in errors.
  static func parse(_ text: String, path: String) throws -> MetricsTable {
    let url = URL(fileURLWithPath: path)
    let records: [[String]]
    do { records = try CSV.parse(text) } catch { throw FileError(path: url.path, reason: "\(error)") }
    guard let header = records.first else { throw FileError(path: url.path, reason: "empty metrics file") }
    var rows: [[Double?]] = []
    for (r, record) in records.dropFirst().enumerated() {
      guard record.count == header.count else {
        throw FileError(
          path: url.path, reason: "row \(r + 2) has \(record.count) fields, the header has \(header.count)")
      }
      rows.append(
        try record.map { cell in
          if cell.isEmpty { return nil }
          guard let value = MetricsTable.parseNumber(cell) else {
            throw FileError(path: url.path, reason: "row \(r + 2): '\(cell)' is not a number")
          }
          return value
        })
    }
    return MetricsTable(keys: header, rows: rows)
  }

  /// The column named `key` (`nil` where a row has no value), or `nil` if there is no such column.
  public func column(_ key: String) -> [Double?]? {
    guard let i = keys.firstIndex(of: key) else { return nil }
    return rows.map { $0[i] }
  }

  /// Rows where both `x` and `y` have finite `x` and a value, as a learning curve. If `x` goes
  /// back (a run resumed without truncating its metrics), the later rows replace the earlier
  /// ones from that step on, as the resumed run would have logged them.
  public func curve(x: String = MetricsLogger.stepKey, y: String) -> LearningCurve? {
    guard let xs = column(x), let ys = column(y) else { return nil }
    var steps: [Double] = []
    var values: [Double] = []
    for (a, b) in zip(xs, ys) {
      guard let a, let b, a.isFinite else { continue }
      while let last = steps.last, last >= a {
        steps.removeLast()
        values.removeLast()
      }
      steps.append(a)
      values.append(b)
    }
    return LearningCurve(steps: steps, values: values)
  }

  static func parseNumber(_ text: String) -> Double? {
    switch text.lowercased() {
    case "nan": return .nan
    case "inf", "+inf", "infinity": return .infinity
    case "-inf", "-infinity": return -.infinity
    default: return Double(text)
    }
  }
}
