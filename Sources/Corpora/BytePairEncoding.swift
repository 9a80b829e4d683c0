/// Byte-pair encoding subwords (Sennrich, Haddow and Birch 2016, "Neural Machine Translation of
/// Rare Words with Subword Units", Algorithm 1), in subword-nmt's conventions: a word is its
/// characters with `</w>` appended to the last one; learning repeatedly merges the most frequent
/// adjacent symbol pair (counted over word frequencies) into one symbol; applying a model merges,
/// in each word, the pair learned earliest first until no learned pair is left. Segmented text
/// marks every subword that continues into the next with `@@` (`kingdom` -> `king@@ dom`).
///
/// Ties between equally frequent pairs go to the smaller (left, right) pair of strings, so a
/// model is a pure function of the word counts.
public struct BytePairEncoding: Sendable, Equatable {
  public static let endOfWord = "</w>"
  public static let joiner = "@@"

  /// The merges in the order learned: `merges[r]` has rank r.
  public let merges: [Merge]
  private let ranks: [Merge: Int]

  public struct Merge: Hashable, Sendable, CustomStringConvertible {
    public var left: String
    public var right: String

    public init(_ left: String, _ right: String) {
      self.left = left
      self.right = right
    }

    public var description: String { "\(left) \(right)" }
  }

  public init(merges: [Merge]) {
    self.merges = merges
    var ranks: [Merge: Int] = [:]
    for (rank, merge) in merges.enumerated() where ranks[merge] == nil { ranks[merge] = rank }
    self.ranks = ranks
  }

  /// subword-nmt's codes file: a version line, then one `left right` merge per line.
  public var codesText: String {
    "#version: 0.2\n" + merges.map { "\($0.left) \($0.right)\n" }.joined()
  }

  /// The symbols of a word before any merge.
  public static func characters(_ word: String) -> [String] {
    var symbols = word.map(String.init)
    if let last = symbols.indices.last { symbols[last] += endOfWord }
    return symbols
  }

  /// Learns up to `merges` merges from word frequencies; stops early when no pair occurs at least
  /// `minimumCount` times (subword-nmt's default 2).
  public static func learn(wordCounts: [String: Int], merges: Int, minimumCount: Int = 2)
    -> BytePairEncoding
  {
    var learner = BPELearner(wordCounts: wordCounts)
    var learned: [Merge] = []
    while learned.count < merges, let best = learner.popBest(), best.count >= minimumCount {
      learned.append(Merge(learner.symbols[best.left], learner.symbols[best.right]))
      learner.merge(best.left, best.right)
    }
    return BytePairEncoding(merges: learned)
  }

  /// The subwords of one word, every one but the last ending in `@@`.
  public func segment(_ word: String) -> [String] {
    var symbols = Self.characters(word)
    while symbols.count > 1 {
      var best: (rank: Int, merge: Merge)?
      for i in 0..<(symbols.count - 1) {
        let pair = Merge(symbols[i], symbols[i + 1])
        if let rank = ranks[pair], rank < best?.rank ?? Int.max { best = (rank, pair) }
      }
      guard let best else { break }
      var merged: [String] = []
      var i = 0
      while i < symbols.count {
        if i + 1 < symbols.count && symbols[i] == best.merge.left && symbols[i + 1] == best.merge.right {
          merged.append(symbols[i] + symbols[i + 1])
          i += 2
        } else {
          merged.append(symbols[i])
          i += 1
        }
      }
      symbols = merged
    }
    guard let last = symbols.indices.last else { return [] }
    symbols[last] = String(symbols[last].dropLast(Self.endOfWord.count))
    for i in 0..<last { symbols[i] += Self.joiner }
    return symbols
  }

  /// Segments every word of every sentence (each distinct word once).
  public func apply(_ sentences: [[String]]) -> [[String]] {
    var cache: [String: [String]] = [:]
    return sentences.map { sentence in
      sentence.flatMap { word in
        if let done = cache[word] { return done }
        let pieces = segment(word)
        cache[word] = pieces
        return pieces
      }
    }
  }

  /// Words from subwords: the inverse of `apply` (a trailing `@@` at the end is dropped).
  public static func join(_ subwords: [String], joiner: String = joiner) -> [String] {
    var words: [String] = []
    var current = ""
    for piece in subwords {
      if piece.hasSuffix(joiner) {
        current += piece.dropLast(joiner.count)
      } else {
        words.append(current + piece)
        current = ""
      }
    }
    if !current.isEmpty { words.append(current) }
    return words
  }
}

