import Core
import Foundation
import NeuralNets
import Reinforcement
import Tensors
import TestSupport
import Testing

/// The Gaussian and gSDE action distributions: finite-difference gradients of every term PPO
/// differentiates, and the acting path against the same formulas.
@Suite struct GaussianPolicyTests {
  let u = randomTensor([3, 2], seed: 11, low: -1.5, high: 1.5)

  @Test func diagonalLogProbGradient() {
    checkGradients([randomTensor([3, 2], seed: 1), randomTensor([2], seed: 2, low: -0.7, high: 0.4)]) { x in
      GaussianHead.diagonalLogProb(x[0].tape.constant(u), mean: x[0], logStd: x[1]).sum()
    }
  }

  @Test func diagonalLogProbMatchesTheDensity() {
    let tape = Tape()
    let mean: [Float] = [0.5, -1]
    let logStd: [Float] = [0.3, -0.2]
    let action: [Float] = [1.25, 0.5]
    let lp = GaussianHead.diagonalLogProb(
      tape.constant(Tensor(shape: [1, 2], data: action)),
      mean: tape.constant(Tensor(shape: [1, 2], data: mean)),
      logStd: tape.constant(Tensor(logStd))
    ).value.data[0]
    var expected = 0.0
    for j in 0..<2 {
      let s = Foundation.exp(Double(logStd[j]))
      let z = Double(action[j] - mean[j]) / s
      expected += -0.5 * z * z - Foundation.log(s) - 0.5 * Foundation.log(2 * Double.pi)
    }
    #expect(abs(Double(lp) - expected) < 1e-5)
  }

  @Test func entropyGradientAndClosedForm() {
    checkGradients([randomTensor([3], seed: 3)]) { x in GaussianHead.diagonalEntropy(logStd: x[0]) }
    let tape = Tape()
    let h = GaussianHead.diagonalEntropy(logStd: tape.constant(Tensor([0, 0]))).value.scalar
    #expect(abs(Double(h) - 2 * (0.5 + 0.5 * Foundation.log(2 * Double.pi))) < 1e-6)
  }

  @Test func squashCorrectionGradient() {
    checkGradients([randomTensor([4, 2], seed: 4, low: -1.2, high: 1.2)], eps: 1e-3) { x in
      GaussianHead.squashCorrection(x[0]).sum()
    }
    let tape = Tape()
    let c = GaussianHead.squashCorrection(tape.constant(Tensor(shape: [1, 1], data: [0.7]))).value.data[0]
    let t = Foundation.tanh(0.7)
    #expect(abs(Double(c) - Foundation.log(1 - t * t + 1e-6)) < 1e-6)
  }

  @Test(arguments: [(true, false), (false, false), (true, true)])
  func sdeLogProbGradient(fullStd: Bool, useExpln: Bool) {
    let latent = randomTensor([3, 4], seed: 5)
    let logStdShape = fullStd ? [4, 2] : [4, 1]
    checkGradients([randomTensor([3, 2], seed: 6), randomTensor(logStdShape, seed: 7, low: -0.8, high: 0.8)])
    { x in
      let sigma = GaussianHead.sdeSigma(
        latent: latent, logStd: x[1], actionSize: 2, fullStd: fullStd, useExpln: useExpln)
      let logProb = GaussianHead.normalLogProb(x[0].tape.constant(u), mean: x[0], sigma: sigma)
      // The entropy term PPO uses with gSDE, too.
      return logProb.sum() + (sigma.log() + 1.4189385).sum(axis: 1).mean()
    }
  }

  @Test func sdeVarianceIsLatentSquaredTimesStdSquared() {
    let tape = Tape()
    let latent = Tensor(shape: [1, 2], data: [0.5, -2])
    let logStd: [Float] = [0.1, -0.3, 0.2, 0.0]  // [L = 2, A = 2]
    let sigma = GaussianHead.sdeSigma(
      latent: latent, logStd: tape.constant(Tensor(shape: [2, 2], data: logStd)), actionSize: 2,
      fullStd: true,
      useExpln: false
    ).value.data
    for j in 0..<2 {
      let v =
        0.25 * Foundation.exp(2 * Double(logStd[j])) + 4 * Foundation.exp(2 * Double(logStd[2 + j])) + 1e-6
      #expect(abs(Double(sigma[j]) - v.squareRoot()) < 1e-5)
    }
  }

