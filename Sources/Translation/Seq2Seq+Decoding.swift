import Core
import Foundation
import NeuralNets
import Tensors

/// Decoding without a tape: greedy search, beam search and ancestral sampling, batched over
/// sources (and over beams or samples: a source decoded k ways is k rows of one matrix, so every
/// step is a handful of sgemms).
extension Seq2Seq {
  /// Encoder results as plain tensors, one row per decoding hypothesis.
  public struct EncodedTensors: Sendable {
    /// `[S, R, H]` encoder states and their attention projections.
    public var values: Tensor
    public var keys: Tensor
    public var lengths: [Int]
    /// Rows: `values.shape[1]`.
    public var rows: Int { lengths.count }

    /// Each row repeated `k` times in place (row r becomes rows r*k ..< r*k+k).
    public func repeated(times k: Int) -> EncodedTensors {
      EncodedTensors(
        values: .repeatInterleaved(values, times: k, axis: 1),
        keys: .repeatInterleaved(keys, times: k, axis: 1),
        lengths: lengths.flatMap { Array(repeating: $0, count: k) })
    }
  }

  /// The recurrent decoder state `s_t` and the fed-back attentional vector `h̃_t`, `[R, H]` each.
  public struct DecoderState: Sendable {
    public var state: Tensor
    public var feed: Tensor

    /// Rows `indices` (reordering beams).
    public func rows(_ indices: [Int]) -> DecoderState {
      DecoderState(
        state: .embedding(state, indices: indices), feed: .embedding(feed, indices: indices))
    }

    public func repeated(times k: Int) -> DecoderState {
      DecoderState(
        state: .repeatInterleaved(state, times: k, axis: 0),
        feed: .repeatInterleaved(feed, times: k, axis: 0))
    }
  }

  /// Encodes `sources` (token ids, each non-empty) for decoding.
  public func encode(_ sources: [[Int]]) -> (EncodedTensors, DecoderState) {
    precondition(!sources.isEmpty && sources.allSatisfy { !$0.isEmpty }, "encode: empty source")
    let b = sources.count
    let s = sources.map(\.count).max()!
    let (ids, lengths) = Seq2SeqBatch.pad(sources)
    let embedded = sourceEmbedding(ids).reshaped([s, b, configuration.embeddingSize])
    let run = encoder(embedded, lengths: lengths)
    let finals = Tensor.concat([run.finalState.index(0), run.finalState.index(1)], axis: 1)
    let initial = bridge(finals).tanh()
    let encoded = EncodedTensors(
      values: run.output, keys: attentionKey(run.output), lengths: lengths)
    let state = DecoderState(
      state: initial, feed: Tensor(zeros: [b, configuration.hiddenSize]))
    return (encoded, state)
  }

  /// One decoder step for every row: next-token log-probabilities `[R, V]` and the new state.
  public func step(
    previous: [Int], state: DecoderState, encoded: EncodedTensors
  ) -> (logProbabilities: Tensor, state: DecoderState) {
    let x = Tensor.concat([targetEmbedding(previous), state.feed], axis: 1)
    let s = decoderCell(x, state.state)
    let context = LuongAttention.forward(
      query: s, keys: encoded.keys, values: encoded.values, lengths: encoded.lengths
    ).context
    let feed = combine(Tensor.concat([context, s], axis: 1)).tanh()
    return ((output(feed) + outputMask).logSoftmax(), DecoderState(state: s, feed: feed))
  }

  /// A decoding length limit: twice the longest source plus 10 tokens.
  public static func defaultMaxLength(_ sources: [[Int]]) -> Int {
    2 * (sources.map(\.count).max() ?? 0) + 10
  }

  /// Greedy decoding: the most probable token at each step, until `<eos>` or `maxLength` tokens.
  /// Returns token ids without `<eos>`.
  public func greedy(_ sources: [[Int]], maxLength: Int? = nil) -> [[Int]] {
    let limit = maxLength ?? Self.defaultMaxLength(sources)
    var (encoded, state) = encode(sources)
    let b = sources.count
    let v = configuration.targetVocabularySize
    var previous = [Int](repeating: Vocabulary.bos, count: b)
    var outputs = [[Int]](repeating: [], count: b)
    var done = [Bool](repeating: false, count: b)
    for _ in 0..<limit where done.contains(false) {
      let result = step(previous: previous, state: state, encoded: encoded)
      state = result.state
      result.logProbabilities.data.withUnsafeBufferPointer { lp in
        for row in 0..<b where !done[row] {
          // `<pad>` and `<bos>` are never predicted (beam search and sampling skip them too).
          var best = Vocabulary.eos
          for token in (Vocabulary.eos + 1)..<v where lp[row * v + token] > lp[row * v + best] {
            best = token
          }
          if best == Vocabulary.eos {
            done[row] = true
          } else {
            outputs[row].append(best)
          }
          previous[row] = best
        }
      }
    }
    return outputs
  }

