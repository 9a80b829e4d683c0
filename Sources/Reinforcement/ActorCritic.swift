import Core
import Environments
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
  /// The Gaussian (or gSDE) distribution of a box action space; nil: categorical over
  /// `actionCount` logits. With it, `actionHead` outputs the mean and `actionCount` is the
  /// number of action dimensions.
  public let gaussian: GaussianHead?

  public init(
    observationSize: Int, actionCount: Int, netArch: [Int], sharedTrunk: Bool,
    activation: PolicyActivation, orthoInit: Bool, gaussian: GaussianSettings? = nil,
    using rng: inout RandomGenerator
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
    self.gaussian = gaussian.map {
      GaussianHead(
        actionSize: actionCount, latentSize: latent, low: $0.low, high: $0.high, logStdInit: $0.logStdInit,
        useSde: $0.useSde, fullStd: $0.fullStd, useExpln: $0.useExpln, squashOutput: $0.squashOutput)
    }
  }

  public convenience init(
    observationSize: Int, actionCount: Int, config: PPOConfig, using rng: inout RandomGenerator
  ) {
    self.init(
      observationSize: observationSize, actionCount: actionCount, netArch: config.netArch,
      sharedTrunk: config.sharedTrunk, activation: config.activationFn, orthoInit: config.orthoInit,
      using: &rng)
  }

  /// The policy for `actionSpace`: categorical for a discrete space, Gaussian (gSDE with
  /// `use_sde`) with `config`'s `log_std_init`, `full_std`, `use_expln`, `squash_output` for a box.
  public convenience init(
    observationSize: Int, actionSpace: Space, config: PPOConfig, using rng: inout RandomGenerator
  ) {
    let settings = actionSpace.bounds.map {
      GaussianSettings(
        low: $0.low, high: $0.high, logStdInit: Float(config.logStdInit), useSde: config.useSde,
        fullStd: config.fullStd, useExpln: config.useExpln, squashOutput: config.squashOutput)
    }
    self.init(
      observationSize: observationSize, actionCount: actionSpace.count ?? actionSpace.flatSize,
      netArch: config.netArch, sharedTrunk: config.sharedTrunk, activation: config.activationFn,
      orthoInit: config.orthoInit, gaussian: settings, using: &rng)
  }

  public func namedParameters() -> [(name: String, parameter: Parameter)] {
    var out: [(name: String, parameter: Parameter)] = []
    // SB3's state_dict lists the policy's own parameter `log_std` before its submodules.
    if let gaussian { out.append(("log_std", gaussian.logStd)) }
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

  /// The trunk, the two stacks and the two heads with `layer(linear, input, activation)`
  /// evaluating one fused layer (on tensors or on a tape).
  private func heads<T>(
    _ observations: T, _ layer: (Linear, T, FusedActivation) -> T
  ) -> (logits: T, values: T, latent: T) {
    let f = activation.fused
    var trunk = observations
    for l in sharedLayers { trunk = layer(l, trunk, f) }
    var pi = trunk
    for l in policyLayers { pi = layer(l, pi, f) }
    var vf = trunk
    for l in valueLayers { vf = layer(l, vf, f) }
    return (layer(actionHead, pi, .identity), layer(valueHead, vf, .identity), pi)
  }

  // MARK: Inference without a tape (rollouts, evaluation)

  /// Logits `[n, actions]` and values `[n]` for observations `[n, observationSize]`.
  public func forward(_ observations: Tensor) -> (logits: Tensor, values: Tensor) {
    let (logits, values, _) = heads(observations) { $0($1, activation: $2) }
    return (logits, values.reshaped([values.shape[0]]))
  }

  /// Action-head outputs (logits or means), values `[n]` and the policy's last hidden features
  /// `[n, L]` (gSDE's `latent_sde`).
  public func forwardWithLatent(_ observations: Tensor) -> (output: Tensor, values: Tensor, latent: Tensor) {
    let (output, values, latent) = heads(observations) { $0($1, activation: $2) }
    return (output, values.reshaped([values.shape[0]]), latent)
  }

  /// Values `[n]` only (bootstrapping from final observations).
  public func values(_ observations: Tensor) -> Tensor {
    let f = activation.fused
    var vf = observations
    for layer in sharedLayers + valueLayers { vf = layer(vf, activation: f) }
    let values = valueHead(vf)
    return values.reshaped([values.shape[0]])
  }

  // MARK: Differentiable forward (training)

  /// Logits `[n, actions]` and values `[n]` on `observations`' tape.
  public func forward(_ observations: Variable) -> (logits: Variable, values: Variable) {
    let (logits, values, _) = heads(observations) { $0($1, activation: $2) }
    return (logits, values.reshaped([values.shape[0]]))
  }

  /// ``forwardWithLatent(_:)-(Tensor)`` on `observations`' tape.
  public func forwardWithLatent(_ observations: Variable) -> (
    output: Variable, values: Variable, latent: Variable
  ) {
    let (output, values, latent) = heads(observations) { $0($1, activation: $2) }
    return (output, values.reshaped([values.shape[0]]), latent)
  }
}

/// The box-space settings of ``ActorCritic`` (see ``GaussianHead``).
public struct GaussianSettings: Sendable, Equatable {
  public var low: [Float]
  public var high: [Float]
  public var logStdInit: Float
  public var useSde = false
  public var fullStd = true
  public var useExpln = false
  public var squashOutput = false

  public init(
    low: [Float], high: [Float], logStdInit: Float, useSde: Bool = false, fullStd: Bool = true,
    useExpln: Bool = false, squashOutput: Bool = false
  ) {
    self.low = low
    self.high = high
    self.logStdInit = logStdInit
    self.useSde = useSde
    self.fullStd = fullStd
    self.useExpln = useExpln
    self.squashOutput = squashOutput
  }
}
