import Core
import Foundation
import NeuralNets
import Tensors

/// The action distribution of a policy for a box action space, as Stable-Baselines3's
/// `DiagGaussianDistribution` and `StateDependentNoiseDistribution`:
///
/// - diagonal Gaussian: `u ~ N(mu(s), diag(sigma^2))` with a state-independent `log_std` `[A]`;
/// - gSDE (Raffin et al. 2021): `u = mu(s) + z(s)^T M` with the policy's last hidden features
///   `z(s)` `[L]` (held constant: SB3's `learn_features=False`) and an exploration matrix
///   `M ~ N(0, std^2)` `[L, A]` resampled every `sde_sample_freq` steps, one per environment copy;
///   the likelihood is `N(mu(s), (z^2)^T std^2 + 1e-6)` per action dimension. `std = exp(log_std)`
///   (or `expln`), `log_std` `[L, A]` (`full_std`) or `[L, 1]` broadcast over the actions.
///
/// The sample `u` is what the rollout stores and what the log-probability is of; the environment
/// gets `clip(u, low, high)`, or with `squash_output` `low + (tanh(u) + 1) (high - low) / 2`, whose
/// log-probability includes the change of variables `-sum log(1 - tanh(u)^2 + 1e-6)`. Evaluation
/// is deterministic with the mean.
public final class GaussianHead {
  public let actionSize: Int
  /// Width of the features `z(s)` (the policy's last hidden layer).
  public let latentSize: Int
  public let useSde: Bool
  public let fullStd: Bool
  public let useExpln: Bool
  public let squashOutput: Bool
  public let low: [Float]
  public let high: [Float]
  /// `[A]` (diagonal), `[L, A]` (gSDE, full std) or `[L, 1]` (gSDE).
  public let logStd: Parameter

  /// SB3's `epsilon` of the gSDE variance and of the tanh correction.
  public static let epsilon: Float = 1e-6
  static let halfLog2Pi = Float(0.5 * Foundation.log(2 * Double.pi))

  public init(
    actionSize: Int, latentSize: Int, low: [Float], high: [Float], logStdInit: Float, useSde: Bool,
    fullStd: Bool, useExpln: Bool, squashOutput: Bool
  ) {
    precondition(
      actionSize > 0 && low.count == actionSize && high.count == actionSize,
      "GaussianHead: \(actionSize) actions with \(low.count)/\(high.count) bounds")
    self.actionSize = actionSize
    self.latentSize = latentSize
    self.useSde = useSde
    self.fullStd = fullStd
    self.useExpln = useExpln
    self.squashOutput = squashOutput
    self.low = low
    self.high = high
    let shape = useSde ? [latentSize, fullStd ? actionSize : 1] : [actionSize]
    logStd = Parameter(Tensor(repeating: logStdInit, shape: shape))
  }

  /// `mean(exp(log_std))`, SB3's `train/std`.
  public var meanStd: Double {
    let d = logStd.value.data
    return d.reduce(0.0) { $0 + Foundation.exp(Double($1)) } / Double(Swift.max(d.count, 1))
  }

  // MARK: Without a tape (rollouts, evaluation)

  /// `std = exp(log_std)` or `expln(log_std)`, expanded to `[L, A]` (gSDE) or `[A]`.
  public func std() -> [Float] {
    let s = logStd.value.data.map { GaussianHead.expln($0, useExpln: useSde && useExpln) }
    guard useSde, !fullStd else { return s }
    var out = [Float](repeating: 0, count: latentSize * actionSize)
    for k in 0..<latentSize { for j in 0..<actionSize { out[k * actionSize + j] = s[k] } }
    return out
  }

  static func expln(_ x: Float, useExpln: Bool) -> Float {
    guard useExpln else { return Foundation.exp(x) }
    return x <= 0 ? Foundation.exp(x) : Foundation.log1p(x + epsilon) + 1
  }

  /// Samples `count` exploration matrices `[count, L, A]` from `N(0, std^2)` (SB3's
  /// `sample_weights`, one matrix per environment copy).
  public func sampleExplorationMatrices(count: Int, using rng: inout RandomGenerator) -> [Float] {
    let s = std()
    var out = [Float](repeating: 0, count: count * s.count)
    for e in 0..<count { for i in 0..<s.count { out[e * s.count + i] = s[i] * Float(rng.normal()) } }
    return out
  }

  /// One action per row: `mean` `[n, A]`, `latent` `[n, L]` (gSDE), `matrices` `[n, L, A]` (gSDE,
  /// stochastic). Writes the Gaussian sample `u` (`gaussian`, `[n, A]`), what the environment gets
  /// (`envActions`, `[n, A]`) and `log pi(u|s)` (`logProbs`, `[n]`). Deterministic: `u = mean`.
  public func act(
    mean: Tensor, latent: Tensor?, matrices: [Float]?, deterministic: Bool, using rng: inout RandomGenerator,
    gaussian: inout [Float], envActions: inout [Float], logProbs: inout [Float]
  ) {
    let (n, a, l) = (mean.shape[0], actionSize, latentSize)
    let s = std()
    let m = mean.data
    let z = latent?.data ?? []
    var sigma = [Float](repeating: 0, count: a)
    for r in 0..<n {
      for j in 0..<a {
        if useSde {
          var v: Float = 0
          for k in 0..<l { v += z[r * l + k] * z[r * l + k] * s[k * a + j] * s[k * a + j] }
          sigma[j] = (v + GaussianHead.epsilon).squareRoot()
        } else {
          sigma[j] = s[j]
        }
      }
      var logp: Float = 0
      for j in 0..<a {
        var u = m[r * a + j]
        if !deterministic {
          if useSde, let matrices {
            var noise: Float = 0
            for k in 0..<l { noise += z[r * l + k] * matrices[(r * l + k) * a + j] }
            u += noise
          } else {
            u += sigma[j] * Float(rng.normal())
          }
        }
        let x = (u - m[r * a + j]) / sigma[j]
        logp += -0.5 * x * x - Foundation.log(sigma[j]) - GaussianHead.halfLog2Pi
        if squashOutput {
          let t = Foundation.tanh(u)
          logp -= Foundation.log(1 - t * t + GaussianHead.epsilon)
        }
        gaussian[r * a + j] = u
        envActions[r * a + j] = environmentAction(u, j)
      }
      logProbs[r] = logp
    }
  }

