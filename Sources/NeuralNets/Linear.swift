import Core
import Tensors

/// Fully connected layer `y = x W^T + b` with PyTorch's layout (`weight` is `[out, in]`).
public final class Linear: Module {
  public let weight: Parameter
  public let bias: Parameter?
  public var inFeatures: Int { weight.value.shape[1] }
  public var outFeatures: Int { weight.value.shape[0] }

  public init(
    _ inFeatures: Int, _ outFeatures: Int, bias: Bool = true,
    weightInit: Initializer = .uniformFanIn, biasInit: Initializer = .zeros,
    using rng: inout RandomGenerator
  ) {
    precondition(
      inFeatures > 0 && outFeatures > 0, "Linear(\(inFeatures), \(outFeatures)) needs positive sizes")
    weight = Parameter(weightInit.make([outFeatures, inFeatures], using: &rng))
    self.bias = bias ? Parameter(biasInit.make([outFeatures], using: &rng)) : nil
  }

  /// Differentiable forward pass on `x`'s tape.
  public func callAsFunction(_ x: Variable) -> Variable {
    let tape = x.tape
    return Tensors.linear(x, weight: tape.parameter(weight), bias: bias.map { tape.parameter($0) })
  }

  /// Differentiable `activation(x W^T + b)` as one fused tape node.
  public func callAsFunction(_ x: Variable, activation: FusedActivation) -> Variable {
    let tape = x.tape
    return Tensors.linear(
      x, weight: tape.parameter(weight), bias: bias.map { tape.parameter($0) }, activation: activation)
  }

  /// Inference without a tape.
  public func callAsFunction(_ x: Tensor) -> Tensor {
    Tensor.linear(x, weight: weight.value, bias: bias?.value)
  }

  /// Inference of `activation(x W^T + b)` without a tape.
  public func callAsFunction(_ x: Tensor, activation: FusedActivation) -> Tensor {
    Tensor.linear(x, weight: weight.value, bias: bias?.value, activation: activation)
  }

  public func namedParameters() -> [(name: String, parameter: Parameter)] {
    var out: [(name: String, parameter: Parameter)] = [("weight", weight)]
    if let bias { out.append(("bias", bias)) }
    return out
  }
}
