import Core
import Foundation

/// The state of a run as recorded in `status.json`.
public enum RunStatus: Sendable, Equatable, CustomStringConvertible {
  case running
  case finished
  case failed(reason: String)
  /// Stopped by Ctrl-C / SIGTERM after saving a checkpoint; can be resumed.
  case interrupted

  /// The text stored under `"status"`: `running`, `finished`, `failed: <reason>`, `interrupted`.
  public var description: String {
    switch self {
    case .running: return "running"
    case .finished: return "finished"
    case .failed(let reason): return "failed: \(reason)"
    case .interrupted: return "interrupted"
    }
  }

  /// The word stored under `"status"` in `status.json` (the reason is stored beside it).
  public var name: String {
    switch self {
    case .running: return "running"
    case .finished: return "finished"
    case .failed: return "failed"
    case .interrupted: return "interrupted"
    }
  }

  /// Parses ``description``; `nil` for unknown text.
  public init?(_ text: String) {
    switch text {
    case "running": self = .running
    case "finished": self = .finished
    case "interrupted": self = .interrupted
    default:
      guard text.hasPrefix("failed") else { return nil }
      var reason = text.dropFirst("failed".count)
      if reason.hasPrefix(":") { reason = reason.dropFirst() }
      self = .failed(reason: reason.trimmingCharacters(in: .whitespaces))
    }
  }
}

/// A saved checkpoint: `checkpoints/step-<N>.safetensors` (weights) and `checkpoints/step-<N>.json`
/// (a JSON sidecar with whatever else resuming needs: optimizer step, RNG seeds, schedule state).
public struct Checkpoint: Sendable, Equatable {
  /// Training step (environment timesteps or samples) at which it was saved.
  public let step: Int
  public let weightsURL: URL
  public let sidecarURL: URL

  /// Decodes the JSON sidecar.
  /// - Throws: ``FileError`` naming the sidecar for unreadable or mismatched JSON.
  public func readSidecar<T: Decodable>(_ type: T.Type) throws -> T {
    try RunFolder.decodeJSON(type, from: sidecarURL)
  }
}

/// A run directory, `runs/NAME/`:
///
/// ```
/// runs/NAME/
///   config.json        the full configuration (pretty, sorted keys)
///   status.json        {"status": "running" | "finished" | "interrupted" | "failed", "reason", "step", "updated"}
///   metrics.csv        one row per update (see MetricsLogger)
///   metrics.jsonl      the same rows as JSON lines
///   curve.svg          learning curve
///   checkpoints/
///     step-<N>.safetensors
///     step-<N>.json    sidecar for resuming
///     latest           text file holding the newest checkpoint's name, e.g. "step-20480"
/// ```
///
/// Every file here is written atomically (``AtomicFile``), so a killed run never leaves a torn
/// `status.json`, `latest` pointer or checkpoint behind.
public struct RunFolder: Sendable, Equatable {
  public let url: URL

  /// The run folder at `url` (nothing is created until something is written).
  public init(url: URL) { self.url = url }

  /// `root/name`, e.g. `RunFolder(root: URL(fileURLWithPath: "runs"), name: "cartpole-seed1")`.
  public init(root: URL, name: String) {
    precondition(
      !name.isEmpty && !name.contains("/"),
      "run name must be a non-empty single path component, got '\(name)'")
    self.url = root.appendingPathComponent(name, isDirectory: true)
  }

  public var name: String { url.lastPathComponent }
  public var configURL: URL { url.appendingPathComponent("config.json") }
  public var statusURL: URL { url.appendingPathComponent("status.json") }
  public var metricsCSVURL: URL { url.appendingPathComponent(MetricsLogger.csvName) }
  public var metricsJSONLURL: URL { url.appendingPathComponent(MetricsLogger.jsonlName) }
  public var curveURL: URL { url.appendingPathComponent("curve.svg") }
  public var checkpointsURL: URL { url.appendingPathComponent("checkpoints", isDirectory: true) }
  public var latestPointerURL: URL { checkpointsURL.appendingPathComponent("latest") }

  /// Whether the folder exists.
  public var exists: Bool { FileManager.default.fileExists(atPath: url.path) }

  /// Creates the folder and `checkpoints/`.
  public func create() throws {
    try AtomicFile.createFolder(checkpointsURL)
  }

  // MARK: Config and status

  /// Writes `config.json` (pretty-printed, sorted keys, so configs diff cleanly).
  public func writeConfig<Config: Encodable>(_ config: Config) throws {
    try AtomicFile.write(RunFolder.encodeJSON(config, path: configURL.path), to: configURL)
  }

  /// Reads `config.json`.
  public func readConfig<Config: Decodable>(_ type: Config.Type) throws -> Config {
    try RunFolder.decodeJSON(type, from: configURL)
  }

