import Core
import Environments
import Foundation
import NeuralNets
import Tensors

/// A loss or gradient became NaN or infinite; training stops before the bad update is applied.
public struct NonFiniteLossError: Error, CustomStringConvertible, Sendable {
  public var iteration: Int
  public var timesteps: Int
  public var what: String
  public var description: String {
    "non-finite \(what) in update \(iteration) at \(timesteps) timesteps; the update was not applied (try a smaller learning_rate or max_grad_norm)"
  }
}

/// Statistics of one update (what SB3 logs under `train/`).
public struct TrainStats: Sendable, Equatable {
  public var policyGradientLoss = 0.0
  public var valueLoss = 0.0
  public var entropyLoss = 0.0
  public var approxKl = 0.0
  public var clipFraction = 0.0
  /// The last minibatch's total loss (`train/loss`).
  public var loss = 0.0
  public var explainedVariance = 0.0
  public var learningRate = 0.0
  public var clipRange = 0.0
  public var clipRangeVf: Double? = nil
  /// Box action spaces: `mean(exp(log_std))` after the update (SB3's `train/std`).
  public var std: Double? = nil
  /// Epochs run (fewer than `n_epochs` after a `target_kl` stop).
  public var epochs = 0
  public var stoppedEarly = false
}

/// Proximal Policy Optimization (Schulman et al. 2017) for discrete and box action spaces (a
/// categorical policy, or a Gaussian or gSDE one: ``GaussianHead``), following
/// Stable-Baselines3's `PPO` (collection in `OnPolicyAlgorithm.collect_rollouts`, update in
/// `PPO.train`) so that its hyperparameters mean the same here.
///
/// Randomness: initialisation, action sampling and minibatch shuffles draw from generators derived
/// from `seed` (sampling and shuffling get a fresh stream per iteration, so a run resumed at an
/// iteration boundary draws exactly what the uninterrupted run would have); the environments are
/// reset with `seed`. Every action taken is recorded, so a resumed run rebuilds the environments'
/// state exactly by replaying them (environment steps cost nanoseconds).
public final class PPO {
  public let config: PPOConfig
  public let seed: UInt64
  /// Training length used by the linear schedules.
  public let totalTimesteps: Int
  public let policy: ActorCritic
  public let optimizer: Adam
  public internal(set) var normalizer: ObservationNormalizer?
  /// Reward scaling (`norm_reward`); nil without.
  public internal(set) var rewardNormalizer: RewardNormalizer?
  public let env: any VectorEnvironment

  /// Environment steps taken (all copies).
  public internal(set) var numTimesteps = 0
  /// Completed iterations (rollout + update).
  public internal(set) var iterations = 0
  /// Gradient epochs run so far (SB3's `train/n_updates`).
  public internal(set) var nUpdates = 0
  /// Wall-clock seconds spent collecting rollouts (environment steps and policy inference) and
  /// in updates (minibatch gradient steps), in this process.
  public private(set) var rolloutSeconds = 0.0
  public private(set) var updateSeconds = 0.0
  /// The same as CPU seconds of the calling thread (wall time on a shared machine counts waiting).
  public private(set) var rolloutCPUSeconds = 0.0
  public private(set) var updateCPUSeconds = 0.0
  /// The last 100 finished training episodes (SB3's `ep_info_buffer`).
  public internal(set) var recentEpisodes: [EpisodeRecord] = []
  /// Every finished training episode's count (for progress displays).
  public internal(set) var episodesFinished = 0
  /// Actions taken, step-major (`[numTimesteps / nEnvs, nEnvs]`), for exact resume.
  public internal(set) var actionHistory: [UInt8] = []
  /// Box action spaces: the actions sent to the environments, step-major `[steps, nEnvs, A]`.
  public internal(set) var continuousHistory: [Float] = []

