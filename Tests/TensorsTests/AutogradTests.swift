import Tensors
import TestSupport
import Testing

@testable import Tensors

@Suite("Finite-difference gradients of every differentiable op")
struct AutogradTests {
  let a = randomTensor([3, 4], seed: 1)
  let b = randomTensor([3, 4], seed: 2)
  let row = randomTensor([4], seed: 3)
  let positive = randomTensor([3, 4], seed: 4, low: 0.5, high: 2)

  /// The checker itself: a backward that is off by 10% on one input is reported, element by element.
  @Test func checkerReportsAWrongBackward() {
    let wrong = GradientCheck.mismatches([a, b]) { v in
      v[0].tape.record(v[0].value * v[1].value, inputs: [v[0], v[1]]) { g in
        [g * v[1].value, g * v[0].value * 1.1]
      }
    }
    #expect(wrong.count >= 10 && wrong.allSatisfy { $0.input == 1 }, "\(wrong)")
    #expect(GradientCheck.mismatches([a, b]) { $0[0] * $0[1] }.isEmpty)
  }

  @Test func addSubMulDivWithBroadcasting() {
    checkGradients([a, b]) { $0[0] + $0[1] }
    checkGradients([a, b]) { $0[0] - $0[1] }
    checkGradients([a, b]) { $0[0] * $0[1] }
    checkGradients([a, positive]) { $0[0] / $0[1] }
    checkGradients([a, row]) { $0[0] + $0[1] }
    checkGradients([a, row]) { $0[0] * $0[1] }
    checkGradients([row, a]) { $0[0] - $0[1] }
    checkGradients([a, Tensor([0.7])]) { $0[0] * $0[1] }
    checkGradients([a, Tensor(1.3)]) { $0[0] / $0[1] }
  }

  @Test func scalarOperators() {
    checkGradients([a]) { 2 * $0[0] + 1 }
    checkGradients([a]) { 1.5 - $0[0] / 3 }
    checkGradients([a]) { -$0[0] - 0.5 }
  }

  @Test func elementwiseFunctions() {
    checkGradients([a]) { $0[0].exp() }
    checkGradients([positive]) { $0[0].log() }
    checkGradients([a]) { $0[0].tanh() }
    checkGradients([a]) { $0[0].sigmoid() }
    checkGradients([positive]) { $0[0].sqrt() }
    checkGradients([a]) { $0[0].square() }
    // relu, abs and clamp are checked away from their kinks (FD is invalid at a kink).
    let awayFromKinks = Tensor(shape: [2, 4], data: [-1.2, -0.7, -0.3, -0.1, 0.2, 0.45, 0.8, 1.5])
    checkGradients([awayFromKinks]) { $0[0].relu() }
    checkGradients([awayFromKinks]) { $0[0].abs() }
    checkGradients([awayFromKinks]) { $0[0].clamped(min: -0.5, max: 0.6) }
  }

  @Test func reductions() {
    checkGradients([a]) { $0[0].sum() }
    checkGradients([a]) { $0[0].mean() }
    checkGradients([a]) { $0[0].sum(axis: 0) }
    checkGradients([a]) { $0[0].sum(axis: 1) }
    checkGradients([randomTensor([2, 3, 4], seed: 5)]) { $0[0].mean(axis: 1) }
    checkGradients([randomTensor([2, 3, 4], seed: 6)]) { $0[0].sum(axis: -1) }
  }

  @Test func softmaxFamily() {
    let logits = randomTensor([3, 5], seed: 7, low: -3, high: 3)
    checkGradients([logits]) { $0[0].softmax() }
    checkGradients([logits]) { $0[0].logSoftmax() }
    checkGradients([logits]) { $0[0].gather([4, 0, 2]) }
    checkGradients([logits]) { $0[0].logSoftmaxGather([1, 3, 3]) }
  }

  @Test func matrixProductsInEveryTransposeCombination() {
    let x = randomTensor([3, 4], seed: 8)
    let y = randomTensor([4, 2], seed: 9)
    let xt = randomTensor([4, 3], seed: 10)
    let yt = randomTensor([2, 4], seed: 11)
    checkGradients([x, y]) { matmul($0[0], $0[1]) }
    checkGradients([xt, y]) { matmul($0[0], $0[1], transposeA: true) }
    checkGradients([x, yt]) { matmul($0[0], $0[1], transposeB: true) }
    checkGradients([xt, yt]) { matmul($0[0], $0[1], transposeA: true, transposeB: true) }
  }

  @Test func linearWithAndWithoutBias() {
    let x = randomTensor([5, 3], seed: 12)
    let w = randomTensor([4, 3], seed: 13)
    let bias = randomTensor([4], seed: 14)
    checkGradients([x, w, bias]) { linear($0[0], weight: $0[1], bias: $0[2]) }
    checkGradients([x, w]) { linear($0[0], weight: $0[1], bias: nil) }
    checkGradients([randomTensor([2, 2, 3], seed: 15), w, bias]) { linear($0[0], weight: $0[1], bias: $0[2]) }
  }

