import Core
import Foundation
import Tensors
import Testing
import Translation

@testable import Translation

/// A tiny randomly initialised model (source vocabulary 9, target vocabulary 7).
func tinySeq2Seq(seed: UInt64 = 1, targetVocabulary: Int = 7) -> Seq2Seq {
  var rng = RandomGenerator(seed: seed)
  return Seq2Seq(
    Seq2SeqConfiguration(
      sourceVocabularySize: 9, targetVocabularySize: targetVocabulary, embeddingSize: 4,
      hiddenSize: 6), using: &rng)
}

@Suite struct Seq2SeqTests {
  let sources = [[4, 5, 6], [7], [8, 4, 4, 5, 6]]
  let targets = [[3, 4], [5, 6, 3, 4], []]

  @Test func teacherForcedShapesAndMask() {
    let model = tinySeq2Seq()
    let batch = Seq2SeqBatch(sources: sources, targets: targets)
    #expect(batch.source.count == 5 * 3 && batch.target.steps == 5)
    #expect(batch.target.lengths == [3, 5, 1])
    #expect(batch.target.mask.sum().scalar == 9)
    let tape = Tape()
    let encoded = model.encode(batch, on: tape)
    #expect(encoded.values.shape == [5, 3, 6] && encoded.initialState.shape == [3, 6])
    let tokens = model.tokenLogProbabilities(encoded, target: batch.target, on: tape)
    #expect(tokens.shape == [5, 3])
    let sequences = model.sequenceLogProbabilities(encoded, target: batch.target, on: tape)
    #expect(sequences.shape == [3])
    #expect(sequences.value.data.allSatisfy { $0 < 0 && $0.isFinite })
  }

  /// Padding never leaks: each item scores the same alone as in a padded batch (tolerance 1e-5).
  @Test func paddingDoesNotChangeScores() {
    let model = tinySeq2Seq()
    let tape = Tape()
    let batch = Seq2SeqBatch(sources: sources, targets: targets)
    let together = model.sequenceLogProbabilities(
      model.encode(batch, on: tape), target: batch.target, on: tape)
    for item in sources.indices {
      let alone = Seq2SeqBatch(sources: [sources[item]], targets: [targets[item]])
      let score = model.sequenceLogProbabilities(
        model.encode(alone, on: tape), target: alone.target, on: tape)
      #expect(abs(score.value.data[0] - together.value.data[item]) < 1e-5)
    }
  }

