import Core
import NeuralNets
import Tensors
import Testing

@testable import NeuralNets
@testable import Tensors

@Suite("Layers, initialisers and Adam")
struct LayerTests {
  @Test(arguments: [(64, 4), (4, 64), (8, 8)])
  func orthogonalInitIsOrthonormalTimesGain(shape: (Int, Int)) {
    var rng = RandomGenerator(seed: 1)
    let w = Initializer.orthogonal(gain: 2).make([shape.0, shape.1], using: &rng)
    // The smaller Gram matrix (W W^T or W^T W) is gain^2 * I.
    let gram =
      shape.0 <= shape.1
      ? Tensor.matmul(w, w, transposeB: true) : Tensor.matmul(w, w, transposeA: true)
    let n = gram.shape[0]
    for i in 0..<n {
      for j in 0..<n {
        #expect(Swift.abs(gram[i, j] - (i == j ? 4 : 0)) < 1e-4, "gram[\(i),\(j)] = \(gram[i, j])")
      }
    }
  }

  @Test func mlpForwardMatchesHandComputation() {
    var rng = RandomGenerator(seed: 2)
    let mlp = MLP(widths: [2, 2, 1], activation: .tanh, using: &rng)
    mlp.layers[0].weight.value = Tensor(rows: [[1, -1], [0.5, 2]])
    mlp.layers[0].bias!.value = Tensor([0.1, -0.2])
    mlp.layers[1].weight.value = Tensor(rows: [[3, -1]])
    mlp.layers[1].bias!.value = Tensor([0.25])
    let y = mlp(Tensor(rows: [[0.3, 0.7]]))
    // h = tanh([0.3 - 0.7 + 0.1, 0.15 + 1.4 - 0.2]) = tanh([-0.3, 1.35])
    let expected = 3 * Float(-0.291312612) - Float(0.874053) + 0.25
    #expect(Swift.abs(y.scalar - expected) < 1e-5)
    #expect(mlp.namedParameters().map(\.name) == ["0.weight", "0.bias", "1.weight", "1.bias"])
  }

  @Test func adamFirstStepMovesByLearningRate() {
    // With bias correction, the first Adam step is lr * g / (|g| + eps') = lr * sign(g).
    let p = Parameter(Tensor([1, -2]))
    p.grad = Tensor([0.5, -3])
    let adam = Adam(parameters: [p], learningRate: 0.1, eps: 1e-8)
    adam.step()
    #expect(Swift.abs(p.value.data[0] - 0.9) < 1e-6)
    #expect(Swift.abs(p.value.data[1] - -1.9) < 1e-6)
  }

  @Test func gradientClippingScalesToMaxNorm() {
    let p = Parameter(Tensor([0, 0]))
    p.grad = Tensor([3, 4])
    let norm = clipGradNorm([p], maxNorm: 1)
    #expect(norm == 5)
    #expect(Swift.abs(p.grad.data[0] - 0.6) < 1e-5 && Swift.abs(p.grad.data[1] - 0.8) < 1e-5)
  }
}
