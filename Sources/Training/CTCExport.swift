import CTC
import Core
import Foundation
import NeuralNets
import ONNX
import Runs
import Speech
import Tensors

/// The CTC acoustic model as an ONNX graph (IR `ONNXGraphBuilder.irVersion`, opset
/// `ONNXGraphBuilder.opsetVersion`), for `losslab ctc export RUN --onnx FILE`.
///
/// Inputs, batch-major:
/// - `features` float32 `[batch, frames, bands]`: log-mel features as LossLab computes them
///   (`SpeechExample.features`, one row per 10 ms frame), each item zero-padded after its length;
/// - `lengths` int64 `[batch]`: valid frames of each item.
///
/// Outputs:
/// - `log_probs` float32 `[batch, steps, classes]`: log-softmax over the classes (blank 0, space,
///   a-z) at each of `steps = ceil(frames / stride)` output frames; rows at or after an item's
///   `output_lengths` are padding (not specified);
/// - `output_lengths` int64 `[batch]`: `ceil(lengths / stride)`, the valid output frames.
///
/// Graph: `Transpose` to `[batch, bands, frames]`, the frame-stacking front-end as one `Conv`
/// (kernel `stride + 2 context`, stride `stride`, pads `context` before and `context + stride - 1`
/// after, so zeros stand outside the utterance exactly as in ``FrameStacking``), `Relu`,
/// `Transpose` to time-major, then per layer one ONNX `GRU` (direction `bidirectional`,
/// `linear_before_reset = 1`, which is PyTorch's `r * (W_hn h + b_hn)`; gate blocks reordered from
/// LossLab's r, z, n to ONNX's z, r, h; `sequence_lens` from `lengths`, so padding never reaches
/// an item's states), `Transpose` + `Reshape` to concatenate the two directions, `MatMul` + `Add`
/// for the output layer, `LogSoftmax`, and `Transpose` back to batch-major.
public enum CTCExport {
  public static let inputNames = ["features", "lengths"]
  public static let outputNames = ["log_probs", "output_lengths"]

  public static func model(_ model: AcousticModel, description: String) -> Onnx_ModelProto {
    let config = model.config
    let (stride, context, bands) = (config.stacking.stride, config.stacking.context, config.bands)
    var g = ONNXGraphBuilder(name: "losslab_ctc_acoustic_model")
    let batch = ONNXDimension.symbolic("batch")
    g.input("features", .float, shape: [batch, .symbolic("frames"), .fixed(bands)])
    g.input("lengths", .int64, shape: [batch])

    // Front-end: Linear over stacked frames == Conv1D over time.
    let channelsFirst = g.node("Transpose", ["features"], attributes: [.ints("perm", [0, 2, 1])])
    let conv = g.node(
      "Conv",
      [
        channelsFirst, g.initializer("frontend.conv_weight", convWeight(model.frontend.weight.value, config)),
        g.initializer("frontend.bias", model.frontend.bias?.value ?? Tensor(zeros: [config.frontendWidth])),
      ],
      attributes: [
        .ints("kernel_shape", [Int64(config.stacking.window)]), .ints("strides", [Int64(stride)]),
        .ints("pads", [Int64(context), Int64(context + stride - 1)]),
      ])
    let relu = g.node("Relu", [conv])
    var x = g.node("Transpose", [relu], attributes: [.ints("perm", [2, 0, 1])])

    // Valid output frames: ceil(lengths / stride) (int64 division truncates; lengths >= 0).
    let rounded = g.node(
      "Add", ["lengths", g.initializer("stride_minus_one", int64: [Int64(stride - 1)], shape: [])])
    g.node(
      "Div", [rounded, g.initializer("stride", int64: [Int64(stride)], shape: [])], output: "output_lengths")
    let sequenceLengths = g.node("Cast", ["output_lengths"], attributes: [.int("to", 6)])  // int32

    let concatShape = g.initializer("concat_directions_shape", int64: [0, 0, -1], shape: [3])
    for layer in 0..<config.layers {
      let cells = model.gru.cells[layer]
      let (w, r, b) = gruWeights(cells)
      let y = g.node(
        "GRU",
        [
          x, g.initializer("gru.W_l\(layer)", w), g.initializer("gru.R_l\(layer)", r),
          g.initializer("gru.B_l\(layer)", b), sequenceLengths,
        ],
        attributes: [
          .int("hidden_size", Int64(config.hidden)), .string("direction", "bidirectional"),
          .int("linear_before_reset", 1),
        ])
      // Y [steps, 2, batch, H] -> [steps, batch, 2, H] -> [steps, batch, 2H] (forward first).
      let swapped = g.node("Transpose", [y], attributes: [.ints("perm", [0, 2, 1, 3])])
      x = g.node("Reshape", [swapped, concatShape])
    }
    let logits = g.matMulAdd(
      x, weight: model.output.weight.value, bias: model.output.bias?.value, name: "output")
    let logProbs = g.node("LogSoftmax", [logits], attributes: [.int("axis", 2)])
    g.node("Transpose", [logProbs], output: "log_probs", attributes: [.ints("perm", [1, 0, 2])])
    g.output("log_probs", .float, shape: [batch, .symbolic("steps"), .fixed(config.classes)])
    g.output("output_lengths", .int64, shape: [batch])
    return g.model(
      docString: description,
      metadata: [
        ("layout", "features [batch, frames, bands], log_probs [batch, steps, classes]"),
        ("stacking", "stride \(stride), context \(context)"),
        ("classes", "blank, space, a-z"),
      ])
  }