  /// The decoding path (`step` on plain tensors) and the training path (teacher forcing on the
  /// tape) compute the same probabilities (tolerance 1e-5).
  @Test func decodingStepsMatchTeacherForcing() {
    let model = tinySeq2Seq()
    let batch = Seq2SeqBatch(sources: sources, targets: targets)
    let tape = Tape()
    let forced = model.sequenceLogProbabilities(model.encode(batch, on: tape), target: batch.target, on: tape)
    let (encoded, initial) = model.encode(sources)
    var state = initial
    var totals = [Float](repeating: 0, count: sources.count)
    let v = model.configuration.targetVocabularySize
    for t in 0..<batch.target.steps {
      let previous = (0..<sources.count).map { batch.target.input[t * sources.count + $0] }
      let result = model.step(previous: previous, state: state, encoded: encoded)
      state = result.state
      for item in sources.indices where t < batch.target.lengths[item] {
        totals[item] += result.logProbabilities.data[item * v + batch.target.output[t * sources.count + item]]
      }
    }
    for item in sources.indices { #expect(abs(totals[item] - forced.value.data[item]) < 1e-5) }
  }

  /// Scoring candidates against a repeated encoding equals encoding each source once per candidate.
  @Test func repeatedEncodingEqualsRepeatedSources() {
    let model = tinySeq2Seq()
    let counts = [2, 0, 3]
    let candidates = [[3], [4, 4], [5], [], [6, 3, 3]]
    let tape = Tape()
    let encoded = model.encode(Seq2SeqBatch(sources: sources, targets: targets), on: tape)
    let viaRepeat = model.sequenceLogProbabilities(
      model.repeated(encoded, counts: counts), target: TargetBatch(candidates), on: tape)
    let repeatedSources = zip(sources, counts).flatMap { Array(repeating: $0, count: $1) }
    let direct = model.sequenceLogProbabilities(
      model.encode(Seq2SeqBatch(sources: repeatedSources, targets: candidates), on: tape),
      target: TargetBatch(candidates), on: tape)
    for i in candidates.indices {
      #expect(abs(viaRepeat.value.data[i] - direct.value.data[i]) < 1e-5)
    }
  }

  @Test func beamWidthOneIsGreedy() {
    for seed in UInt64(1)...4 {
      let model = tinySeq2Seq(seed: seed)
      var rng = RandomGenerator(seed: seed, stream: 9)
      let sources = (0..<12).map { _ in (0..<(1 + rng.int(below: 6))).map { _ in 4 + rng.int(below: 5) } }
      #expect(model.beamSearch(sources, width: 1) == model.greedy(sources))
      #expect(model.beamSearch(sources, width: 1, lengthPenalty: 0) == model.greedy(sources))
    }
  }

  /// Beam search over a search space small enough to enumerate finds the best sequence.
  @Test func wideBeamFindsTheMostProbableShortSequence() {
    let model = tinySeq2Seq(seed: 3, targetVocabulary: 5)
    let source = [[4, 5]]
    // Every sequence of up to 2 real tokens (2 choices each) followed by <eos>, scored exactly.
    var all: [[Int]] = [[]]
    for a in 3...4 {
      all.append([a])
      for b in 3...4 { all.append([a, b]) }
    }
    let tape = Tape()
    let encoded = model.encode(Seq2SeqBatch(sources: source, targets: [[]]), on: tape)
    let scores = model.sequenceLogProbabilities(
      model.repeated(encoded, counts: [all.count]), target: TargetBatch(all), on: tape
    ).value.data
    let best = all[scores.indices.max { scores[$0] < scores[$1] }!]
    // Width 16 keeps every hypothesis alive, so within 3 steps the search is exhaustive.
    #expect(model.beamSearch(source, width: 16, maxLength: 2, lengthPenalty: 0) == [best])
  }

  /// Ancestral sampling draws complete sequences with the model's probabilities: empirical
  /// frequencies of 40000 samples match exp(log p(y|x)) within 5 standard errors (+ 1e-3).
  @Test func samplingFollowsTheModelDistribution() {
    let model = tinySeq2Seq(seed: 2, targetVocabulary: 5)
    let source = [[4, 6, 5]]
    var rng = RandomGenerator(seed: 77)
    let n = 40_000
    let samples = model.sample(source, count: n, maxLength: 3, using: &rng)
    var counts: [[Int]: Int] = [:]
    for sample in samples where sample.count < 3 { counts[sample, default: 0] += 1 }
    let sequences = Array(counts.keys)
    #expect(sequences.count >= 3)
    let tape = Tape()
    let encoded = model.encode(Seq2SeqBatch(sources: source, targets: [[]]), on: tape)
    let logp = model.sequenceLogProbabilities(
      model.repeated(encoded, counts: [sequences.count]), target: TargetBatch(sequences), on: tape
    ).value.data
    for (i, sequence) in sequences.enumerated() {
      let p = Double(Foundation.exp(logp[i]))
      let empirical = Double(counts[sequence]!) / Double(n)
      let tolerance = 5 * (p * (1 - p) / Double(n)).squareRoot() + 1e-3
      #expect(abs(empirical - p) < tolerance, "\(sequence): empirical \(empirical) vs p \(p)")
    }
  }

  /// No operation of the model keeps its tape alive after a training step (a backward closure
  /// that captures a variable holds its tape: a retain cycle that once leaked every tape).
  @Test func tapeIsFreedAfterATrainingStep() {
    let model = tinySeq2Seq()
    weak var weakTape: Tape?
    do {
      let tape = Tape()
      weakTape = tape
      let batch = Seq2SeqBatch(sources: sources, targets: targets)
      let encoded = model.encode(batch, on: tape)
      let logp = model.sequenceLogProbabilities(
        model.repeated(encoded, counts: [1, 2, 1]), target: TargetBatch([[3], [4], [], [5, 6]]),
        on: tape)
      let risk = MinimumRisk.risk(
        logProbabilities: logp, costs: [0.1, 0.5, 1, 0.3], groups: [0..<1, 1..<3, 3..<4], alpha: 1)
      tape.backward(risk + model.negativeLogLikelihood(encoded, target: batch.target, on: tape))
    }
    #expect(weakTape == nil)
  }

  @Test func greedyPicksTheArgmaxOfEachStep() {
    let model = tinySeq2Seq(seed: 5)
    let source = [[4, 5, 6, 7]]
    let output = model.greedy(source, maxLength: 6)[0]
    let (encoded, initial) = model.encode(source)
    var state = initial
    var previous = Vocabulary.bos
    let expectedTokens: [Int] = output + (output.count < 6 ? [Vocabulary.eos] : [])
    for expected in expectedTokens {
      let result = model.step(previous: [previous], state: state, encoded: encoded)
      let lp = result.logProbabilities.data
      let argmax = (Vocabulary.eos..<lp.count).max { lp[$0] < lp[$1] }!
      #expect(argmax == expected)
      state = result.state
      previous = expected
    }
  }
}