  var buffer: RolloutBuffer
  /// Current (normalised) observations and episode-start flags (`_last_obs`, `_last_episode_starts`).
  var lastObservations: [Float]
  var lastEpisodeStarts: [Bool]
  // Scratch for the step loop.
  var stepActions: [Int]
  var stepLogProbs: [Float]
  var rawScratch: [Float]
  /// Box action spaces: the Gaussian samples, the environments' actions and gSDE's exploration
  /// matrices `[nEnvs, L, A]` of the current rollout.
  var stepGaussian: [Float] = []
  var stepEnvActions: [Float] = []
  var explorationMatrices: [Float]? = nil
  /// Whether eligible policies update through ``FusedActorCriticUpdate`` or the tape. Default:
  /// fused where the CPU has AVX2 or AVX-512 (the portable kernels are slower than OpenBLAS).
  public var useFusedUpdate = KernelPath.best != .portable
  var fusedUpdate: FusedActorCriticUpdate?
  var fusedUpdateChecked = false

  public static let episodeWindow = 100

  /// - Parameters:
  ///   - env: a vector environment with `config.nEnvs` copies; it is reset here with `seed`.
  public init(config: PPOConfig, env: any VectorEnvironment, seed: UInt64, totalTimesteps: Int) throws {
    try config.validate()
    guard env.numEnvs == config.nEnvs else {
      throw ConfigError("the environment has \(env.numEnvs) copies but n_envs is \(config.nEnvs)")
    }
    guard env.actionSpace.isDiscrete || env.actionSize > 0 else {
      throw ConfigError(
        "PPO needs a discrete or a non-empty box action space; the environment's is \(env.actionSpace)")
    }
    if config.squashOutput, let bounds = env.actionSpace.bounds,
      !(bounds.low + bounds.high).allSatisfy(\.isFinite)
    {
      throw ConfigError("squash_output needs finite action bounds; the environment's are \(env.actionSpace)")
    }
    guard env.actionCount <= 256 else {
      throw ConfigError("PPO supports up to 256 discrete actions, the environment has \(env.actionCount)")
    }
    self.config = config
    self.seed = seed
    self.totalTimesteps = totalTimesteps
    self.env = env
    var initRng = RandomGenerator(seed: PPO.mix(seed), stream: 0)
    policy = ActorCritic(
      observationSize: env.observationSize, actionSpace: env.actionSpace, config: config, using: &initRng)
    optimizer = Adam(
      parameters: policy.parameters, learningRate: Float(config.learningRate.initialValue),
      eps: Float(config.adamEps))
    normalizer =
      config.normalize ? ObservationNormalizer(size: env.observationSize, clip: config.clipObs) : nil
    rewardNormalizer =
      config.normReward
      ? RewardNormalizer(numEnvs: config.nEnvs, gamma: config.gamma, clip: config.clipReward) : nil
    buffer = RolloutBuffer(
      nSteps: config.nSteps, nEnvs: config.nEnvs, observationSize: env.observationSize,
      actionSize: env.actionSize)
    lastObservations = []
    lastEpisodeStarts = [Bool](repeating: true, count: config.nEnvs)
    stepActions = [Int](repeating: 0, count: config.nEnvs)
    stepLogProbs = [Float](repeating: 0, count: config.nEnvs)
    rawScratch = []
    if env.actionSpace.isDiscrete {
      actionHistory.reserveCapacity(totalTimesteps + config.rolloutSize)
    } else {
      stepGaussian = [Float](repeating: 0, count: config.nEnvs * env.actionSize)
      stepEnvActions = stepGaussian
      continuousHistory.reserveCapacity((totalTimesteps + config.rolloutSize) * env.actionSize)
    }
    env.reset(seed: seed)
    lastObservations = observeAfterReset()
  }

  static func mix(_ seed: UInt64) -> UInt64 { seed ^ 0x5DEE_CE66_D1CE_4E5B }