  /// The front-end's `[width, window * bands]` weight (stacked row `k * bands + f`) as a Conv
  /// kernel `[width, bands, window]`.
  static func convWeight(_ weight: Tensor, _ config: AcousticModelConfig) -> Tensor {
    let (width, bands, window) = (config.frontendWidth, config.bands, config.stacking.window)
    var out = [Float](repeating: 0, count: width * bands * window)
    for m in 0..<width {
      for k in 0..<window {
        for f in 0..<bands {
          out[(m * bands + f) * window + k] = weight.data[m * window * bands + k * bands + f]
        }
      }
    }
    return Tensor(shape: [width, bands, window], data: out)
  }

  /// ONNX `GRU` weights of one layer's two directions: `W [2, 3H, input]`, `R [2, 3H, H]`,
  /// `B [2, 6H]` (input biases then recurrent biases), gate blocks in ONNX's order z, r, h.
  static func gruWeights(_ cells: [GRUCell]) -> (w: Tensor, r: Tensor, b: Tensor) {
    let hidden = cells[0].hiddenSize
    // LossLab / PyTorch row blocks: r = 0, z = 1, n = 2; ONNX wants z, r, n.
    func reorder(_ t: Tensor) -> [Float] {
      let blockSize = t.count / 3
      return [1, 0, 2].flatMap { Array(t.data[($0 * blockSize)..<(($0 + 1) * blockSize)]) }
    }
    let w = cells.flatMap { reorder($0.weightIH.value) }
    let r = cells.flatMap { reorder($0.weightHH.value) }
    let b = cells.flatMap { reorder($0.biasIH.value) + reorder($0.biasHH.value) }
    return (
      Tensor(shape: [cells.count, 3 * hidden, cells[0].inputSize], data: w),
      Tensor(shape: [cells.count, 3 * hidden, hidden], data: r),
      Tensor(shape: [cells.count, 6 * hidden], data: b)
    )
  }

  /// LossLab's log-probabilities on `examples` in one padded batch, as JSON for
  /// `scripts/check_onnx_ctc.py`: `features` `[batch, frames, bands]` (zero-padded), `lengths`,
  /// `log_probs` `[batch, steps, classes]` (LossLab's logits through `logSoftmax`; padded rows as
  /// LossLab computes them), `output_lengths` and the transcripts `texts`.
  public static func referenceJSON(model: AcousticModel, examples: [SpeechExample]) -> String {
    let config = model.config
    let batch = SpeechBatch(examples, indices: Array(examples.indices), stacking: config.stacking)
    let logProbs = model.logits(batch).logSoftmax()  // [steps, batch, classes]
    let (steps, classes, bands) = (logProbs.shape[0], config.classes, config.bands)
    let frames = examples.map(\.frames).max() ?? 0
    func number(_ x: Float) -> String { "\(x)" }
    var features: [String] = []
    var outputs: [String] = []
    for (b, example) in examples.enumerated() {
      var rows: [String] = []
      for t in 0..<frames {
        let row =
          t < example.frames
          ? example.features.data[(t * bands)..<((t + 1) * bands)].map(number)
          : Array(repeating: "0", count: bands)
        rows.append("[" + row.joined(separator: ",") + "]")
      }
      features.append("[" + rows.joined(separator: ",\n") + "]")
      var out: [String] = []
      for t in 0..<steps {
        let start = (t * examples.count + b) * classes
        out.append("[" + logProbs.data[start..<(start + classes)].map(number).joined(separator: ",") + "]")
      }
      outputs.append("[" + out.joined(separator: ",\n") + "]")
    }
    let texts = examples.map { JSONText.quoted($0.text) }
    return "{\"features\": [" + features.joined(separator: ",\n") + "],\n"
      + "\"lengths\": [\(examples.map { String($0.frames) }.joined(separator: ","))],\n"
      + "\"log_probs\": [" + outputs.joined(separator: ",\n") + "],\n"
      + "\"output_lengths\": [\(batch.lengths.map(String.init).joined(separator: ","))],\n"
      + "\"texts\": [\(texts.joined(separator: ","))]}\n"
  }
}

extension CTCExport {
  /// Writes the ONNX model of `model` (loaded from `checkpoint`) to `url`, atomically.
  public static func writeONNX(_ model: AcousticModel, checkpoint: Checkpoint, to url: URL) throws {
    let description =
      "LossLab CTC acoustic model (\(checkpoint.weightsURL.lastPathComponent)): "
      + "features, lengths -> log_probs, output_lengths"
    try ONNXFile.write(Self.model(model, description: description), to: url)
  }

  /// Writes LossLab's log-probabilities on `examples` to `url` (JSON, ``referenceJSON(model:examples:)``).
  public static func writeReference(model: AcousticModel, examples: [SpeechExample], to url: URL) throws {
    try AtomicFile.write(referenceJSON(model: model, examples: examples), to: url)
  }
}
