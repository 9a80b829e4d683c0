import Core
import Dispatch
import Foundation

// Corpus and sentence BLEU with sacrebleu's definitions (sacrebleu 2.x `metrics/bleu.py`):
// segments are preprocessed (lowercase, rstrip, tokenize), each segment gives sufficient statistics
// against its references, and corpus BLEU is computed from the summed statistics.

/// BLEU settings, with sacrebleu's defaults.
public struct BLEUSettings: Sendable, Hashable {
  public static let defaultMaxOrder = 4

  /// Tokenizer (`13a`).
  public var tokenizer: BLEUTokenizer
  /// Compare lowercased text (Python's `str.lower()`).
  public var lowercase: Bool
  /// Smoothing (`exp`).
  public var smoothing: BLEUSmoothing
  /// Average precisions only up to the highest order with n-grams (off; on for sentence BLEU in
  /// `sacrebleu.sentence_bleu`).
  public var effectiveOrder: Bool
  /// Highest n-gram order (4).
  public var maxOrder: Int

  public init(
    tokenizer: BLEUTokenizer = .thirteenA, lowercase: Bool = false,
    smoothing: BLEUSmoothing = BLEUSmoothing(), effectiveOrder: Bool = false,
    maxOrder: Int = BLEUSettings.defaultMaxOrder
  ) {
    precondition(maxOrder >= 1, "BLEUSettings: maxOrder must be at least 1, got \(maxOrder)")
    self.tokenizer = tokenizer
    self.lowercase = lowercase
    self.smoothing = smoothing
    self.effectiveOrder = effectiveOrder
    self.maxOrder = maxOrder
  }

  /// The reproducibility signature in sacrebleu's format, with LossLab's version:
  /// `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:0.1.0`.
  public func signature(referenceCount: Int) -> String {
    let nrefs = referenceCount >= 0 ? String(referenceCount) : "var"
    return "nrefs:\(nrefs)|case:\(lowercase ? "lc" : "mixed")|eff:\(effectiveOrder ? "yes" : "no")"
      + "|tok:\(tokenizer.rawValue)|smooth:\(smoothing.signature)|version:\(LossLabVersion.string)"
  }
}

/// Errors from user input to BLEU.
public enum BLEUError: Error, CustomStringConvertible, Equatable {
  /// A stream is not valid UTF-8 (`line` is 1-based).
  case invalidUTF8(stream: String, line: Int)
  /// A reference stream's segment count differs from the hypotheses'.
  case lengthMismatch(stream: String, lines: Int, hypothesisLines: Int)
  /// No reference stream was given.
  case noReferences

  public var description: String {
    switch self {
    case .invalidUTF8(let stream, let line):
      "\(stream): line \(line) is not valid UTF-8"
    case .lengthMismatch(let stream, let lines, let hypothesisLines):
      "System and reference streams have different lengths: \(stream) has \(lines) lines, "
        + "the hypotheses have \(hypothesisLines)"
    case .noReferences:
      "at least one reference stream is needed"
    }
  }
}

/// A stream of segments (one per line) held as UTF-8 bytes, decoded lazily by the workers.
public struct BLEUSegments: Sendable {
  /// Name used in error messages (a file name, `stdin`, ...).
  public var name: String
  var bytes: [UInt8]
  var starts: [Int]
  var ends: [Int]

  public var count: Int { starts.count }

  /// Segments from strings (one segment each, used as given).
  public init(_ lines: [String], name: String = "segments") {
    self.name = name
    bytes = []
    starts = []
    ends = []
    for line in lines {
      starts.append(bytes.count)
      bytes.append(contentsOf: line.utf8)
      ends.append(bytes.count)
    }
  }

  /// Segments of a text: lines split on `\n` only (as sacrebleu opens files, `newline="\n"`);
  /// a final line without `\n` counts, the empty piece after a final `\n` does not.
  public init(utf8 data: [UInt8], name: String) {
    self.name = name
    bytes = data
    starts = []
    ends = []
    var start = 0
    data.withUnsafeBufferPointer { b in
      for i in 0..<b.count where b[i] == 0x0A {
        starts.append(start)
        ends.append(i)
        start = i + 1
      }
    }
    if start < data.count {
      starts.append(start)
      ends.append(data.count)
    }
  }

  /// Reads a file of segments (regular files, and pipes such as `<(...)` or `/dev/stdin`).
  public init(contentsOf url: URL) throws {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      let handle = try FileHandle(forReadingFrom: url)
      defer { try? handle.close() }
      data = try handle.readToEnd() ?? Data()
    }
    self.init(utf8: [UInt8](data), name: url.path)
  }

  /// The segment as a String (invalid UTF-8 repaired), for display.
  public subscript(index: Int) -> String {
    String(decoding: bytes[starts[index]..<ends[index]], as: UTF8.self)
  }
}

