import Core
import Foundation
import Translation

/// A parallel corpus as files: `<folder>/<split>.src` and `<split>.tgt`, one sentence per line,
/// words separated by single spaces, line i of one file translating line i of the other. The toy
/// corpus also writes `<split>.noise-free.tgt`, the references without noise (for analysis only:
/// training and evaluation never read it).
public enum ParallelCorpus {
  public static let splits = ["train", "dev", "test"]

  public static func sourceURL(_ folder: URL, split: String) -> URL {
    folder.appendingPathComponent("\(split).src")
  }

  public static func targetURL(_ folder: URL, split: String) -> URL {
    folder.appendingPathComponent("\(split).tgt")
  }

  /// Writes the toy translation corpus of `seed` (atomically, file by file).
  public static func writeToyCorpus(
    to folder: URL, seed: UInt64, trainSize: Int, devSize: Int, testSize: Int,
    options: ToyTranslation.Options = ToyTranslation.Options()
  ) throws {
    let corpus = ToyTranslation(options: options).corpus(
      seed: seed, trainSize: trainSize, devSize: devSize, testSize: testSize)
    for (split, pairs) in [("train", corpus.train), ("dev", corpus.dev), ("test", corpus.test)] {
      try AtomicFile.write(lines(pairs.map(\.source)), to: sourceURL(folder, split: split))
      try AtomicFile.write(lines(pairs.map(\.target)), to: targetURL(folder, split: split))
      try AtomicFile.write(
        lines(pairs.map(\.noiseFreeTarget)),
        to: folder.appendingPathComponent("\(split).noise-free.tgt"))
    }
  }

  static func lines(_ sentences: [[String]]) -> String {
    sentences.map { $0.joined(separator: " ") + "\n" }.joined()
  }

  /// Reads one split: (source words, target words) per line.
  /// - Throws: `FileError` for a missing file, mismatched line counts or an empty source line.
  public static func read(_ folder: URL, split: String) throws -> (
    sources: [[String]], targets: [[String]]
  ) {
    let sources = try readLines(sourceURL(folder, split: split))
    let targets = try readLines(targetURL(folder, split: split))
    guard sources.count == targets.count else {
      throw FileError(
        path: folder.path,
        reason: "\(split).src has \(sources.count) lines but \(split).tgt has \(targets.count)")
    }
    if let empty = sources.firstIndex(where: \.isEmpty) {
      throw FileError(
        path: sourceURL(folder, split: split).path, reason: "line \(empty + 1) is empty")
    }
    return (sources, targets)
  }

  static func readLines(_ url: URL) throws -> [[String]] {
    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
      throw FileError(path: url.path, reason: "cannot read the file (does it exist?)")
    }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    if lines.last == "" { lines.removeLast() }
    return lines.map { $0.split(separator: " ").map(String.init) }
  }
}