  /// Progress remaining (SB3's `_current_progress_remaining`): 1 - timesteps / total, clamped at
  /// 0 (SB3 lets it go slightly negative in the last iteration when the total is not a multiple of
  /// the rollout size, which makes a linear learning rate negative).
  public var progressRemaining: Double {
    Swift.max(0, 1 - Double(numTimesteps) / Double(Swift.max(totalTimesteps, 1)))
  }

  public var isFinished: Bool { numTimesteps >= totalTimesteps }

  /// Mean return and length of the last 100 finished episodes; nil before the first ends.
  public var episodeRewardMean: Double? {
    recentEpisodes.isEmpty ? nil : recentEpisodes.reduce(0) { $0 + $1.return } / Double(recentEpisodes.count)
  }
  public var episodeLengthMean: Double? {
    recentEpisodes.isEmpty
      ? nil : Double(recentEpisodes.reduce(0) { $0 + $1.length }) / Double(recentEpisodes.count)
  }
  public var episodeSuccessRate: Double? {
    recentEpisodes.isEmpty
      ? nil : Double(recentEpisodes.filter(\.success).count) / Double(recentEpisodes.count)
  }

  // MARK: Rollout collection

  private func observeAfterReset() -> [Float] {
    var obs = env.observations
    if normalizer != nil {
      obs.withUnsafeBufferPointer { normalizer!.update($0) }
      obs = normalizer!.normalize(obs)
    }
    return obs
  }

  func record(_ episodes: [EpisodeRecord]) {
    for e in episodes {
      if recentEpisodes.count == PPO.episodeWindow { recentEpisodes.removeFirst() }
      recentEpisodes.append(e)
      episodesFinished += 1
    }
  }

  /// Steps the environments `nSteps` times with the current policy, filling the rollout buffer
  /// and computing advantages and returns.
  func collectRollout() {
    let n = config.nEnvs
    let d = env.observationSize
    let gamma = Float(config.gamma)
    var rng = RandomGenerator(seed: PPO.mix(seed), stream: UInt64(2 * iterations + 1))
    let a = env.actionSize
    for t in 0..<config.nSteps {
      let values: Tensor
      if let gaussian = policy.gaussian {
        values = stepContinuous(gaussian, step: t, using: &rng)
      } else {
        let (logits, v) = rolloutForward(lastObservations, count: n, step: t)
        values = v
        CategoricalPolicy.act(
          logits: logits, deterministic: false, using: &rng, actions: &stepActions, logProbs: &stepLogProbs)
        for a in stepActions { actionHistory.append(UInt8(a)) }
        env.step(stepActions)
      }
      numTimesteps += n

      var nextObservations = env.observations
      if normalizer != nil {
        nextObservations.withUnsafeBufferPointer { normalizer!.update($0) }
        nextObservations = normalizer!.normalize(nextObservations)
      }
      var rewards = env.rewards
      let terminated = env.terminated
      let truncated = env.truncated
      if rewardNormalizer != nil {
        rewardNormalizer!.update(rewards: rewards)
        rewards = rewardNormalizer!.normalize(rewards)
        rewardNormalizer!.resetReturns(done: (0..<n).map { terminated[$0] || truncated[$0] })
      }
      // Time-limit truncation: bootstrap from V(final observation) inside the reward
      // (SB3 `collect_rollouts`, DLR-RM/stable-baselines3#633); a termination gets nothing.
      let cut = (0..<n).filter { truncated[$0] && !terminated[$0] }
      if !cut.isEmpty {
        var finals = [Float](repeating: 0, count: cut.count * d)
        env.withObservations { _, final in
          for (k, i) in cut.enumerated() {
            for j in 0..<d { finals[k * d + j] = final[i * d + j] }
          }
        }
        if let normalizer { finals = normalizer.normalize(finals) }
        let terminalValues = policy.values(Tensor(shape: [cut.count, d], data: finals))
        for (k, i) in cut.enumerated() { rewards[i] += gamma * terminalValues.data[k] }
      }
      record(env.finishedEpisodes)

      let base = t * n
      buffer.observations.withUnsafeMutableBufferPointer { o in
        lastObservations.withUnsafeBufferPointer { src in
          (o.baseAddress! + base * d).update(from: src.baseAddress!, count: n * d)
        }
      }
      for i in 0..<n {
        buffer.actions[base + i] = stepActions[i]
        buffer.rewards[base + i] = rewards[i]
        buffer.episodeStarts[base + i] = lastEpisodeStarts[i] ? 1 : 0
        buffer.values[base + i] = values.data[i]
        buffer.logProbs[base + i] = stepLogProbs[i]
        lastEpisodeStarts[i] = terminated[i] || truncated[i]
      }
      if a > 0 {
        for k in 0..<(n * a) { buffer.continuousActions[base * a + k] = stepGaussian[k] }
      }
      lastObservations = nextObservations
    }
    let lastValues = policy.values(Tensor(shape: [n, d], data: lastObservations))
    buffer.computeReturnsAndAdvantages(
      lastValues: lastValues.data, dones: lastEpisodeStarts, gamma: gamma, gaeLambda: Float(config.gaeLambda))
  }

