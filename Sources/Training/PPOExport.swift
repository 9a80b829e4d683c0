import Core
import Foundation
import NeuralNets
import ONNX
import Reinforcement
import Tensors

/// The PPO actor-critic as an ONNX graph (IR `ONNXGraphBuilder.irVersion`, opset
/// `ONNXGraphBuilder.opsetVersion`), for `losslab rl export RUN --onnx FILE`.
///
/// Input `observation` float32 `[batch, observation_size]` (raw observations, as the environment
/// gives them). The observation normaliser, when the run had one, is folded in as
/// `Clip((x - mean) / sqrt(var + 1e-8), -clip, clip)` with the checkpoint's statistics. Outputs for
/// a discrete action space:
/// - `logits` float32 `[batch, actions]`: the categorical policy's logits;
/// - `action` int64 `[batch]`: the deterministic action, `ArgMax` of the logits (the first
///   maximum, as `rl eval` takes);
/// and for a box action space (Gaussian or gSDE policy):
/// - `mean` float32 `[batch, action_size]`: the Gaussian's mean `mu(s)`;
/// - `action` float32 `[batch, action_size]`: the deterministic action the environment gets,
///   `mu(s)` clipped to the bounds (`Min`, `Max`) or, with `squash_output`,
///   `low + (tanh(mu) + 1) (high - low) / 2`;
/// and for both:
/// - `value` float32 `[batch]`: the critic's value estimate.
public enum PPOExport {
  public static let inputName = "observation"
  /// The outputs for a discrete action space; a box one has `mean` in place of `logits`.
  public static let outputNames = ["logits", "action", "value"]

  public static func model(policy: ActorCritic, normalizer: ObservationNormalizer?, description: String)
    -> Onnx_ModelProto
  {
    var g = ONNXGraphBuilder(name: "losslab_ppo_actor_critic")
    let batch = ONNXDimension.symbolic("batch")
    g.input(inputName, .float, shape: [batch, .fixed(policy.observationSize)])
    var x = inputName
    if let normalizer {
      let mean = Tensor(normalizer.mean.map { Float($0) })
      let std = Tensor(normalizer.variance.map { Float(($0 + ObservationNormalizer.epsilon).squareRoot()) })
      let centred = g.node("Sub", [x, g.initializer("obs_rms.mean", mean)])
      let scaled = g.node("Div", [centred, g.initializer("obs_rms.std", std)])
      let low = g.initializer("obs_rms.clip_min", Tensor(Float(-normalizer.clip)))
      let high = g.initializer("obs_rms.clip_max", Tensor(Float(normalizer.clip)))
      x = g.node("Clip", [scaled, low, high], output: "normalized_observation")
    }
    let activation = policy.activation == .tanh ? "Tanh" : "Relu"
    func stack(_ input: String, _ layers: [Linear], _ prefix: String) -> String {
      var h = input
      for (i, layer) in layers.enumerated() {
        let name = "\(prefix).\(2 * i)"
        h = g.linear(h, weight: layer.weight.value, bias: layer.bias?.value, name: name)
        h = g.node(activation, [h])
      }
      return h
    }
    let trunk = stack(x, policy.sharedLayers, "mlp_extractor.shared_net")
    let pi = stack(trunk, policy.policyLayers, "mlp_extractor.policy_net")
    let vf = stack(trunk, policy.valueLayers, "mlp_extractor.value_net")
    let head = policy.gaussian == nil ? "logits" : "mean"
    let output = g.linear(
      pi, weight: policy.actionHead.weight.value, bias: policy.actionHead.bias?.value, name: "action_net",
      output: head)
    let actionSize = policy.gaussian?.actionSize ?? policy.actionCount
    if let gaussian = policy.gaussian {
      let low = g.initializer("action_space.low", Tensor(gaussian.low))
      if gaussian.squashOutput {
        let halfRange = Tensor(zip(gaussian.low, gaussian.high).map { 0.5 * ($1 - $0) })
        let shifted = g.node("Add", [g.node("Tanh", [output]), g.initializer("one", Tensor(Float(1)))])
        let scaled = g.node("Mul", [shifted, g.initializer("action_space.half_range", halfRange)])
        g.node("Add", [scaled, low], output: "action")
      } else {
        let capped = g.node("Min", [output, g.initializer("action_space.high", Tensor(gaussian.high))])
        g.node("Max", [capped, low], output: "action")
      }
    } else {
      g.node("ArgMax", [output], output: "action", attributes: [.int("axis", 1), .int("keepdims", 0)])
    }
    let value = g.linear(
      vf, weight: policy.valueHead.weight.value, bias: policy.valueHead.bias?.value, name: "value_net")
    let axes = g.initializer("squeeze_axes", int64: [1], shape: [1])
    g.node("Squeeze", [value, axes], output: "value")
    if policy.gaussian == nil {
      g.output("logits", .float, shape: [batch, .fixed(actionSize)])
      g.output("action", .int64, shape: [batch])
    } else {
      g.output("mean", .float, shape: [batch, .fixed(actionSize)])
      g.output("action", .float, shape: [batch, .fixed(actionSize)])
    }
    g.output("value", .float, shape: [batch])
    return g.model(
      docString: description,
      metadata: [
        ("observation_normalization", normalizer == nil ? "none" : "folded in (Sub, Div, Clip)"),
        ("activation", policy.activation.rawValue),
      ])
  }