  /// What the environment gets for the sample `u` of dimension `j`.
  @inline(__always)
  public func environmentAction(_ u: Float, _ j: Int) -> Float {
    if squashOutput { return low[j] + 0.5 * (Foundation.tanh(u) + 1) * (high[j] - low[j]) }
    return Swift.min(Swift.max(u, low[j]), high[j])
  }

  // MARK: On the tape (training)

  /// `log pi(u|s)` `[n]` and the mean entropy (a scalar; nil with `squash_output`, which has no
  /// closed form: PPO then uses `-mean(log pi)`, as SB3).
  public func logProbAndEntropy(mean: Variable, latent: Tensor?, actions: Tensor) -> (
    logProb: Variable, entropy: Variable?
  ) {
    let tape = mean.tape
    let logStdVar = tape.parameter(logStd)
    let u = tape.constant(actions)
    if useSde, let latent {
      let sigma = GaussianHead.sdeSigma(
        latent: latent, logStd: logStdVar, actionSize: actionSize, fullStd: fullStd, useExpln: useExpln)
      var logProb = GaussianHead.normalLogProb(u, mean: mean, sigma: sigma)
      if squashOutput { logProb = logProb - GaussianHead.squashCorrection(u) }
      let entropy = squashOutput ? nil : (sigma.log() + (0.5 + GaussianHead.halfLog2Pi)).sum(axis: 1).mean()
      return (logProb, entropy)
    }
    var logProb = GaussianHead.diagonalLogProb(u, mean: mean, logStd: logStdVar)
    if squashOutput { logProb = logProb - GaussianHead.squashCorrection(u) }
    let entropy = squashOutput ? nil : GaussianHead.diagonalEntropy(logStd: logStdVar)
    return (logProb, entropy)
  }

  /// `sum_j log N(u_j; mu_j, exp(log_std_j)^2)` per row: `[n]`.
  public static func diagonalLogProb(_ u: Variable, mean: Variable, logStd: Variable) -> Variable {
    let x = (u - mean) / logStd.exp()
    return ((x.square() * -0.5) - logStd - halfLog2Pi).sum(axis: 1)
  }

  /// The entropy `sum_j (1/2 + log(2 pi)/2 + log_std_j)`, the same for every state (a scalar).
  public static func diagonalEntropy(logStd: Variable) -> Variable {
    (logStd + (0.5 + halfLog2Pi)).sum()
  }

  /// `sum_j log N(u_j; mu_j, sigma_j^2)` per row with per-row `sigma` `[n, A]`.
  public static func normalLogProb(_ u: Variable, mean: Variable, sigma: Variable) -> Variable {
    let x = (u - mean) / sigma
    return ((x.square() * -0.5) - sigma.log() - halfLog2Pi).sum(axis: 1)
  }

  /// gSDE's per-row standard deviation `sqrt((z^2) std^2 + 1e-6)` `[n, A]` for features `z`
  /// `[n, L]` (constants) and `log_std` `[L, A]` or `[L, 1]`.
  public static func sdeSigma(
    latent: Tensor, logStd: Variable, actionSize: Int, fullStd: Bool, useExpln: Bool
  ) -> Variable {
    let tape = logStd.tape
    var std = useExpln ? explnVariable(logStd) : logStd.exp()
    // [L, 1] -> [L, A]: the product with a row of ones repeats the column.
    if !fullStd { std = matmul(std, tape.constant(Tensor(repeating: 1, shape: [1, actionSize]))) }
    let z2 = tape.constant(latent.map { $0 * $0 })
    return (matmul(z2, std.square()) + epsilon).sqrt()
  }

  /// The log-determinant correction of `tanh`: `sum_j log(1 - tanh(u_j)^2 + 1e-6)` per row `[n]`.
  public static func squashCorrection(_ u: Variable) -> Variable {
    (1 - u.tanh().square() + epsilon).log().sum(axis: 1)
  }

  /// `expln` on the tape: `exp(x)` for `x <= 0`, `log1p(x + 1e-6) + 1` above.
  public static func explnVariable(_ x: Variable) -> Variable {
    let input = x.value
    let value = input.map { expln($0, useExpln: true) }
    return x.tape.record(value, inputs: [x]) { g in
      [Tensor.zip(g, input) { gi, xi in xi <= 0 ? gi * Foundation.exp(xi) : gi / (1 + xi + epsilon) }]
    }
  }
}