  /// Ancestral sampling: `k` independent samples per source from `p(y | x)` (temperature 1),
  /// rows `b*k ..< b*k+k` for source b. Returns token ids without `<eos>`; a sample that reaches
  /// `maxLength` is cut there.
  public func sample(
    _ sources: [[Int]], count k: Int, maxLength: Int? = nil, using rng: inout RandomGenerator
  ) -> [[Int]] {
    precondition(k >= 1, "sample count must be at least 1, got \(k)")
    let limit = maxLength ?? Self.defaultMaxLength(sources)
    let (encodedOnce, stateOnce) = encode(sources)
    let encoded = encodedOnce.repeated(times: k)
    var state = stateOnce.repeated(times: k)
    let rows = sources.count * k
    let v = configuration.targetVocabularySize
    var previous = [Int](repeating: Vocabulary.bos, count: rows)
    var outputs = [[Int]](repeating: [], count: rows)
    var done = [Bool](repeating: false, count: rows)
    var probabilities = [Double](repeating: 0, count: v)
    for _ in 0..<limit where done.contains(false) {
      let result = step(previous: previous, state: state, encoded: encoded)
      state = result.state
      result.logProbabilities.data.withUnsafeBufferPointer { lp in
        for row in 0..<rows where !done[row] {
          for token in 0..<v { probabilities[token] = Foundation.exp(Double(lp[row * v + token])) }
          probabilities[Vocabulary.pad] = 0
          probabilities[Vocabulary.bos] = 0
          let token = rng.categorical(probabilities)
          if token == Vocabulary.eos {
            done[row] = true
          } else {
            outputs[row].append(token)
          }
          previous[row] = token
        }
      }
    }
    return outputs
  }

  /// Beam search with `width` hypotheses per source. A hypothesis ends at `<eos>`; search stops
  /// when `width` hypotheses ended (or at `maxLength`), and the best ended one by
  /// `log p / length^lengthPenalty` wins (length counts `<eos>`; 0 = raw log-probability).
  /// With width 1 this is exactly `greedy`.
  public func beamSearch(
    _ sources: [[Int]], width: Int, maxLength: Int? = nil, lengthPenalty: Double = 1
  ) -> [[Int]] {
    nBest(sources, width: width, maxLength: maxLength, lengthPenalty: lengthPenalty).map { $0[0] }
  }

  /// Beam search's n-best lists: for each source, the ended hypotheses (or, when none ended, the
  /// live ones) best first by `log p / length^lengthPenalty` (ties keep the order they ended in),
  /// at most `width` of them and at least one.
  public func nBest(
    _ sources: [[Int]], width: Int, maxLength: Int? = nil, lengthPenalty: Double = 1
  ) -> [[[Int]]] {
    precondition(width >= 1, "beam width must be at least 1, got \(width)")
    let limit = maxLength ?? Self.defaultMaxLength(sources)
    let (encodedOnce, stateOnce) = encode(sources)
    let encoded = encodedOnce.repeated(times: width)
    var state = stateOnce.repeated(times: width)
    let b = sources.count
    let v = configuration.targetVocabularySize
    // Live hypotheses: rows item*width + i. Only beam 0 is alive at the start.
    var scores = [Double](repeating: -.infinity, count: b * width)
    for item in 0..<b { scores[item * width] = 0 }
    var tokens = [[Int]](repeating: [], count: b * width)
    var previous = [Int](repeating: Vocabulary.bos, count: b * width)
    var finished = [[(tokens: [Int], score: Double)]](repeating: [], count: b)
    var active = [Bool](repeating: true, count: b)

    func normalised(_ score: Double, length: Int) -> Double {
      lengthPenalty == 0 ? score : score / Foundation.pow(Double(length), lengthPenalty)
    }

    for t in 0..<limit where active.contains(true) {
      let result = step(previous: previous, state: state, encoded: encoded)
      var parents = Array(0..<(b * width))
      var newScores = scores
      var newTokens = tokens
      result.logProbabilities.data.withUnsafeBufferPointer { lp in
        for item in 0..<b where active[item] {
          // The `width` best (beam, token) extensions, ties to the lower (beam, token).
          var best: [(score: Double, row: Int, token: Int)] = []
          best.reserveCapacity(width + 1)
          for i in 0..<width {
            let row = item * width + i
            guard scores[row] > -.infinity else { continue }
            for token in 0..<v where token != Vocabulary.pad && token != Vocabulary.bos {
              let candidate = scores[row] + Double(lp[row * v + token])
              if best.count == width && candidate <= best[width - 1].score { continue }
              var position = best.count
              while position > 0 && best[position - 1].score < candidate { position -= 1 }
              best.insert((candidate, row, token), at: position)
              if best.count > width { best.removeLast() }
            }
          }
          var slot = 0
          for candidate in best {
            if candidate.token == Vocabulary.eos {
              finished[item].append(
                (tokens[candidate.row], normalised(candidate.score, length: t + 1)))
              continue
            }
            let row = item * width + slot
            parents[row] = candidate.row
            newScores[row] = candidate.score
            newTokens[row] = tokens[candidate.row] + [candidate.token]
            previous[row] = candidate.token
            slot += 1
          }
          for i in slot..<width { newScores[item * width + i] = -.infinity }
          if finished[item].count >= width || slot == 0 { active[item] = false }
        }
      }
      scores = newScores
      tokens = newTokens
      state = result.state.rows(parents)
    }
    return (0..<b).map { item in
      var pool = finished[item]
      if pool.isEmpty {
        for i in 0..<width where scores[item * width + i] > -.infinity {
          let row = item * width + i
          pool.append((tokens[row], normalised(scores[row], length: tokens[row].count)))
        }
      }
      let order = pool.indices.sorted {
        pool[$0].score > pool[$1].score || (pool[$0].score == pool[$1].score && $0 < $1)
      }
      return order.prefix(width).map { pool[$0].tokens }
    }
  }
}
