import Foundation

/// Options of the lexicon and lexicon-free beam decoders, named as torchaudio's `ctc_decoder`
/// and flashlight's `LexiconDecoderOptions` (defaults are torchaudio's).
public struct BeamDecoderOptions: Sendable, Equatable {
  /// Hypotheses kept after each frame.
  public var beamSize = 50
  /// Tokens tried per frame, the most probable first (nil: all).
  public var beamSizeToken: Int? = nil
  /// Candidates scoring more than this below the frame's best are dropped.
  public var beamThreshold = 50.0
  /// Weight of the language model's log10 score.
  public var lmWeight = 2.0
  /// Added per word emitted from the lexicon.
  public var wordScore = 0.0
  /// Added per unknown word; `-inf` allows none.
  public var unkScore = -Double.infinity
  /// Added per frame that emits the silence token.
  public var silScore = 0.0
  /// Merge identical hypotheses by log-adding their scores instead of keeping the best.
  public var logAdd = false

  public init() {}
}

/// One final hypothesis (flashlight's `DecodeResult`): `tokens` and `words` per frame, with a
/// silence token before the first and after the last frame (`T + 2` entries), `words[i]` the
/// word completed at that step or -1.
public struct BeamDecodeResult: Sendable, Equatable {
  public var score: Double
  public var emittingModelScore: Double
  public var lmScore: Double
  public var tokens: [Int]
  public var words: [Int]

  /// The word indices in order.
  public var wordSequence: [Int] { words.filter { $0 >= 0 } }

  /// torchaudio's `CTCHypothesis.tokens`: repeats merged, blanks dropped.
  public func collapsedTokens(blank: Int) -> [Int] {
    var out: [Int] = []
    var previous: Int?
    for t in tokens {
      if t != previous && t != blank { out.append(t) }
      previous = t
    }
    return out
  }

  /// torchaudio's `CTCHypothesis.timesteps`: the step of each token in `collapsedTokens`.
  public func timesteps(blank: Int) -> [Int] {
    var out: [Int] = []
    for (i, t) in tokens.enumerated() where t != blank && (i == 0 || t != tokens[i - 1]) { out.append(i) }
    return out
  }
}

/// The language model seen by a decoder, over user indices (words of the lexicon, or tokens).
public enum DecoderLanguageModel: Sendable {
  /// No language model (flashlight's `ZeroLM`): every score 0.
  case none
  /// An n-gram model; `indices[u]` is the model's word for user index `u`.
  case ngram(ARPALanguageModel, indices: [Int32])

  /// An n-gram model over `names` (each mapped to the model's word of the same spelling, or
  /// `<unk>`).
  public static func ngram(_ model: ARPALanguageModel, names: [String]) -> DecoderLanguageModel {
    .ngram(model, indices: names.map { model.index($0) })
  }
}

/// Language-model states of one decoding, as flashlight keeps them: a tree of histories, one
/// node per sequence of user indices scored from the start (and one more after `</s>`), so
/// two hypotheses share a state only when they emitted the same words.
final class LanguageModelHistory {
  let model: DecoderLanguageModel
  var ngramStates: [ARPALanguageModel.State] = []
  var scores: [Float] = []
  var children = IntegerHashTable(capacity: 1024)

  init(_ model: DecoderLanguageModel) {
    self.model = model
    switch model {
    case .none: ngramStates = [ARPALanguageModel.State(entries: [])]
    case .ngram(let lm, _): ngramStates = [lm.beginSentence]
    }
    scores = [0]
  }

  /// The start state (`<s>`).
  var start: Int32 { 0 }

  /// The state after user index `index` and its log10 score.
  func score(_ node: Int32, _ index: Int) -> (node: Int32, score: Float) {
    let key = UInt64(UInt32(bitPattern: node)) << 32 | UInt64(UInt32(truncatingIfNeeded: index + 1))
    if let c = children[key] { return (c, scores[Int(c)]) }
    let state: ARPALanguageModel.State
    let s: Float
    switch model {
    case .none:
      state = ngramStates[Int(node)]
      s = 0
    case .ngram(let lm, let indices):
      let w =
        index >= 0 && index < indices.count ? indices[index] : (index < 0 ? lm.endIndex : lm.unknownIndex)
      let scored = lm.score(ngramStates[Int(node)], w)
      state = scored.state
      s = scored.log10
    }
    let c = Int32(ngramStates.count)
    ngramStates.append(state)
    scores.append(s)
    children.set(key, c)
    return (c, s)
  }

  /// The state after `</s>` and its score (`ZeroLM` keeps the state).
  func finish(_ node: Int32) -> (node: Int32, score: Float) {
    if case .none = model { return (node, 0) }
    return score(node, -1)
  }
}

/// A hypothesis of the beam (flashlight's `LexiconDecoderState`; the lexicon-free decoder
/// leaves `lex` at 0).
struct BeamHypothesis {
  var score: Double
  var lm: Int32
  var lex: Int32
  var parent: Int32
  var token: Int32
  var word: Int32
  var prevBlank: Bool
  var emittingModelScore: Double
  var lmScore: Double
}

/// flashlight's `candidatesAdd`/`candidatesStore` for one frame.
struct BeamCandidates {
  var candidates: [BeamHypothesis] = []
  var best = -Double.infinity
  /// Scratch of `store`, kept between frames so a frame allocates only its result.
  var keys: [MergeKey] = []
  var merged: [BeamHypothesis] = []
  var ranked: [RankKey] = []

