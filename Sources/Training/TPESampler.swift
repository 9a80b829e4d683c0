import Core
import Foundation

/// The Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio and Kegl, "Algorithms for
/// Hyper-Parameter Optimization", NeurIPS 2011) with the defaults of Optuna's `TPESampler`
/// (univariate, `n_startup_trials=10`, `n_ei_candidates=24`, `gamma(n) = min(ceil(0.1 n), 25)`,
/// `prior_weight=1`, `consider_magic_clip=True`, `consider_endpoints=False`, Optuna's
/// `default_weights`):
///
/// 1. the first `startupTrials` trials are random (``RandomSampler``);
/// 2. the finished trials are split into the `gamma(n)` best ("below", l) and the rest ("above",
///    g): complete trials by score, then pruned ones by the rung they reached and their score there;
/// 3. for each parameter, a Parzen estimator is fitted to each group: one truncated Gaussian
///    kernel per observation (in log space for log-scale parameters, discrete for integers)
///    with a bandwidth from the distances to its neighbours, plus a prior kernel (centre of the
///    range, width of the range), as Optuna 5.1's `_ParzenEstimator` (checked against it on
///    recorded values, `scripts/tpe_reference.py`); categorical parameters get one smoothed
///    distribution per observation (`prior_weight / n_kernels` on every choice, +1 on the
///    observed one);
/// 4. `eiCandidates` values are drawn from l, and the one with the largest `log l(x) - log g(x)`
///    (which maximises expected improvement) is chosen.
///
/// Trial `n` draws from `RandomGenerator(seed:, stream: n + 1)`, so the sampler is a function of
/// the seed, `n` and the history. The history's order does not matter (it is sorted by number).
public struct TPESampler: SweepSampler {
  public let space: SweepSpace
  public let seed: UInt64
  public var startupTrials = 10
  public var eiCandidates = 24
  public var priorWeight = 1.0

  public init(space: SweepSpace, seed: UInt64) {
    self.space = space
    self.seed = seed
  }

  public var capacity: Int? { nil }

  /// Optuna's `default_gamma`: the number of trials in the "below" group.
  public static func gamma(_ n: Int) -> Int { Swift.min(Int((0.1 * Double(n)).rounded(.up)), 25) }

  /// Optuna's `default_weights`: flat for up to 25 observations, else a ramp from 1/n up to 1 over
  /// the oldest n - 25 and 1 for the newest 25.
  public static func weights(_ n: Int) -> [Double] {
    if n == 0 { return [] }
    if n < 25 { return Array(repeating: 1, count: n) }
    let rampCount = n - 25
    var ramp: [Double] = []
    for i in 0..<rampCount {
      let start = 1.0 / Double(n)
      ramp.append(rampCount == 1 ? start : start + (1 - start) * Double(i) / Double(rampCount - 1))
    }
    return ramp + Array(repeating: 1, count: 25)
  }

  /// The finished trials split into the best `gamma(n)` (below) and the rest (above), each sorted
  /// by trial number. Higher scores are better.
  public static func split(_ history: [SweepTrial]) -> (below: [SweepTrial], above: [SweepTrial]) {
    let complete = history.filter { $0.state == .complete }.sorted {
      ($0.score ?? -.infinity, -$0.number) > ($1.score ?? -.infinity, -$1.number)
    }
    let pruned = history.filter { $0.state == .pruned && $0.lastRung >= 0 }.sorted {
      ($0.lastRung, $0.rungScores.last ?? -.infinity, -$0.number) > (
        $1.lastRung, $1.rungScores.last ?? -.infinity, -$1.number
      )
    }
    let ranked = complete + pruned
    let nBelow = Swift.min(gamma(ranked.count), ranked.count)
    return (
      Array(ranked.prefix(nBelow)).sorted { $0.number < $1.number },
      Array(ranked.dropFirst(nBelow)).sorted { $0.number < $1.number }
    )
  }

  public func sample(number: Int, history: [SweepTrial]) -> [SweepValue]? {
    var rng = RandomSampler.generator(seed: seed, number: number)
    let usable = history.filter { ($0.state == .complete || $0.state == .pruned) && $0.lastRung >= 0 }
    if usable.count < startupTrials { return space.parameters.map { RandomSampler.draw($0, &rng) } }
    let (below, above) = TPESampler.split(usable)
    return space.parameters.indices.map { k in
      let p = space.parameters[k]
      let l = ParzenEstimator(p, observations: below.map { $0.values[k] }, priorWeight: priorWeight)
      let g = ParzenEstimator(p, observations: above.map { $0.values[k] }, priorWeight: priorWeight)
      var best: (value: SweepValue, gain: Double)?
      for _ in 0..<eiCandidates {
        let x = l.sample(&rng)
        let gain = l.logDensity(x) - g.logDensity(x)
        if best == nil || gain > best!.gain { best = (x, gain) }
      }
      return best?.value ?? RandomSampler.draw(p, &rng)
    }
  }
}

/// A univariate Parzen estimator as Optuna builds it (`_ParzenEstimator`): a weighted mixture of
/// one kernel per observation and a prior kernel.
struct ParzenEstimator {
  let parameter: SweepParameter
  /// Mixture weights (sum 1).
  let weights: [Double]
  // Numeric kernels: truncated normals in internal coordinates.
  let mus: [Double]
  let sigmas: [Double]
  let scale: NumericScale?
  // Categorical kernels: one distribution over the choices per kernel.
  let choiceWeights: [[Double]]

