import Core
import Foundation
import TensorBoard

/// How a command asked for its run folder: `--out DIR` (optionally `--overwrite`) or `--resume DIR`.
public struct RunRequest: Sendable, Equatable {
  public enum Start: Sendable, Equatable {
    /// A new run in a folder that does not exist yet (or is empty).
    case new
    /// A new run that replaces the run already in the folder (never a folder that is not a run).
    case overwrite
    /// Continue the run in the folder from its newest checkpoint, with its saved config.
    case resume
  }

  public var folder: RunFolder
  public var start: Start
  /// Checkpoints kept (the newest ones); see ``TrainingSession/defaultKeepCheckpoints``.
  public var keepCheckpoints: Int
  /// Write a TensorBoard event file beside `metrics.csv` (`--no-tensorboard` turns it off).
  public var tensorboard: Bool

  public init(
    folder: RunFolder, start: Start, keepCheckpoints: Int = TrainingSession.defaultKeepCheckpoints,
    tensorboard: Bool = true
  ) {
    self.folder = folder
    self.start = start
    self.keepCheckpoints = keepCheckpoints
    self.tensorboard = tensorboard
  }

  /// The request from the lifecycle flags every trainer shares: exactly one of `--out` and
  /// `--resume`, neither empty; `--overwrite` only with `--out`; `--keep-checkpoints` >= 1.
  /// - Throws: ``RunLifecycleError`` (a usage error) naming the flag.
  public static func parse(
    out: String?, resume: String?, overwrite: Bool,
    keepCheckpoints: Int = TrainingSession.defaultKeepCheckpoints, tensorboard: Bool = true
  ) throws -> RunRequest {
    if keepCheckpoints < 1 {
      throw RunLifecycleError.usage("--keep-checkpoints \(keepCheckpoints): allowed 1 or more")
    }
    if out == "" { throw RunLifecycleError.usage("--out '': allowed a folder path, not empty") }
    if resume == "" { throw RunLifecycleError.usage("--resume '': allowed a run folder, not empty") }
    switch (out, resume) {
    case (nil, nil): throw RunLifecycleError.usage("--out DIR is required (or --resume DIR)")
    case (.some, .some): throw RunLifecycleError.usage("--out and --resume exclude each other")
    case (let out?, nil):
      if out.isEmpty { throw RunLifecycleError.usage("--out '': allowed a folder path, not empty") }
      return RunRequest(
        folder: RunFolder(url: URL(fileURLWithPath: out)), start: overwrite ? .overwrite : .new,
        keepCheckpoints: keepCheckpoints, tensorboard: tensorboard)
    case (nil, let resume?):
      if resume.isEmpty { throw RunLifecycleError.usage("--resume '': allowed a run folder, not empty") }
      if overwrite { throw RunLifecycleError.usage("--overwrite goes with --out, not --resume") }
      return RunRequest(
        folder: RunFolder(url: URL(fileURLWithPath: resume)), start: .resume,
        keepCheckpoints: keepCheckpoints,
        tensorboard: tensorboard)
    }
  }
}

/// Why a run folder cannot be opened as asked. `usage` errors are the user's to fix (exit 2);
/// `alreadyFinished` is not an error (exit 0: there is nothing to do).
public enum RunLifecycleError: Error, CustomStringConvertible, Sendable, Equatable {
  case usage(String)
  case alreadyFinished(String)

  public var description: String {
    switch self {
    case .usage(let text), .alreadyFinished(let text): return text
    }
  }

  /// The process exit status a command should end with: 2 for usage, 0 for a finished run.
  public var exitCode: Int32 {
    switch self {
    case .usage: return 2
    case .alreadyFinished: return 0
    }
  }
}

/// One training run's folder from creation to the end, for every trainer (PPO, CTC, MRT):
///
/// - ``init(_:interrupt:)`` applies the `--out` / `--resume` / `--overwrite` rules and finds the
///   checkpoint to resume from;
/// - ``budget(saved:requested:done:flag:unit:finished:)`` applies the `--steps` rules on resume;
/// - ``begin(config:metricKeys:step:)`` writes `config.json` and `status.json` (`running`), drops
///   checkpoints after the resume point and opens the metrics logger (which drops a torn last line
///   and rows after that point);
/// - ``check(_:step:)`` is the one NaN/Inf guard, ``shouldStop`` the one Ctrl-C check,
///   ``saveCheckpoint(step:sidecar:writeWeights:)`` the one retention rule (it also moves
///   `status.json`'s step to the checkpoint, so a killed run's status names its resume point);
/// - ``run(_:)`` records how the run ended: `finished`, `interrupted` (with the signal) or
///   `failed` (with the error), each with the step and time.
///
/// The rules are documented in `docs/runs.md`.
public final class TrainingSession {
  /// Checkpoints kept when `--keep-checkpoints` is not given.
  public static let defaultKeepCheckpoints = 3