  /// LossLab's own outputs on `count` random observations (seeded), as JSON for
  /// `scripts/check_onnx.py`: `observation`, `logits`, `action`, `value`. Observations are drawn
  /// around the normaliser's statistics (mean + 3 std N(0, 1), some beyond the clip) or N(0, 1)
  /// without one.
  public static func referenceJSON(
    policy: ActorCritic, normalizer: ObservationNormalizer?, count: Int, seed: UInt64
  ) -> String {
    let d = policy.observationSize
    var rng = RandomGenerator(seed: seed, stream: 7)
    var observations = [Float](repeating: 0, count: count * d)
    for i in 0..<count {
      for j in 0..<d {
        let (mean, std) = normalizer.map { ($0.mean[j], 3 * $0.variance[j].squareRoot()) } ?? (0, 1)
        observations[i * d + j] = Float(rng.normal(mean: mean, std: Swift.max(std, 1e-3)))
      }
    }
    let input = normalizer.map { $0.normalize(observations) } ?? observations
    let (logits, values) = policy.forward(Tensor(shape: [count, d], data: input))
    let valueRow = "\"value\": [\(values.data.map { "\($0)" }.joined(separator: ","))]}\n"
    if let gaussian = policy.gaussian {
      let a = gaussian.actionSize
      let actions = logits.data.enumerated().map { gaussian.environmentAction($0.element, $0.offset % a) }
      return "{\"observation\": \(rows(observations, d)),\n\"mean\": \(rows(logits.data, a)),\n"
        + "\"action\": \(rows(actions, a)),\n" + valueRow
    }
    let a = policy.actionCount
    var actions = [Int](repeating: 0, count: count)
    for i in 0..<count {
      for j in 1..<a where logits.data[i * a + j] > logits.data[i * a + actions[i]] { actions[i] = j }
    }
    func rows(_ data: [Float], _ width: Int) -> String {
      "["
        + (0..<(data.count / width)).map { r in
          "[" + data[(r * width)..<((r + 1) * width)].map { "\($0)" }.joined(separator: ",") + "]"
        }.joined(separator: ",\n") + "]"
    }
    return "{\"observation\": \(rows(observations, d)),\n\"logits\": \(rows(logits.data, a)),\n"
      + "\"action\": [\(actions.map(String.init).joined(separator: ","))],\n" + valueRow
  }
}

extension TrainedPolicy {
  /// Writes the ONNX model of this policy to `url` (atomically).
  public func writeONNX(to url: URL) throws {
    let outputs =
      policy.gaussian == nil ? "logits, action (argmax), value" : "mean, action (deterministic), value"
    let description =
      "LossLab PPO actor-critic (\(config.env), checkpoint at \(checkpoint.step) timesteps): "
      + "observation -> \(outputs)"
    try ONNXFile.write(
      PPOExport.model(policy: policy, normalizer: normalizer, description: description), to: url)
  }

  /// Writes LossLab's outputs on `count` random observations to `url` (JSON).
  public func writeReference(count: Int, seed: UInt64, to url: URL) throws {
    try AtomicFile.write(
      PPOExport.referenceJSON(policy: policy, normalizer: normalizer, count: count, seed: seed), to: url)
  }
}
