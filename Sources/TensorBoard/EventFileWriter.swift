import Core
import Foundation
import SwiftProtobuf

#if canImport(Glibc)
  import Glibc
#endif

/// A hyperparameter value for TensorBoard's HParams tab.
public enum HParamValue: Sendable, Equatable {
  case number(Double)
  case string(String)
  case bool(Bool)
}

/// How a run ended, for the HParams tab's session status.
public enum SessionOutcome: Sendable {
  case success, failure, running, unknown
}

/// Writes a TensorBoard event file, `events.out.tfevents.<seconds>.<host>.<pid>`, in a run
/// folder: scalars (`simple_value`, as PyTorch's `SummaryWriter.add_scalar` writes them), text
/// summaries, histograms and the HParams plugin's experiment and session records.
///
/// Each process start opens a new file, as TensorBoard expects; a resumed run writes a
/// `SessionLog.START` event at the step after its checkpoint first, so readers drop the points
/// of the abandoned future from the earlier file. Every event is handed to the OS with one
/// `write(2)` (a kill loses nothing already logged; TensorBoard skips a torn last record);
/// ``close()`` and ``sync()`` fsync the file.
///
/// Not `Sendable`: write from one thread.
public final class EventFileWriter {
  public let url: URL
  private let fd: Int32
  private var isClosed = false