  mutating func reset() {
    candidates.removeAll(keepingCapacity: true)
    best = -.infinity
  }

  /// Keeps a candidate within `threshold` of the best score seen so far.
  @inline(__always)
  mutating func add(_ h: BeamHypothesis, threshold: Double) {
    if h.score >= best { best = h.score }
    if h.score >= best - threshold { candidates.append(h) }
  }

  /// Candidates within `threshold` of the best, identical states merged (the best score, or
  /// log-added ones), the `beamSize` best by descending score (ties: state order).
  mutating func store(beamSize: Int, threshold: Double, logAdd: Bool) -> [BeamHypothesis] {
    let floor = best - threshold
    keys.removeAll(keepingCapacity: true)
    for (i, c) in candidates.enumerated() where c.score >= floor {
      keys.append(MergeKey(c, index: Int32(i)))
    }
    if keys.isEmpty { return [] }
    keys.sort { a, b in
      if a.state != b.state { return a.state < b.state }
      if a.flags != b.flags { return a.flags < b.flags }
      if a.score != b.score { return a.score > b.score }
      return a.index < b.index
    }
    merged.removeAll(keepingCapacity: true)
    var previous = keys[0]
    for (n, k) in keys.enumerated() {
      let c = candidates[Int(k.index)]
      if n > 0 && k.state == previous.state && k.flags == previous.flags {
        let last = merged[merged.count - 1].score
        let hi = Swift.max(last, c.score)
        if logAdd {
          let lo = Swift.min(last, c.score)
          merged[merged.count - 1].score = hi + Foundation.log1p(Foundation.exp(lo - hi))
        } else {
          merged[merged.count - 1].score = hi
        }
      } else {
        merged.append(c)
      }
      previous = k
    }
    ranked.removeAll(keepingCapacity: true)
    for i in merged.indices { ranked.append(RankKey(score: merged[i].score, index: i)) }
    if ranked.count > beamSize { RankKey.select(&ranked, best: beamSize) }
    ranked.sort { $0.better($1) }
    return ranked.map { merged[$0.index] }
  }

  /// A merged candidate's rank: higher score first, then earlier position (a strict order).
  struct RankKey {
    var score: Double
    var index: Int

    @inline(__always)
    func better(_ o: RankKey) -> Bool { score != o.score ? score > o.score : index < o.index }

    /// Hoare's quickselect: leaves the `best` best keys (in some order) in `keys[..<best]` and
    /// drops the rest.
    static func select(_ keys: inout [RankKey], best: Int) {
      let target = best - 1
      var (lo, hi) = (0, keys.count - 1)
      while lo < hi {
        let pivot = keys[(lo + hi) / 2]
        var (i, j) = (lo, hi)
        while i <= j {
          while keys[i].better(pivot) { i += 1 }
          while pivot.better(keys[j]) { j -= 1 }
          if i <= j {
            keys.swapAt(i, j)
            i += 1
            j -= 1
          }
        }
        if target <= j {
          hi = j
        } else if target >= i {
          lo = i
        } else {
          break
        }
      }
      keys.removeSubrange(best...)
    }
  }

  /// A candidate's merge identity in flashlight's `compareNoScoreStates` order (LM state, trie
  /// node, then token and blank flag), with its score and position.
  struct MergeKey {
    var state: UInt64
    var flags: UInt64
    var score: Double
    var index: Int32

    init(_ c: BeamHypothesis, index: Int32) {
      state = UInt64(UInt32(bitPattern: c.lm)) << 32 | UInt64(UInt32(bitPattern: c.lex))
      flags = UInt64(UInt32(bitPattern: c.token)) << 1 | (c.prevBlank ? 1 : 0)
      score = c.score
      self.index = index
    }
  }
}

/// The frames' hypotheses, read back into results (flashlight's `getAllHypothesis`).
func finalResults(_ frames: [[BeamHypothesis]]) -> [BeamDecodeResult] {
  guard let last = frames.last, frames.count >= 2 else { return [] }
  let finalFrame = frames.count - 1
  return last.indices.map { r in
    var tokens = [Int](repeating: -1, count: finalFrame + 1)
    var words = [Int](repeating: -1, count: finalFrame + 1)
    var t = finalFrame
    var index = Int32(r)
    while t >= 0 && index >= 0 {
      let h = frames[t][Int(index)]
      tokens[t] = Int(h.token)
      words[t] = Int(h.word)
      index = h.parent
      t -= 1
    }
    let h = last[r]
    return BeamDecodeResult(
      score: h.score, emittingModelScore: h.emittingModelScore, lmScore: h.lmScore, tokens: tokens,
      words: words)
  }
}

/// The tokens tried at one frame: all in index order (`all`, shared) when `limit >= count`, else
/// the `limit` most probable (ties to the lower index).
func frameTokens(_ row: ArraySlice<Float>, limit: Int?, all: [Int]) -> [Int] {
  let n = row.count
  guard let limit, limit < n else { return all.count == n ? all : Array(0..<n) }
  let base = row.startIndex
  let sorted = (0..<n).sorted { a, b in
    row[base + a] != row[base + b] ? row[base + a] > row[base + b] : a < b
  }
  return Array(sorted.prefix(limit))
}
