import Foundation

/// A backoff n-gram language model read from an ARPA file (any order), scored as KenLM scores
/// it: `log10` probabilities in `Float`, `p(w | h) = bo(h) + p(w | h')` when the n-gram `h w` is
/// not listed (Katz 1987), backoffs added from the shortest unmatched context up, `<s>` starting
/// a sentence, `</s>` ending it, words outside the vocabulary scored as `<unk>` (added with
/// `log10 p = -100`, KenLM's default, when the file has none).
///
/// Storage is a hashed trie: the n-grams of each order are numbered, and an n-gram of order
/// n+1 is found from the number of its first n words and its last word. A scoring state is the
/// numbers of the longest suffixes of the history that are n-grams (at most `order - 1` words),
/// so a query costs one hash lookup per order. An n-gram whose prefix is not listed gets a
/// "blank" prefix entry (no probability, backoff 0), as KenLM inserts.
public final class ARPALanguageModel: Sendable {
  /// The highest n-gram order.
  public let order: Int
  /// Words by index (the unigrams in file order, then `<unk>` when it was missing).
  public let vocabulary: [String]
  let wordIndices: [String: Int32]
  /// `probabilities[n - 1][entry]`: log10 probability of an n-gram (NaN for a blank entry).
  let probabilities: [[Float]]
  /// `backoffs[n - 1][entry]`: log10 backoff weight of an n-gram as a context (0 if none).
  let backoffs: [[Float]]
  /// `extensions[n - 1][key(entry of order n, word)]`: the entry of order n + 1 (for n < order).
  let extensions: [IntegerHashTable]
  /// Counts per order as listed in the `\data\` header.
  public let counts: [Int]
  public let unknownIndex: Int32
  public let beginIndex: Int32
  public let endIndex: Int32

  /// A scoring context: `entries[L - 1]` is the entry (of order L) of the last L words.
  public struct State: Hashable, Sendable {
    public var entries: [Int32]
  }

  init(
    order: Int, vocabulary: [String], probabilities: [[Float]], backoffs: [[Float]],
    extensions: [IntegerHashTable], counts: [Int]
  ) {
    self.order = order
    self.vocabulary = vocabulary
    var indices: [String: Int32] = [:]
    for (i, w) in vocabulary.enumerated() { indices[w] = Int32(i) }
    self.wordIndices = indices
    self.probabilities = probabilities
    self.backoffs = backoffs
    self.extensions = extensions
    self.counts = counts
    self.unknownIndex = indices["<unk>"] ?? 0
    self.beginIndex = indices["<s>"] ?? -1
    self.endIndex = indices["</s>"] ?? -1
  }

  @inline(__always)
  static func key(_ entry: Int32, _ word: Int32) -> UInt64 {
    UInt64(UInt32(bitPattern: entry)) << 32 | UInt64(UInt32(bitPattern: word))
  }

  /// The index of `word`, `<unk>`'s for a word outside the vocabulary.
  public func index(_ word: String) -> Int32 { wordIndices[word] ?? unknownIndex }

  /// Whether `word` is in the vocabulary.
  public func contains(_ word: String) -> Bool { wordIndices[word] != nil }

  /// The state after `<s>` (KenLM's `BeginSentenceWrite`), empty if the model has no `<s>`.
  public var beginSentence: State {
    beginIndex >= 0 && order > 1 ? State(entries: [beginIndex]) : State(entries: [])
  }

  /// The empty context (KenLM's `NullContextWrite`).
  public var nullContext: State { State(entries: []) }

  /// `log10 p(word | state)` and the state after it (KenLM's `BaseScore`).
  public func score(_ state: State, _ word: Int32) -> (state: State, log10: Float) {
    let w = (word >= 0 && Int(word) < vocabulary.count) ? word : unknownIndex
    var probability = probabilities[0][Int(w)]
    var matched = 1
    var next: [Int32] = []
    next.reserveCapacity(order - 1)
    if order > 1 { next.append(w) }
    var length = 0
    while length < state.entries.count && length + 1 < order {
      guard let entry = extensions[length][Self.key(state.entries[length], w)] else { break }
      length += 1
      if next.count < order - 1 { next.append(entry) }
      let p = probabilities[length][Int(entry)]
      if !p.isNaN {
        probability = p
        matched = length + 1
      }
    }
    var total = probability
    if matched <= state.entries.count {
      for l in matched...state.entries.count {
        total += backoffs[l - 1][Int(state.entries[l - 1])]
      }
    }
    return (State(entries: next), total)
  }

  /// `log10 p(</s> | state)` (KenLM's score of `EndSentence`).
  public func finish(_ state: State) -> Float {
    endIndex >= 0 ? score(state, endIndex).log10 : 0
  }

  /// The log10 probability of a sentence of words (split on whitespace) with `<s>` before and
  /// `</s>` after when asked (the `kenlm` Python module's `Model.score`).
  public func sentenceScore(_ sentence: String, bos: Bool = true, eos: Bool = true) -> Double {
    var state = bos ? beginSentence : nullContext
    var total = 0.0
    for word in sentence.split(whereSeparator: { $0.isWhitespace }) {
      let (s, p) = score(state, index(String(word)))
      total += Double(p)
      state = s
    }
    if eos { total += Double(finish(state)) }
    return total
  }

  /// Reads an ARPA file; a malformed one throws a `TextFileError` naming `file:line:column`.
  public static func load(path: String) throws -> ARPALanguageModel {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw TextFileError(file: path, line: 0, column: 0, message: "cannot read the file")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw TextFileError(file: path, line: 0, column: 0, message: "not UTF-8 text")
    }
    return try parse(text, file: path)
  }

  /// Parses ARPA text (`file` names it in errors).
  public static func parse(_ text: String, file: String = "<arpa>") throws(TextFileError)
    -> ARPALanguageModel
  {
    var reader = ARPAReader(file: file)
    try TextFields.forEachLine(text) { (line, fields) throws(TextFileError) in
      try reader.read(line: line, fields: fields)
    }
    return try reader.finish()
  }
}
