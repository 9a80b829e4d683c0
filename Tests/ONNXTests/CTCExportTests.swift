import CTC
import Core
import Foundation
import NeuralNets
import ONNX
import Speech
import Tensors
import TestSupport
import Testing
import Training

/// The exported CTC acoustic model decoded back with the generated `onnx.proto` types: inputs and
/// outputs, the node sequence (Conv front-end, one bidirectional `GRU` per layer, LogSoftmax),
/// the GRU attributes, and initializers holding the model's weights rearranged exactly (Conv
/// kernel from the stacked Linear, GRU gate blocks reordered from r, z, n to z, r, n).
@Suite struct CTCExportTests {
  static func model(layers: Int) -> AcousticModel {
    var config = AcousticModelConfig()
    config.bands = 4
    config.stacking = FrameStacking(stride: 2, context: 1)
    config.frontendWidth = 5
    config.hidden = 3
    config.layers = layers
    var rng = RandomGenerator(seed: 11)
    return AcousticModel(config, using: &rng)
  }

  @Test func graphStructureAndWeights() throws {
    let model = Self.model(layers: 2)
    let exported = try PPOExportTests.roundTrip(CTCExport.model(model, description: "test"))
    #expect(exported.irVersion == 8 && exported.opsetImport.first?.version == 17)
    let graph = exported.graph
    #expect(graph.input.map(\.name) == ["features", "lengths"])
    #expect(graph.input[0].type.tensorType.elemType == ONNXElementType.float.rawValue)
    #expect(graph.input[1].type.tensorType.elemType == ONNXElementType.int64.rawValue)
    let dims = graph.input[0].type.tensorType.shape.dim
    #expect(
      dims.count == 3 && dims[0].dimParam == "batch" && dims[1].dimParam == "frames" && dims[2].dimValue == 4)
    #expect(graph.output.map(\.name) == ["log_probs", "output_lengths"])
    #expect(graph.output[0].type.tensorType.shape.dim.last?.dimValue == Int64(SpeechAlphabet.count))
    #expect(
      graph.node.map(\.opType) == [
        "Transpose", "Conv", "Relu", "Transpose", "Add", "Div", "Cast",
        "GRU", "Transpose", "Reshape", "GRU", "Transpose", "Reshape",
        "MatMul", "Add", "LogSoftmax", "Transpose",
      ])
    var known = Set(graph.input.map(\.name) + graph.initializer.map(\.name))
    for node in graph.node {
      for input in node.input { #expect(known.contains(input), "\(node.opType) reads undefined \(input)") }
      known.formUnion(node.output)
    }
    for output in graph.output { #expect(known.contains(output.name)) }

    let conv = try #require(graph.node.first { $0.opType == "Conv" })
    func ints(_ node: Onnx_NodeProto, _ name: String) -> [Int64]? {
      node.attribute.first { $0.name == name }?.ints
    }
    #expect(
      ints(conv, "kernel_shape") == [4] && ints(conv, "strides") == [2] && ints(conv, "pads") == [1, 2])
    let gru = try #require(graph.node.first { $0.opType == "GRU" })
    #expect(gru.input.count == 5)
    #expect(gru.attribute.contains { $0.name == "hidden_size" && $0.i == 3 && $0.type == .int })
    #expect(gru.attribute.contains { $0.name == "linear_before_reset" && $0.i == 1 })
    #expect(gru.attribute.contains { $0.name == "direction" && $0.s == Data("bidirectional".utf8) })

    // Conv kernel [width, bands, window]: element (m, f, k) is the stacked weight's (m, k * bands + f).
    let kernel = try #require(graph.initializer.first { $0.name == "frontend.conv_weight" })
    #expect(kernel.dims == [5, 4, 4])
    let k = ONNXFile.floats(kernel)
    let w = model.frontend.weight.value.data
    for m in 0..<5 {
      for f in 0..<4 {
        for t in 0..<4 { #expect(k[(m * 4 + f) * 4 + t] == w[m * 16 + t * 4 + f]) }
      }
    }
    // GRU layer 1 (input 2H = 6): W [2, 9, 6]; ONNX block 0 (z) is LossLab's block 1, block 1 (r) its block 0.
    let weights = try #require(graph.initializer.first { $0.name == "gru.W_l1" })
    #expect(weights.dims == [2, 9, 6])
    let onnxW = ONNXFile.floats(weights)
    let backward = model.gru.cells[1][1].weightIH.value.data
    let block = 3 * 6
    #expect(Array(onnxW[(27 * 2)..<(27 * 2 + block)]) == Array(backward[block..<(2 * block)]))
    #expect(Array(onnxW[(54 + block)..<(54 + 2 * block)]) == Array(backward[0..<block]))
    #expect(Array(onnxW[(54 + 2 * block)..<(54 + 3 * block)]) == Array(backward[(2 * block)..<(3 * block)]))
    let biases = try #require(graph.initializer.first { $0.name == "gru.B_l0" })
    #expect(biases.dims == [2, 18])
    let b = ONNXFile.floats(biases)
    let forward = model.gru.cells[0][0]
    #expect(Array(b[0..<3]) == Array(forward.biasIH.value.data[3..<6]))  // W_bz
    #expect(Array(b[9..<12]) == Array(forward.biasHH.value.data[3..<6]))  // R_bz
    #expect(Array(b[15..<18]) == Array(forward.biasHH.value.data[6..<9]))  // R_bh
    let recurrent = try #require(graph.initializer.first { $0.name == "gru.R_l0" })
    #expect(recurrent.dims == [2, 9, 3])
  }

  @Test func referenceHoldsLossLabsLogProbabilities() throws {
    let model = Self.model(layers: 1)
    var rng = RandomGenerator(seed: 5)
    let examples = [7, 4].map { frames in
      SpeechExample(
        features: Tensor.uniform(shape: [frames, 4], low: -1, high: 1, using: &rng), labels: [1], text: "a b",
        duration: 0.1)
    }
    let text = CTCExport.referenceJSON(model: model, examples: examples)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    let features = try #require(object["features"] as? [[[Double]]])
    #expect(features.count == 2 && features[1].count == 7 && features[1][4] == [0, 0, 0, 0])
    #expect(object["lengths"] as? [Int] == [7, 4])
    #expect(object["output_lengths"] as? [Int] == [4, 2])
    let logProbs = try #require(object["log_probs"] as? [[[Double]]])
    #expect(logProbs.count == 2 && logProbs[0].count == 4 && logProbs[0][0].count == SpeechAlphabet.count)
    // Item 1 alone gives the same log-probabilities on its valid frames as in the padded batch.
    let alone = model.logits(SpeechBatch([examples[1]], indices: [0], stacking: model.config.stacking))
      .logSoftmax()
    for t in 0..<2 {
      let row = logProbs[1][t].map { Float($0) }
      let expected = Array(alone.data[(t * SpeechAlphabet.count)..<((t + 1) * SpeechAlphabet.count)])
      for (x, y) in zip(row, expected) { #expect(abs(x - y) <= 1e-6) }
    }
  }
}
