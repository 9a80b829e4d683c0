import Foundation

/// The aggregate metrics of Agarwal et al. (2021), "Deep Reinforcement Learning at the Edge of the
/// Statistical Precipice", as rliable's `metrics` module computes them.
///
/// Scores come as `runsByTask[t][r]`: the (normalised) score of run `r` on task `t` (rliable's
/// `(num_runs, num_tasks)` matrix, transposed). rliable needs the same number of runs on every
/// task; here tasks may have different run counts, and then the flattened metrics (IQM,
/// optimality gap, performance profiles) weigh every run equally.
public enum AggregateMetric: String, Sendable, CaseIterable, Codable {
  case median
  case iqm
  case mean
  case optimalityGap = "optimality_gap"

  /// The column heading used in reports.
  public var title: String {
    switch self {
    case .median: return "Median"
    case .iqm: return "IQM"
    case .mean: return "Mean"
    case .optimalityGap: return "Optimality gap"
    }
  }

  /// The metric of a score matrix (optimality gap with gamma = 1).
  public func callAsFunction(_ runsByTask: [[Double]]) -> Double {
    switch self {
    case .median: return Aggregates.median(runsByTask)
    case .iqm: return Aggregates.interquartileMean(runsByTask)
    case .mean: return Aggregates.mean(runsByTask)
    case .optimalityGap: return Aggregates.optimalityGap(runsByTask)
    }
  }
}

/// rliable's aggregate metrics, normalisation and interval estimates.
public enum Aggregates {
  /// `(score - random) / (optimal - random)`: 0 is the random policy, 1 the optimal (or
  /// reference) score. `optimal` must differ from `random`.
  public static func normalizedScore(_ score: Double, random: Double, optimal: Double) -> Double {
    (score - random) / (optimal - random)
  }

  /// Every run's score normalised with its task's `random` and `optimal` scores.
  public static func normalized(_ runsByTask: [[Double]], random: [Double], optimal: [Double]) -> [[Double]] {
    precondition(
      random.count == runsByTask.count && optimal.count == runsByTask.count,
      "normalisation needs one random and one optimal score per task")
    return runsByTask.indices.map { t in
      runsByTask[t].map { normalizedScore($0, random: random[t], optimal: optimal[t]) }
    }
  }

  /// The mean score of every task.
  public static func taskMeans(_ runsByTask: [[Double]]) -> [Double] { runsByTask.map(Statistics.mean) }

  /// `aggregate_mean`: the mean over tasks of each task's mean score.
  public static func mean(_ runsByTask: [[Double]]) -> Double { Statistics.mean(taskMeans(runsByTask)) }

  /// `aggregate_median`: the median over tasks of each task's mean score.
  public static func median(_ runsByTask: [[Double]]) -> Double { Statistics.median(taskMeans(runsByTask)) }

  /// `aggregate_iqm`: `scipy.stats.trim_mean(scores, 0.25, axis=None)` over every run of every task.
  public static func interquartileMean(_ runsByTask: [[Double]]) -> Double {
    Statistics.interquartileMean(runsByTask.flatMap { $0 })
  }

  /// `aggregate_optimality_gap`: `gamma - mean(min(score, gamma))` over every run of every task,
  /// the amount by which runs fall short of `gamma` (scores above it count as `gamma`).
  public static func optimalityGap(_ runsByTask: [[Double]], gamma: Double = 1) -> Double {
    gamma - Statistics.mean(runsByTask.flatMap { $0 }.map { min($0, gamma) })
  }

  /// Each metric with its stratified percentile bootstrap CI (rliable's
  /// `get_interval_estimates`); every metric sees the same resamples (one seed).
  public static func intervalEstimates(
    _ runsByTask: [[Double]], metrics: [AggregateMetric] = AggregateMetric.allCases, level: Double = 0.95,
    resamples: Int = Bootstrap.defaultResamples, seed: UInt64 = 0
  ) -> [AggregateMetric: ConfidenceInterval] {
    let intervals = Bootstrap.stratifiedConfidenceIntervals(
      runsByTask, level: level, resamples: resamples, seed: seed
    ) { sample in metrics.map { $0(sample) } }
    return Dictionary(uniqueKeysWithValues: zip(metrics, intervals))
  }
}

