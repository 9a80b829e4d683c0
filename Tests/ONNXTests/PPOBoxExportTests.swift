import Core
import Foundation
import ONNX
import Reinforcement
import Tensors
import TestSupport
import Testing
import Training

/// The exported graph of a box-action (Gaussian or gSDE) policy: `mean`, a float `action` clipped
/// to the bounds (or squashed with tanh), `value`; the reference JSON matches the policy.
@Suite struct PPOBoxExportTests {
  static func policy(squash: Bool, sde: Bool) -> ActorCritic {
    var rng = RandomGenerator(seed: 5)
    return ActorCritic(
      observationSize: 3, actionCount: 2, netArch: [8, 8], sharedTrunk: false, activation: .tanh,
      orthoInit: true,
      gaussian: GaussianSettings(
        low: [-2, -1], high: [2, 0.5], logStdInit: -0.5, useSde: sde, squashOutput: squash),
      using: &rng)
  }

  @Test(arguments: [false, true]) func clippedOrSquashedAction(squash: Bool) throws {
    let policy = Self.policy(squash: squash, sde: !squash)
    let model = try PPOExportTests.roundTrip(
      PPOExport.model(policy: policy, normalizer: nil, description: "t"))
    let graph = model.graph
    #expect(graph.output.map(\.name) == ["mean", "action", "value"])
    #expect(graph.output[1].type.tensorType.elemType == ONNXElementType.float.rawValue)
    #expect(graph.output[1].type.tensorType.shape.dim.last?.dimValue == 2)
    let ops = graph.node.map(\.opType)
    #expect(!ops.contains("ArgMax"))
    #expect(
      squash
        ? Array(ops[8...12]) == ["Gemm", "Tanh", "Add", "Mul", "Add"]
        : ops.contains("Min") && ops.contains("Max"))
    let low = try #require(graph.initializer.first { $0.name == "action_space.low" })
    #expect(ONNXFile.floats(low) == [-2, -1])
    var known = Set(graph.input.map(\.name) + graph.initializer.map(\.name))
    for node in graph.node {
      for input in node.input { #expect(known.contains(input), "\(node.opType) reads undefined \(input)") }
      known.formUnion(node.output)
    }
  }

  @Test func referenceHoldsMeanAndDeterministicAction() throws {
    let policy = Self.policy(squash: false, sde: true)
    let text = PPOExport.referenceJSON(policy: policy, normalizer: nil, count: 6, seed: 2)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    let observations = try #require(object["observation"] as? [[Double]])
    let means = try #require(object["mean"] as? [[Double]])
    let actions = try #require(object["action"] as? [[Double]])
    #expect(object["logits"] == nil)
    let input = Tensor(shape: [6, 3], data: observations.flatMap { $0.map { Float($0) } })
    let (expected, _) = policy.forward(input)
    #expect(means.flatMap { $0.map { Float($0) } } == expected.data)
    for (row, mean) in zip(actions, means) {
      #expect(Float(row[0]) == min(max(Float(mean[0]), -2), 2))
      #expect(Float(row[1]) == min(max(Float(mean[1]), -1), 0.5))
    }
  }
}
