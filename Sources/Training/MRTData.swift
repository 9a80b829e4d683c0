import Core
import Corpora
import Foundation
import Translation

/// `ceilings.json` of a toy corpus: each split's `ToyCeilings`.
public struct ToyCorpusCeilings: Codable, Sendable {
  public var train: ToyCeilings
  public var dev: ToyCeilings
  public var test: ToyCeilings
}

/// A parallel corpus as files: `<folder>/<split>.src` and `<split>.tgt`, one sentence per line,
/// words separated by single spaces, line i of one file translating line i of the other. The toy
/// corpus also writes `<split>.noise-free.tgt`, the references without noise (for analysis only:
/// training and evaluation never read it). A corpus of subwords (the Bible corpus) adds
/// `corpus.json` (``ParallelCorpusFormat``) and word-level references `<split>.ref1`, `.ref2`...
public enum ParallelCorpus {
  public static let splits = ["train", "dev", "test"]

  public static func sourceURL(_ folder: URL, split: String) -> URL {
    folder.appendingPathComponent("\(split).src")
  }

  public static func targetURL(_ folder: URL, split: String) -> URL {
    folder.appendingPathComponent("\(split).tgt")
  }

  /// Writes the toy translation corpus of `seed` (atomically, file by file), with each split's
  /// ceilings (`ToyCeilings`: noise-free, mode score, Bayes ceiling) in `ceilings.json` and the
  /// Bayes output in `<split>.bayes.tgt` (for analysis, like `<split>.noise-free.tgt`); returns
  /// the ceilings by split. `ceilingDraws` Monte Carlo reference sets where enumeration is too big.
  @discardableResult
  public static func writeToyCorpus(
    to folder: URL, seed: UInt64, trainSize: Int, devSize: Int, testSize: Int,
    options: ToyTranslation.Options = ToyTranslation.Options(), ceilingDraws: Int = 20
  ) throws -> [(split: String, ceilings: ToyCeilings)] {
    let task = ToyTranslation(options: options)
    let corpus = task.corpus(seed: seed, trainSize: trainSize, devSize: devSize, testSize: testSize)
    var report: [(split: String, ceilings: ToyCeilings)] = []
    for (index, (split, pairs)) in [("train", corpus.train), ("dev", corpus.dev), ("test", corpus.test)]
      .enumerated()
    {
      let ceilings = task.ceilings(pairs, draws: ceilingDraws, seed: seed &+ UInt64(index))
      report.append((split, ceilings))
      let bayes = task.policies.first { $0.name(for: options) == ceilings.bayes.policy } ?? task.modePolicy
      try AtomicFile.write(
        lines(pairs.map { task.render($0.pieces, policy: bayes) }),
        to: folder.appendingPathComponent("\(split).bayes.tgt"))
      try AtomicFile.write(lines(pairs.map(\.source)), to: sourceURL(folder, split: split))
      try AtomicFile.write(lines(pairs.map(\.target)), to: targetURL(folder, split: split))
      try AtomicFile.write(
        lines(pairs.map(\.noiseFreeTarget)),
        to: folder.appendingPathComponent("\(split).noise-free.tgt"))
    }
    let file = ToyCorpusCeilings(
      train: report[0].ceilings, dev: report[1].ceilings, test: report[2].ceilings)
    try AtomicFile.write(
      try JSONText.data(file, pretty: true), to: folder.appendingPathComponent("ceilings.json"))
    return report
  }

  /// Writes one split of a corpus: `.src`/`.tgt` token lines and `<split>.ref<i>` word-level
  /// reference lines, one file per reference stream.
  public static func write(
    to folder: URL, split: String, sources: [[String]], targets: [[String]], references: [[[String]]]
  ) throws {
    try AtomicFile.write(lines(sources), to: sourceURL(folder, split: split))
    try AtomicFile.write(lines(targets), to: targetURL(folder, split: split))
    for (i, stream) in references.enumerated() {
      try AtomicFile.write(lines(stream), to: referenceURL(folder, split: split, number: i + 1))
    }
  }

  public static func referenceURL(_ folder: URL, split: String, number: Int) -> URL {
    folder.appendingPathComponent("\(split).ref\(number)")
  }

  /// The folder's `corpus.json`, or the word-level default when there is none (the toy corpus).
  /// - Throws: `FileError` for a `corpus.json` that does not decode.
  public static func format(_ folder: URL) throws -> ParallelCorpusFormat {
    let url = folder.appendingPathComponent(ParallelCorpusFormat.fileName)
    guard let data = try? Data(contentsOf: url) else { return ParallelCorpusFormat() }
    do { return try JSONDecoder().decode(ParallelCorpusFormat.self, from: data) } catch {
      throw FileError(path: url.path, reason: "invalid corpus format: \(error.plainReason)")
    }
  }

  /// The words of a token line: subwords joined back where the format has a joiner.
  public static func words(_ tokens: [String], format: ParallelCorpusFormat) -> [String] {
    guard let joiner = format.subwordJoiner, !joiner.isEmpty else { return tokens }
    return BytePairEncoding.join(tokens, joiner: joiner)
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

/// `corpus.json` of a corpus folder: what training and evaluation need to know beyond the token
/// lines. Absent for the toy corpus (tokens are words, one reference: `.tgt`).
public struct ParallelCorpusFormat: Codable, Sendable, Equatable {
  public static let fileName = "corpus.json"
  /// What the corpus is, in words.
  public var description = "word-level parallel corpus"
  /// The marker ending a subword that continues into the next token (`@@`, as subword-nmt);
  /// hypotheses and `.tgt` lines are joined back into words before BLEU. nil: tokens are words.
  public var subwordJoiner: String?
  /// How many word-level reference files `<split>.ref1...` each split has (`.ref1` is the `.tgt`
  /// joined into words; `.ref2` a second translation).
  public var referenceFiles: [String: Int] = [:]

  public init(
    description: String = "word-level parallel corpus", subwordJoiner: String? = nil,
    referenceFiles: [String: Int] = [:]
  ) {
    self.description = description
    self.subwordJoiner = subwordJoiner
    self.referenceFiles = referenceFiles
  }
}
