import BLEU
import Core
import Foundation
import NeuralNets
import Tensors
import Testing
import Translation

@testable import Translation

/// Edunov et al. 2018's sequence-level losses, MBR decoding and beam n-best lists.
@Suite struct SequenceLossesTests {
  let scores = [-1.5, -2.25, -4, -0.5, -3, -1]
  let costs = [0.3, 0.9, 0.1, 0.6, 0.2, 0.4]
  let groups = [0..<3, 3..<6]

  /// Closed forms for two groups (oracles 2 and 4; highest scores 0 and 3).
  @Test func closedForms() {
    func lse(_ x: [Double]) -> Double { Foundation.log(x.map { Foundation.exp($0) }.reduce(0, +)) }
    let s = scores
    let c = costs
    let seqNLL = ((lse(Array(s[0..<3])) - s[2]) + (lse(Array(s[3..<6])) - s[4])) / 2
    #expect(
      abs(SequenceLoss.sequenceNLL.objective(scores: s, costs: c, groups: groups).loss - seqNLL) < 1e-12)
    let softmax =
      ((lse((0..<3).map { s[$0] + c[$0] }) - s[2]) + (lse((3..<6).map { s[$0] + c[$0] }) - s[4])) / 2
    #expect(
      abs(SequenceLoss.softmaxMargin.objective(scores: s, costs: c, groups: groups).loss - softmax) < 1e-12)
    let maxMargin = (max(0, c[0] - c[2] - s[2] + s[0]) + max(0, c[3] - c[4] - s[4] + s[3])) / 2
    #expect(
      abs(SequenceLoss.maxMargin.objective(scores: s, costs: c, groups: groups).loss - maxMargin) < 1e-12)
    var multi = 0.0
    for i in [0, 1] { multi += max(0, c[i] - c[2] - s[2] + s[i]) }
    for i in [3, 5] { multi += max(0, c[i] - c[4] - s[4] + s[i]) }
    #expect(
      abs(SequenceLoss.multiMargin.objective(scores: s, costs: c, groups: groups).loss - multi / 2) < 1e-12)
    #expect(SequenceLoss.oracle(costs: [0.5, 0.2, 0.2], group: 0..<3) == 1)
    let normalised = SequenceLoss.normalisedCosts([0.2, 0.6, 0.4, 0.5, 0.5], groups: [0..<3, 3..<5])
    #expect(zip(normalised, [0, 1, 0.5, 0, 0]).allSatisfy { abs($0 - $1) < 1e-12 })
  }

  /// Each loss's gradient with respect to the scores against central differences (away from kinks).
  @Test(arguments: SequenceLoss.allCases)
  func gradientWithRespectToScores(loss: SequenceLoss) {
    let tape = Tape()
    let x = tape.variable(Tensor(scores.map(Float.init)))
    tape.backward(loss.loss(logProbabilities: x, costs: costs, groups: groups))
    let gradient = tape.gradient(of: x)!
    let float = scores.map { Double(Float($0)) }
    for i in scores.indices {
      func objective(_ delta: Double) -> Double {
        var s = float
        s[i] += delta
        return loss.objective(scores: s, costs: costs, groups: groups).loss
      }
      let numeric = (objective(1e-5) - objective(-1e-5)) / 2e-5
      #expect(abs(Double(gradient.data[i]) - numeric) < 1e-5, "\(loss) candidate \(i)")
    }
  }

  /// Finite differences through a tiny seq2seq model for each loss mixed with token NLL (as
  /// `--mle-weight`), as the risk test does; a parameter whose perturbation moves a margin across
  /// its kink (the active set changes) is skipped.
  @Test(arguments: SequenceLoss.allCases)
  func gradientThroughTheModelMatchesFiniteDifferences(loss: SequenceLoss) {
    let model = tinySeq2Seq(seed: 4)
    let sources = [[4, 5, 6], [7, 8]]
    let references = [[3, 4, 5], [6, 3]]
    var rng = RandomGenerator(seed: 12)
    let samples = model.sample(sources, count: 4, maxLength: 5, using: &rng)
    let candidates = MinimumRisk.Candidates(
      tokens: samples, costs: samples.indices.map { _ in rng.uniform() }, groups: [0..<4, 4..<8])
    let mleWeight: Float = 0.3

    func evaluate(on tape: Tape) -> (loss: Variable, scores: [Double]) {
      let encoded = model.encode(Seq2SeqBatch(sources: sources, targets: references), on: tape)
      let logp = model.sequenceLogProbabilities(
        model.repeated(encoded, counts: candidates.counts), target: TargetBatch(candidates.tokens),
        on: tape)
      let sequence = loss.loss(logProbabilities: logp, costs: candidates.costs, groups: candidates.groups)
      let nll = model.negativeLogLikelihood(encoded, target: TargetBatch(references), on: tape)
      return (sequence * (1 - mleWeight) + nll * mleWeight, logp.value.data.map(Double.init))
    }
    func pattern(_ scores: [Double]) -> [Double] {
      loss.objective(scores: scores, costs: candidates.costs, groups: candidates.groups).gradient.map {
        $0.rounded()
      }
    }

    model.zeroGrad()
    let tape = Tape()
    let base = evaluate(on: tape)
    tape.backward(base.loss)
    var checked = 0
    var pick = RandomGenerator(seed: 99)
    for (name, parameter) in model.namedParameters() {
      for _ in 0..<3 {
        let i = pick.int(below: parameter.value.count)
        if name.hasSuffix("embedding.weight") && i < 4 { continue }  // the <pad> row (width 4)
        let original = parameter.value.data[i]
        parameter.value.data[i] = original + 1e-2
        let plus = evaluate(on: Tape())
        parameter.value.data[i] = original - 1e-2
        let minus = evaluate(on: Tape())
        parameter.value.data[i] = original
        if loss == .maxMargin || loss == .multiMargin {
          if pattern(plus.scores) != pattern(minus.scores) { continue }
        }
        let numeric = (Double(plus.loss.value.scalar) - Double(minus.loss.value.scalar)) / 2e-2
        let analytic = Double(parameter.grad.data[i])
        #expect(
          abs(analytic - numeric) <= 2e-3 + 0.05 * abs(numeric),
          "\(loss) \(name)[\(i)]: analytic \(analytic) numeric \(numeric)")
        checked += 1
      }
    }
    #expect(checked > 25)
  }

  /// MBR picks the consensus: the idiom [1 2 3 4] is the most frequent candidate (2 of 7, each
  /// other candidate once), but each `b_i 6 7 8` shares `6 7 8` with the other four, so its
  /// expected BLEU is higher (about 48 against 29).
  @Test func mbrPicksTheConsensusCandidate() {
    let idiom = [1, 2, 3, 4]
    let candidates = [
      idiom, [10, 6, 7, 8], idiom, [11, 6, 7, 8], [12, 6, 7, 8], [13, 6, 7, 8], [14, 6, 7, 8],
    ]
    let utilities = MinimumBayesRisk.expectedUtilities(candidates)
    let chosen = MinimumBayesRisk.select(candidates)
    #expect(chosen == 1, "utilities \(utilities)")
    #expect(utilities[0] == utilities[2] && utilities[1] > utilities[0])
    // By hand: u(h) = mean over all seven of sentence BLEU(h, y_j).
    let smoothing = BLEUSmoothing(.exp)
    for (i, h) in candidates.enumerated() {
      let expected =
        candidates.map {
          (try! BLEUReference(tokens: [$0])).sentenceStatistics(hypothesis: h)
            .score(smoothing: smoothing, effectiveOrder: true).score
        }.reduce(0, +) / 7
      #expect(abs(utilities[i] - expected) < 1e-9)
    }
    #expect(MinimumBayesRisk.select([[5, 6]]) == 0 && MinimumBayesRisk.select([]) == 0)
  }

  /// The n-best list starts with beam search's answer, holds at most `width` distinct
  /// hypotheses, and width 1 is greedy.
  @Test func nBestStartsWithTheBeamSearchResult() {
    let model = tinySeq2Seq(seed: 3)
    let sources = [[4, 5, 6], [7], [8, 4, 4, 5, 6]]
    let lists = model.nBest(sources, width: 4, maxLength: 6)
    #expect(lists.map { $0[0] } == model.beamSearch(sources, width: 4, maxLength: 6))
    for list in lists { #expect((1...4).contains(list.count)) }
    #expect(model.nBest(sources, width: 1, maxLength: 6).map { $0[0] } == model.greedy(sources, maxLength: 6))
  }
}
