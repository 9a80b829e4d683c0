import Foundation

/// A fresh empty folder under the system temporary directory, unique per call.
public func makeScratchFolder(_ name: String = #function) throws -> URL {
  let base = FileManager.default.temporaryDirectory
    .appendingPathComponent("losslab-tests-\(getpid())", isDirectory: true)
  let clean = name.filter { $0.isLetter || $0.isNumber }
  var url = base.appendingPathComponent(clean, isDirectory: true)
  var k = 0
  while FileManager.default.fileExists(atPath: url.path) {
    k += 1
    url = base.appendingPathComponent("\(clean)-\(k)", isDirectory: true)
  }
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// The UTF-8 text of a file.
public func readText(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }
