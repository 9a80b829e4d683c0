import Core
import NeuralNets
import Tensors
import TestSupport
import Testing

@testable import NeuralNets
@testable import Tensors

@Suite("Embedding, GRUCell and GRU")
struct RecurrentTests {
  // MARK: Embedding

  @Test func embeddingLooksUpRowsAndScatterAddsGradients() {
    let table = Tensor(rows: [[1, 2], [3, 4], [5, 6]])
    #expect(Tensor.embedding(table, indices: [2, 0, 2]).data == [5, 6, 1, 2, 5, 6])
    let tape = Tape()
    let w = tape.variable(table)
    let y = embedding(w, indices: [2, 0, 2])
    tape.backward(y, seed: Tensor(rows: [[1, 10], [100, 1000], [2, 20]]))
    // Row 2 is used twice: its gradient is the sum of both rows of the seed.
    #expect(tape.gradient(of: w)?.data == [100, 1000, 0, 0, 3, 30])
    checkGradients([randomTensor([4, 3], seed: 1)]) { embedding($0[0], indices: [3, 1, 3, 0]) }
  }

  @Test func embeddingPaddingRowIsZeroAndGetsNoGradient() {
    var rng = RandomGenerator(seed: 3)
    let emb = Embedding(vocabularySize: 5, dimension: 4, paddingIndex: 0, using: &rng)
    #expect(emb([0]).data == [0, 0, 0, 0])
    let tape = Tape()
    tape.backward(emb([0, 2, 0], on: tape).sum())
    #expect(Array(emb.weight.grad.data[0..<4]) == [0, 0, 0, 0])
    #expect(Array(emb.weight.grad.data[8..<12]) == [1, 1, 1, 1])
    #expect(emb.namedParameters().map(\.name) == ["weight"])
  }

  // MARK: GRU cell

  @Test func gruCellMatchesHandComputation() {
    var rng = RandomGenerator(seed: 4)
    let cell = GRUCell(inputSize: 1, hiddenSize: 1, using: &rng)
    cell.weightIH.value = Tensor(shape: [3, 1], data: [0.5, -0.3, 0.8])
    cell.weightHH.value = Tensor(shape: [3, 1], data: [0.2, 0.4, -0.6])
    cell.biasIH.value = Tensor([0.1, 0, -0.1])
    cell.biasHH.value = Tensor([0, 0.2, 0.5])
    // r = s(0.7), z = s(0.1), n = tanh(0.7 + r * 0.2), h' = (1 - z) n + z * 0.5 (computed in Python).
    let expected: Float = 0.5866553717
    let h = cell(Tensor(shape: [1, 1], data: [1]), Tensor(shape: [1, 1], data: [0.5]))
    #expect(Swift.abs(h.scalar - expected) < 1e-6)
    let tape = Tape()
    let composed = cell.composedStep(
      tape.constant(Tensor(shape: [1, 1], data: [1])), tape.constant(Tensor(shape: [1, 1], data: [0.5])))
    #expect(Swift.abs(composed.value.scalar - expected) < 1e-6)
    #expect(cell.namedParameters().map(\.name) == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"])
  }

  @Test func gruCellInitialisationIsPyTorchUniform() {
    var rng = RandomGenerator(seed: 5)
    let cell = GRUCell(inputSize: 7, hiddenSize: 16, using: &rng)
    #expect(cell.weightIH.value.shape == [48, 7])
    #expect(cell.weightHH.value.shape == [48, 16])
    for p in cell.parameters {
      #expect(p.value.data.allSatisfy { Swift.abs($0) <= 0.25 })
      #expect(p.value.data.contains { Swift.abs($0) > 0.2 })  // spans the range, not a narrower one
    }
  }

  // Finite differences through the fused kernel (all six inputs), a few steps, both directions,
  // with and without padding. Tolerance: the helper's atol 2e-3 + rtol 2e-2 (see GradientCheck).
  @Test(arguments: [false, true])
  func fusedGRUSequenceMatchesFiniteDifferences(reverse: Bool) {
    let (t, b, i, h) = (4, 3, 3, 2)
    let inputs = [
      randomTensor([t, b, i], seed: 10), randomTensor([b, h], seed: 11),
      randomTensor([3 * h, i], seed: 12), randomTensor([3 * h, h], seed: 13),
      randomTensor([3 * h], seed: 14), randomTensor([3 * h], seed: 15),
    ]
    for lengths in [nil, [4, 2, 0]] as [[Int]?] {
      checkGradients(inputs) { v in
        gruSequence(
          v[0], h0: v[1], weightIH: v[2], weightHH: v[3], biasIH: v[4], biasHH: v[5], lengths: lengths,
          reverse: reverse)
      }
    }
  }

  @Test func composedGRUStepMatchesFiniteDifferences() {
    let (b, i, h) = (2, 3, 4)
    let inputs = [
      randomTensor([b, i], seed: 20), randomTensor([b, h], seed: 21), randomTensor([3 * h, i], seed: 22),
      randomTensor([3 * h, h], seed: 23), randomTensor([3 * h], seed: 24), randomTensor([3 * h], seed: 25),
    ]
    checkGradients(inputs) { v in
      // Three steps of the composed cell, re-using the same weights.
      var state = v[1]
      for _ in 0..<3 {
        state = gruStepComposed(v[0], state, weightIH: v[2], weightHH: v[3], biasIH: v[4], biasHH: v[5])
      }
      return state
    }
  }

  /// The fused cell and the composed reference give the same values and parameter gradients over
  /// several steps (float rounding only: 1e-5).
  @Test func fusedCellAgreesWithComposedCell() {
    var rng = RandomGenerator(seed: 30)
    let cell = GRUCell(inputSize: 5, hiddenSize: 6, using: &rng)
    let xs = (0..<5).map { randomTensor([3, 5], seed: UInt64(40 + $0)) }
    func run(fused: Bool) -> (Tensor, [Tensor]) {
      cell.zeroGrad()
      let tape = Tape()
      var h = tape.constant(Tensor(zeros: [3, 6]))
      for x in xs { h = fused ? cell(tape.constant(x), h) : cell.composedStep(tape.constant(x), h) }
      tape.backward((h * h).sum())
      return (h.value, cell.parameters.map(\.grad))
    }
    let (hf, gf) = run(fused: true)
    let (hc, gc) = run(fused: false)
    for (a, c) in zip(hf.data, hc.data) { #expect(Swift.abs(a - c) < 1e-5) }
    for (ga, gb) in zip(gf, gc) {
      for (a, c) in zip(ga.data, gb.data) { #expect(Swift.abs(a - c) < 1e-5, "\(a) vs \(c)") }
    }
  }

  // MARK: GRU over sequences

  @Test func bidirectionalGRUWithLengthsEqualsRunningEachItemAlone() {
    var rng = RandomGenerator(seed: 50)
    let gru = GRU(inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, using: &rng)
    let (t, b) = (5, 3)
    let x = randomTensor([t, b, 3], seed: 51)
    let lengths = [5, 2, 3]
    let (out, final) = gru(x, lengths: lengths)
    #expect(out.shape == [t, b, 8])
    #expect(final.shape == [4, b, 4])
    for item in 0..<b {
      let n = lengths[item]
      // The item alone, truncated to its length, batch of one.
      var alone = [Float]()
      for step in 0..<n { alone += Array(x.data[((step * b + item) * 3)..<((step * b + item) * 3 + 3)]) }
      let (o1, f1) = gru(Tensor(shape: [n, 1, 3], data: alone))
      for step in 0..<t {
        for j in 0..<8 {
          let got = out[step, item, j]
          let want = step < n ? o1[step, 0, j] : 0
          #expect(Swift.abs(got - want) < 1e-5, "item \(item) step \(step) unit \(j): \(got) vs \(want)")
        }
      }
      for k in 0..<4 {
        for j in 0..<4 { #expect(Swift.abs(final[k, item, j] - f1[k, 0, j]) < 1e-5) }
      }
    }
    #expect(
      gru.namedParameters().map(\.name).prefix(8) == [
        "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
        "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
      ])
    #expect(gru.cells[1][0].weightIH.value.shape == [12, 8])
  }

  @Test func gruModuleGradientsMatchFiniteDifferences() {
    // Through the module: bidirectional, padded, with an initial state; checks x and h0 gradients.
    var rng = RandomGenerator(seed: 60)
    let gru = GRU(inputSize: 2, hiddenSize: 3, bidirectional: true, using: &rng)
    checkGradients([randomTensor([3, 2, 2], seed: 61), randomTensor([2, 2, 3], seed: 62)]) { v in
      let out = gru(v[0], initialState: v[1], lengths: [3, 1])
      return concat([out.output.reshaped([-1]), out.finalState.reshaped([-1])])
    }
  }

  @Test func thousandStepSequenceBackpropagates() {
    var rng = RandomGenerator(seed: 70)
    let gru = GRU(inputSize: 4, hiddenSize: 8, using: &rng)
    let tape = Tape()
    let x = tape.variable(randomTensor([1000, 2, 4], seed: 71))
    let out = gru(x)
    tape.backward(out.output.sum())
    let g = tape.gradient(of: x)!
    #expect(g.shape == [1000, 2, 4] && g.isFinite)
    #expect(gru.parameters.allSatisfy { $0.grad.isFinite && $0.grad.data.contains { $0 != 0 } })
  }
}
