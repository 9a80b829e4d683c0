import Foundation
import Reinforcement
import Tensors
import Testing

@testable import Reinforcement

@Suite struct PPOLossTests {
  // Two actions; four samples covering each side of the clip for each advantage sign.
  let logits: [[Float]] = [[0.2, -0.1], [1.0, 0.3], [-0.5, 0.4], [0.0, 0.9]]
  let actions = [0, 0, 1, 1]
  let advantages: [Float] = [1.5, 2.0, -1.0, -0.7]
  let eps: Float = 0.2

  func logProb(_ row: [Float], _ a: Int) -> Double {
    let m = Double(row.max()!)
    let s = row.reduce(0.0) { $0 + Foundation.exp(Double($1) - m) }
    return Double(row[a]) - m - Foundation.log(s)
  }

  /// Old log-probabilities chosen so the ratios are 1.1 (inside), 1.5 (A > 0, above: ignored),
  /// 0.6 (A < 0, below: ignored) and 1.4 (A < 0, above: kept, unclipped term is the min).
  var ratios: [Double] { [1.1, 1.5, 0.6, 1.4] }
  var oldLogProbs: [Float] {
    (0..<4).map { Float(logProb(logits[$0], actions[$0]) - Foundation.log(ratios[$0])) }
  }

  @Test func valuesMatchHandComputation() {
    let tape = Tape()
    let x = tape.variable(Tensor(rows: logits))
    let v = tape.variable(Tensor([0.5, -0.2, 1.0, 0.3]))
    let oldValues: [Float] = [0.4, 0.0, 0.2, 0.3]
    let returns: [Float] = [1.0, 0.5, 0.0, -1.0]
    let terms = PPOLoss.compute(
      logits: x, values: v, actions: actions, oldLogProbs: oldLogProbs, oldValues: oldValues,
      advantages: advantages, returns: returns, clipRange: eps, clipRangeVf: 0.3, entCoef: 0.01, vfCoef: 0.5)
    // L_pg = -mean(min(r A, clip(r) A)):
    // 1.1*1.5 = 1.65; min(3.0, 1.2*2=2.4) = 2.4; min(-0.6, -0.8) = -0.8; min(-0.98, -0.84) = -0.98
    let pg = -(1.65 + 2.4 - 0.8 - 0.98) / 4
    #expect(abs(Double(terms.policyGradientLoss) - pg) < 1e-5)
    // clipped values: 0.4 + clip(0.1) = 0.5; 0 + clip(-0.2) = -0.2; 0.2 + clip(0.8 -> 0.3) = 0.5; 0.3
    let vf = (pow(1.0 - 0.5, 2) + pow(0.5 + 0.2, 2) + pow(0.0 - 0.5, 2) + pow(-1.0 - 0.3, 2)) / 4
    #expect(abs(Double(terms.valueLoss) - vf) < 1e-5)
    var entropy = 0.0
    for row in logits {
      for a in 0..<2 {
        let lp = logProb(row, a)
        entropy -= Foundation.exp(lp) * lp
      }
    }
    #expect(abs(Double(terms.entropyLoss) + entropy / 4) < 1e-5)
    #expect(abs(Double(terms.loss.value.scalar) - (pg + 0.01 * (-entropy / 4) + 0.5 * vf)) < 1e-5)
    // approx KL = mean(r - 1 - log r); clip fraction: |r - 1| > 0.2 for 1.5, 0.6, 1.4.
    let kl = ratios.reduce(0.0) { $0 + ($1 - 1 - Foundation.log($1)) } / 4
    #expect(abs(Double(terms.approxKl) - kl) < 1e-5)
    #expect(terms.clipFraction == 0.75)
  }

