import Core
import Foundation
import NeuralNets
import Tensors

/// A small supervised problem that exercises the whole foundation (MLP, fused ops, tape, Adam,
/// learning-rate schedule, checkpoints): fit `f(x) = sin(3 x1) cos(2 x2)` on [-1, 1]^2 from
/// samples with Gaussian noise of standard deviation `noise`. The best achievable mean squared
/// error on noisy held-out data is `noise^2` (the noise floor), which the demo prints beside the
/// model's.
public struct RegressionDemo {
  public struct Config: Sendable {
    public var widths: [Int] = [2, 64, 64, 1]
    public var steps = 3000
    public var batchSize = 256
    public var learningRate: Float = 3e-3
    public var noise: Float = 0.1
    public var testSize = 4096
    public var seed: UInt64 = 0
    public init() {}
  }

  public struct Progress: Sendable {
    public let step: Int
    public let steps: Int
    /// Exponential moving average of the training loss.
    public let trainLoss: Float
    public let learningRate: Float
  }

  public let config: Config
  public let model: MLP
  public let optimizer: Adam
  public let schedule: Schedule

  public init(config: Config) {
    precondition(
      config.widths.first == 2 && config.widths.last == 1, "the demo MLP maps 2 inputs to 1 output")
    self.config = config
    var rng = RandomGenerator(seed: config.seed, stream: 1)
    model = MLP(widths: config.widths, activation: .tanh, using: &rng)
    optimizer = Adam(parameters: model.parameters, learningRate: config.learningRate)
    schedule = .linear(initial: Double(config.learningRate), final: 0)
  }

  static func target(_ x1: Float, _ x2: Float) -> Float { Foundation.sin(3 * x1) * Foundation.cos(2 * x2) }

  /// `n` noisy samples: inputs `[n, 2]`, targets `[n, 1]`.
  public static func samples(_ n: Int, noise: Float, using rng: inout RandomGenerator) -> (
    x: Tensor, y: Tensor
  ) {
    var x = [Float](repeating: 0, count: 2 * n)
    var y = [Float](repeating: 0, count: n)
    for i in 0..<n {
      x[2 * i] = rng.uniformFloat() * 2 - 1
      x[2 * i + 1] = rng.uniformFloat() * 2 - 1
      y[i] = target(x[2 * i], x[2 * i + 1]) + noise * Float(rng.normal())
    }
    return (Tensor(shape: [n, 2], data: x), Tensor(shape: [n, 1], data: y))
  }

  /// Mean squared error on `(x, y)` without a tape.
  public func meanSquaredError(_ x: Tensor, _ y: Tensor) -> Float {
    let d = model(x) - y
    return (d * d).mean().scalar
  }

  /// Trains for `config.steps` Adam steps on fresh batches; calls `progress` every
  /// `reportEvery` steps and after the last. Returns the held-out MSE.
  @discardableResult
  public func train(reportEvery: Int = 50, progress: (Progress) -> Void = { _ in }) -> Float {
    var rng = RandomGenerator(seed: config.seed, stream: 2)
    var average: Float = .nan
    for step in 1...config.steps {
      optimizer.learningRate = schedule(progress: Double(step - 1) / Double(config.steps))
      let (x, y) = RegressionDemo.samples(config.batchSize, noise: config.noise, using: &rng)
      let tape = Tape()
      let loss = (model(tape.constant(x)) - tape.constant(y)).square().mean()
      tape.backward(loss)
      optimizer.step()
      optimizer.zeroGrad()
      average = average.isNaN ? loss.value.scalar : 0.98 * average + 0.02 * loss.value.scalar
      if step % reportEvery == 0 || step == config.steps {
        progress(
          Progress(step: step, steps: config.steps, trainLoss: average, learningRate: optimizer.learningRate))
      }
    }
    var testRng = RandomGenerator(seed: config.seed, stream: 3)
    let (x, y) = RegressionDemo.samples(config.testSize, noise: config.noise, using: &testRng)
    return meanSquaredError(x, y)
  }
}