  // MARK: Update

  /// `n_epochs` passes of minibatch Adam steps on the PPO loss over the current rollout.
  func train() throws -> TrainStats {
    if let fused = fusedUpdateIfEligible() { return try trainFused(fused) }
    let progress = progressRemaining
    var stats = TrainStats()
    stats.learningRate = config.learningRate.value(progressRemaining: progress)
    stats.clipRange = config.clipRange.value(progressRemaining: progress)
    stats.clipRangeVf = config.clipRangeVf?.value(progressRemaining: progress)
    optimizer.learningRate = Float(stats.learningRate)
    let clipRange = Float(stats.clipRange)
    let clipRangeVf = stats.clipRangeVf.map(Float.init)

    let total = buffer.count
    let d = buffer.observationSize
    var rng = RandomGenerator(seed: PPO.mix(seed), stream: UInt64(2 * iterations + 2))
    var sums = (pg: 0.0, vf: 0.0, ent: 0.0, kl: 0.0, clip: 0.0, count: 0)
    let parameters = optimizer.parameters
    epochs: for _ in 0..<config.nEpochs {
      let permutation = rng.permutation(total)
      var start = 0
      while start < total {
        let idx = permutation[start..<Swift.min(start + config.batchSize, total)]
        start += config.batchSize
        let b = idx.count
        var obs = [Float](repeating: 0, count: b * d)
        var actions = [Int](repeating: 0, count: b)
        var oldLogProbs = [Float](repeating: 0, count: b)
        var oldValues = [Float](repeating: 0, count: b)
        var advantages = [Float](repeating: 0, count: b)
        var returns = [Float](repeating: 0, count: b)
        let a = buffer.actionSize
        var continuousActions = [Float](repeating: 0, count: b * a)
        buffer.observations.withUnsafeBufferPointer { src in
          obs.withUnsafeMutableBufferPointer { dst in
            for (k, i) in idx.enumerated() {
              (dst.baseAddress! + k * d).update(from: src.baseAddress! + i * d, count: d)
            }
          }
        }
        for (k, i) in idx.enumerated() {
          actions[k] = buffer.actions[i]
          oldLogProbs[k] = buffer.logProbs[i]
          oldValues[k] = buffer.values[i]
          advantages[k] = buffer.advantages[i]
          returns[k] = buffer.returns[i]
          for j in 0..<a { continuousActions[k * a + j] = buffer.continuousActions[i * a + j] }
        }
        if config.normalizeAdvantage { PPOLoss.normalizeAdvantages(&advantages) }

        let tape = Tape()
        let terms: PPOLoss.Terms
        if let gaussian = policy.gaussian {
          let (mean, values, latent) = policy.forwardWithLatent(
            tape.constant(Tensor(shape: [b, d], data: obs)))
          let (logProb, entropy) = gaussian.logProbAndEntropy(
            mean: mean, latent: gaussian.useSde ? latent.value : nil,
            actions: Tensor(shape: [b, a], data: continuousActions))
          terms = PPOLoss.compute(
            logProb: logProb, entropyLoss: { entropy.map { -$0 } ?? logProb.mean() }, values: values,
            oldLogProbs: oldLogProbs, oldValues: oldValues, advantages: advantages, returns: returns,
            clipRange: clipRange, clipRangeVf: clipRangeVf, entCoef: Float(config.entCoef),
            vfCoef: Float(config.vfCoef))
        } else {
          let (logits, values) = policy.forward(tape.constant(Tensor(shape: [b, d], data: obs)))
          terms = PPOLoss.compute(
            logits: logits, values: values, actions: actions, oldLogProbs: oldLogProbs, oldValues: oldValues,
            advantages: advantages, returns: returns, clipRange: clipRange, clipRangeVf: clipRangeVf,
            entCoef: Float(config.entCoef), vfCoef: Float(config.vfCoef))
        }
        let lossValue = terms.loss.value.scalar
        guard lossValue.isFinite else {
          throw NonFiniteLossError(
            iteration: iterations + 1, timesteps: numTimesteps, what: "loss (\(lossValue))")
        }
        sums.pg += Double(terms.policyGradientLoss)
        sums.vf += Double(terms.valueLoss)
        sums.ent += Double(terms.entropyLoss)
        sums.kl += Double(terms.approxKl)
        sums.clip += Double(terms.clipFraction)
        sums.count += 1
        stats.loss = Double(lossValue)
        if let targetKl = config.targetKl, Double(terms.approxKl) > 1.5 * targetKl {
          stats.stoppedEarly = true
          break epochs
        }
        optimizer.zeroGrad()
        tape.backward(terms.loss)
        let norm = clipGradNorm(parameters, maxNorm: Float(config.maxGradNorm))
        guard norm.isFinite else {
          throw NonFiniteLossError(
            iteration: iterations + 1, timesteps: numTimesteps, what: "gradient norm (\(norm))")
        }
        optimizer.step()
      }
      stats.epochs += 1
    }
    finish(&stats, sums: sums)
    stats.std = policy.gaussian?.meanStd
    return stats
  }