  public let folder: RunFolder
  public let request: RunRequest
  /// The checkpoint a resumed run continues from (`nil` for a new run).
  public let resumeCheckpoint: Checkpoint?
  /// The newest training step reached (updated by the trainer; recorded in `status.json`).
  public var step = 0
  private let interrupt: InterruptHandler?
  /// Test hook: stop as an interrupt would once ``step`` reaches this.
  public var stopAtStep: Int?
  private var stopReason: String?
  /// The TensorBoard event file of this process's part of the run (nil with `--no-tensorboard`).
  public private(set) var events: EventFileWriter?
  /// Held from the first look at an existing folder (or from ``begin``) to the end of the process.
  private var lock: RunLock?

  /// Opens `request.folder` under the lifecycle rules (nothing is written yet).
  /// - Throws: ``RunLifecycleError/usage(_:)`` when the folder does not fit the request.
  public init(_ request: RunRequest, interrupt: InterruptHandler? = nil) throws {
    self.request = request
    self.folder = request.folder
    self.interrupt = interrupt
    let path = folder.url.path
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
    switch request.start {
    case .new, .overwrite:
      if exists && !isDirectory.boolValue {
        throw RunLifecycleError.usage("--out \(path): a file is in the way (allowed: a new folder)")
      }
      if exists && isDirectory.boolValue { lock = try RunLock(folder: folder.url) }
      if exists && folder.isRun {
        guard request.start == .overwrite else {
          throw RunLifecycleError.usage(
            "--out \(path) already holds a run: pass --resume \(path) to continue it "
              + "or --overwrite to replace it")
        }
        do { try FileManager.default.removeItem(at: folder.url) } catch {
          throw FileError(path: path, reason: "cannot remove the old run: \(error.localizedDescription)")
        }
        lock = nil  // its file went with the folder; begin() locks the new one
      } else if exists && !TrainingSession.isEmptyForARun(folder.url) {
        throw RunLifecycleError.usage(
          "--out \(path) exists and is not a run folder (no config.json or status.json); "
            + "choose a new folder (--overwrite only replaces runs)")
      }
      resumeCheckpoint = nil
    case .resume:
      guard exists, folder.isRun, FileManager.default.fileExists(atPath: folder.configURL.path) else {
        throw RunLifecycleError.usage("--resume \(path): not a run folder (no config.json)")
      }
      lock = try RunLock(folder: folder.url)  // before reading: the owner may be writing one
      guard let checkpoint = folder.latestCheckpoint() else {
        throw RunLifecycleError.usage(
          "--resume \(path): the run has no complete checkpoint to resume from; start it again with "
            + "--out \(path) --overwrite")
      }
      resumeCheckpoint = checkpoint
      step = checkpoint.step
    }
  }

  /// An existing folder a new run may use: empty, or holding only the `train.log` that
  /// `rl compare` opens before starting the run, the lock file, an empty `checkpoints/`, or the
  /// temporary files of a process killed before its first write landed.
  static func isEmptyForARun(_ url: URL) -> Bool {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
    return names.allSatisfy { name in
      if name == "checkpoints" {  // created first by begin(): empty unless a checkpoint was saved
        let inside = try? FileManager.default.contentsOfDirectory(
          atPath: url.appendingPathComponent(name).path)
        return (inside ?? []).allSatisfy(RunFolder.isAbandonedTemporary)
      }
      return name == "train.log" || name == RunLock.fileName || RunFolder.isAbandonedTemporary(name)
    }
  }

  /// Whether this session continues an earlier run.
  public var isResuming: Bool { resumeCheckpoint != nil }

  /// The saved `config.json` of a resumed run.
  public func savedConfig<Config: Decodable>(_ type: Config.Type) throws -> Config {
    try folder.readConfig(type)
  }

  /// The training budget of a resumed run (in the unit of `flag`: timesteps, epochs, steps).
  ///
  /// - Parameters:
  ///   - saved: the budget in the saved config.
  ///   - requested: the budget given on the command line, if any.
  ///   - done: how much the checkpoint has done, in the same unit.
  ///   - finished: whether the run ended (by `status.json` or by reaching its budget).
  /// - Returns: the budget to train to.
  /// - Throws: ``RunLifecycleError/usage(_:)`` for a budget below `done`;
  ///   ``RunLifecycleError/alreadyFinished(_:)`` when a finished run is not extended.
  public func budget(saved: Int, requested: Int?, done: Int, flag: String, unit: String, finished: Bool)
    throws -> Int
  {
    if let requested, requested < done {
      throw RunLifecycleError.usage(
        "\(flag) \(requested): below the \(done) \(unit) \(folder.url.path) has already done "
          + "(allowed: more than \(done))")
    }
    let budget = requested ?? saved
    let isFinished = finished || folder.readStatus() == .finished
    if budget <= done || (isFinished && requested == nil) {
      // A run killed after its last checkpoint but before recording its end: it is finished.
      if folder.readStatus() != .finished { try? folder.writeStatus(.finished, step: step) }
      throw RunLifecycleError.alreadyFinished(
        "\(folder.url.path) already finished at \(done) \(unit); pass \(flag) M (M > \(done)) to extend")
    }
    return budget
  }

