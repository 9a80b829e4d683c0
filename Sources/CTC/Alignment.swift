/// Hits, substitutions, deletions and insertions of a minimum-edit alignment of a hypothesis
/// against a reference: `edits = S + D + I`, reference length `H + S + D`.
public struct AlignmentCounts: Sendable, Equatable, Codable {
  public var hits = 0
  public var substitutions = 0
  public var deletions = 0
  public var insertions = 0

  public init(hits: Int = 0, substitutions: Int = 0, deletions: Int = 0, insertions: Int = 0) {
    self.hits = hits
    self.substitutions = substitutions
    self.deletions = deletions
    self.insertions = insertions
  }

  public var edits: Int { substitutions + deletions + insertions }
  public var referenceLength: Int { hits + substitutions + deletions }
  public var hypothesisLength: Int { hits + substitutions + insertions }

  /// jiwer's error rate: `(S + D + I) / (H + S + D)`, and the insertion count itself when the
  /// reference is empty (as jiwer returns).
  public var rate: Double {
    referenceLength == 0 ? Double(insertions) : Double(edits) / Double(referenceLength)
  }

  public var errorCounts: ErrorCounts { ErrorCounts(edits: edits, referenceLength: referenceLength) }

  public static func + (a: AlignmentCounts, b: AlignmentCounts) -> AlignmentCounts {
    AlignmentCounts(
      hits: a.hits + b.hits, substitutions: a.substitutions + b.substitutions,
      deletions: a.deletions + b.deletions,
      insertions: a.insertions + b.insertions)
  }

  public static func += (a: inout AlignmentCounts, b: AlignmentCounts) { a = a + b }
}

/// The alignment jiwer 4 reports (`process_words`, `process_characters`): rapidfuzz's
/// `Levenshtein.editops(reference, hypothesis)`, which strips the common prefix and suffix and
/// backtracks the Levenshtein matrix of the rest from the end, preferring a deletion, then an
/// insertion, then the diagonal (Hyyrö 2004's bit-parallel alignment, written out here as the
/// full matrix), so that substitutions, deletions and insertions split as jiwer splits them.
public enum Alignment {
  public static func counts<Element: Equatable>(reference: [Element], hypothesis: [Element])
    -> AlignmentCounts
  {
    var prefix = 0
    while prefix < reference.count && prefix < hypothesis.count && reference[prefix] == hypothesis[prefix] {
      prefix += 1
    }
    var suffix = 0
    while suffix < reference.count - prefix && suffix < hypothesis.count - prefix
      && reference[reference.count - 1 - suffix] == hypothesis[hypothesis.count - 1 - suffix]
    {
      suffix += 1
    }
    let s1 = Array(reference[prefix..<(reference.count - suffix)])
    let s2 = Array(hypothesis[prefix..<(hypothesis.count - suffix)])
    var out = AlignmentCounts()
    let (m, n) = (s1.count, s2.count)
    // d[i * (n + 1) + j]: distance between s1[..<i] and s2[..<j].
    var d = [Int](repeating: 0, count: (m + 1) * (n + 1))
    for i in 0...m { d[i * (n + 1)] = i }
    for j in 0...n { d[j] = j }
    if m > 0 && n > 0 {
      for i in 1...m {
        for j in 1...n {
          let diagonal = d[(i - 1) * (n + 1) + j - 1] + (s1[i - 1] == s2[j - 1] ? 0 : 1)
          d[i * (n + 1) + j] = Swift.min(diagonal, d[(i - 1) * (n + 1) + j] + 1, d[i * (n + 1) + j - 1] + 1)
        }
      }
    }
    // Vertical difference D[i][j] - D[i-1][j] (rapidfuzz's VP / VN bits).
    func vertical(_ i: Int, _ j: Int) -> Int { d[i * (n + 1) + j] - d[(i - 1) * (n + 1) + j] }
    var (col, row) = (m, n)
    while row != 0 && col != 0 {
      if vertical(col, row) == 1 {
        out.deletions += 1
        col -= 1
      } else {
        row -= 1
        if row != 0 && vertical(col, row) == -1 {
          out.insertions += 1
        } else {
          col -= 1
          if s1[col] != s2[row] { out.substitutions += 1 }
        }
      }
    }
    out.deletions += col
    out.insertions += row
    out.hits = reference.count - out.substitutions - out.deletions
    return out
  }

  /// jiwer's default word transform: whitespace runs of two or more become one space (`\s\s+`),
  /// the ends are stripped, and the text is split on spaces.
  public static func jiwerWords(_ text: String) -> [Substring] {
    var collapsed = ""
    var run: [Character] = []
    func flush() {
      if run.count >= 2 { collapsed.append(" ") } else { collapsed.append(contentsOf: run) }
      run.removeAll()
    }
    for c in text {
      if c.isWhitespace {
        run.append(c)
      } else {
        flush()
        collapsed.append(c)
      }
    }
    flush()
    return collapsed.trimmingWhitespace().split(separator: " ")
  }

  /// jiwer's default character transform: the ends stripped, then each Unicode scalar.
  public static func jiwerCharacters(_ text: String) -> [Unicode.Scalar] {
    Array(text.trimmingWhitespace().unicodeScalars)
  }

  /// Word alignment counts as `jiwer.process_words(reference, hypothesis)`.
  public static func words(hypothesis: String, reference: String) -> AlignmentCounts {
    counts(reference: jiwerWords(reference), hypothesis: jiwerWords(hypothesis))
  }

  /// Character alignment counts as `jiwer.process_characters(reference, hypothesis)`.
  public static func characters(hypothesis: String, reference: String) -> AlignmentCounts {
    counts(reference: jiwerCharacters(reference), hypothesis: jiwerCharacters(hypothesis))
  }
}

extension String {
  /// Python's `str.strip()` for whitespace.
  func trimmingWhitespace() -> Substring {
    var s = Substring(self)
    while let f = s.first, f.isWhitespace { s.removeFirst() }
    while let l = s.last, l.isWhitespace { s.removeLast() }
    return s
  }
}

/// Corpus and per-utterance WER and CER with alignment counts (jiwer's conventions: corpus rates
/// are total edits over total reference length).
public struct AlignmentScore: Sendable, Equatable, Codable {
  public struct Utterance: Sendable, Equatable, Codable {
    public var words: AlignmentCounts
    public var characters: AlignmentCounts
    public var wer: Double { words.rate }
    public var cer: Double { characters.rate }
  }

  public var words = AlignmentCounts()
  public var characters = AlignmentCounts()
  public var utterances: [Utterance] = []

  public init() {}

  public mutating func add(hypothesis: String, reference: String) {
    let u = Utterance(
      words: Alignment.words(hypothesis: hypothesis, reference: reference),
      characters: Alignment.characters(hypothesis: hypothesis, reference: reference))
    words += u.words
    characters += u.characters
    utterances.append(u)
  }

  public var wer: Double { words.rate }
  public var cer: Double { characters.rate }
}