/// The state of Algorithm 1 with incremental pair counts: each merge updates only the words that
/// contain the pair, and a max-heap with lazy deletion finds the next most frequent pair.
struct BPELearner {
  struct Entry {
    var count: Int
    var left: Int
    var right: Int
  }

  var symbols: [String] = []
  var symbolIDs: [String: Int] = [:]
  var words: [[Int]] = []
  var counts: [Int] = []
  var pairCounts: [Pair: Int] = [:]
  var pairWords: [Pair: Set<Int>] = [:]
  var heap: [Entry] = []

  struct Pair: Hashable {
    var left: Int
    var right: Int
  }

  init(wordCounts: [String: Int]) {
    for word in wordCounts.keys.sorted() {
      guard let count = wordCounts[word], count > 0, !word.isEmpty else { continue }
      var symbolsOfWord: [Int] = []
      for symbol in BytePairEncoding.characters(word) { symbolsOfWord.append(id(symbol)) }
      words.append(symbolsOfWord)
      counts.append(count)
    }
    for w in words.indices { add(w) }
    for (pair, count) in pairCounts { push(Entry(count: count, left: pair.left, right: pair.right)) }
  }

  mutating func id(_ symbol: String) -> Int {
    if let known = symbolIDs[symbol] { return known }
    symbolIDs[symbol] = symbols.count
    symbols.append(symbol)
    return symbols.count - 1
  }

  /// Adds (sign 1) or removes (sign -1) word w's pairs from the counts.
  mutating func add(_ w: Int, sign: Int = 1) {
    let word = words[w]
    guard word.count > 1 else { return }
    for i in 0..<(word.count - 1) {
      let pair = Pair(left: word[i], right: word[i + 1])
      pairCounts[pair, default: 0] += sign * counts[w]
      if sign > 0 { pairWords[pair, default: []].insert(w) }
    }
  }

  mutating func merge(_ left: Int, _ right: Int) {
    let pair = Pair(left: left, right: right)
    let merged = id(symbols[left] + symbols[right])
    var touched = Set<Pair>()
    for w in (pairWords[pair] ?? []).sorted() {
      let old = words[w]
      add(w, sign: -1)
      var new: [Int] = []
      var i = 0
      while i < old.count {
        if i + 1 < old.count && old[i] == left && old[i + 1] == right {
          new.append(merged)
          i += 2
        } else {
          new.append(old[i])
          i += 1
        }
      }
      for j in 0..<max(old.count - 1, 0) { touched.insert(Pair(left: old[j], right: old[j + 1])) }
      words[w] = new
      add(w)
      for j in 0..<max(new.count - 1, 0) { touched.insert(Pair(left: new[j], right: new[j + 1])) }
    }
    pairWords[pair] = nil
    pairCounts[pair] = nil
    for changed in touched {
      if let count = pairCounts[changed], count > 0 {
        push(Entry(count: count, left: changed.left, right: changed.right))
      }
    }
  }

  /// The most frequent pair still current (stale heap entries are skipped).
  mutating func popBest() -> Entry? {
    while let top = heap.first {
      let last = heap.removeLast()
      if !heap.isEmpty {
        heap[0] = last
        siftDown(0)
      }
      if pairCounts[Pair(left: top.left, right: top.right)] == top.count { return top }
    }
    return nil
  }

  /// Heap order: higher count first, then the smaller (left, right) strings.
  func before(_ a: Entry, _ b: Entry) -> Bool {
    if a.count != b.count { return a.count > b.count }
    if a.left != b.left { return symbols[a.left] < symbols[b.left] }
    return symbols[a.right] < symbols[b.right]
  }

  mutating func push(_ entry: Entry) {
    heap.append(entry)
    var i = heap.count - 1
    while i > 0 {
      let parent = (i - 1) / 2
      guard before(heap[i], heap[parent]) else { break }
      heap.swapAt(i, parent)
      i = parent
    }
  }

  mutating func siftDown(_ start: Int) {
    var i = start
    while true {
      let l = 2 * i + 1
      let r = l + 1
      var best = i
      if l < heap.count && before(heap[l], heap[best]) { best = l }
      if r < heap.count && before(heap[r], heap[best]) { best = r }
      if best == i { return }
      heap.swapAt(i, best)
      i = best
    }
  }
}
