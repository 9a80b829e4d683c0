/// A word-level vocabulary: ids for whitespace-separated tokens, with four reserved ids
/// (`<pad>` 0, `<bos>` 1, `<eos>` 2, `<unk>` 3) and the words in order of first appearance in
/// the text it was built from (deterministic, unlike a frequency sort with ties).
public struct Vocabulary: Sendable, Equatable, Codable {
  public static let pad = 0
  public static let bos = 1
  public static let eos = 2
  public static let unk = 3
  public static let reserved = ["<pad>", "<bos>", "<eos>", "<unk>"]

  /// `words[id]`.
  public private(set) var words: [String]
  private var ids: [String: Int]

  public var count: Int { words.count }

  /// The vocabulary of every token in `sentences`, after the reserved ones.
  public init(sentences: [[String]]) {
    words = Self.reserved
    ids = Dictionary(uniqueKeysWithValues: Self.reserved.enumerated().map { ($1, $0) })
    for sentence in sentences {
      for word in sentence where ids[word] == nil {
        ids[word] = words.count
        words.append(word)
      }
    }
  }

  /// A vocabulary from its word list (as saved); the first four must be the reserved tokens.
  public init(words: [String]) throws {
    guard Array(words.prefix(4)) == Self.reserved else {
      throw VocabularyError.missingReservedTokens(Array(words.prefix(4)))
    }
    self.words = words
    ids = [:]
    for (id, word) in words.enumerated() {
      guard ids[word] == nil else { throw VocabularyError.duplicateWord(word) }
      ids[word] = id
    }
  }

  public func id(_ word: String) -> Int { ids[word] ?? Self.unk }

  /// Token ids of a sentence (no `<bos>`/`<eos>`).
  public func encode(_ sentence: [String]) -> [Int] { sentence.map(id) }

  /// Words of ids, stopping at the first `<eos>` and skipping `<pad>`/`<bos>`.
  public func decode(_ tokens: [Int]) -> [String] {
    var out: [String] = []
    for token in tokens {
      if token == Self.eos { break }
      if token == Self.pad || token == Self.bos { continue }
      out.append(token >= 0 && token < words.count ? words[token] : Self.reserved[Self.unk])
    }
    return out
  }

  enum CodingKeys: String, CodingKey { case words }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(words: container.decode([String].self, forKey: .words))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(words, forKey: .words)
  }
}

public enum VocabularyError: Error, CustomStringConvertible, Equatable {
  case missingReservedTokens([String])
  case duplicateWord(String)

  public var description: String {
    switch self {
    case .missingReservedTokens(let first):
      "a vocabulary must start with \(Vocabulary.reserved), got \(first)"
    case .duplicateWord(let word):
      "the vocabulary lists the word '\(word)' twice"
    }
  }
}