  /// Opens a new event file in `folder` (created if missing) and writes the version event.
  /// - Parameter resumingAfter: the checkpoint step a resumed run continues from.
  /// - Throws: ``FileError`` naming the file.
  public init(folder: URL, resumingAfter step: Int? = nil, wallTime: Double = Date().timeIntervalSince1970)
    throws
  {
    try AtomicFile.createFolder(folder)
    let name = "events.out.tfevents.\(Int(wallTime)).\(EventFileWriter.hostname()).\(getpid())"
    var url = folder.appendingPathComponent(name)
    var k = 0
    while FileManager.default.fileExists(atPath: url.path) {
      k += 1
      url = folder.appendingPathComponent("\(name).\(k)")
    }
    self.url = url
    fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw FileError(path: url.path, reason: "cannot create the event file: \(errnoText())")
    }
    var version = Tensorboard_Event()
    version.wallTime = wallTime
    version.fileVersion = "brain.Event:2"
    try write(version)
    if let step {
      var start = Tensorboard_Event()
      start.wallTime = wallTime
      start.step = Int64(step) + 1
      start.sessionLog.status = .start
      try write(start)
    }
  }

  deinit { if !isClosed { Glibc.close(fd) } }

  /// One scalar per tag at `step`, as one event.
  public func scalars(
    _ values: [(tag: String, value: Double)], step: Int, wallTime: Double = Date().timeIntervalSince1970
  ) throws {
    var summary = Tensorboard_Summary()
    summary.value = values.map { tag, value in
      var v = Tensorboard_Summary.Value()
      v.tag = tag
      v.simpleValue = Float(value)
      return v
    }
    try write(summary, step: step, wallTime: wallTime)
  }

  /// A text summary (TensorBoard's Text tab renders it as Markdown).
  public func text(
    _ text: String, tag: String, step: Int = 0, wallTime: Double = Date().timeIntervalSince1970
  )
    throws
  {
    var tensor = Tensorboard_TensorProto()
    tensor.dtype = .dtString
    tensor.stringVal = [Data(text.utf8)]
    var value = Tensorboard_Summary.Value()
    value.tag = tag
    value.metadata.pluginData.pluginName = "text"
    value.metadata.dataClass = .tensor
    value.tensor = tensor
    var summary = Tensorboard_Summary()
    summary.value = [value]
    try write(summary, step: step, wallTime: wallTime)
  }

  /// A histogram of `values` in `bucketCount` equal-width buckets (finite values only).
  public func histogram(
    _ values: [Double], tag: String, step: Int, bucketCount: Int = 30,
    wallTime: Double = Date().timeIntervalSince1970
  ) throws {
    let finite = values.filter(\.isFinite)
    guard let low = finite.min(), let high = finite.max() else { return }
    let buckets = max(bucketCount, 1)
    let width = high > low ? (high - low) / Double(buckets) : 1
    var counts = [Double](repeating: 0, count: buckets)
    for x in finite { counts[min(Int((x - low) / width), buckets - 1)] += 1 }
    var histogram = Tensorboard_HistogramProto()
    histogram.min = low
    histogram.max = high
    histogram.num = Double(finite.count)
    histogram.sum = finite.reduce(0, +)
    histogram.sumSquares = finite.reduce(0) { $0 + $1 * $1 }
    histogram.bucketLimit = (1...buckets).map { low + Double($0) * width }
    histogram.bucket = counts
    var value = Tensorboard_Summary.Value()
    value.tag = tag
    value.histo = histogram
    var summary = Tensorboard_Summary()
    summary.value = [value]
    try write(summary, step: step, wallTime: wallTime)
  }

  /// The HParams plugin's records for this run: the experiment (the hyperparameters and metrics
  /// the tab shows as columns) and the session start with this run's values.
  public func hparams(
    _ hparams: [(name: String, value: HParamValue)], metrics: [String],
    wallTime: Double = Date().timeIntervalSince1970
  ) throws {
    var experiment = Tensorboard_Experiment()
    experiment.timeCreatedSecs = wallTime
    experiment.hparamInfos = hparams.map { name, value in
      var info = Tensorboard_HParamInfo()
      info.name = name
      switch value {
      case .number: info.type = .dataTypeFloat64
      case .string: info.type = .dataTypeString
      case .bool: info.type = .dataTypeBool
      }
      return info
    }
    experiment.metricInfos = metrics.map { tag in
      var info = Tensorboard_MetricInfo()
      info.name.tag = tag
      return info
    }
    var experimentData = Tensorboard_HParamsPluginData()
    experimentData.experiment = experiment
    try writeHParams(experimentData, tag: "_hparams_/experiment", wallTime: wallTime)

    var start = Tensorboard_SessionStartInfo()
    start.startTimeSecs = wallTime
    for (name, value) in hparams {
      var v = Google_Protobuf_Value()
      switch value {
      case .number(let x): v.numberValue = x
      case .string(let s): v.stringValue = s
      case .bool(let b): v.boolValue = b
      }
      start.hparams[name] = v
    }
    var startData = Tensorboard_HParamsPluginData()
    startData.sessionStartInfo = start
    try writeHParams(startData, tag: "_hparams_/session_start_info", wallTime: wallTime)
  }

  /// The HParams plugin's session end record.
  public func endSession(_ outcome: SessionOutcome, wallTime: Double = Date().timeIntervalSince1970) throws {
    var end = Tensorboard_SessionEndInfo()
    end.endTimeSecs = wallTime
    switch outcome {
    case .success: end.status = .success
    case .failure: end.status = .failure
    case .running: end.status = .running
    case .unknown: end.status = .unknown
    }
    var data = Tensorboard_HParamsPluginData()
    data.sessionEndInfo = end
    try writeHParams(data, tag: "_hparams_/session_end_info", wallTime: wallTime)
  }

  /// fsyncs the file (call at checkpoints).
  public func sync() throws {
    guard fsync(fd) == 0 else { throw FileError(path: url.path, reason: "cannot fsync: \(errnoText())") }
  }

  /// fsyncs and closes the file (also done, without the fsync, on deinit).
  public func close() throws {
    guard !isClosed else { return }
    try sync()
    isClosed = true
    Glibc.close(fd)
  }

  // MARK: Writing

  private func writeHParams(_ data: Tensorboard_HParamsPluginData, tag: String, wallTime: Double) throws {
    var value = Tensorboard_Summary.Value()
    value.tag = tag
    value.metadata.pluginData.pluginName = "hparams"
    value.metadata.pluginData.content = try data.serializedData()
    var summary = Tensorboard_Summary()
    summary.value = [value]
    try write(summary, step: 0, wallTime: wallTime)
  }

  private func write(_ summary: Tensorboard_Summary, step: Int, wallTime: Double) throws {
    var event = Tensorboard_Event()
    event.wallTime = wallTime
    event.step = Int64(step)
    event.summary = summary
    try write(event)
  }

  private func write(_ event: Tensorboard_Event) throws {
    precondition(!isClosed, "EventFileWriter used after close()")
    let record: Data
    do { record = TFRecord.frame(try event.serializedData()) } catch {
      throw FileError(path: url.path, reason: "cannot encode an event: \(error)")
    }
    try record.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
      var offset = 0
      while offset < raw.count {
        let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
        if n < 0 {
          if errno == EINTR { continue }
          throw FileError(path: url.path, reason: "cannot write an event: \(errnoText())")
        }
        offset += n
      }
    }
  }

  static func hostname() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
    let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let safe = name.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
    return safe.isEmpty ? "localhost" : safe
  }
}
