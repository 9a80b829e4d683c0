import Foundation
import TestSupport

/// The CLI tests' view of ``LossLabProcess``: runs the built `losslab` and captures its output.
enum CLI {
  typealias Run = LossLabProcess.Result

  /// The `losslab` built beside this test binary.
  static var executable: URL {
    (try? LossLabProcess.executable()) ?? URL(fileURLWithPath: "/nonexistent/losslab")
  }

  static func run(
    _ arguments: [String], executable: URL? = nil, environment: [String: String]? = nil, directory: URL? = nil
  ) throws -> Run {
    try LossLabProcess.result(
      arguments, in: directory, environment: environment ?? [:], executable: executable)
  }

  /// `Tests/Fixtures/<relative>`.
  static func fixture(_ relative: String) -> URL { Fixtures.url(relative) }

  /// A fresh empty folder under the temporary directory.
  static func temporaryFolder(_ name: String) throws -> URL { try makeScratchFolder(name) }
}
