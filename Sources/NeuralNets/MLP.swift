import Core
import Tensors

/// Elementwise nonlinearities for `MLP`.
public enum Activation: String, Sendable, CaseIterable {
  case tanh, relu, sigmoid, identity

  public func callAsFunction(_ x: Variable) -> Variable {
    switch self {
    case .tanh: return x.tanh()
    case .relu: return x.relu()
    case .sigmoid: return x.sigmoid()
    case .identity: return x
    }
  }

  /// The same nonlinearity for fused kernels (`linear(_:weight:bias:activation:)`).
  public var fused: FusedActivation {
    switch self {
    case .tanh: return .tanh
    case .relu: return .relu
    case .sigmoid: return .sigmoid
    case .identity: return .identity
    }
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    switch self {
    case .tanh: return x.tanh()
    case .relu: return x.relu()
    case .sigmoid: return x.sigmoid()
    case .identity: return x
    }
  }
}

/// Multi-layer perceptron: `Linear` layers of the given widths with `activation` between them
/// (none after the last). Parameters are named `0.weight`, `0.bias`, `1.weight`, ...
public final class MLP: Module {
  public let layers: [Linear]
  public let activation: Activation

  /// `widths` = [input, hidden..., output]. Hidden layers use `hiddenInit`, the last layer
  /// `outputInit`; biases start at zero (the PPO convention: orthogonal with gain sqrt(2) for hidden
  /// layers and a small or unit gain for the head).
  public init(
    widths: [Int], activation: Activation = .tanh,
    hiddenInit: Initializer = .orthogonal(gain: Float(2).squareRoot()),
    outputInit: Initializer = .orthogonal(gain: 1),
    using rng: inout RandomGenerator
  ) {
    precondition(widths.count >= 2, "MLP needs at least [input, output] widths, got \(widths)")
    var layers: [Linear] = []
    for i in 0..<(widths.count - 1) {
      let last = i == widths.count - 2
      layers.append(
        Linear(widths[i], widths[i + 1], weightInit: last ? outputInit : hiddenInit, using: &rng))
    }
    self.layers = layers
    self.activation = activation
  }

  /// Hidden layers run as fused `linear` + activation nodes (one tape node per layer).
  public func callAsFunction(_ x: Variable) -> Variable {
    var h = x
    for (i, layer) in layers.enumerated() {
      h = i < layers.count - 1 ? layer(h, activation: activation.fused) : layer(h)
    }
    return h
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    var h = x
    for (i, layer) in layers.enumerated() {
      h = layer(h)
      if i < layers.count - 1 { h = activation(h) }
    }
    return h
  }

  public func namedParameters() -> [(name: String, parameter: Parameter)] {
    layers.enumerated().flatMap { i, layer in layer.namedParameters(prefix: "\(i)") }
  }
}
