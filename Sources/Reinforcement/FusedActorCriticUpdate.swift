import CKernels
import Foundation
import NeuralNets
import Tensors

/// The PPO minibatch step of a categorical ``ActorCritic`` with separate actor and critic MLPs
/// (SB3's default layout), fused into one C call on preallocated buffers (`CKernels`):
/// gather, both MLPs forward with the two first layers as one product, the clipped loss, the
/// backward pass with each activation's derivative fused into the product that produces its
/// gradient, then the gradient norm and Adam over one flat parameter vector. No tape and no
/// allocation per minibatch. The kernels' instruction set (AVX-512, AVX2+FMA or portable) is
/// chosen once from the CPU (``KernelPath``).
///
/// The flat parameters and Adam's moments are loaded from the policy and the optimizer before an
/// update and written back after it, so rollouts, evaluation and checkpoints see the usual
/// `Parameter`s and `Adam` state.
final class FusedActorCriticUpdate {
  var shape = ll_ac_shape()
  let parameters: [Parameter]
  let parameterCount: Int
  let maxBatch: Int
  let params: UnsafeMutablePointer<Float>
  let grads: UnsafeMutablePointer<Float>
  let moment1: UnsafeMutablePointer<Float>
  let moment2: UnsafeMutablePointer<Float>
  let work: UnsafeMutablePointer<Float>
  // The rollout, copied once per update (actions as 64-bit for C).
  var rolloutCapacity = 0
  var observations: [Float] = []
  var actions: [Int64] = []
  var oldLogProbs: [Float] = []
  var oldValues: [Float] = []
  var advantages: [Float] = []
  var returns: [Float] = []

  /// nil when `policy` is not a categorical actor-critic with separate MLPs of 1 to 8 hidden
  /// layers with biases (those train on the tape).
  init?(policy: ActorCritic, parameters: [Parameter], maxBatch: Int) {
    guard policy.gaussian == nil, policy.sharedLayers.isEmpty, !policy.policyLayers.isEmpty,
      policy.policyLayers.count <= Int(LL_AC_MAX_DEPTH),
      policy.valueLayers.count == policy.policyLayers.count, maxBatch > 0
    else { return nil }
    let layers = policy.policyLayers + policy.valueLayers + [policy.actionHead, policy.valueHead]
    var expected: [Parameter] = []
    for layer in layers {
      guard let bias = layer.bias else { return nil }
      expected += [layer.weight, bias]
    }
    guard expected.count == parameters.count, zip(expected, parameters).allSatisfy({ $0 === $1 }) else {
      return nil
    }
    for (p, v) in zip(policy.policyLayers, policy.valueLayers)
    where p.weight.value.shape != v.weight.value.shape {
      return nil
    }
    shape.observationSize = Int32(policy.observationSize)
    shape.actionCount = Int32(policy.actionCount)
    shape.depth = Int32(policy.policyLayers.count)
    withUnsafeMutableBytes(of: &shape.hidden) { raw in
      let hidden = raw.bindMemory(to: Int32.self)
      for (i, layer) in policy.policyLayers.enumerated() { hidden[i] = Int32(layer.outFeatures) }
    }
    shape.activation = policy.activation == .relu ? 1 : 0
    shape.maxBatch = Int32(maxBatch)
    self.parameters = parameters
    self.maxBatch = maxBatch
    parameterCount = ll_ac_parameter_count(&shape)
    guard parameterCount == parameters.reduce(0, { $0 + $1.value.count }) else { return nil }
    params = .allocate(capacity: parameterCount)
    grads = .allocate(capacity: parameterCount)
    moment1 = .allocate(capacity: parameterCount)
    moment2 = .allocate(capacity: parameterCount)
    let workCount = ll_ac_workspace_count(&shape)
    work = .allocate(capacity: workCount)
    for p in [params, grads, moment1, moment2] { p.initialize(repeating: 0, count: parameterCount) }
    work.initialize(repeating: 0, count: workCount)
  }

  deinit {
    for p in [params, grads, moment1, moment2, work] { p.deallocate() }
  }

  /// Copies the parameters' values and `optimizer`'s moments into the flat buffers.
  func load(optimizer: Adam) {
    var offset = 0
    for (i, p) in parameters.enumerated() {
      let n = p.value.count
      p.value.data.withUnsafeBufferPointer { (params + offset).update(from: $0.baseAddress!, count: n) }
      optimizer.m[i].data.withUnsafeBufferPointer {
        (moment1 + offset).update(from: $0.baseAddress!, count: n)
      }
      optimizer.v[i].data.withUnsafeBufferPointer {
        (moment2 + offset).update(from: $0.baseAddress!, count: n)
      }
      offset += n
    }
  }

