import Foundation

/// Runs the real `losslab` executable built beside this test binary (never a stale one
/// elsewhere), as a user runs it, and captures its output. stdout and stderr are read on two
/// threads, so a child that fills one pipe cannot stall.
public enum LossLabProcess {
  /// What a finished child left behind.
  public struct Result: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// True when the child ended by a signal (a trap: SIGILL, SIGTRAP, SIGABRT, SIGSEGV);
    /// `status` is then the signal's number.
    public var signaled: Bool
  }

  public struct NotBuilt: Error, CustomStringConvertible { public var description: String }

  /// The executable in this test binary's build folder: the test binary may sit inside
  /// `LossLabPackageTests.xctest/...`, so walk up until a `losslab` appears.
  public static func executable() throws -> URL {
    let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var folder = me.deletingLastPathComponent()
    while folder.path != "/" {
      let candidate = folder.appendingPathComponent("losslab")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      folder.deleteLastPathComponent()
    }
    throw NotBuilt(
      description: "no losslab executable above \(me.path); build it with `swift build --build-tests`")
  }

  /// Runs `losslab arguments` (or another copy of it, `executable`) in `directory` (default: the
  /// repository root, where `environments/` lives) with `environment` added to this process's.
  public static func result(
    _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
    stdin: Data? = nil, executable binary: URL? = nil
  ) throws -> Result {
    let process = Process()
    process.executableURL = try binary ?? executable()
    process.arguments = arguments
    process.currentDirectoryURL = directory ?? Fixtures.repositoryRoot
    if !environment.isEmpty {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let (out, err) = (Pipe(), Pipe())
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = stdin == nil ? FileHandle.nullDevice : input
    try process.run()
    if let stdin {
      input.fileHandleForWriting.write(stdin)
      try? input.fileHandleForWriting.close()
    }
    let errData = LockedData()
    let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errData.isSet { usleep(500) }
    return Result(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData.value, as: UTF8.self),
      signaled: process.terminationReason == .uncaughtSignal)
  }

  /// ``result(_:in:environment:stdin:)`` as (exit status, stdout, stderr).
  public static func run(_ arguments: [String], in directory: URL? = nil) throws -> (Int32, String, String) {
    let r = try result(arguments, in: directory)
    return (r.status, r.stdout, r.stderr)
  }
}

/// One `Data` handed from a reader thread to the test.
final class LockedData: @unchecked Sendable {
  private let lock = NSLock()
  private var data: Data?
  func set(_ d: Data) { lock.withLock { data = d } }
  var isSet: Bool { lock.withLock { data != nil } }
  var value: Data { lock.withLock { data ?? Data() } }
}
