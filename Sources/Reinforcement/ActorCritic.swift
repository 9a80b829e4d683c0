import Core
import NeuralNets
import Tensors

/// The actor-critic MLP policy for discrete actions (SB3's `ActorCriticPolicy` with an MLP
/// extractor): a categorical policy head over logits and a scalar value head.
///
/// Layout, with `h = netArch`:
/// - separate (SB3's default): `policy_net: obs -> h[0] -> ... -> h[k]`, `value_net` likewise,
///   `action_net: h[k] -> actions`, `value_net: h[k] -> 1`;
/// - shared trunk: one `shared_net: obs -> ... -> h[k]` feeding both heads.
///
/// Orthogonal initialisation as SB3's `ortho_init`: gain sqrt(2) for hidden layers, 0.01 for the
/// action head, 1 for the value head; biases zero. Parameter names follow SB3's `state_dict`.
public final class ActorCritic: Module {
  public let observationSize: Int
  public let actionCount: Int
  public let activation: PolicyActivation
  /// Hidden layers shared by both heads (empty unless `sharedTrunk`).
  public let sharedLayers: [Linear]
  public let policyLayers: [Linear]
  public let valueLayers: [Linear]
  public let actionHead: Linear
  public let valueHead: Linear

  public init(
    observationSize: Int, actionCount: Int, netArch: [Int], sharedTrunk: Bool,
    activation: PolicyActivation, orthoInit: Bool, using rng: inout RandomGenerator
  ) {
    precondition(
      observationSize > 0 && actionCount > 0,
      "ActorCritic needs positive sizes, got \(observationSize) -> \(actionCount)")
    self.observationSize = observationSize
    self.actionCount = actionCount
    self.activation = activation
    let hidden: Initializer = orthoInit ? .orthogonal(gain: Float(2).squareRoot()) : .uniformFanIn
    let biasInit: Initializer = orthoInit ? .zeros : .uniformFanIn
    func stack(_ widths: [Int]) -> [Linear] {
      (0..<(widths.count - 1)).map {
        Linear(widths[$0], widths[$0 + 1], weightInit: hidden, biasInit: biasInit, using: &rng)
      }
    }
    let widths = [observationSize] + netArch
    if sharedTrunk {
      sharedLayers = stack(widths)
      policyLayers = []
      valueLayers = []
    } else {
      sharedLayers = []
      policyLayers = stack(widths)
      valueLayers = stack(widths)
    }
    let latent = widths.last!
    actionHead = Linear(
      latent, actionCount, weightInit: orthoInit ? .orthogonal(gain: 0.01) : .uniformFanIn,
      biasInit: biasInit,
      using: &rng)
    valueHead = Linear(
      latent, 1, weightInit: orthoInit ? .orthogonal(gain: 1) : .uniformFanIn, biasInit: biasInit, using: &rng
    )
  }

  public convenience init(
    observationSize: Int, actionCount: Int, config: PPOConfig, using rng: inout RandomGenerator
  ) {
    self.init(
      observationSize: observationSize, actionCount: actionCount, netArch: config.netArch,
      sharedTrunk: config.sharedTrunk, activation: config.activationFn, orthoInit: config.orthoInit,
      using: &rng)
  }

  public func namedParameters() -> [(name: String, parameter: Parameter)] {
    var out: [(name: String, parameter: Parameter)] = []
    // Sequential indices 0, 2, 4, ... as in SB3 (activations sit at the odd indices).
    for (i, layer) in sharedLayers.enumerated() {
      out += layer.namedParameters(prefix: "mlp_extractor.shared_net.\(2 * i)")
    }
    for (i, layer) in policyLayers.enumerated() {
      out += layer.namedParameters(prefix: "mlp_extractor.policy_net.\(2 * i)")
    }
    for (i, layer) in valueLayers.enumerated() {
      out += layer.namedParameters(prefix: "mlp_extractor.value_net.\(2 * i)")
    }
    out += actionHead.namedParameters(prefix: "action_net")
    out += valueHead.namedParameters(prefix: "value_net")
    return out
  }

