import Core
import Foundation
import ONNX
import Reinforcement
import Tensors
import TestSupport
import Testing
import Training

/// The exported PPO graph, decoded back with the generated `onnx.proto` types: IR version, opset,
/// inputs and outputs with their shapes, the node sequence, and initializers holding the policy's
/// exact weights and the normaliser's statistics.
@Suite struct PPOExportTests {
  static func policy(shared: Bool, activation: PolicyActivation = .tanh) -> ActorCritic {
    var rng = RandomGenerator(seed: 3)
    return ActorCritic(
      observationSize: 4, actionCount: 2, netArch: [8, 8], sharedTrunk: shared, activation: activation,
      orthoInit: true, using: &rng)
  }

  static func roundTrip(_ model: Onnx_ModelProto) throws -> Onnx_ModelProto {
    let folder = try makeScratchFolder()
    let url = folder.appendingPathComponent("policy.onnx")
    try ONNXFile.write(model, to: url)
    return try ONNXFile.read(url)
  }

  @Test func separateNetworksWithNormalizer() throws {
    let policy = Self.policy(shared: false)
    var normalizer = ObservationNormalizer(size: 4, clip: 5)
    let batch: [Float] = [1, 2, 3, 4, -1, 0, 2, 8]
    batch.withUnsafeBufferPointer { normalizer.update($0) }
    let model = try Self.roundTrip(
      PPOExport.model(policy: policy, normalizer: normalizer, description: "test"))
    #expect(model.irVersion == 8 && ONNXGraphBuilder.irVersion == 8)
    #expect(
      model.opsetImport.count == 1 && model.opsetImport[0].version == 17
        && model.opsetImport[0].domain.isEmpty)
    #expect(model.producerName == "losslab")
    let graph = model.graph
    #expect(graph.input.map(\.name) == ["observation"])
    let inputDims = graph.input[0].type.tensorType.shape.dim
    #expect(inputDims.count == 2 && inputDims[0].dimParam == "batch" && inputDims[1].dimValue == 4)
    #expect(graph.input[0].type.tensorType.elemType == ONNXElementType.float.rawValue)
    #expect(graph.output.map(\.name) == ["logits", "action", "value"])
    #expect(graph.output[1].type.tensorType.elemType == ONNXElementType.int64.rawValue)
    #expect(graph.output[0].type.tensorType.shape.dim.last?.dimValue == 2)
    #expect(
      graph.node.map(\.opType) == [
        "Sub", "Div", "Clip", "Gemm", "Tanh", "Gemm", "Tanh", "Gemm", "Tanh", "Gemm", "Tanh", "Gemm",
        "ArgMax",
        "Gemm", "Squeeze",
      ])
    // Every node input is a graph input, an initializer or an earlier node's output.
    var known = Set(graph.input.map(\.name) + graph.initializer.map(\.name))
    for node in graph.node {
      for input in node.input { #expect(known.contains(input), "\(node.opType) reads undefined \(input)") }
      known.formUnion(node.output)
    }
    for output in graph.output { #expect(known.contains(output.name)) }
    // Weights are the policy's, bit for bit, in PyTorch's [out, in] layout with Gemm transB = 1.
    let head = try #require(graph.initializer.first { $0.name == "action_net.weight" })
    #expect(head.dims == [2, 8])
    #expect(ONNXFile.floats(head) == policy.actionHead.weight.value.data)
    let gemm = try #require(graph.node.first { $0.opType == "Gemm" })
    #expect(gemm.attribute.contains { $0.name == "transB" && $0.i == 1 && $0.type == .int })
    let mean = try #require(graph.initializer.first { $0.name == "obs_rms.mean" })
    #expect(ONNXFile.floats(mean) == normalizer.mean.map { Float($0) })
    let high = try #require(graph.initializer.first { $0.name == "obs_rms.clip_max" })
    #expect(high.dims.isEmpty && ONNXFile.floats(high) == [5])
    let argmax = try #require(graph.node.first { $0.opType == "ArgMax" })
    #expect(argmax.attribute.contains { $0.name == "keepdims" && $0.i == 0 })
  }

  @Test func sharedTrunkWithoutNormalizer() throws {
    let policy = Self.policy(shared: true, activation: .relu)
    let model = try Self.roundTrip(PPOExport.model(policy: policy, normalizer: nil, description: "test"))
    #expect(
      model.graph.node.map(\.opType) == ["Gemm", "Relu", "Gemm", "Relu", "Gemm", "ArgMax", "Gemm", "Squeeze"])
    #expect(model.graph.initializer.contains { $0.name == "mlp_extractor.shared_net.2.weight" })
    #expect(!model.graph.initializer.contains { $0.name.hasPrefix("obs_rms") })
  }

  @Test func referenceMatchesThePolicy() throws {
    let policy = Self.policy(shared: false)
    let text = PPOExport.referenceJSON(policy: policy, normalizer: nil, count: 5, seed: 1)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    let observations = try #require(object["observation"] as? [[Double]])
    let logits = try #require(object["logits"] as? [[Double]])
    let values = try #require(object["value"] as? [Double])
    #expect(observations.count == 5 && logits.count == 5 && values.count == 5)
    let input = Tensor(shape: [5, 4], data: observations.flatMap { $0.map { Float($0) } })
    let (expectedLogits, expectedValues) = policy.forward(input)
    #expect(logits.flatMap { $0.map { Float($0) } } == expectedLogits.data)
    #expect(values.map { Float($0) } == expectedValues.data)
  }
}
