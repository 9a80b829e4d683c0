import CKernels
import Core
import Foundation
import NeuralNets
import Tensors

extension PPO {
  static func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
  }

  /// CPU seconds of the calling thread.
  static func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
  }

  /// The update's implementation: "fused-<isa>" (``FusedActorCriticUpdate`` with the kernels of
  /// ``KernelPath/current``) or "tape" (box action spaces, a shared trunk, `useFusedUpdate`
  /// off).
  public var updatePath: String {
    fusedUpdateIfEligible() != nil ? "fused-\(KernelPath.current.name)" : "tape"
  }

  func fusedUpdateIfEligible() -> FusedActorCriticUpdate? {
    guard useFusedUpdate else { return nil }
    if !fusedUpdateChecked {
      fusedUpdateChecked = true
      fusedUpdate = FusedActorCriticUpdate(
        policy: policy, parameters: optimizer.parameters, maxBatch: Swift.min(config.batchSize, buffer.count))
    }
    return fusedUpdate
  }

  /// Logits and values of a categorical policy for the rollout's step `step`: the fused kernels'
  /// forward pass where the update is fused (parameters loaded at step 0), else the tensor one.
  func rolloutForward(_ observations: [Float], count n: Int, step: Int) -> (logits: Tensor, values: Tensor) {
    guard let fused = fusedUpdateIfEligible(), n <= fused.maxBatch else {
      return policy.forward(Tensor(shape: [n, buffer.observationSize], data: observations))
    }
    if step == 0 { fused.loadParameters() }
    return fused.forward(observations, count: n)
  }

  /// ``train()`` on the fused kernels: the same minibatches (same shuffles), loss, statistics,
  /// gradient clipping, Adam and early stop, within float rounding of the tape path.
  func trainFused(_ fused: FusedActorCriticUpdate) throws -> TrainStats {
    let progress = progressRemaining
    var stats = TrainStats()
    stats.learningRate = config.learningRate.value(progressRemaining: progress)
    stats.clipRange = config.clipRange.value(progressRemaining: progress)
    stats.clipRangeVf = config.clipRangeVf?.value(progressRemaining: progress)
    optimizer.learningRate = Float(stats.learningRate)
    let coefficients = ll_ppo_coefs(
      clipRange: Float(stats.clipRange), clipRangeVf: Float(stats.clipRangeVf ?? 0),
      useClipRangeVf: stats.clipRangeVf == nil ? 0 : 1, entCoef: Float(config.entCoef),
      vfCoef: Float(config.vfCoef), normalizeAdvantage: config.normalizeAdvantage ? 1 : 0)
    let maxNorm = Float(config.maxGradNorm)

    let total = buffer.count
    var rng = RandomGenerator(seed: PPO.mix(seed), stream: UInt64(2 * iterations + 2))
    var sums = (pg: 0.0, vf: 0.0, ent: 0.0, kl: 0.0, clip: 0.0, count: 0)
    var stepCount = optimizer.stepCount
    fused.load(optimizer: optimizer)
    fused.load(rollout: buffer)
    // Written back also when a non-finite loss stops the update (what was applied stays).
    defer { fused.store(optimizer: optimizer, stepCount: stepCount) }
    var indices = [Int64](repeating: 0, count: total)
    epochs: for _ in 0..<config.nEpochs {
      let permutation = rng.permutation(total)
      for i in 0..<total { indices[i] = Int64(permutation[i]) }
      var start = 0
      while start < total {
        let b = Swift.min(config.batchSize, total - start)
        let terms = indices.withUnsafeBufferPointer {
          fused.step(coefficients: coefficients, indices: $0.baseAddress! + start, count: b)
        }
        start += config.batchSize
        guard terms.loss.isFinite else {
          throw NonFiniteLossError(
            iteration: iterations + 1, timesteps: numTimesteps, what: "loss (\(Float(terms.loss)))")
        }
        sums.pg += terms.policyGradientLoss
        sums.vf += terms.valueLoss
        sums.ent += terms.entropyLoss
        sums.kl += terms.approxKl
        sums.clip += terms.clipFraction
        sums.count += 1
        stats.loss = terms.loss
        if let targetKl = config.targetKl, terms.approxKl > 1.5 * targetKl {
          stats.stoppedEarly = true
          break epochs
        }
        let norm = fused.gradientNorm
        guard norm.isFinite else {
          throw NonFiniteLossError(
            iteration: iterations + 1, timesteps: numTimesteps, what: "gradient norm (\(norm))")
        }
        let coef = maxNorm / (norm + 1e-6)
        stepCount += 1
        fused.adamStep(optimizer: optimizer, stepCount: stepCount, gradScale: coef < 1 ? coef : 1)
      }
      stats.epochs += 1
    }
    finish(&stats, sums: sums)
    return stats
  }
}