  /// Copies the parameters' values into the flat buffer.
  func loadParameters() {
    var offset = 0
    for p in parameters {
      let n = p.value.count
      p.value.data.withUnsafeBufferPointer { (params + offset).update(from: $0.baseAddress!, count: n) }
      offset += n
    }
  }

  /// Logits `[n, actions]` and values `[n]` for observations `[n, observationSize]` (n <=
  /// `maxBatch`) from the flat parameters.
  func forward(_ observations: [Float], count n: Int) -> (logits: Tensor, values: Tensor) {
    let a = Int(shape.actionCount)
    var logits = [Float](repeating: 0, count: n * a)
    var values = [Float](repeating: 0, count: n)
    ll_ac_forward(&shape, params, work, Int32(n), observations, &logits, &values)
    return (Tensor(shape: [n, a], data: logits), Tensor(shape: [n], data: values))
  }

  /// Writes the flat parameters back into the `Parameter`s and the moments and step count into
  /// `optimizer`.
  func store(optimizer: Adam, stepCount: Int) {
    var offset = 0
    var m: [Tensor] = []
    var v: [Tensor] = []
    for p in parameters {
      let n = p.value.count
      p.value.data.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: params + offset, count: n) }
      m.append(
        Tensor(shape: p.value.shape, data: Array(UnsafeBufferPointer(start: moment1 + offset, count: n))))
      v.append(
        Tensor(shape: p.value.shape, data: Array(UnsafeBufferPointer(start: moment2 + offset, count: n))))
      offset += n
    }
    optimizer.restore(stepCount: stepCount, m: m, v: v)
  }

  /// Copies the rollout's samples (read by index in each minibatch).
  func load(rollout buffer: RolloutBuffer) {
    observations = buffer.observations
    actions = buffer.actions.map { Int64($0) }
    oldLogProbs = buffer.logProbs
    oldValues = buffer.values
    advantages = buffer.advantages
    returns = buffer.returns
  }

  /// One minibatch (rows `indices` of the loaded rollout): loss statistics, and the gradient in
  /// `grads`.
  func step(coefficients: ll_ppo_coefs, indices: UnsafePointer<Int64>, count: Int) -> ll_ppo_stats {
    precondition(
      count > 0 && count <= maxBatch, "FusedActorCriticUpdate: batch \(count) outside 1...\(maxBatch)")
    var stats = ll_ppo_stats()
    var coefficients = coefficients
    observations.withUnsafeBufferPointer { obs in
      actions.withUnsafeBufferPointer { act in
        oldLogProbs.withUnsafeBufferPointer { olp in
          oldValues.withUnsafeBufferPointer { ov in
            advantages.withUnsafeBufferPointer { adv in
              returns.withUnsafeBufferPointer { ret in
                ll_ppo_categorical_step(
                  &shape, &coefficients, params, grads, work, Int32(count), indices, obs.baseAddress,
                  act.baseAddress, olp.baseAddress, ov.baseAddress, adv.baseAddress, ret.baseAddress, &stats)
              }
            }
          }
        }
      }
    }
    return stats
  }

  /// The global L2 norm of `grads` (PyTorch's `clip_grad_norm_` total, summed in double).
  var gradientNorm: Float { Float(ll_sum_squares(parameterCount, grads).squareRoot()) }

  /// Adam on the flat buffers with the gradient scaled by `gradScale` (the norm clip).
  func adamStep(optimizer: Adam, stepCount: Int, gradScale: Float) {
    let t = Float(stepCount)
    let stepSize = optimizer.learningRate / (1 - Foundation.pow(optimizer.beta1, t))
    let correction2 = (1 - Foundation.pow(optimizer.beta2, t)).squareRoot()
    ll_adam(
      parameterCount, params, grads, moment1, moment2, optimizer.beta1, optimizer.beta2, optimizer.eps,
      stepSize,
      correction2, gradScale)
  }
}

/// The instruction-set path of the C kernels (the fused PPO update).
public enum KernelPath: Int, CaseIterable, Sendable {
  case portable = 0
  case avx2 = 1
  case avx512 = 2

  /// The path in use.
  public static var current: KernelPath { KernelPath(rawValue: Int(ll_kernels_path())) ?? .portable }
  /// The best path this CPU runs.
  public static var best: KernelPath { KernelPath(rawValue: Int(ll_kernels_best_path())) ?? .portable }
  /// The paths this CPU runs.
  public static var available: [KernelPath] {
    allCases.filter { ll_kernels_path_available(Int32($0.rawValue)) != 0 }
  }
  /// Uses `path` from now on (process-wide); false when this CPU cannot run it.
  @discardableResult
  public static func select(_ path: KernelPath) -> Bool { ll_kernels_select(Int32(path.rawValue)) != 0 }

  public var name: String { String(cString: ll_kernels_path_name(Int32(rawValue))) }
}