  /// Starts (or continues) the run: creates the folder, writes `config.json` and `status.json`
  /// (`running`), drops checkpoints after the resume point, and opens the metrics files (a
  /// resumed run keeps rows up to the resume step `step`, the checkpoint's by default).
  public func begin<Config: Encodable>(config: Config, metricKeys: [String], step resumeStep: Int? = nil)
    throws -> MetricsLogger
  {
    try folder.create()
    if lock == nil { lock = try RunLock(folder: folder.url) }
    folder.removeAbandonedTemporaries()
    if let checkpoint = resumeCheckpoint {
      try folder.removeCheckpoints(after: checkpoint.step)
    }
    try folder.writeConfig(config)
    try folder.writeStatus(.running, step: step)
    let resumingAfter = resumeCheckpoint.map { resumeStep ?? $0.step }
    if request.tensorboard {
      // A new event file per process start; the config as text and as HParams.
      let writer = try EventFileWriter(folder: folder.url, resumingAfter: resumingAfter)
      let json = try RunFolder.encodeJSON(config, path: folder.configURL.path)
      try writer.text("```json\n" + String(decoding: json, as: UTF8.self) + "```", tag: "config")
      try writer.hparams(
        HParams.flatten(json), metrics: metricKeys.filter { $0 != MetricsLogger.stepKey })
      events = writer
    }
    return try MetricsLogger(
      folder: folder.url, keys: metricKeys, resumingAfter: resumingAfter, events: events)
  }

  /// The one NaN/Inf guard: throws ``NonFiniteMetricError`` naming the first non-finite value.
  public func check(_ values: [(name: String, value: Double)], step: Int) throws {
    try NumericGuard.check(values, step: step)
  }

  /// ``check(_:step:)`` for a metrics row (checked in sorted key order).
  public func check(_ values: [String: Double], step: Int) throws {
    try NumericGuard.check(values, step: step)
  }

  /// The one Ctrl-C check, polled after every update: true when a signal arrived (or the
  /// ``stopAtStep`` test hook is reached). The trainer then saves a checkpoint and returns.
  public var shouldStop: Bool {
    if let signal = interrupt?.receivedSignal {
      stopReason = signal == SIGINT ? "SIGINT (Ctrl-C)" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
      return true
    }
    if interrupt?.isRequested == true {
      stopReason = "stop requested"
      return true
    }
    if let stopAtStep, step >= stopAtStep {
      stopReason = "stopped at step \(stopAtStep)"
      return true
    }
    return false
  }

  /// Saves checkpoint `step` and keeps the newest `--keep-checkpoints` (the one retention rule).
  @discardableResult
  public func saveCheckpoint<Sidecar: Encodable>(
    step: Int, sidecar: Sidecar, writeWeights: (URL) throws -> Void
  ) throws -> Checkpoint {
    self.step = step
    try events?.sync()
    let checkpoint = try folder.saveCheckpoint(
      step: step, keepLast: request.keepCheckpoints, sidecar: sidecar, writeWeights: writeWeights)
    // status.json's step is where a killed run resumes: the newest checkpoint.
    try folder.writeStatus(.running, step: step)
    return checkpoint
  }

  /// How a training body ended.
  public enum Ending: Sendable, Equatable {
    case finished
    case interrupted
  }

  /// Runs the training `body` and records its end in `status.json`: `finished` or `interrupted`
  /// (with the signal) as it returns, `failed` with the error's text if it throws (the error is
  /// rethrown; the last checkpoint stays).
  public func run<Result>(_ body: () throws -> (Ending, Result)) throws -> Result {
    let ending: Ending
    let result: Result
    do {
      (ending, result) = try body()
    } catch {
      try? folder.writeStatus(.failed(reason: "\(error)"), step: step)
      try? events?.endSession(.failure)
      try? events?.close()
      lock = nil
      throw error
    }
    switch ending {
    case .finished:
      try folder.writeStatus(.finished, step: step)
      try events?.endSession(.success)
    case .interrupted:
      // No session end: TensorBoard fixes a session's status once written, and this run goes on.
      try folder.writeStatus(.interrupted, step: step, reason: stopReason ?? "stop requested")
    }
    try events?.close()
    lock = nil  // the run folder is free for the next process
    return result
  }

  /// The exit status for a run that ended this way: 0, or 130 after an interrupt (as a shell
  /// reports a Ctrl-C).
  public static func exitCode(for ending: Ending) -> Int32 { ending == .finished ? 0 : 130 }
}
