import Core
import Environments
import Tensors

// Rollout helpers: the box-action step (Gaussian / gSDE sampling), the explained variance of a
// rollout's values, and the replay of recorded actions that rebuilds the environments on resume.

extension PPO {
  /// One rollout step with a Gaussian (or gSDE) policy: gSDE's exploration matrices are resampled
  /// at the start of the rollout and, with `sde_sample_freq = k > 0`, every `k` steps (SB3's
  /// `reset_noise` in `collect_rollouts`); the sample `u` goes to the buffer, its clipped (or
  /// squashed) image to the environments and to the action history. Returns the values.
  func stepContinuous(_ gaussian: GaussianHead, step t: Int, using rng: inout RandomGenerator) -> Tensor {
    let n = config.nEnvs
    let d = env.observationSize
    if gaussian.useSde && (t == 0 || (config.sdeSampleFreq > 0 && t % config.sdeSampleFreq == 0)) {
      explorationMatrices = gaussian.sampleExplorationMatrices(count: n, using: &rng)
    }
    let (mean, values, latent) = policy.forwardWithLatent(Tensor(shape: [n, d], data: lastObservations))
    gaussian.act(
      mean: mean, latent: latent, matrices: explorationMatrices, deterministic: false, using: &rng,
      gaussian: &stepGaussian, envActions: &stepEnvActions, logProbs: &stepLogProbs)
    continuousHistory.append(contentsOf: stepEnvActions)
    env.step(continuous: stepEnvActions)
    return values
  }

  /// `1 - Var(y - y_pred) / Var(y)` (NaN when `Var(y) = 0`), as SB3's `explained_variance`.
  public static func explainedVariance(predictions: [Float], targets: [Float]) -> Double {
    let n = Double(targets.count)
    var my = 0.0
    var md = 0.0
    for i in 0..<targets.count {
      my += Double(targets[i])
      md += Double(targets[i] - predictions[i])
    }
    my /= n
    md /= n
    var vy = 0.0
    var vd = 0.0
    for i in 0..<targets.count {
      vy += (Double(targets[i]) - my) * (Double(targets[i]) - my)
      let r = Double(targets[i] - predictions[i]) - md
      vd += r * r
    }
    return vy == 0 ? .nan : 1 - vd / vy
  }

  /// Resets the environments with the seed and steps them through `actions` (step-major),
  /// rebuilding their state, the episode statistics and the current observations; the
  /// normaliser is left as it is (restored from the checkpoint).
  func replay(_ actions: [UInt8], continuous: [Float] = []) {
    let n = config.nEnvs
    env.reset(seed: seed)
    recentEpisodes.removeAll()
    episodesFinished = 0
    actionHistory = actions
    continuousHistory = continuous
    lastEpisodeStarts = [Bool](repeating: true, count: n)
    var step = [Int](repeating: 0, count: n)
    var t = 0
    let width = n * env.actionSize
    let steps = env.actionSpace.isDiscrete ? actions.count / n : continuous.count / Swift.max(width, 1)
    for _ in 0..<steps {
      if env.actionSpace.isDiscrete {
        for i in 0..<n { step[i] = Int(actions[t + i]) }
        env.step(step)
      } else {
        continuous.withUnsafeBufferPointer {
          env.step(
            continuous: UnsafeBufferPointer(rebasing: $0[(t * env.actionSize)..<(t * env.actionSize + width)])
          )
        }
      }
      record(env.finishedEpisodes)
      let (terminated, truncated) = (env.terminated, env.truncated)
      for i in 0..<n { lastEpisodeStarts[i] = terminated[i] || truncated[i] }
      t += n
    }
    lastObservations = normalizeObservations(env.observations)
  }
}
