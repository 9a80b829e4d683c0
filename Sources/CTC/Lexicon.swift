import Foundation

/// The output tokens of an acoustic model, one line per index (flashlight's `Dictionary`):
/// empty lines are skipped, and several whitespace-separated tokens on one line share its index.
public struct TokenDictionary: Sendable, Equatable {
  /// The first token of each index.
  public var tokens: [String]
  var indices: [String: Int]

  init() {
    self.tokens = []
    self.indices = [:]
  }

  /// One token per index; a repeated token throws.
  public init(_ tokens: [String]) throws(TextFileError) {
    self.init()
    for (i, t) in tokens.enumerated() {
      guard indices[t] == nil else {
        throw TextFileError(file: "<tokens>", line: i + 1, column: 1, message: "repeated token '\(t)'")
      }
      indices[t] = self.tokens.count
      self.tokens.append(t)
    }
  }

  public var count: Int { tokens.count }
  public func index(_ token: String) -> Int? { indices[token] }

  public static func load(path: String) throws -> TokenDictionary {
    try parse(try readText(path), file: path)
  }

  public static func parse(_ text: String, file: String = "<tokens>") throws(TextFileError) -> TokenDictionary
  {
    var d = TokenDictionary()
    try TextFields.forEachLine(text) { (line, fields) throws(TextFileError) in
      guard !fields.isEmpty else { return }
      for f in fields {
        let t = String(f.text)
        guard d.indices[t] == nil else {
          throw TextFileError(file: file, line: line, column: f.column, message: "repeated token '\(t)'")
        }
        d.indices[t] = d.tokens.count
      }
      d.tokens.append(String(fields[0].text))
    }
    guard !d.tokens.isEmpty else {
      throw TextFileError(file: file, line: 1, column: 1, message: "no tokens")
    }
    return d
  }
}

/// Words and their token spellings (flashlight's `loadWords`): `word spelling...` per line, a
/// word repeated on several lines having several spellings. Words keep their first-appearance
/// order, and `<unk>` is added without a spelling (as flashlight does).
public struct Lexicon: Sendable {
  public var words: [String]
  /// `spellings[i]`: the token-index spellings of `words[i]`.
  public var spellings: [[[Int]]]
  var indices: [String: Int]

  public func index(_ word: String) -> Int? { indices[word] }
  public var unknownIndex: Int { indices["<unk>"] ?? 0 }

  public static func load(path: String, tokens: TokenDictionary) throws -> Lexicon {
    try parse(try readText(path), tokens: tokens, file: path)
  }

  public static func parse(_ text: String, tokens: TokenDictionary, file: String = "<lexicon>")
    throws(TextFileError)
    -> Lexicon
  {
    var lexicon = Lexicon(words: [], spellings: [], indices: [:])
    try TextFields.forEachLine(text) { (line, fields) throws(TextFileError) in
      guard !fields.isEmpty else { return }
      guard fields.count >= 2 else {
        throw TextFileError(
          file: file, line: line, column: fields[0].column, message: "expected a word and its spelling")
      }
      var spelling: [Int] = []
      for f in fields.dropFirst() {
        guard let t = tokens.index(String(f.text)) else {
          throw TextFileError(file: file, line: line, column: f.column, message: "unknown token '\(f.text)'")
        }
        spelling.append(t)
      }
      let word = String(fields[0].text)
      if let i = lexicon.indices[word] {
        lexicon.spellings[i].append(spelling)
      } else {
        lexicon.indices[word] = lexicon.words.count
        lexicon.words.append(word)
        lexicon.spellings.append([spelling])
      }
    }
    if lexicon.indices["<unk>"] == nil {
      lexicon.indices["<unk>"] = lexicon.words.count
      lexicon.words.append("<unk>")
      lexicon.spellings.append([])
    } else if let i = lexicon.indices["<unk>"] {
      lexicon.spellings[i] = []  // flashlight resets <unk>'s spellings
    }
    return lexicon
  }
}

func readText(_ path: String) throws -> String {
  guard let data = FileManager.default.contents(atPath: path) else {
    throw TextFileError(file: path, line: 0, column: 0, message: "cannot read the file")
  }
  guard let text = String(data: data, encoding: .utf8) else {
    throw TextFileError(file: path, line: 0, column: 0, message: "not UTF-8 text")
  }
  return text
}

/// The lexicon as a prefix trie over token spellings (flashlight's `Trie`): each node holds the
/// words spelled by the path to it with their scores, and after smearing its `maxScore` bounds
/// the score of every word below it (`SmearingMode.MAX`), the look-ahead the decoder adds
/// when it enters the node.
public struct LexiconTrie: Sendable {
  public struct Node: Sendable {
    /// (token, child node) in insertion order.
    public var children: [(token: Int32, node: Int32)] = []
    public var labels: [Int32] = []
    public var scores: [Float] = []
    public var maxScore: Float = 0
  }

  public var nodes: [Node] = [Node()]
  public let root: Int32 = 0
  public let tokenCount: Int

  public init(tokenCount: Int) { self.tokenCount = tokenCount }

  @inline(__always)
  public func child(_ node: Int32, _ token: Int32) -> Int32? {
    for c in nodes[Int(node)].children where c.token == token { return c.node }
    return nil
  }

  public mutating func insert(_ spelling: [Int], label: Int32, score: Float) {
    var node: Int32 = 0
    for t in spelling {
      if let c = child(node, Int32(t)) {
        node = c
      } else {
        let c = Int32(nodes.count)
        nodes.append(Node())
        nodes[Int(node)].children.append((Int32(t), c))
        node = c
      }
    }
    nodes[Int(node)].labels.append(label)
    nodes[Int(node)].scores.append(score)
  }

  /// `SmearingMode.MAX`: a node's words' scores log-added (flashlight's `TrieLogAdd`), then the
  /// maximum with its children's smeared scores.
  public mutating func smearMax() {
    // Children are always created after their parent, so a reverse sweep visits them first.
    for i in stride(from: nodes.count - 1, through: 0, by: -1) {
      var m = -Float.infinity
      for s in nodes[i].scores { m = Float(Self.logAdd(Double(m), Double(s))) }
      for c in nodes[i].children where nodes[Int(c.node)].maxScore > m { m = nodes[Int(c.node)].maxScore }
      nodes[i].maxScore = m
    }
  }

  static func logAdd(_ a: Double, _ b: Double) -> Double {
    let (hi, lo) = a < b ? (b, a) : (a, b)
    let d = lo - hi
    if d < -39.14 || d.isNaN { return hi }
    return hi + Foundation.log1p(Foundation.exp(d))
  }

  /// The trie torchaudio's `ctc_decoder` builds: every spelling of every word inserted with the
  /// word's score after `<s>` (`lmScore(word)`), then smeared with `SmearingMode.MAX`.
  public static func build(lexicon: Lexicon, tokenCount: Int, lmScore: (Int) -> Float) -> LexiconTrie {
    var trie = LexiconTrie(tokenCount: tokenCount)
    for (i, spellings) in lexicon.spellings.enumerated() {
      let score = lmScore(i)
      for s in spellings { trie.insert(s, label: Int32(i), score: score) }
    }
    trie.smearMax()
    return trie
  }
}
