import BLEU
import Core
import Foundation
import NeuralNets
import Tensors
import Testing
import Translation

@testable import Translation

@Suite struct MinimumRiskTests {
  /// Two candidates, closed form: Q = softmax(alpha * logp), R = Q . cost.
  @Test func distributionAndRiskClosedForm() {
    let alpha = 0.5
    let (q, risk) = MinimumRisk.distribution(
      logProbabilities: [-1, -3, -2], costs: [0.2, 0.8, 0.5], groups: [0..<2, 2..<3], alpha: alpha)
    let q0 = 1 / (1 + Foundation.exp(-1.0))  // exp(-0.5) / (exp(-0.5) + exp(-1.5))
    #expect(abs(q[0] - q0) < 1e-12 && abs(q[1] - (1 - q0)) < 1e-12 && q[2] == 1)
    let expected = ((q0 * 0.2 + (1 - q0) * 0.8) + 0.5) / 2
    #expect(abs(risk - expected) < 1e-12)
  }

  /// alpha -> 0 makes Q uniform (the sample mean of the costs); a large alpha picks the most
  /// probable candidate.
  @Test func alphaInterpolatesBetweenUniformAndArgmax() {
    let logp = [-2.0, -5.0, -9.0]
    let costs = [0.1, 0.6, 0.9]
    let flat = MinimumRisk.distribution(
      logProbabilities: logp, costs: costs, groups: [0..<3], alpha: 1e-9)
    #expect(abs(flat.risk - costs.reduce(0, +) / 3) < 1e-8)
    let sharp = MinimumRisk.distribution(
      logProbabilities: logp, costs: costs, groups: [0..<3], alpha: 50)
    #expect(abs(sharp.risk - 0.1) < 1e-8)
  }

  /// The fused node's gradient is alpha Q (cost - R) / groups, checked against central
  /// differences of the Double objective (step 1e-4, tolerance 1e-6).
  @Test func riskGradientWithRespectToLogProbabilities() {
    let logp: [Float] = [-1.5, -2.25, -4, -0.5, -3]
    let costs = [0.3, 0.9, 0.1, 0.6, 0.2]
    let groups = [0..<3, 3..<5]
    let alpha = 0.7
    let tape = Tape()
    let x = tape.variable(Tensor(logp))
    let risk = MinimumRisk.risk(logProbabilities: x, costs: costs, groups: groups, alpha: alpha)
    tape.backward(risk)
    let gradient = tape.gradient(of: x)!
    for i in logp.indices {
      func objective(_ delta: Double) -> Double {
        var l = logp.map(Double.init)
        l[i] += delta
        return MinimumRisk.distribution(
          logProbabilities: l, costs: costs, groups: groups, alpha: alpha
        ).risk
      }
      let numeric = (objective(1e-4) - objective(-1e-4)) / 2e-4
      #expect(abs(Double(gradient.data[i]) - numeric) < 1e-6, "candidate \(i)")
    }
  }

  @Test func candidatesDeduplicateAddReferenceAndCostOneMinusBLEU() throws {
    let reference = [5, 6, 7, 8, 9]
    let samples = [[5, 6, 7, 8, 9], [5, 6, 7, 8, 9], [], [3, 3], [5, 6, 7, 8]]
    let bleu = [try BLEUReference(tokens: [reference])]
    let plain = MinimumRisk.candidates(
      samples: samples, samplesPerSource: 5, references: bleu, referenceTokens: [reference],
      includeReference: false, deduplicate: false)
    #expect(plain.tokens == samples && plain.groups == [0..<5])
    #expect(abs(plain.costs[0]) < 1e-12 && abs(plain.costs[1]) < 1e-12)
    #expect(plain.costs[2] == 1 && plain.costs[3] == 1)  // nothing matches: BLEU 0
    // [5 6 7 8] against [5 6 7 8 9]: all precisions 100, BP = exp(1 - 5/4).
    #expect(abs(plain.costs[4] - (1 - Foundation.exp(1 - 5.0 / 4))) < 1e-9)
    let unique = MinimumRisk.candidates(
      samples: samples, samplesPerSource: 5, references: bleu, referenceTokens: [reference],
      includeReference: true, deduplicate: true)
    #expect(unique.tokens == [[5, 6, 7, 8, 9], [], [3, 3], [5, 6, 7, 8]])
    let withReference = MinimumRisk.candidates(
      samples: samples, samplesPerSource: 5, references: bleu, referenceTokens: [reference],
      includeReference: true, deduplicate: false)
    #expect(withReference.tokens.count == 6 && withReference.tokens[5] == reference)
  }

  /// Finite differences through a tiny seq2seq model: the risk of fixed sampled candidates
  /// (plus a token-level term, as with --mle-weight), differentiated through the batched
  /// teacher-forced sequence log-probabilities, the repeated encoder states, attention and both
  /// GRUs. The objective is accumulated in Double; parameters are Float, so central differences use
  /// eps = 1e-2 and the tolerance is |analytic - numeric| <= 2e-3 + 5% |numeric|.
  @Test func riskGradientThroughTheModelMatchesFiniteDifferences() {
    let model = tinySeq2Seq(seed: 4)
    let sources = [[4, 5, 6], [7, 8]]
    let references = [[3, 4, 5], [6, 3]]
    var rng = RandomGenerator(seed: 12)
    let samples = model.sample(sources, count: 4, maxLength: 5, using: &rng)
    let candidates = MinimumRisk.Candidates(
      tokens: samples, costs: samples.indices.map { _ in rng.uniform() },
      groups: [0..<4, 4..<8])
    let alpha = 0.5
    let mleWeight: Float = 0.3

    func loss(on tape: Tape) -> Variable {
      let encoded = model.encode(Seq2SeqBatch(sources: sources, targets: references), on: tape)
      let logp = model.sequenceLogProbabilities(
        model.repeated(encoded, counts: candidates.counts), target: TargetBatch(candidates.tokens),
        on: tape)
      let risk = MinimumRisk.risk(
        logProbabilities: logp, costs: candidates.costs, groups: candidates.groups, alpha: alpha)
      let nll = model.negativeLogLikelihood(encoded, target: TargetBatch(references), on: tape)
      return risk * (1 - mleWeight) + nll * mleWeight
    }

    model.zeroGrad()
    let tape = Tape()
    tape.backward(loss(on: tape))
    var checked = 0
    var pick = RandomGenerator(seed: 99)
    for (name, parameter) in model.namedParameters() {
      for _ in 0..<3 {
        let i = pick.int(below: parameter.value.count)
        if name.hasSuffix("embedding.weight") && i < 4 { continue }  // the <pad> row (width 4)
        let original = parameter.value.data[i]
        parameter.value.data[i] = original + 1e-2
        let plus = Double(loss(on: Tape()).value.scalar)
        parameter.value.data[i] = original - 1e-2
        let minus = Double(loss(on: Tape()).value.scalar)
        parameter.value.data[i] = original
        let numeric = (plus - minus) / 2e-2
        let analytic = Double(parameter.grad.data[i])
        #expect(
          abs(analytic - numeric) <= 2e-3 + 0.05 * abs(numeric),
          "\(name)[\(i)]: analytic \(analytic) numeric \(numeric)")
        checked += 1
      }
    }
    #expect(checked > 30)
  }
}