  /// Writes `status.json` atomically: `status` (`running`, `finished`, `interrupted`, `failed`),
  /// `reason` (why it failed or stopped; a failure's reason comes from `status`), `step` (the
  /// training step it refers to) and `updated` (the time, ISO 8601 UTC).
  public func writeStatus(_ status: RunStatus, step: Int? = nil, reason: String? = nil, date: Date = Date())
    throws
  {
    var record = StatusRecord(status: status.name, updated: RunFolder.iso8601(date))
    record.step = step
    if case .failed(let why) = status { record.reason = why } else { record.reason = reason }
    try AtomicFile.write(RunFolder.encodeJSON(record, path: statusURL.path), to: statusURL)
  }

  /// The recorded status, or `nil` if there is no readable `status.json`.
  public func readStatus() -> RunStatus? { readStatusRecord()?.runStatus }

  /// The whole `status.json`, or `nil` if there is none or it cannot be read.
  public func readStatusRecord() -> StatusRecord? {
    try? RunFolder.decodeJSON(StatusRecord.self, from: statusURL)
  }

  /// Whether the folder holds a run (a `config.json` or `status.json`): `--out` refuses it
  /// unless `--overwrite` is given, and only such a folder may be overwritten.
  public var isRun: Bool {
    FileManager.default.fileExists(atPath: configURL.path)
      || FileManager.default.fileExists(atPath: statusURL.path)
  }

  /// True when `status.json` says `finished`: a resumable sweep skips such runs.
  public var isFinished: Bool { readStatus() == .finished }

  /// Writes `curve.svg` atomically.
  public func writeCurve(_ svg: String) throws { try AtomicFile.write(svg, to: curveURL) }

  // MARK: Checkpoints

  /// Saves checkpoint `step`: weights, then the JSON sidecar, then the `latest` pointer, then
  /// deletes all but the newest `keepLast` checkpoints. A crash at any point leaves `latest`
  /// naming a complete checkpoint.
  ///
  /// - Parameters:
  ///   - step: training step, used in the names `step-<N>.*`.
  ///   - keepLast: how many checkpoints to keep (>= 1).
  ///   - sidecar: resumable state, encoded as pretty JSON with sorted keys.
  ///   - writeWeights: writes the weights file to the URL it is given (a temporary name in
  ///     `checkpoints/`; it is renamed into place after the closure returns and is `fsync`ed).
  /// - Returns: the saved checkpoint.
  @discardableResult
  public func saveCheckpoint<Sidecar: Encodable>(
    step: Int, keepLast: Int = 3, sidecar: Sidecar, writeWeights: (URL) throws -> Void
  ) throws -> Checkpoint {
    precondition(step >= 0, "checkpoint step must be >= 0, got \(step)")
    precondition(keepLast >= 1, "keepLast must be >= 1, got \(keepLast)")
    try create()
    let checkpoint = checkpointAt(step: step)
    let temporary = checkpointsURL.appendingPathComponent(".step-\(step).safetensors.partial")
    try? FileManager.default.removeItem(at: temporary)
    do {
      try writeWeights(temporary)
      try RunFolder.syncFile(temporary)
      guard rename(temporary.path, checkpoint.weightsURL.path) == 0 else {
        throw FileError(
          path: checkpoint.weightsURL.path, reason: "cannot rename weights into place: \(errnoText())")
      }
    } catch let error as FileError {
      try? FileManager.default.removeItem(at: temporary)
      throw error
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw FileError(path: checkpoint.weightsURL.path, reason: "cannot save checkpoint weights: \(error)")
    }
    try AtomicFile.write(
      RunFolder.encodeJSON(sidecar, path: checkpoint.sidecarURL.path), to: checkpoint.sidecarURL)
    try AtomicFile.write("step-\(step)\n", to: latestPointerURL)
    for old in checkpoints().dropLast(keepLast) where old.step != step {
      try? FileManager.default.removeItem(at: old.weightsURL)
      try? FileManager.default.removeItem(at: old.sidecarURL)
    }
    return checkpoint
  }

  /// ``saveCheckpoint(step:keepLast:sidecar:writeWeights:)`` for weights already serialised.
  @discardableResult
  public func saveCheckpoint<Sidecar: Encodable>(
    step: Int, keepLast: Int = 3, sidecar: Sidecar, weights: Data
  ) throws -> Checkpoint {
    try saveCheckpoint(step: step, keepLast: keepLast, sidecar: sidecar) { url in
      try AtomicFile.write(weights, to: url)
    }
  }

  /// Whether `name` is a temporary file of an interrupted write (``AtomicFile``'s
  /// `.NAME.tmp-XXXXXX`, a checkpoint's `.step-N.safetensors.partial`).
  public static func isAbandonedTemporary(_ name: String) -> Bool {
    name.hasPrefix(".") && (name.contains(".tmp-") || name.hasSuffix(".partial"))
  }