  @Test(arguments: FusedActivation.allCases)
  func fusedLinearActivation(activation: FusedActivation) {
    // relu is checked where no pre-activation lies within eps of its kink: inputs chosen so.
    let x = Tensor(rows: [[0.9, -0.4, 0.3], [-0.7, 0.8, 0.5], [0.2, 0.6, -0.9]])
    let w = Tensor(rows: [[0.5, -0.3, 0.8], [0.1, 0.9, -0.6], [-0.7, 0.2, 0.4], [0.3, 0.3, 0.3]])
    let bias = Tensor([0.1, -0.2, 0.05, 0.15])
    checkGradients([x, w, bias]) { linear($0[0], weight: $0[1], bias: $0[2], activation: activation) }
    checkGradients([x, w]) { linear($0[0], weight: $0[1], bias: nil, activation: activation) }
    // Same values as the composed form.
    let tape = Tape()
    let fused = linear(
      tape.constant(x), weight: tape.constant(w), bias: tape.constant(bias), activation: activation)
    let plain = linear(tape.constant(x), weight: tape.constant(w), bias: tape.constant(bias))
    let composed: Variable
    switch activation {
    case .identity: composed = plain
    case .tanh: composed = plain.tanh()
    case .tanhRounded:
      composed = tape.constant(plain.value.map { VectorMath.tanh($0, RoundedEigenTanh.self) })
    case .relu: composed = plain.relu()
    case .sigmoid: composed = plain.sigmoid()
    }
    #expect(fused.value == composed.value)
  }

  @Test func minimumMaximumAndSelect() {
    checkGradients([a, b]) { minimum($0[0], $0[1]) }
    checkGradients([a, b]) { maximum($0[0], $0[1]) }
    let mask = (0..<12).map { $0 % 3 == 0 }
    checkGradients([a, b]) { select(mask, $0[0], $0[1]) }
  }

  @Test func tiesSplitTheGradientLikePyTorch() {
    let tape = Tape()
    let x = tape.variable(Tensor([1, 2]))
    let y = tape.variable(Tensor([1, 3]))
    tape.backward(minimum(x, y).sum())
    #expect(tape.gradient(of: x)?.data == [0.5, 1])
    #expect(tape.gradient(of: y)?.data == [0.5, 0])
  }

  @Test func structuralOps() {
    let c = randomTensor([2, 4], seed: 16)
    checkGradients([a, c]) { concat([$0[0], $0[1]], axis: 0) }
    checkGradients([a, b]) { concat([$0[0], $0[1]], axis: 1) }
    checkGradients([a, b]) { stack([$0[0], $0[1]]) }
    checkGradients([a]) { $0[0].slice(1..<3) }
    checkGradients([a]) { $0[0].index(2) }
    checkGradients([a]) { $0[0].columns(1..<3) }
    checkGradients([a]) { $0[0].reshaped([2, 6]) * $0[0].reshaped([2, 6]) }
  }

  @Test func reusedValuesAccumulateGradients() {
    let tape = Tape()
    let x = tape.variable(Tensor([3]))
    tape.backward((x * x + x).sum())  // d/dx (x^2 + x) = 2x + 1
    #expect(tape.gradient(of: x)?.data == [7])
  }

  @Test func parametersAccumulateAcrossBackwardCalls() {
    let p = Parameter(Tensor([2, -1]))
    for _ in 0..<2 {
      let tape = Tape()
      tape.backward((tape.parameter(p) * 3).sum())
    }
    #expect(p.grad.data == [6, 6])
    p.zeroGrad()
    #expect(p.grad.data == [0, 0])
  }

  @Test func longChainsNeedNoRecursion() {
    // 100,000 recorded operations: a recursive backward or a chain of nodes released
    // recursively would overflow the stack.
    let tape = Tape()
    let x = tape.variable(Tensor([1]))
    var y = x
    for _ in 0..<100_000 { y = y * 1.0 }
    tape.backward(y.sum())
    #expect(tape.gradient(of: x)?.data == [1])
  }

  /// Every op's backward closure must avoid capturing a Variable (which holds the tape): the
  /// tape must be freed once the caller drops it.
  @Test func tapesAreFreedAfterUse() {
    weak var weakTape: Tape?
    do {
      let tape = Tape()
      weakTape = tape
      let x = tape.variable(a)
      let w = tape.variable(randomTensor([2, 4], seed: 30))
      let bias = tape.variable(randomTensor([2], seed: 31))
      let y = linear(x, weight: w, bias: bias) + linear(x, weight: w, bias: bias, activation: .tanh)
      let z = concat([
        stack([y, y]).reshaped([-1]),
        select(
          [true, false, true], y.sum(axis: 0).reshaped([2]).concat1(), y.sum(axis: 0).reshaped([2]).concat1()),
      ])
      let loss =
        (z.exp().sum() + matmul(x, x, transposeB: true).logSoftmax().gather([0, 1, 2]).sum()
          + minimum(x, x.sqrtAbs()).sum() + maximum(x, x).softmax().sum()
          + x.columns(0..<2).slice(0..<2).mean()
          + x.logSoftmaxGather([0, 1, 2]).sum() + x.clamped(min: -0.5, max: 0.5).relu().sigmoid().sum())
      tape.backward(loss)
    }
    #expect(weakTape == nil)
  }
}

extension Variable {
  fileprivate func concat1() -> Variable { concat([self, self]).slice(0..<3) }
  fileprivate func sqrtAbs() -> Variable { (abs() + 1).sqrt().log() / 2 - (square() * 0.1) }
}