/// A performance profile (Agarwal et al. 2021, sec. 4.1; rliable's `create_performance_profile`
/// with `use_score_distribution=True`): at each threshold tau, the fraction of all runs (of all
/// tasks) whose score is strictly above tau, with a pointwise stratified bootstrap band.
public struct PerformanceProfile: Sendable, Equatable {
  public let taus: [Double]
  /// The fraction of runs with score > tau.
  public let fractions: [Double]
  public let low: [Double]
  public let high: [Double]
  public let level: Double

  /// `np.mean(scores > tau)` for every tau (rliable's run-score distribution).
  public static func fractionAbove(_ runsByTask: [[Double]], taus: [Double]) -> [Double] {
    let scores = runsByTask.flatMap { $0 }
    return taus.map { tau in Double(scores.count(where: { $0 > tau })) / Double(scores.count) }
  }

  /// `points` thresholds evenly spaced over `[lower, upper]` (`np.linspace`).
  public static func linspace(_ lower: Double, _ upper: Double, points: Int) -> [Double] {
    precondition(points >= 2, "linspace needs at least two points, got \(points)")
    return (0..<points).map { k in
      k == points - 1 ? upper : lower + (upper - lower) * Double(k) / Double(points - 1)
    }
  }

  public init(
    runsByTask: [[Double]], taus: [Double], level: Double = 0.95, resamples: Int = Bootstrap.defaultResamples,
    seed: UInt64 = 0
  ) {
    let intervals = Bootstrap.stratifiedConfidenceIntervals(
      runsByTask, level: level, resamples: resamples, seed: seed
    ) { PerformanceProfile.fractionAbove($0, taus: taus) }
    self.taus = taus
    fractions = intervals.map(\.estimate)
    low = intervals.map(\.low)
    high = intervals.map(\.high)
    self.level = level
  }
}

/// The probability of improvement P(X > Y) of Agarwal et al. (2021, sec. 4.3), as rliable's
/// `probability_of_improvement`: for every task, the probability that a random run of X scores
/// above a random run of Y, ties counting half (the Mann-Whitney U statistic of X over the
/// product of the run counts), averaged over tasks.
public enum ProbabilityOfImprovement {
  /// P(X_m > Y_n) + 0.5 P(X_m = Y_n) on one task.
  public static func task(_ x: [Double], _ y: [Double]) -> Double {
    precondition(!x.isEmpty && !y.isEmpty, "probability of improvement needs runs on both sides")
    var wins = 0.0
    for a in x {
      for b in y {
        if a > b {
          wins += 1
        } else if a == b {
          wins += 0.5
        }
      }
    }
    return wins / Double(x.count * y.count)
  }

  /// The average over tasks of ``task(_:_:)``; `x` and `y` list the same tasks.
  public static func estimate(_ x: [[Double]], _ y: [[Double]]) -> Double {
    precondition(
      x.count == y.count && !x.isEmpty, "probability of improvement needs the same tasks on both sides")
    return Statistics.mean(x.indices.map { task(x[$0], y[$0]) })
  }

  /// The estimate with its percentile CI from rliable's `StratifiedIndependentBootstrap`: the
  /// runs of X and of Y are resampled independently, each within every task.
  public static func interval(
    _ x: [[Double]], _ y: [[Double]], level: Double = 0.95, resamples: Int = Bootstrap.defaultResamples,
    seed: UInt64 = 0
  ) -> ConfidenceInterval {
    let n = x.count
    let intervals = Bootstrap.stratifiedConfidenceIntervals(
      x + y, level: level, resamples: resamples, seed: seed
    ) { sample in [estimate(Array(sample[..<n]), Array(sample[n...]))] }
    return intervals[0]
  }
}
