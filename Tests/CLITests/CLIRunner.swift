import Foundation
import TestSupport

/// The CLI tests' view of ``LossLabProcess``: runs the built `losslab` and captures its output.
enum CLI {
  typealias Run = LossLabProcess.Result

  static func run(_ arguments: [String]) throws -> Run { try LossLabProcess.result(arguments) }

  /// `Tests/Fixtures/<relative>`.
  static func fixture(_ relative: String) -> URL { Fixtures.url(relative) }

  /// A fresh empty folder under the temporary directory.
  static func temporaryFolder(_ name: String) throws -> URL { try makeScratchFolder(name) }
}