/// BLEU with fixed settings: corpus and sentence scores from text, and statistics.
public struct BLEU: Sendable {
  public var settings: BLEUSettings

  public init(_ settings: BLEUSettings = BLEUSettings()) {
    self.settings = settings
  }

  /// The signature for `referenceCount` reference streams.
  public func signature(referenceCount: Int) -> String {
    settings.signature(referenceCount: referenceCount)
  }

  /// Corpus BLEU (sacrebleu `BLEU.corpus_score(hyps, refs)`); `references[k][i]` is the k-th
  /// reference of segment i.
  public func corpusScore(hypotheses: [String], references: [[String]]) throws -> BLEUScore {
    try corpusScore(
      hypotheses: BLEUSegments(hypotheses, name: "hypotheses"),
      references: references.enumerated().map { BLEUSegments($1, name: "reference \($0 + 1)") })
  }

  /// Corpus BLEU of segment streams.
  public func corpusScore(hypotheses: BLEUSegments, references: [BLEUSegments]) throws -> BLEUScore {
    try corpusStatistics(hypotheses: hypotheses, references: references)
      .score(smoothing: settings.smoothing, effectiveOrder: settings.effectiveOrder)
  }

  /// Sentence BLEU (sacrebleu `BLEU.sentence_score(hyp, refs)`), with these settings (note that
  /// `sacrebleu.sentence_bleu` turns effective order on; set `effectiveOrder` for that).
  public func sentenceScore(hypothesis: String, references: [String]) throws -> BLEUScore {
    let stats = try segmentStatistics(
      hypotheses: BLEUSegments([hypothesis]), references: references.map { BLEUSegments([$0]) })
    return stats[0].score(smoothing: settings.smoothing, effectiveOrder: settings.effectiveOrder)
  }

  /// Summed statistics of all segments, computed in parallel over chunks of segments.
  public func corpusStatistics(hypotheses: BLEUSegments, references: [BLEUSegments]) throws
    -> BLEUStatistics
  {
    let chunks = try processChunks(hypotheses: hypotheses, references: references, keepSegments: false)
    var sum = BLEUStatistics.zero(maxOrder: settings.maxOrder)
    for chunk in chunks { sum += chunk.sum }  // chunk order: deterministic (sums are integers anyway)
    return sum
  }

  /// Statistics of every segment, in order (what sentence-level scoring and significance tests use).
  public func segmentStatistics(hypotheses: BLEUSegments, references: [BLEUSegments]) throws
    -> [BLEUStatistics]
  {
    try processChunks(hypotheses: hypotheses, references: references, keepSegments: true)
      .flatMap(\.segments)
  }

  /// Sentence BLEU of every segment (these settings' smoothing and effective order), each
  /// rendered by `render` as one line; scoring and rendering run in parallel over chunks, and the
  /// lines come back in segment order, each ending in a newline.
  public func sentenceLines(
    hypotheses: BLEUSegments, references: [BLEUSegments], render: @escaping @Sendable (BLEUScore) -> String
  ) throws -> String {
    let stats = try segmentStatistics(hypotheses: hypotheses, references: references)
    let count = stats.count
    let chunkCount = count < 2048 ? 1 : max(1, ProcessInfo.processInfo.activeProcessorCount * 4)
    let settings = self.settings
    let pieces = UnsafeMutableBufferPointer<String>.allocate(capacity: chunkCount)
    pieces.initialize(repeating: "")
    defer {
      pieces.baseAddress!.deinitialize(count: chunkCount)
      pieces.deallocate()
    }
    nonisolated(unsafe) let output = pieces
    let work: @Sendable (Int) -> Void = { chunk in
      var text = ""
      for i in (count * chunk / chunkCount)..<(count * (chunk + 1) / chunkCount) {
        text += render(stats[i].score(smoothing: settings.smoothing, effectiveOrder: settings.effectiveOrder))
        text += "\n"
      }
      output[chunk] = text
    }
    if chunkCount == 1 {
      work(0)
    } else {
      DispatchQueue.concurrentPerform(iterations: chunkCount, execute: work)
    }
    return pieces.joined()
  }

  /// Tokens of one segment, interned, as `BLEUReference` and `sentenceStatistics` take them.
  /// Ids are only comparable between calls on the same `BLEUTokenIDs` value.
  public struct TokenIDs {
    var pipeline: TokenPipeline
    var interner = TokenInterner()