  /// Deletes the temporary files a killed writer leaves behind (``AtomicFile``'s
  /// `.NAME.tmp-XXXXXX`, a checkpoint's `.step-N.safetensors.partial`) in the folder and in
  /// `checkpoints/`. Call it only while holding the run lock (no other writer can be using them).
  public func removeAbandonedTemporaries() {
    for folder in [url, checkpointsURL] {
      guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
      for name in names where RunFolder.isAbandonedTemporary(name) {
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
      }
    }
  }

  /// Deletes checkpoints saved after `step`. Call it when resuming from the checkpoint at `step`,
  /// so the abandoned future (and its `latest` pointer) cannot be picked up later; pair it with
  /// `MetricsLogger(folder:keys:resumingAfter: step)`.
  public func removeCheckpoints(after step: Int) throws {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: checkpointsURL.path) else {
      return
    }
    for name in names where name.hasPrefix("step-") {
      let stem = name.dropFirst("step-".count).prefix { $0.isNumber }
      guard let n = Int(stem), n > step else { continue }
      let url = checkpointsURL.appendingPathComponent(name)
      do { try FileManager.default.removeItem(at: url) } catch {
        throw FileError(path: url.path, reason: "cannot delete: \(error.plainReason)")
      }
    }
    if let latest = latestCheckpoint() {
      try AtomicFile.write("step-\(latest.step)\n", to: latestPointerURL)
    } else if FileManager.default.fileExists(atPath: latestPointerURL.path) {
      try? FileManager.default.removeItem(at: latestPointerURL)
    }
  }

  /// Complete checkpoints (both files present), by ascending step.
  public func checkpoints() -> [Checkpoint] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: checkpointsURL.path) else {
      return []
    }
    let present = Set(names)
    var steps: [Int] = []
    for name in names where name.hasPrefix("step-") && name.hasSuffix(".safetensors") {
      let number = name.dropFirst("step-".count).dropLast(".safetensors".count)
      if let step = Int(number), present.contains("step-\(step).json") { steps.append(step) }
    }
    return steps.sorted().map(checkpointAt(step:))
  }

  /// The checkpoint named by `checkpoints/latest`; if the pointer is missing or names a
  /// checkpoint that is incomplete, the complete checkpoint with the highest step; `nil` if none.
  public func latestCheckpoint() -> Checkpoint? {
    let all = checkpoints()
    if let text = try? String(contentsOf: latestPointerURL, encoding: .utf8) {
      let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
      if name.hasPrefix("step-"), let step = Int(name.dropFirst("step-".count)),
        let named = all.first(where: { $0.step == step })
      {
        return named
      }
    }
    return all.last
  }

  private func checkpointAt(step: Int) -> Checkpoint {
    Checkpoint(
      step: step,
      weightsURL: checkpointsURL.appendingPathComponent("step-\(step).safetensors"),
      sidecarURL: checkpointsURL.appendingPathComponent("step-\(step).json"))
  }

  // MARK: JSON helpers

  /// The contents of `status.json`.
  public struct StatusRecord: Codable, Sendable, Equatable {
    /// `running`, `finished`, `interrupted` or `failed` (older runs: `failed: <reason>`).
    public var status: String
    /// Why the run failed or stopped (the NaN metric, the signal); absent while running.
    public var reason: String?
    /// The training step (timesteps, samples, optimizer steps) the status refers to.
    public var step: Int?
    /// When it was written, ISO 8601 UTC.
    public var updated: String

    public init(status: String, reason: String? = nil, step: Int? = nil, updated: String) {
      self.status = status
      self.reason = reason
      self.step = step
      self.updated = updated
    }

    /// The status as a ``RunStatus`` (`nil` for unknown text).
    public var runStatus: RunStatus? {
      if status == "failed" { return .failed(reason: reason ?? "") }
      return RunStatus(status)
    }
  }

  static func encodeJSON<T: Encodable>(_ value: T, path: String) throws -> Data {
    do {
      var data = try JSONText.data(value, pretty: true)
      data.append(0x0A)
      return data
    } catch {
      throw FileError(path: path, reason: "cannot encode JSON: \(error)")
    }
  }

  static func decodeJSON<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw FileError(path: url.path, reason: "cannot read: \(error.plainReason)")
    }
    do { return try JSONDecoder().decode(type, from: data) } catch {
      throw FileError(path: url.path, reason: "invalid \(T.self): \(error.plainReason)")
    }
  }

  static func iso8601(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    return String(
      format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
  }

  /// `fsync`s a file the caller wrote, so the rename that publishes it cannot outrun its data.
  static func syncFile(_ url: URL) throws {
    let fd = open(url.path, O_RDONLY)
    guard fd >= 0 else {
      throw FileError(path: url.path, reason: "the weights writer produced no file: \(errnoText())")
    }
    defer { close(fd) }
    guard fsync(fd) == 0 else { throw FileError(path: url.path, reason: "cannot fsync: \(errnoText())") }
  }
}
