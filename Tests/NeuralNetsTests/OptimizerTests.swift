import NeuralNets
import Tensors
import Testing

@testable import NeuralNets
@testable import Tensors

@Suite("SGD and learning-rate schedules")
struct OptimizerTests {
  func run(_ sgd: SGD, _ p: Parameter, steps: Int) -> [Float] {
    (0..<steps).map { _ in
      p.grad = Tensor([0.5])
      sgd.step()
      return p.value.data[0]
    }
  }

  // Hand-computed from PyTorch's update rule (p = 1, constant gradient 0.5, lr 0.1).
  @Test func plainMomentumAndNesterovMatchHandComputation() {
    let p1 = Parameter(Tensor([1]))
    let plain = run(SGD(parameters: [p1], learningRate: 0.1), p1, steps: 2)
    #expect(Swift.abs(plain[0] - 0.95) < 1e-6 && Swift.abs(plain[1] - 0.90) < 1e-6)

    // b1 = 0.5, p = 0.95; b2 = 0.9 * 0.5 + 0.5 = 0.95, p = 0.855
    let p2 = Parameter(Tensor([1]))
    let heavy = run(SGD(parameters: [p2], learningRate: 0.1, momentum: 0.9), p2, steps: 2)
    #expect(Swift.abs(heavy[0] - 0.95) < 1e-6 && Swift.abs(heavy[1] - 0.855) < 1e-6)

    // Nesterov: steps use g + 0.9 b: 0.95, then 0.5 + 0.855 = 1.355.
    let p3 = Parameter(Tensor([1]))
    let nesterov = run(SGD(parameters: [p3], learningRate: 0.1, momentum: 0.9, nesterov: true), p3, steps: 2)
    #expect(Swift.abs(nesterov[0] - 0.905) < 1e-6 && Swift.abs(nesterov[1] - 0.7695) < 1e-6)

    // Weight decay adds 0.1 * p to the gradient; dampening 0.5 halves later contributions.
    let p4 = Parameter(Tensor([1]))
    #expect(
      Swift.abs(run(SGD(parameters: [p4], learningRate: 0.1, weightDecay: 0.1), p4, steps: 1)[0] - 0.94)
        < 1e-6)
    let p5 = Parameter(Tensor([1]))
    let damped = run(SGD(parameters: [p5], learningRate: 0.1, momentum: 0.9, dampening: 0.5), p5, steps: 2)
    // b1 = 0.5 (no dampening on the first step), b2 = 0.45 + 0.25 = 0.7
    #expect(Swift.abs(damped[1] - (0.95 - 0.07)) < 1e-6)
  }

  @Test func sgdMomentumStateRoundTrips() throws {
    let p = Parameter(Tensor([1, 2]))
    let sgd = SGD(parameters: [p], learningRate: 0.1, momentum: 0.9)
    p.grad = Tensor([1, -1])
    sgd.step()
    let file = try SafeTensors.decode(try SafeTensors.encode(sgd.stateTensors()))
    let fresh = SGD(parameters: [p], learningRate: 0.1, momentum: 0.9)
    try fresh.restore(from: file)
    #expect(fresh.momentumBuffers == sgd.momentumBuffers)
  }

  @Test func schedules() {
    let linear = Schedule.linear(initial: 1e-3, final: 0)
    #expect(linear(progress: 0) == 1e-3)
    #expect(Swift.abs(linear(progress: 0.25) - 7.5e-4) < 1e-9)
    #expect(linear(progress: 1) == 0)
    #expect(linear(progress: 2) == 0)  // clamped
    // CleanRL: update u of N uses frac = 1 - (u - 1) / N.
    let n = 4
    let cleanRL = (1...n).map { linear(progress: Double($0 - 1) / Double(n)) }
    for (u, lr) in cleanRL.enumerated() {
      #expect(Swift.abs(lr - 1e-3 * (1 - Float(u) / Float(n))) < 1e-9)
    }
    let cosine = Schedule.cosine(initial: 1, final: 0.2)
    #expect(cosine(progress: 0) == 1 && Swift.abs(cosine(progress: 0.5) - 0.6) < 1e-6)
    #expect(Swift.abs(cosine(progress: 1) - 0.2) < 1e-6)
    #expect(Schedule.constant(3e-4)(progress: 0.7) == 3e-4)
    // Driving an optimizer through the protocol.
    let adam: any Optimizer = Adam(parameters: [Parameter(Tensor([0]))], learningRate: 1)
    adam.learningRate = linear(progress: 0.5)
    #expect(Swift.abs((adam as! Adam).learningRate - 5e-4) < 1e-9)
  }
}