    public init(tokenizer: BLEUTokenizer = .thirteenA, lowercase: Bool = false) {
      pipeline = TokenPipeline(tokenizer: tokenizer, lowercase: lowercase)
    }

    public mutating func ids(_ text: String) -> [Int] {
      var out: [Int] = []
      pipeline.transform(text.unicodeScalars.map(\.value)) { buffer, start, end in
        out.append(interner.id(buffer, start, end))
      }
      return out
    }
  }

  private struct ChunkResult {
    var sum: BLEUStatistics
    var segments: [BLEUStatistics]
    var error: BLEUError?
  }

  private func processChunks(
    hypotheses: BLEUSegments, references: [BLEUSegments], keepSegments: Bool
  ) throws -> [ChunkResult] {
    guard !references.isEmpty else { throw BLEUError.noReferences }
    for stream in references where stream.count != hypotheses.count {
      throw BLEUError.lengthMismatch(
        stream: stream.name, lines: stream.count, hypothesisLines: hypotheses.count)
    }
    let count = hypotheses.count
    let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    let chunkCount = count < 2048 ? 1 : min(count / 1024, workers * 4)
    let settings = self.settings
    let results = UnsafeMutableBufferPointer<ChunkResult>.allocate(capacity: chunkCount)
    defer {
      results.baseAddress!.deinitialize(count: chunkCount)
      results.deallocate()
    }
    nonisolated(unsafe) let output = results
    let work: @Sendable (Int) -> Void = { chunk in
      let lo = count * chunk / chunkCount
      let hi = count * (chunk + 1) / chunkCount
      let result = Self.process(
        settings: settings, hypotheses: hypotheses, references: references, range: lo..<hi,
        keepSegments: keepSegments)
      (output.baseAddress! + chunk).initialize(to: result)
    }
    if chunkCount == 1 {
      work(0)
    } else {
      DispatchQueue.concurrentPerform(iterations: chunkCount, execute: work)
    }
    let chunks = Array(results)
    if let error = chunks.lazy.compactMap(\.error).first { throw error }
    return chunks
  }

  /// One worker's loop: decode, preprocess and tokenize each segment, count reference n-grams,
  /// then the hypothesis statistics. All buffers are reused across segments.
  private static func process(
    settings: BLEUSettings, hypotheses: BLEUSegments, references: [BLEUSegments], range: Range<Int>,
    keepSegments: Bool
  ) -> ChunkResult {
    var pipeline = TokenPipeline(tokenizer: settings.tokenizer, lowercase: settings.lowercase)
    var interner = TokenInterner()
    var reference = BLEUReference(maxOrder: settings.maxOrder)
    var flat: [Int] = []
    var lengths: [Int] = []
    var hypothesis: [Int] = []
    var used: [Int32] = []
    var sum = BLEUStatistics.zero(maxOrder: settings.maxOrder)
    var segments: [BLEUStatistics] = []
    if keepSegments { segments.reserveCapacity(range.count) }
    let useInterner = settings.tokenizer != .char

    func tokens(_ stream: BLEUSegments, _ i: Int, into ids: inout [Int]) -> Bool {
      stream.bytes.withUnsafeBufferPointer { b in
        pipeline.transform(utf8: UnsafeBufferPointer(rebasing: b[stream.starts[i]..<stream.ends[i]])) {
          buffer, start, end in
          ids.append(useInterner ? interner.id(buffer, start, end) : Int(buffer[start]))
        }
      }
    }

    for i in range {
      flat.removeAll(keepingCapacity: true)
      lengths.removeAll(keepingCapacity: true)
      for stream in references {
        let before = flat.count
        guard tokens(stream, i, into: &flat) else {
          return ChunkResult(
            sum: sum, segments: [], error: .invalidUTF8(stream: stream.name, line: i + 1))
        }
        lengths.append(flat.count - before)
      }
      hypothesis.removeAll(keepingCapacity: true)
      guard tokens(hypotheses, i, into: &hypothesis) else {
        return ChunkResult(
          sum: sum, segments: [], error: .invalidUTF8(stream: hypotheses.name, line: i + 1))
      }
      reference.rebuild(flat: flat, lengths: lengths)
      if used.count < reference.slotCount {
        used = Array(repeating: 0, count: reference.slotCount)
      }
      let stats = hypothesis.withUnsafeBufferPointer { h in
        used.withUnsafeMutableBufferPointer { u in
          let slots = UnsafeMutableBufferPointer(rebasing: u[0..<reference.slotCount])
          slots.update(repeating: 0)
          return reference.statistics(h, used: slots)
        }
      }
      sum += stats
      if keepSegments { segments.append(stats) }
    }
    return ChunkResult(sum: sum, segments: segments, error: nil)
  }
}
