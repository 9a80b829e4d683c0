import Foundation

/// What one Slurm command printed.
public struct ToolResult: Sendable, Equatable {
  public var status: Int32
  public var stdout: String
  public var stderr: String
  public init(status: Int32, stdout: String, stderr: String = "") {
    self.status = status
    self.stdout = stdout
    self.stderr = stderr
  }
}

/// One array task as `squeue` lists it.
public struct SlurmTaskState: Sendable, Equatable {
  public var job: Int
  public var task: Int
  /// `PENDING`, `RUNNING`, `COMPLETING`, …
  public var state: String
  /// The node list (empty while pending).
  public var nodes: String
}

/// Slurm's client commands (`sbatch`, `squeue`, `sacct`, `scancel`), run through `runTool` so
/// tests can stand in for the scheduler.
public struct SlurmClient: Sendable {
  /// Runs a tool (`sbatch`, …) with arguments; throws when it cannot be started.
  public var runTool: @Sendable (_ tool: String, _ arguments: [String]) throws -> ToolResult

  public init(runTool: @escaping @Sendable (String, [String]) throws -> ToolResult) {
    self.runTool = runTool
  }

  /// The real commands, found on `PATH`.
  public static let system = SlurmClient { tool, arguments in
    guard let url = findOnPath(tool) else {
      throw SlurmError(
        "\(tool) is not on PATH: --executor slurm runs on a machine with Slurm's client commands (docs/cluster.md)"
      )
    }
    let process = Process()
    process.executableURL = url
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    do { try process.run() } catch { throw SlurmError("cannot run \(url.path): \(error)") }
    // stderr is read on another thread so neither pipe can fill up and block the tool.
    let errorText = ErrorCollector()
    let errorHandle = err.fileHandleForReading
    let reader = Thread { errorText.set(errorHandle.readDataToEndOfFile()) }
    reader.start()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errorText.isDone { Thread.sleep(forTimeInterval: 0.005) }
    return ToolResult(
      status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
      stderr: String(decoding: errorText.data, as: UTF8.self))
  }

  static func findOnPath(_ tool: String) -> URL? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") where !dir.isEmpty {
      let url = URL(fileURLWithPath: String(dir)).appendingPathComponent(tool)
      if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return nil
  }

  /// Submits `script` with `sbatch --parsable` and returns the job id.
  public func submit(_ script: URL) throws -> Int {
    let r = try runTool("sbatch", ["--parsable", script.path])
    let text = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    guard r.status == 0, let id = SlurmClient.parseJobID(text) else {
      let why = (r.stderr + r.stdout).trimmingCharacters(in: .whitespacesAndNewlines)
      throw SlurmError("sbatch \(script.path) failed (exit status \(r.status)): \(why)")
    }
    return id
  }

  /// `sbatch --parsable` prints `JOBID` or `JOBID;CLUSTER`.
  public static func parseJobID(_ text: String) -> Int? {
    let head = text.split(separator: ";").first.map(String.init) ?? ""
    guard let id = Int(head), id > 0 else { return nil }
    return id
  }

  /// The array tasks of `jobs` that Slurm still has queued or running (nil when `squeue` failed).
  public func queued(jobs: Set<Int>, name: String) throws -> [SlurmTaskState]? {
    let r = try runTool(
      "squeue", ["--noheader", "--array", "--user=\(getuid())", "--name=\(name)", "--format=%F|%K|%T|%N"])
    guard r.status == 0 else { return nil }
    return SlurmClient.parseQueue(r.stdout).filter { jobs.contains($0.job) }
  }

  /// Parses `squeue --array --format=%F|%K|%T|%N` lines (others are ignored).
  public static func parseQueue(_ text: String) -> [SlurmTaskState] {
    var result: [SlurmTaskState] = []
    for line in text.split(whereSeparator: \.isNewline) {
      let f = line.split(separator: "|", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard f.count >= 3, let job = Int(f[0]), let task = Int(f[1]) else { continue }
      result.append(SlurmTaskState(job: job, task: task, state: f[2], nodes: f.count > 3 ? f[3] : ""))
    }
    return result
  }

  /// What accounting says about the array tasks of `job` that ended: task -> `Slurm state FAILED,
  /// exit code 1:0`;
  /// empty when accounting is off (`sacct` fails without a database).
  public func accounting(job: Int) -> [Int: String] {
    guard
      let r = try? runTool(
        "sacct",
        [
          "--noheader", "--parsable2", "--allocations", "--jobs=\(job)",
          "--format=JobID,State,ExitCode",
        ]), r.status == 0
    else { return [:] }
    return SlurmClient.parseAccounting(r.stdout, job: job)
  }

  /// Parses `sacct --parsable2 --format=JobID,State,ExitCode` lines of array `job`.
  public static func parseAccounting(_ text: String, job: Int) -> [Int: String] {
    var result: [Int: String] = [:]
    for line in text.split(whereSeparator: \.isNewline) {
      let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
      guard f.count >= 3 else { continue }
      let id = f[0].split(separator: "_")
      guard id.count == 2, Int(id[0]) == job, let task = Int(id[1]) else { continue }
      result[task] = "Slurm state \(f[1]), exit code \(f[2])"
    }
    return result
  }

  /// Cancels whole jobs (`scancel JOBID ...`).
  public func cancel(jobs: [Int]) throws {
    guard !jobs.isEmpty else { return }
    let r = try runTool("scancel", jobs.map(String.init))
    if r.status != 0 {
      throw SlurmError("scancel \(jobs.map(String.init).joined(separator: " ")) failed: \(r.stderr)")
    }
  }
}

/// Collects a pipe's data on a reader thread.
private final class ErrorCollector: @unchecked Sendable {
  private let lock = NSLock()
  private var stored = Data()
  private var done = false
  func set(_ data: Data) {
    lock.lock()
    stored = data
    done = true
    lock.unlock()
  }
  var isDone: Bool {
    lock.lock()
    defer { lock.unlock() }
    return done
  }
  var data: Data {
    lock.lock()
    defer { lock.unlock() }
    return stored
  }
}
