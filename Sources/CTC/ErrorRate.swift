/// Sufficient statistics of an error rate: total edits and total reference length.
///
/// Corpus rates are aggregated as `sum(edits) / sum(reference length)` over all utterances
/// (jiwer's `wer`/`cer` on lists and NeMo's `word_error_rate`), not as a mean of per-utterance
/// rates, so long utterances weigh more and an empty reference cannot divide by zero on its own.
public struct ErrorCounts: Sendable, Equatable, Codable {
  public var edits: Int
  public var referenceLength: Int

  public init(edits: Int = 0, referenceLength: Int = 0) {
    self.edits = edits
    self.referenceLength = referenceLength
  }

  /// `edits / referenceLength`; 0 for no edits against an empty reference, infinity for some.
  public var rate: Double {
    if referenceLength == 0 { return edits == 0 ? 0 : .infinity }
    return Double(edits) / Double(referenceLength)
  }

  public static func + (a: ErrorCounts, b: ErrorCounts) -> ErrorCounts {
    ErrorCounts(edits: a.edits + b.edits, referenceLength: a.referenceLength + b.referenceLength)
  }

  public static func += (a: inout ErrorCounts, b: ErrorCounts) { a = a + b }
}

/// Character and word error rates of transcripts (edit distance over characters / words).
///
/// Text is compared as given except that runs of whitespace and leading/trailing whitespace are
/// removed first (the transforms jiwer applies by default: `Strip`, `ReduceToSingleSpaces`), so a
/// stray space from a CTC decoder at the end of an utterance is not an error.
public enum ErrorRate {
  /// Character edits (spaces included, as jiwer's `cer`) against the reference's characters.
  public static func characters(hypothesis: String, reference: String) -> ErrorCounts {
    let (h, r) = (Array(normalised(hypothesis)), Array(normalised(reference)))
    return ErrorCounts(edits: EditDistance.levenshtein(h, r), referenceLength: r.count)
  }

  /// Word edits against the reference's words (split on whitespace).
  public static func words(hypothesis: String, reference: String) -> ErrorCounts {
    let (h, r) = (words(of: hypothesis), words(of: reference))
    return ErrorCounts(edits: EditDistance.levenshtein(h, r), referenceLength: r.count)
  }

  static func words(of text: String) -> [Substring] {
    text.split(whereSeparator: { $0.isWhitespace })
  }

  static func normalised(_ text: String) -> String {
    words(of: text).joined(separator: " ")
  }
}

/// CER and WER counts over a corpus, accumulated utterance by utterance.
public struct TranscriptScore: Sendable, Equatable, Codable {
  public var characters = ErrorCounts()
  public var words = ErrorCounts()
  public var utterances = 0

  public init() {}

  public mutating func add(hypothesis: String, reference: String) {
    characters += ErrorRate.characters(hypothesis: hypothesis, reference: reference)
    words += ErrorRate.words(hypothesis: hypothesis, reference: reference)
    utterances += 1
  }

  /// Character error rate, total character edits / total reference characters.
  public var cer: Double { characters.rate }
  /// Word error rate, total word edits / total reference words.
  public var wer: Double { words.rate }
}
