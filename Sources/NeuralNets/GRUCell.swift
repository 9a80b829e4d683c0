import Core
import Foundation
import Tensors

/// One gated recurrent unit step (Cho et al. 2014) with PyTorch's `nn.GRUCell` equations, layout
/// and initialisation:
///
///     r  = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
///     z  = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
///     n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))
///     h' = (1 - z) * n + z * h
///
/// `weightIH` is `[3H, input]` and `weightHH` `[3H, H]` with gate rows in the order r, z, n; all
/// four tensors start U(-1/sqrt(H), 1/sqrt(H)). Parameter names: `weight_ih`, `weight_hh`,
/// `bias_ih`, `bias_hh` (so a PyTorch `state_dict` maps one to one).
public final class GRUCell: Module {
  public let weightIH: Parameter
  public let weightHH: Parameter
  public let biasIH: Parameter
  public let biasHH: Parameter
  public let inputSize: Int
  public let hiddenSize: Int

  public init(inputSize: Int, hiddenSize: Int, using rng: inout RandomGenerator) {
    precondition(
      inputSize > 0 && hiddenSize > 0,
      "GRUCell(inputSize: \(inputSize), hiddenSize: \(hiddenSize)) needs positive sizes")
    self.inputSize = inputSize
    self.hiddenSize = hiddenSize
    let bound = 1 / Float(hiddenSize).squareRoot()
    func uniform(_ shape: [Int]) -> Parameter {
      Parameter(Tensor.uniform(shape: shape, low: -bound, high: bound, using: &rng))
    }
    weightIH = uniform([3 * hiddenSize, inputSize])
    weightHH = uniform([3 * hiddenSize, hiddenSize])
    biasIH = uniform([3 * hiddenSize])
    biasHH = uniform([3 * hiddenSize])
  }

  /// One fused step: `x` `[B, input]`, `h` `[B, H]` -> `h'` `[B, H]` (one tape node; the kernel
  /// of `gruSequence` with T = 1).
  public func callAsFunction(_ x: Variable, _ h: Variable) -> Variable {
    let tape = x.tape
    precondition(x.shape.count == 2, "GRUCell input must be [B, \(inputSize)], got \(x.shape)")
    let states = gruSequence(
      x.reshaped([1] + x.shape), h0: h, weightIH: tape.parameter(weightIH),
      weightHH: tape.parameter(weightHH), biasIH: tape.parameter(biasIH), biasHH: tape.parameter(biasHH))
    return states.reshaped(h.shape)
  }

  /// Inference without a tape.
  public func callAsFunction(_ x: Tensor, _ h: Tensor) -> Tensor {
    precondition(x.shape.count == 2, "GRUCell input must be [B, \(inputSize)], got \(x.shape)")
    return GRUKernel.forward(
      x: x.reshaped([1] + x.shape), h0: h, weightIH: weightIH.value, weightHH: weightHH.value,
      biasIH: biasIH.value, biasHH: biasHH.value, lengths: nil, reverse: false, save: false
    ).states.reshaped(h.shape)
  }

  /// The same step composed from elementary tape operations (the reference the fused kernel is
  /// tested against; several nodes per step, so slower).
  public func composedStep(_ x: Variable, _ h: Variable) -> Variable {
    let tape = x.tape
    return gruStepComposed(
      x, h, weightIH: tape.parameter(weightIH), weightHH: tape.parameter(weightHH),
      biasIH: tape.parameter(biasIH), biasHH: tape.parameter(biasHH))
  }

  public func namedParameters() -> [(name: String, parameter: Parameter)] {
    [("weight_ih", weightIH), ("weight_hh", weightHH), ("bias_ih", biasIH), ("bias_hh", biasHH)]
  }
}

/// One GRU step from elementary differentiable operations (`linear`, `columns`, `sigmoid`,
/// `tanh`): `x` `[B, I]`, `h` `[B, H]` -> `[B, H]`.
public func gruStepComposed(
  _ x: Variable, _ h: Variable, weightIH: Variable, weightHH: Variable, biasIH: Variable,
  biasHH: Variable
) -> Variable {
  let hidden = h.shape[1]
  let gi = linear(x, weight: weightIH, bias: biasIH)
  let gh = linear(h, weight: weightHH, bias: biasHH)
  let r = (gi.columns(0..<hidden) + gh.columns(0..<hidden)).sigmoid()
  let z = (gi.columns(hidden..<(2 * hidden)) + gh.columns(hidden..<(2 * hidden))).sigmoid()
  let n = (gi.columns((2 * hidden)..<(3 * hidden)) + r * gh.columns((2 * hidden)..<(3 * hidden))).tanh()
  return (1 - z) * n + z * h
}
