import Foundation
import Tensors

/// The PPO objective (Schulman et al. 2017, eq. 7 and 9) for one minibatch, built on the tape from
/// its parts so the gradient is the true gradient of what is logged (SB3's `PPO.train`):
///
/// ```
/// ratio     = exp(log pi(a|s) - log pi_old(a|s))
/// pg_loss1  = A * ratio
/// pg_loss2  = A * clip(ratio, 1 - eps, 1 + eps)
/// L_pg      = -mean(min(pg_loss1, pg_loss2))
/// V_pred    = V                                 (or V_old + clip(V - V_old, -eps_vf, eps_vf))
/// L_vf      = mean((R - V_pred)^2)
/// L_ent     = -mean(H[pi(.|s)])
/// loss      = L_pg + ent_coef * L_ent + vf_coef * L_vf
/// ```
///
/// Where a sample's ratio is clipped on the side the minimum ignores (A > 0 and ratio > 1 + eps,
/// A < 0 and ratio < 1 - eps) the minimum picks the clamped term, whose gradient is zero.
public enum PPOLoss {
  /// The loss and the statistics SB3 logs for one minibatch.
  public struct Terms {
    /// The scalar to differentiate.
    public var loss: Variable
    /// `L_pg` (SB3's `train/policy_gradient_loss`).
    public var policyGradientLoss: Float
    /// `L_vf` (`train/value_loss`).
    public var valueLoss: Float
    /// `L_ent = -mean entropy` (`train/entropy_loss`).
    public var entropyLoss: Float
    /// `mean((ratio - 1) - log ratio)`, the low-variance KL(pi_old || pi) estimator (CleanRL, SB3).
    public var approxKl: Float
    /// Fraction of samples with `|ratio - 1| > eps`.
    public var clipFraction: Float
  }

  /// - Parameters:
  ///   - logits: `[n, actions]` from the current policy.
  ///   - values: `[n]` from the current value function.
  ///   - actions, oldLogProbs, oldValues, advantages, returns: `[n]` from the rollout (advantages
  ///     already normalised if wanted).
  public static func compute(
    logits: Variable, values: Variable, actions: [Int], oldLogProbs: [Float], oldValues: [Float],
    advantages: [Float], returns: [Float], clipRange: Float, clipRangeVf: Float?, entCoef: Float,
    vfCoef: Float
  ) -> Terms {
    let n = actions.count
    precondition(
      logits.shape.count == 2 && logits.shape[0] == n && values.shape == [n] && oldLogProbs.count == n
        && oldValues.count == n && advantages.count == n && returns.count == n,
      "PPOLoss: logits \(logits.shape), values \(values.shape) and \(n) actions disagree")
    let logProbAll = logits.logSoftmax()  // [n, A]
    let logProb = logProbAll.gather(actions)  // [n]
    // Entropy of the categorical: H = -sum_a p_a log p_a.
    let entropy = -(logProbAll.exp() * logProbAll).sum(axis: 1)
    return compute(
      logProb: logProb, entropyLoss: { -entropy.mean() }, values: values, oldLogProbs: oldLogProbs,
      oldValues: oldValues, advantages: advantages, returns: returns, clipRange: clipRange,
      clipRangeVf: clipRangeVf, entCoef: entCoef, vfCoef: vfCoef)
  }

  /// The same objective from the log-probabilities of the taken actions `[n]` under the current
  /// policy (any distribution); `entropyLoss` gives `L_ent` (called once, after the value loss).
  public static func compute(
    logProb: Variable, entropyLoss makeEntropyLoss: () -> Variable, values: Variable, oldLogProbs: [Float],
    oldValues: [Float], advantages: [Float], returns: [Float], clipRange: Float, clipRangeVf: Float?,
    entCoef: Float, vfCoef: Float
  ) -> Terms {
    let tape = logProb.tape
    let n = oldLogProbs.count
    precondition(
      logProb.shape == [n] && values.shape == [n] && oldValues.count == n && advantages.count == n
        && returns.count == n,
      "PPOLoss: log-probabilities \(logProb.shape), values \(values.shape) and \(n) samples disagree")
    let logRatio = logProb - tape.constant(Tensor(oldLogProbs))
    let ratio = logRatio.exp()
    let adv = tape.constant(Tensor(advantages))
    let pgLoss1 = adv * ratio
    let pgLoss2 = adv * ratio.clamped(min: 1 - clipRange, max: 1 + clipRange)
    let policyLoss = -minimum(pgLoss1, pgLoss2).mean()

    let valuesPred: Variable
    if let eps = clipRangeVf {
      let old = tape.constant(Tensor(oldValues))
      valuesPred = old + (values - old).clamped(min: -eps, max: eps)
    } else {
      valuesPred = values
    }
    let valueLoss = (tape.constant(Tensor(returns)) - valuesPred).square().mean()
    let entropyLoss = makeEntropyLoss()
    let loss = policyLoss + entCoef * entropyLoss + vfCoef * valueLoss

    var kl = 0.0
    var clipped = 0
    ratio.value.data.withUnsafeBufferPointer { r in
      logRatio.value.data.withUnsafeBufferPointer { lr in
        for i in 0..<n {
          kl += Double((r[i] - 1) - lr[i])
          if Swift.abs(r[i] - 1) > clipRange { clipped += 1 }
        }
      }
    }
    return Terms(
      loss: loss, policyGradientLoss: policyLoss.value.scalar, valueLoss: valueLoss.value.scalar,
      entropyLoss: entropyLoss.value.scalar, approxKl: Float(kl / Double(n)),
      clipFraction: Float(clipped) / Float(n))
  }

  /// Per-minibatch advantage normalisation as SB3: `(A - mean) / (std + 1e-8)` with the unbiased
  /// (n - 1) standard deviation of `torch.std`. A single sample is left as is.
  public static func normalizeAdvantages(_ advantages: inout [Float]) {
    let n = advantages.count
    guard n > 1 else { return }
    var mean = 0.0
    for a in advantages { mean += Double(a) }
    mean /= Double(n)
    var ss = 0.0
    for a in advantages { ss += (Double(a) - mean) * (Double(a) - mean) }
    let std = (ss / Double(n - 1)).squareRoot()
    let scale = 1 / (std + 1e-8)
    for i in 0..<n { advantages[i] = Float((Double(advantages[i]) - mean) * scale) }
  }
}