  /// The rollout's noise is `z^T M` with the copy's exploration matrix, and the log-probability it
  /// records equals the tape's (what the first epoch's ratio compares with).
  @Test(arguments: [false, true])
  func actingMatchesTheTape(squash: Bool) {
    let head = GaussianHead(
      actionSize: 2, latentSize: 3, low: [-1, -2], high: [1, 2], logStdInit: -0.5, useSde: true,
      fullStd: true,
      useExpln: false, squashOutput: squash)
    var rng = RandomGenerator(seed: 9)
    let matrices = head.sampleExplorationMatrices(count: 2, using: &rng)
    let mean = Tensor(shape: [2, 2], data: [0.1, -0.4, 0.9, 1.5])
    let latent = randomTensor([2, 3], seed: 10)
    var gaussian = [Float](repeating: 0, count: 4)
    var envActions = gaussian
    var logProbs: [Float] = [0, 0]
    head.act(
      mean: mean, latent: latent, matrices: matrices, deterministic: false, using: &rng, gaussian: &gaussian,
      envActions: &envActions, logProbs: &logProbs)
    for r in 0..<2 {
      for j in 0..<2 {
        var noise: Float = 0
        for k in 0..<3 { noise += latent.data[r * 3 + k] * matrices[(r * 3 + k) * 2 + j] }
        #expect(abs(gaussian[r * 2 + j] - (mean.data[r * 2 + j] + noise)) < 1e-6)
        let (lo, hi) = (head.low[j], head.high[j])
        let expected =
          squash
          ? lo + 0.5 * (Foundation.tanh(gaussian[r * 2 + j]) + 1) * (hi - lo)
          : min(max(gaussian[r * 2 + j], lo), hi)
        #expect(abs(envActions[r * 2 + j] - expected) < 1e-6)
      }
    }
    let tape = Tape()
    let (lp, entropy) = head.logProbAndEntropy(
      mean: tape.constant(mean), latent: latent, actions: Tensor(shape: [2, 2], data: gaussian))
    for r in 0..<2 { #expect(abs(lp.value.data[r] - logProbs[r]) < 1e-4) }
    #expect((entropy == nil) == squash)
  }

  @Test func deterministicActionIsTheClippedMean() {
    let head = GaussianHead(
      actionSize: 1, latentSize: 4, low: [-2], high: [2], logStdInit: 0, useSde: false, fullStd: true,
      useExpln: false, squashOutput: false)
    var rng = RandomGenerator(seed: 1)
    var g: [Float] = [0, 0]
    var e: [Float] = [0, 0]
    var lp: [Float] = [0, 0]
    head.act(
      mean: Tensor(shape: [2, 1], data: [3.5, -0.25]), latent: nil, matrices: nil, deterministic: true,
      using: &rng,
      gaussian: &g, envActions: &e, logProbs: &lp)
    #expect(g == [3.5, -0.25] && e == [2, -0.25])
    #expect(head.meanStd == 1)
  }
}

/// VecNormalize's reward scaling against a hand computation (gamma 0.9, two copies, copy 0's
/// episode ends after step 1, copy 1's after step 3). Step 1: returns (1, 2), batch mean 1.5 and
/// variance 0.25 folded into (mean 0, var 1, count 1e-4): mean = 1.5 * 2 / 2.0001, var =
/// (1e-4 + 0.25 * 2 + 1.5^2 * 1e-4 * 2 / 2.0001) / 2.0001 = 0.250149987; rewards / sqrt(var + 1e-8).
@Suite struct RewardNormalizerTests {
  @Test func matchesTheHandComputation() {
    var normalizer = RewardNormalizer(numEnvs: 2, gamma: 0.9, clip: 10)
    let steps: [([Float], [Bool])] = [
      ([1, 2], [true, false]), ([3, -1], [false, false]), ([0.5, 4], [false, true]),
    ]
    let expected: [[Double]] = [
      [1.9994002823500832, 3.9988005647001663], [3.4186441322084398, -1.1395480440694798],
      [0.36850724939868706, 2.9480579951894965],
    ]
    let statistics: [(Double, Double)] = [
      (1.4999250037498124, 0.25014998687593737), (1.6999575010624735, 0.7700779962438891),
      (2.4532924451259146, 1.8409751850380052),
    ]
    let hand = (1e-4 + 0.25 * 2 + 2.25 * 1e-4 * 2 / 2.0001) / 2.0001
    #expect(abs(hand - statistics[0].1) < 1e-15)
    for (k, (rewards, done)) in steps.enumerated() {
      normalizer.update(rewards: rewards)
      let scaled = normalizer.normalize(rewards)
      #expect(
        abs(normalizer.mean - statistics[k].0) < 1e-12 && abs(normalizer.variance - statistics[k].1) < 1e-12)
      for i in 0..<2 { #expect(abs(Double(scaled[i]) - expected[k][i]) < 1e-6) }
      normalizer.resetReturns(done: done)
    }
    #expect(abs(normalizer.returns[0] - 3.2) < 1e-12 && normalizer.returns[1] == 0)
    #expect(abs(normalizer.count - 6.0001) < 1e-12)
  }

  @Test func clipsScaledRewards() {
    var normalizer = RewardNormalizer(numEnvs: 1, gamma: 0.99, clip: 0.5)
    normalizer.update(rewards: [100])
    #expect(normalizer.normalize([1e9, -1e9]) == [0.5, -0.5])
  }
}