  // MARK: Inference without a tape (rollouts, evaluation)

  /// Logits `[n, actions]` and values `[n]` for observations `[n, observationSize]`.
  public func forward(_ observations: Tensor) -> (logits: Tensor, values: Tensor) {
    var trunk = observations
    for layer in sharedLayers { trunk = Activations.apply(activation, layer(trunk)) }
    var pi = trunk
    for layer in policyLayers { pi = Activations.apply(activation, layer(pi)) }
    var vf = trunk
    for layer in valueLayers { vf = Activations.apply(activation, layer(vf)) }
    let values = valueHead(vf)
    return (actionHead(pi), values.reshaped([values.shape[0]]))
  }

  /// Values `[n]` only (bootstrapping from final observations).
  public func values(_ observations: Tensor) -> Tensor {
    var vf = observations
    for layer in sharedLayers { vf = Activations.apply(activation, layer(vf)) }
    for layer in valueLayers { vf = Activations.apply(activation, layer(vf)) }
    let values = valueHead(vf)
    return values.reshaped([values.shape[0]])
  }

  // MARK: Differentiable forward (training)

  /// Logits `[n, actions]` and values `[n]` on `observations`' tape.
  public func forward(_ observations: Variable) -> (logits: Variable, values: Variable) {
    var trunk = observations
    for layer in sharedLayers { trunk = Activations.apply(activation, ActorCritic.affine(trunk, layer)) }
    var pi = trunk
    for layer in policyLayers { pi = Activations.apply(activation, ActorCritic.affine(pi, layer)) }
    var vf = trunk
    for layer in valueLayers { vf = Activations.apply(activation, ActorCritic.affine(vf, layer)) }
    let values = ActorCritic.affine(vf, valueHead)
    return (ActorCritic.affine(pi, actionHead), values.reshaped([values.shape[0]]))
  }

  /// `x W^T + b` recorded as one tape node whose backward closure holds only tensors.
  /// (`Tensors.linear`'s closure holds the bias `Variable`, which holds the tape: a reference
  /// cycle that keeps every minibatch's tape alive, over a gigabyte in a 100k-step CartPole run.)
  static func affine(_ x: Variable, _ layer: Linear) -> Variable {
    let tape = x.tape
    var inputs = [x, tape.parameter(layer.weight)]
    if let bias = layer.bias { inputs.append(tape.parameter(bias)) }
    let vx = x.value
    let vw = layer.weight.value
    let out = Tensor.linear(vx, weight: vw, bias: layer.bias?.value)
    let needX = x.requiresGrad
    let hasBias = layer.bias != nil
    let (inFeatures, outFeatures) = (vw.shape[1], vw.shape[0])
    let rows = vx.count / inFeatures
    return tape.record(out, inputs: inputs) { g in
      let g2 = g.reshaped([rows, outFeatures])
      let x2 = vx.reshaped([rows, inFeatures])
      var grads: [Tensor?] = [
        needX ? Tensor.matmul(g2, vw).reshaped(vx.shape) : nil,  // [rows, out] x [out, in]
        Tensor.matmul(g2, x2, transposeA: true),  // [out, rows] x [rows, in]
      ]
      if hasBias { grads.append(ActorCritic.columnSums(g2)) }
      return grads
    }
  }

  /// Sums of the columns of a `[rows, cols]` tensor (the bias gradient), row by row so the inner
  /// loop runs over contiguous memory.
  static func columnSums(_ g: Tensor) -> Tensor {
    let (rows, cols) = (g.shape[0], g.shape[1])
    var out = [Float](repeating: 0, count: cols)
    g.data.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for r in 0..<rows {
          let row = src.baseAddress! + r * cols
          for j in 0..<cols { dst[j] += row[j] }
        }
      }
    }
    return Tensor(shape: [cols], data: out)
  }
}
