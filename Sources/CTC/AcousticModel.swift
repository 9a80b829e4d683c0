import Core
import Foundation
import NeuralNets
import Speech
import Tensors

/// The shape of an ``AcousticModel``; saved in a run's `config.json` so a checkpoint can be rebuilt.
public struct AcousticModelConfig: Sendable, Codable, Equatable {
  /// Log-mel bands per input frame.
  public var bands = 80
  /// Front-end frame stacking (time stride and context).
  public var stacking = FrameStacking(stride: 3, context: 1)
  /// Width of the front-end's output (ReLU units).
  public var frontendWidth = 128
  /// Hidden units per GRU direction.
  public var hidden = 128
  /// Bidirectional GRU layers.
  public var layers = 1
  /// Output classes: `SpeechAlphabet.count` (blank 0, space, a-z).
  public var classes = SpeechAlphabet.count

  public init() {}
}

/// A small CTC acoustic model:
///
/// ```
/// features [T, B, 80] --stack (stride s, context c)--> [T/s, B, (s + 2c) * 80]
///   --Linear + ReLU--> [T/s, B, F] --bidirectional GRU x L--> [T/s, B, 2H] --Linear--> logits [T/s, B, C]
/// ```
///
/// The stacked linear front-end is a strided 1-D convolution over time (kernel `s + 2c` frames),
/// which cuts the recurrent steps by `s`; the GRU runs with per-item lengths (PyTorch
/// packed-sequence semantics), so padding never leaks into an item's states. Logits are
/// time-major for ``CTCLoss`` and unnormalised (the loss and the decoders apply the log-softmax).
public final class AcousticModel: Module {
  public let config: AcousticModelConfig
  public let frontend: Linear
  public let gru: GRU
  public let output: Linear

  public init(_ config: AcousticModelConfig, using rng: inout RandomGenerator) {
    self.config = config
    frontend = Linear(config.stacking.window * config.bands, config.frontendWidth, using: &rng)
    gru = GRU(
      inputSize: config.frontendWidth, hiddenSize: config.hidden, numLayers: config.layers,
      bidirectional: true, using: &rng)
    output = Linear(2 * config.hidden, config.classes, using: &rng)
  }

  /// Differentiable logits `[T', B, C]` for a batch's stacked `input` `[T', B, window * bands]`.
  public func callAsFunction(_ input: Variable, lengths: [Int]) -> Variable {
    let (steps, batch) = checkInput(input.shape, lengths: lengths)
    let rows = input.reshaped([steps * batch, input.shape[2]])
    let x = frontend(rows, activation: .relu).reshaped([steps, batch, config.frontendWidth])
    let h = gru(x, lengths: lengths).output
    return output(h.reshaped([steps * batch, 2 * config.hidden])).reshaped([steps, batch, config.classes])
  }

  /// Logits `[T', B, C]` without recording gradients (evaluation).
  public func logits(_ input: Tensor, lengths: [Int]) -> Tensor {
    let (steps, batch) = checkInput(input.shape, lengths: lengths)
    var x = Tensor.linear(
      input.reshaped([steps * batch, input.shape[2]]), weight: frontend.weight.value,
      bias: frontend.bias?.value)
    x.data.withUnsafeMutableBufferPointer { FusedActivation.relu.apply($0) }
    let h = gru(x.reshaped([steps, batch, config.frontendWidth]), lengths: lengths).output
    return output(h.reshaped([steps * batch, 2 * config.hidden])).reshaped([steps, batch, config.classes])
  }

  /// Logits of a batch (evaluation).
  public func logits(_ batch: SpeechBatch) -> Tensor { logits(batch.input, lengths: batch.lengths) }

  private func checkInput(_ shape: [Int], lengths: [Int]) -> (Int, Int) {
    let width = config.stacking.window * config.bands
    precondition(
      shape.count == 3 && shape[2] == width,
      "AcousticModel input must be [T', B, \(width)] (stacked frames), got \(shape)")
    precondition(lengths.count == shape[1], "AcousticModel: \(lengths.count) lengths for batch \(shape[1])")
    return (shape[0], shape[1])
  }

  public func namedParameters() -> [(name: String, parameter: Parameter)] {
    frontend.namedParameters(prefix: "frontend") + gru.namedParameters(prefix: "gru")
      + output.namedParameters(prefix: "output")
  }
}