  @Test func policyGradientIsZeroOnTheIgnoredClippedSide() throws {
    let tape = Tape()
    let x = tape.variable(Tensor(rows: logits))
    let v = tape.variable(Tensor(zeros: [4]))
    let terms = PPOLoss.compute(
      logits: x, values: v, actions: actions, oldLogProbs: oldLogProbs, oldValues: [0, 0, 0, 0],
      advantages: advantages, returns: [0, 0, 0, 0], clipRange: eps, clipRangeVf: nil, entCoef: 0, vfCoef: 0)
    tape.backward(terms.loss)
    let g = try #require(tape.gradient(of: x))
    // Unclipped samples: dL/dlogit_j = -(1/n) A r (1[j = a] - p_j).
    for i in 0..<4 {
      for j in 0..<2 {
        let p = Foundation.exp(logProb(logits[i], j))
        let unclipped = -Double(advantages[i]) * ratios[i] * ((j == actions[i] ? 1 : 0) - p) / 4
        let expected = (i == 1 || i == 2) ? 0 : unclipped
        #expect(abs(Double(g[i, j]) - expected) < 1e-6, "sample \(i) logit \(j)")
      }
    }
    #expect(g[1, 0] == 0 && g[1, 1] == 0 && g[2, 0] == 0 && g[2, 1] == 0)
  }

  @Test func gradientMatchesFiniteDifferences() throws {
    func loss(_ flat: [Float], _ values: [Float]) -> (Float, Tensor, Tensor) {
      let tape = Tape()
      let x = tape.variable(Tensor(shape: [4, 2], data: flat))
      let v = tape.variable(Tensor(values))
      let terms = PPOLoss.compute(
        logits: x, values: v, actions: actions, oldLogProbs: oldLogProbs, oldValues: [0.4, 0.0, 0.2, 0.3],
        advantages: advantages, returns: [1, 0.5, 0, -1], clipRange: eps, clipRangeVf: 0.3, entCoef: 0.05,
        vfCoef: 0.5)
      tape.backward(terms.loss)
      return (terms.loss.value.scalar, tape.gradient(of: x)!, tape.gradient(of: v)!)
    }
    let flat = logits.flatMap { $0 }
    let values: [Float] = [0.5, -0.2, 1.0, 0.3]
    let (_, gx, gv) = loss(flat, values)
    let h: Float = 1e-2
    for k in 0..<flat.count {
      var up = flat
      var down = flat
      up[k] += h
      down[k] -= h
      let numeric = (loss(up, values).0 - loss(down, values).0) / (2 * h)
      #expect(abs(numeric - gx.data[k]) < 2e-3, "logit \(k): \(numeric) vs \(gx.data[k])")
    }
    for k in 0..<values.count {
      var up = values
      var down = values
      up[k] += h
      down[k] -= h
      let numeric = (loss(flat, up).0 - loss(flat, down).0) / (2 * h)
      #expect(abs(numeric - gv.data[k]) < 2e-3, "value \(k): \(numeric) vs \(gv.data[k])")
    }
    // Sample 2's value moved by 0.8 > 0.3 from the old one: clipped, so no value gradient.
    #expect(gv.data[2] == 0)
  }

  @Test func advantageNormalisationUsesUnbiasedStd() {
    var a: [Float] = [1, 2, 3, 4]
    PPOLoss.normalizeAdvantages(&a)
    let std = (5.0 / 3.0).squareRoot()  // torch.std([1,2,3,4]) = sqrt(5/3)
    for (i, x) in [-1.5, -0.5, 0.5, 1.5].enumerated() { #expect(abs(Double(a[i]) - x / std) < 1e-6) }
  }

  @Test func policyTanhIsAccurate() {
    var worst: Float = 0
    var x: Float = -12
    while x <= 12 {
      worst = max(worst, abs(VectorMath.tanh(x, RoundedEigenTanh.self) - Foundation.tanh(x)))
      x += 0.000_37
    }
    #expect(worst < 5e-7)  // 4 float32 ulps at 1 (ulp 1.2e-7)
    #expect(VectorMath.tanh(0, RoundedEigenTanh.self) == 0)
    #expect(VectorMath.tanh(1e-6, RoundedEigenTanh.self) == 1e-6)
  }
}
