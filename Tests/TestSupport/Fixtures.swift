import Foundation

/// Locates the repository from this file's path: `Tests/Fixtures` (reference data recorded from
/// Gymnasium, PyTorch and sacrebleu) and `environments/`.
public enum Fixtures {
  /// The folder holding `Package.swift`.
  public static let repositoryRoot: URL = {
    var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while url.path != "/" {
      if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
        return url
      }
      url = url.deletingLastPathComponent()
    }
    preconditionFailure("Package.swift not found above \(#filePath)")
  }()

  /// `Tests/Fixtures/<relative>`.
  public static func url(_ relative: String) -> URL {
    repositoryRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(relative)
  }

  /// The bytes of `Tests/Fixtures/<relative>`.
  public static func data(_ relative: String) throws -> Data { try Data(contentsOf: url(relative)) }

  /// The shipped gridworld maps, `environments/gridworld`.
  public static var mapsDirectory: URL { repositoryRoot.appendingPathComponent("environments/gridworld") }
}

/// `Tests/Fixtures/<folder>/<name>`.
public func fixtureURL(_ folder: String, _ name: String) -> URL {
  Fixtures.url(folder).appendingPathComponent(name)
}