  /// The update's epoch count and its losses averaged over minibatches (SB3's `train/*`), on both
  /// update paths.
  func finish(
    _ stats: inout TrainStats,
    sums: (pg: Double, vf: Double, ent: Double, kl: Double, clip: Double, count: Int)
  ) {
    nUpdates += stats.epochs
    let c = Double(Swift.max(sums.count, 1))
    stats.policyGradientLoss = sums.pg / c
    stats.valueLoss = sums.vf / c
    stats.entropyLoss = sums.ent / c
    stats.approxKl = sums.kl / c
    stats.clipFraction = sums.clip / c
    stats.explainedVariance = PPO.explainedVariance(predictions: buffer.values, targets: buffer.returns)
  }

  /// One iteration: collect a rollout, then update. Returns the update's statistics.
  @discardableResult
  public func iterate() throws -> TrainStats {
    let (t0, c0) = (ContinuousClock.now, PPO.threadCPUSeconds())
    collectRollout()
    let (t1, c1) = (ContinuousClock.now, PPO.threadCPUSeconds())
    let stats = try train()
    let (t2, c2) = (ContinuousClock.now, PPO.threadCPUSeconds())
    rolloutSeconds += PPO.seconds(t1 - t0)
    updateSeconds += PPO.seconds(t2 - t1)
    rolloutCPUSeconds += c1 - c0
    updateCPUSeconds += c2 - c1
    iterations += 1
    return stats
  }

  // MARK: Acting

  /// Normalises raw observations with the training statistics (identity without normalisation).
  public func normalizeObservations(_ raw: [Float]) -> [Float] {
    normalizer.map { $0.normalize(raw) } ?? raw
  }
}
