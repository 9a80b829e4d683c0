import Core
import NeuralNets
import Tensors

/// Sizes of a `Seq2Seq` model.
public struct Seq2SeqConfiguration: Sendable, Equatable, Codable {
  public var sourceVocabularySize: Int
  public var targetVocabularySize: Int
  /// Word embedding width (source and target).
  public var embeddingSize: Int = 64
  /// Decoder state width; the bidirectional encoder has `hiddenSize / 2` per direction.
  public var hiddenSize: Int = 128

  public init(
    sourceVocabularySize: Int, targetVocabularySize: Int, embeddingSize: Int = 64,
    hiddenSize: Int = 128
  ) {
    precondition(hiddenSize % 2 == 0, "Seq2Seq hiddenSize must be even, got \(hiddenSize)")
    self.sourceVocabularySize = sourceVocabularySize
    self.targetVocabularySize = targetVocabularySize
    self.embeddingSize = embeddingSize
    self.hiddenSize = hiddenSize
  }
}

/// The target side of a padded batch, time-major: `input` and `output` `[T * B]` hold
/// `<bos> y_1 ... y_n` and `y_1 ... y_n <eos>`, T = longest n + 1, `<pad>` past
/// `lengths[b] = n + 1`.
public struct TargetBatch: Sendable {
  public let batchSize: Int
  public let steps: Int
  public let input: [Int]
  public let output: [Int]
  public let lengths: [Int]

  /// `targets` hold no `<bos>`/`<eos>` (they are added here) and may be empty sentences.
  public init(_ targets: [[Int]]) {
    precondition(!targets.isEmpty, "a target batch needs at least one sentence")
    let b = targets.count
    batchSize = b
    steps = targets.map(\.count).max()! + 1
    lengths = targets.map { $0.count + 1 }
    var input = [Int](repeating: Vocabulary.pad, count: steps * b)
    var output = input
    for (item, y) in targets.enumerated() {
      for t in 0...y.count {
        input[t * b + item] = t == 0 ? Vocabulary.bos : y[t - 1]
        output[t * b + item] = t == y.count ? Vocabulary.eos : y[t]
      }
    }
    self.input = input
    self.output = output
  }

  /// `1` where `output` is a real token (including `<eos>`), else `0`, shape `[T, B]`.
  public var mask: Tensor {
    var mask = [Float](repeating: 0, count: steps * batchSize)
    for item in 0..<batchSize {
      for t in 0..<lengths[item] { mask[t * batchSize + item] = 1 }
    }
    return Tensor(shape: [steps, batchSize], data: mask)
  }

  public var tokenCount: Int { lengths.reduce(0, +) }
}

/// A padded batch of sentence pairs, time-major: `source` `[S * B]` holds `source[s * B + b]`,
/// `<pad>` past `sourceLengths[b]`.
public struct Seq2SeqBatch: Sendable {
  public let sources: [[Int]]
  public let source: [Int]
  public let sourceLengths: [Int]
  public let target: TargetBatch

  public var batchSize: Int { sourceLengths.count }

  /// `sources[b]` must be non-empty; targets hold no `<bos>`/`<eos>`.
  public init(sources: [[Int]], targets: [[Int]]) {
    precondition(
      sources.count == targets.count && !sources.isEmpty,
      "a batch needs as many targets (\(targets.count)) as sources (\(sources.count)), at least one")
    precondition(sources.allSatisfy { !$0.isEmpty }, "every source sentence needs a token")
    self.sources = sources
    (source, sourceLengths) = Seq2SeqBatch.pad(sources)
    target = TargetBatch(targets)
  }

  /// Time-major padding: `[S * B]` ids and the lengths.
  public static func pad(_ sentences: [[Int]]) -> ([Int], [Int]) {
    let b = sentences.count
    let s = sentences.map(\.count).max() ?? 0
    var ids = [Int](repeating: Vocabulary.pad, count: s * b)
    for (item, sentence) in sentences.enumerated() {
      for (t, token) in sentence.enumerated() { ids[t * b + item] = token }
    }
    return (ids, sentences.map(\.count))
  }
}

/// A GRU encoder-decoder with attention (Luong et al. 2015, "general" score with input feeding;
/// the Bahdanau et al. 2015 bidirectional encoder):
///
///     h̄_1..S       = BiGRU(E_src x)                          encoder states [S, B, H]
///     s_0          = tanh(W_b [h̄_fwd(S); h̄_bwd(1)] + b_b)     bridge
///     s_t          = GRU([E_tgt y_{t-1}; h̃_{t-1}], s_{t-1})   input feeding (Luong §3.3)
///     c_t          = sum_s softmax_s(s_t . W_a h̄_s) h̄_s       `LuongAttention`
///     h̃_t          = tanh(W_c [c_t; s_t])
///     p(y_t | ...) = softmax(W_o h̃_t + b_o)
///
/// Training runs teacher-forced on the tape (`sequenceLogProbabilities`); decoding (greedy, beam,
/// sampling) runs on plain tensors in `Seq2Seq+Decoding.swift`.
public final class Seq2Seq: Module {
  public let configuration: Seq2SeqConfiguration
  public let sourceEmbedding: Embedding
  public let targetEmbedding: Embedding
  public let encoder: GRU
  public let bridge: Linear
  public let attentionKey: Linear
  public let decoderCell: GRUCell
  public let combine: Linear
  public let output: Linear