  init(_ p: SweepParameter, observations: [SweepValue], priorWeight: Double) {
    parameter = p
    let n = observations.count
    var w = TPESampler.weights(n)
    w = n == 0 ? [1] : w + [priorWeight]
    let total = w.reduce(0, +)
    weights = w.map { $0 / total }
    if case .choice(let values) = p.kind {
      scale = nil
      mus = []
      sigmas = []
      let c = values.count
      if n == 0 {
        choiceWeights = [Array(repeating: 1 / Double(c), count: c)]
      } else {
        let kernels = n + 1
        var rows = Array(repeating: Array(repeating: priorWeight / Double(kernels), count: c), count: kernels)
        for (i, v) in observations.enumerated() {
          if case .choice(let index) = v, rows[i].indices.contains(index) { rows[i][index] += 1 }
        }
        choiceWeights = rows.map { row in
          let s = row.reduce(0, +)
          return row.map { $0 / s }
        }
      }
      return
    }
    let s = NumericScale(p)
    scale = s
    choiceWeights = []
    let (low, high) = (s.adaptedLow, s.adaptedHigh)
    let xs = observations.map(s.internalValue)
    // Bandwidths (Optuna 5's `compute_sigmas`): the larger distance to a neighbour among the sorted
    // observations and the ends; the outermost kernels use their inner neighbour only
    // (consider_endpoints=False); clipped to [range / min(100, n + 2), range] (magic clip).
    var sigmasOfObservations: [Double] = []
    if n > 0 {
      let order = xs.indices.sorted { (xs[$0], $0) < (xs[$1], $1) }
      let padded = [low] + order.map { xs[$0] } + [high]
      var sortedSigmas: [Double] = []
      for i in 1..<(padded.count - 1) {
        let left: Double = padded[i] - padded[i - 1]
        let right: Double = padded[i + 1] - padded[i]
        sortedSigmas.append(Swift.max(left, right))
      }
      if padded.count >= 4 {
        sortedSigmas[0] = padded[2] - padded[1]
        sortedSigmas[sortedSigmas.count - 1] = padded[padded.count - 2] - padded[padded.count - 3]
      }
      var unsorted = Array(repeating: 0.0, count: n)
      for (rank, index) in order.enumerated() { unsorted[index] = sortedSigmas[rank] }
      let maxSigma = high - low
      let minSigma = (high - low) / Swift.min(100, 1 + Double(n + 1))
      sigmasOfObservations = unsorted.map { Swift.min(Swift.max($0, minSigma), maxSigma) }
    }
    mus = xs + [0.5 * (low + high)]
    sigmas = sigmasOfObservations + [high - low]
  }

  /// A draw: a kernel by weight, then a value from it.
  func sample(_ rng: inout RandomGenerator) -> SweepValue {
    let k = rng.categorical(weights)
    if !choiceWeights.isEmpty { return .choice(rng.categorical(choiceWeights[k])) }
    guard let scale else { return .choice(0) }
    let (low, high) = (scale.adaptedLow, scale.adaptedHigh)
    var x = Double.nan
    // Rejection from the kernel's normal: every kernel's centre lies in the range and its width
    // is at most the range's, so a draw lands inside with probability above 1/3.
    for _ in 0..<1000 {
      let candidate = rng.normal(mean: mus[k], std: sigmas[k])
      if candidate >= low && candidate <= high {
        x = candidate
        break
      }
    }
    if x.isNaN { x = rng.uniform(low, high) }
    return scale.value(fromInternal: x)
  }

  /// log of the mixture's density (probability for discrete and categorical parameters) at `v`.
  func logDensity(_ v: SweepValue) -> Double {
    var terms: [Double] = []
    if !choiceWeights.isEmpty {
      guard case .choice(let index) = v else { return -.infinity }
      for (k, row) in choiceWeights.enumerated() where row.indices.contains(index) {
        terms.append(Foundation.log(weights[k]) + Foundation.log(row[index]))
      }
      return ParzenEstimator.logSumExp(terms)
    }
    guard let scale else { return -.infinity }
    let (low, high) = (scale.adaptedLow, scale.adaptedHigh)
    for k in mus.indices {
      let (mu, sigma) = (mus[k], sigmas[k])
      let logW = Foundation.log(weights[k])
      let total = ParzenEstimator.gaussMass((low - mu) / sigma, (high - mu) / sigma)
      if let step = scale.step {
        // The kernel's mass on the grid cell of v (cell ends in log space for log scale).
        let left = scale.transform(v.number - step / 2)
        let right = scale.transform(v.number + step / 2)
        let mass = ParzenEstimator.gaussMass((left - mu) / sigma, (right - mu) / sigma)
        terms.append(
          logW + Foundation.log(Swift.max(mass, 1e-300)) - Foundation.log(Swift.max(total, 1e-300)))
      } else {
        let z = (scale.internalValue(v) - mu) / sigma
        let logPDF = -0.5 * z * z - Foundation.log(sigma) - 0.5 * Foundation.log(2 * Double.pi)
        terms.append(logW + logPDF - Foundation.log(Swift.max(total, 1e-300)))
      }
    }
    return ParzenEstimator.logSumExp(terms)
  }

  static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

  /// Standard normal mass on [a, b], taken on the side of zero where it does not cancel.
  static func gaussMass(_ a: Double, _ b: Double) -> Double {
    if b <= 0 { return normalCDF(b) - normalCDF(a) }
    if a >= 0 { return normalCDF(-a) - normalCDF(-b) }
    return 1 - normalCDF(a) - normalCDF(-b)
  }

  static func logSumExp(_ terms: [Double]) -> Double {
    guard let m = terms.max(), m.isFinite else { return terms.max() ?? -.infinity }
    return m + Foundation.log(terms.reduce(0) { $0 + Foundation.exp($1 - m) })
  }
}
