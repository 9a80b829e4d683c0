import Core
import NeuralNets
import Tensors
import TestSupport
import Testing

@testable import NeuralNets
@testable import Tensors

/// Central finite differences on every parameter element of a module against the gradients that
/// `backward` accumulates into `Parameter.grad`. `loss` builds a scalar on a fresh tape. Same
/// tolerance as `checkGradients`: |analytic - numeric| <= 2e-3 + 2e-2 |numeric| at eps = 1e-2.
func checkParameterGradients(
  _ module: any Module, eps: Float = 1e-2, atol: Float = 2e-3, rtol: Float = 2e-2,
  sourceLocation: SourceLocation = #_sourceLocation, _ loss: (Tape) -> Variable
) {
  module.zeroGrad()
  let tape = Tape()
  tape.backward(loss(tape))
  for (name, p) in module.namedParameters() {
    let analytic = p.grad
    for i in 0..<p.value.count {
      let original = p.value.data[i]
      p.value.data[i] = original + eps
      let plus = Double(loss(Tape()).value.scalar)
      p.value.data[i] = original - eps
      let minus = Double(loss(Tape()).value.scalar)
      p.value.data[i] = original
      let numeric = Float((plus - minus) / Double(2 * eps))
      let a = analytic.data[i]
      #expect(
        Swift.abs(a - numeric) <= atol + rtol * Swift.abs(numeric),
        "\(name)[\(i)]: analytic \(a) vs numeric \(numeric)", sourceLocation: sourceLocation)
    }
  }
}

@Suite("Finite-difference gradients of every building block's parameters")
struct ModuleGradientTests {
  /// Fixed weights for a weighted-sum loss (a plain sum would hide transposition errors).
  func weightedSum(_ v: Variable, seed: UInt64) -> Variable {
    (v * v.tape.constant(randomTensor(v.shape, seed: seed, low: 0.5, high: 1.5))).sum()
  }

  @Test func linear() {
    var rng = RandomGenerator(seed: 1)
    let layer = Linear(3, 4, using: &rng)
    let x = randomTensor([5, 3], seed: 2)
    checkParameterGradients(layer) { weightedSum(layer($0.constant(x)), seed: 3) }
  }

  @Test(arguments: Activation.allCases)
  func mlp(activation: Activation) {
    var rng = RandomGenerator(seed: 4)
    let mlp = MLP(widths: [3, 5, 4, 2], activation: activation, using: &rng)
    // relu: FD is invalid within eps of the kink; with these seeds no pre-activation is that close
    // (a different seed could need a smaller eps).
    let x = randomTensor([6, 3], seed: 5)
    checkParameterGradients(mlp) {
      weightedSum(mlp($0.constant(x)), seed: 6)
    }
  }

  @Test func embedding() {
    var rng = RandomGenerator(seed: 7)
    // (The padding row is excluded by design, tested in RecurrentTests: it gets no gradient.)
    let emb = Embedding(vocabularySize: 5, dimension: 3, using: &rng)
    checkParameterGradients(emb) { weightedSum(emb([1, 4, 1, 0], on: $0), seed: 8) }
  }

  @Test func gruCellOverThreeSteps() {
    var rng = RandomGenerator(seed: 9)
    let cell = GRUCell(inputSize: 3, hiddenSize: 4, using: &rng)
    let xs = (0..<3).map { randomTensor([2, 3], seed: 10 + UInt64($0)) }
    checkParameterGradients(cell) { tape in
      var h = tape.constant(randomTensor([2, 4], seed: 20))
      for x in xs { h = cell(tape.constant(x), h) }
      return weightedSum(h, seed: 21)
    }
  }

  @Test func bidirectionalTwoLayerGRUWithPadding() {
    var rng = RandomGenerator(seed: 22)
    let gru = GRU(inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, using: &rng)
    let x = randomTensor([4, 2, 2], seed: 23)
    checkParameterGradients(gru) { tape in
      let out = gru(tape.constant(x), lengths: [4, 2])
      return weightedSum(out.output, seed: 24) + weightedSum(out.finalState, seed: 25)
    }
  }
}