  public init(_ configuration: Seq2SeqConfiguration, using rng: inout RandomGenerator) {
    self.configuration = configuration
    let (e, h) = (configuration.embeddingSize, configuration.hiddenSize)
    sourceEmbedding = Embedding(
      vocabularySize: configuration.sourceVocabularySize, dimension: e,
      paddingIndex: Vocabulary.pad, using: &rng)
    targetEmbedding = Embedding(
      vocabularySize: configuration.targetVocabularySize, dimension: e,
      paddingIndex: Vocabulary.pad, using: &rng)
    encoder = GRU(inputSize: e, hiddenSize: h / 2, bidirectional: true, using: &rng)
    bridge = Linear(h, h, using: &rng)
    attentionKey = Linear(h, h, bias: false, using: &rng)
    decoderCell = GRUCell(inputSize: e + h, hiddenSize: h, using: &rng)
    combine = Linear(2 * h, h, bias: false, using: &rng)
    output = Linear(h, configuration.targetVocabularySize, using: &rng)
  }

  /// Added to the output logits: `-1e9` at `<pad>` and `<bos>`, which are never predicted, so
  /// the model's distribution is over real tokens and `<eos>` only (what decoding and sampling
  /// draw from, and what training and the risk's log-probabilities normalise over).
  public var outputMask: Tensor {
    var mask = Tensor(zeros: [configuration.targetVocabularySize])
    mask.data[Vocabulary.pad] = -1e9
    mask.data[Vocabulary.bos] = -1e9
    return mask
  }

  public func namedParameters() -> [(name: String, parameter: Parameter)] {
    sourceEmbedding.namedParameters(prefix: "source_embedding")
      + targetEmbedding.namedParameters(prefix: "target_embedding")
      + encoder.namedParameters(prefix: "encoder")
      + bridge.namedParameters(prefix: "bridge")
      + attentionKey.namedParameters(prefix: "attention_key")
      + decoderCell.namedParameters(prefix: "decoder")
      + combine.namedParameters(prefix: "combine")
      + output.namedParameters(prefix: "output")
  }

  /// Encoder results on the tape: states `values` `[S, B, H]`, their projections `keys`, the
  /// decoder's initial state `[B, H]`.
  public struct Encoded {
    public var values: Variable
    public var keys: Variable
    public var initialState: Variable
    public var lengths: [Int]
  }

  public func encode(source: [Int], lengths: [Int], on tape: Tape) -> Encoded {
    let b = lengths.count
    let s = source.count / b
    let e = configuration.embeddingSize
    let embedded = sourceEmbedding(source, on: tape).reshaped([s, b, e])
    let run = encoder(embedded, lengths: lengths)
    let finals = concat([run.finalState.index(0), run.finalState.index(1)], axis: 1)
    let initial = bridge(finals).tanh()
    return Encoded(
      values: run.output, keys: attentionKey(run.output), initialState: initial, lengths: lengths)
  }

  /// Repeats item b `counts[b]` times (consecutive rows), for scoring several candidates per
  /// source without encoding the source again for each.
  public func repeated(_ encoded: Encoded, counts: [Int]) -> Encoded {
    Encoded(
      values: repeatInterleaved(encoded.values, counts: counts, axis: 1),
      keys: repeatInterleaved(encoded.keys, counts: counts, axis: 1),
      initialState: repeatInterleaved(encoded.initialState, counts: counts, axis: 0),
      lengths: zip(encoded.lengths, counts).flatMap { Array(repeating: $0, count: $1) })
  }

  /// Teacher-forced `log p(y_t | y_<t, x)` of every target position, `[T, B]` (padding included;
  /// multiply by `target.mask`).
  public func tokenLogProbabilities(
    _ encoded: Encoded, target: TargetBatch, on tape: Tape
  ) -> Variable {
    let b = encoded.lengths.count
    precondition(target.batchSize == b, "\(target.batchSize) targets for \(b) encoded sources")
    let steps = target.steps
    let (e, h) = (configuration.embeddingSize, configuration.hiddenSize)
    let embedded = targetEmbedding(target.input, on: tape).reshaped([steps, b, e])
    var state = encoded.initialState
    var feed = tape.constant(Tensor(zeros: [b, h]))
    var attentional: [Variable] = []
    attentional.reserveCapacity(steps)
    for t in 0..<steps {
      state = decoderCell(concat([embedded.index(t), feed], axis: 1), state)
      let context = luongAttention(
        query: state, keys: encoded.keys, values: encoded.values, lengths: encoded.lengths)
      feed = combine(concat([context, state], axis: 1)).tanh()
      attentional.append(feed)
    }
    let logits = output(stack(attentional).reshaped([steps * b, h])) + tape.constant(outputMask)
    return logits.logSoftmaxGather(target.output).reshaped([steps, b])
  }

