import Foundation

/// Runs the built `losslab` executable (SwiftPM puts it next to the test bundle, which is the
/// running process on Linux) and captures its whole output.
enum CLI {
  struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
    /// The child ended on a signal (a trap: SIGILL, SIGTRAP, SIGABRT, SIGSEGV...), `status` is its number.
    var signaled = false
  }

  static let executable: URL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    .deletingLastPathComponent().appendingPathComponent("losslab")

  static func run(
    _ arguments: [String], executable: URL = CLI.executable, environment: [String: String]? = nil,
    directory: URL? = nil
  ) throws -> Run {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Drain stderr on another thread so neither pipe can fill up and stall the child.
    let errData = LockedData()
    let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errData.isSet { usleep(1000) }
    return Run(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData.value, as: UTF8.self),
      signaled: process.terminationReason == .uncaughtSignal)
  }

  /// `Tests/Fixtures/<relative>`, found from this file's path.
  static func fixture(_ relative: String) -> URL {
    var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while url.path != "/" {
      let candidate = url.appendingPathComponent("Tests/Fixtures")
      if FileManager.default.fileExists(atPath: candidate.path) {
        return candidate.appendingPathComponent(relative)
      }
      url = url.deletingLastPathComponent()
    }
    fatalError("Tests/Fixtures not found above \(#filePath)")
  }

  /// A fresh empty folder under the temporary directory.
  static func temporaryFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("losslab-cli-\(name)-\(getpid())", isDirectory: true)
    try? FileManager.default.removeItem(at: url)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}

/// One `Data` handed from the stderr reader thread to the test.
final class LockedData: @unchecked Sendable {
  private let lock = NSLock()
  private var data: Data?
  func set(_ d: Data) { lock.withLock { data = d } }
  var isSet: Bool { lock.withLock { data != nil } }
  var value: Data { lock.withLock { data ?? Data() } }
}