  /// Log-probabilities of whole target sentences, `[B]`: the length-masked sum of token
  /// log-probabilities (the `<eos>` included), through which sequence-level losses differentiate.
  public func sequenceLogProbabilities(
    _ encoded: Encoded, target: TargetBatch, on tape: Tape
  ) -> Variable {
    let tokens = tokenLogProbabilities(encoded, target: target, on: tape)
    return (tokens * tape.constant(target.mask)).sum(axis: 0)
  }

  public func encode(_ batch: Seq2SeqBatch, on tape: Tape) -> Encoded {
    encode(source: batch.source, lengths: batch.sourceLengths, on: tape)
  }

  /// Mean token negative log-likelihood of a batch (the MLE loss, per target token).
  public func negativeLogLikelihood(_ batch: Seq2SeqBatch, on tape: Tape) -> Variable {
    negativeLogLikelihood(encode(batch, on: tape), target: batch.target, on: tape)
  }

  public func negativeLogLikelihood(
    _ encoded: Encoded, target: TargetBatch, on tape: Tape
  ) -> Variable {
    let total = sequenceLogProbabilities(encoded, target: target, on: tape).sum()
    return total * (-1 / Float(target.tokenCount))
  }
}

/// Repeats slice i along `axis` `counts[i]` times in place (`[a, b] -> [a, a, b]` for counts
/// `[2, 1]`), as `torch.repeat_interleave`; the backward pass sums the copies.
public func repeatInterleaved(_ x: Variable, counts: [Int], axis: Int) -> Variable {
  let shape = x.shape  // never capture a Variable: it holds the tape (a retain cycle)
  let value = Tensor.repeatInterleaved(x.value, counts: counts, axis: axis)
  return x.tape.record(value, inputs: [x]) { g in
    var grad = [Float](repeating: 0, count: Tensor.count(of: shape))
    g.data.withUnsafeBufferPointer { gp in
      grad.withUnsafeMutableBufferPointer { dx in
        Tensor.forEachRepeat(shape, counts: counts, axis: axis) { src, dst, inner in
          for j in 0..<inner { dx[src + j] += gp[dst + j] }
        }
      }
    }
    return [Tensor(shape: shape, data: grad)]
  }
}

extension Tensor {
  /// Calls `body(source, destination, inner)` for every copy that `repeatInterleaved` makes, in
  /// order: `source` is the offset of the slice in a tensor of `shape`, `destination` the offset
  /// of the copy in the output, both `inner` elements long.
  static func forEachRepeat(_ shape: [Int], counts: [Int], axis: Int, _ body: (Int, Int, Int) -> Void) {
    precondition(axis >= 0 && axis < shape.count, "axis \(axis) out of range for shape \(shape)")
    let (outer, n, inner) = (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    precondition(
      counts.count == n && counts.allSatisfy { $0 >= 0 },
      "repeatInterleaved needs \(n) non-negative counts, got \(counts)")
    let total = counts.reduce(0, +)
    for o in 0..<outer {
      var r = 0
      for i in 0..<n {
        for _ in 0..<counts[i] {
          body((o * n + i) * inner, (o * total + r) * inner, inner)
          r += 1
        }
      }
    }
  }

  /// Repeats slice i along `axis` `counts[i]` times in place (`torch.repeat_interleave`).
  public static func repeatInterleaved(_ x: Tensor, counts: [Int], axis: Int) -> Tensor {
    var outShape = x.shape
    outShape[axis] = counts.reduce(0, +)
    var out = [Float](repeating: 0, count: Tensor.count(of: outShape))
    x.data.withUnsafeBufferPointer { xp in
      out.withUnsafeMutableBufferPointer { op in
        Tensor.forEachRepeat(x.shape, counts: counts, axis: axis) { src, dst, inner in
          for j in 0..<inner { op[dst + j] = xp[src + j] }
        }
      }
    }
    return Tensor(shape: outShape, data: out)
  }

  /// Each slice along `axis` repeated `k` times in place.
  public static func repeatInterleaved(_ x: Tensor, times k: Int, axis: Int) -> Tensor {
    repeatInterleaved(x, counts: Array(repeating: k, count: x.shape[axis]), axis: axis)
  }
}
