import Core
import Foundation

/// A point estimate with a two-sided confidence interval.
public struct ConfidenceInterval: Sendable, Equatable, Codable {
  /// The statistic on the original sample.
  public var estimate: Double
  public var low: Double
  public var high: Double
  /// Coverage level, e.g. 0.95.
  public var level: Double

  public init(estimate: Double, low: Double, high: Double, level: Double) {
    self.estimate = estimate
    self.low = low
    self.high = high
    self.level = level
  }
}

/// Percentile bootstrap confidence intervals (Efron and Tibshirani, 1993, ch. 13), seeded so a
/// report is reproducible.
///
/// The interval is the `(1 - level) / 2` and `(1 + level) / 2` quantiles (linear interpolation,
/// as `np.percentile`) of the statistic over `resamples` bootstrap samples; the estimate is the
/// statistic on the original data.
public enum Bootstrap {
  /// Resamples used when not given; rliable uses 2000 for its interval estimates as well.
  public static let defaultResamples = 2000

  /// Percentile bootstrap CI of `statistic` over one sample (each resample draws `x.count` values
  /// with replacement).
  ///
  /// - Parameters:
  ///   - x: the sample (at least one value).
  ///   - level: coverage in (0, 1); 0.95 by default.
  ///   - resamples: bootstrap samples drawn.
  ///   - seed: seeds the `RandomGenerator`; the same seed gives the same interval.
  ///   - statistic: the function of a sample to estimate (e.g. `Statistics.mean`).
  public static func confidenceInterval(
    _ x: [Double], level: Double = 0.95, resamples: Int = defaultResamples, seed: UInt64 = 0,
    statistic: ([Double]) -> Double
  ) -> ConfidenceInterval {
    stratifiedConfidenceInterval([x], level: level, resamples: resamples, seed: seed) { statistic($0[0]) }
  }

  /// Stratified percentile bootstrap CI (Agarwal et al., 2021, "Deep RL at the Edge of the
  /// Statistical Precipice", sec. 4 / rliable's `StratifiedBootstrap`): each resample redraws the
  /// runs of every task independently, with replacement, keeping the number of runs per task.
  /// With one task it is the ordinary bootstrap over runs.
  ///
  /// - Parameters:
  ///   - runsByTask: `runsByTask[t]` holds the scores of every run (seed) on task `t` (rliable's
  ///     `(num_runs, num_tasks)` matrix, transposed; tasks may have different run counts).
  ///   - statistic: receives a resampled `runsByTask` of the same shape.
  public static func stratifiedConfidenceInterval(
    _ runsByTask: [[Double]], level: Double = 0.95, resamples: Int = defaultResamples, seed: UInt64 = 0,
    statistic: ([[Double]]) -> Double
  ) -> ConfidenceInterval {
    stratifiedConfidenceIntervals(runsByTask, level: level, resamples: resamples, seed: seed) {
      [statistic($0)]
    }[0]
  }

  /// ``stratifiedConfidenceInterval(_:level:resamples:seed:statistic:)`` of a vector-valued
  /// statistic (a performance profile's fractions, several metrics at once): one CI per component,
  /// every component computed on the same resamples (the same draws as the scalar version).
  public static func stratifiedConfidenceIntervals(
    _ runsByTask: [[Double]], level: Double = 0.95, resamples: Int = defaultResamples, seed: UInt64 = 0,
    statistic: ([[Double]]) -> [Double]
  ) -> [ConfidenceInterval] {
    precondition(
      !runsByTask.isEmpty && runsByTask.allSatisfy { !$0.isEmpty },
      "bootstrap needs at least one run per task")
    precondition(level > 0 && level < 1, "confidence level must lie in (0, 1), got \(level)")
    precondition(resamples >= 1, "bootstrap needs at least one resample, got \(resamples)")
    var rng = RandomGenerator(seed: seed)
    var sample = runsByTask
    let estimate = statistic(runsByTask)
    // replicates[k][b]: component k on resample b.
    var replicates = [[Double]](repeating: [Double](repeating: 0, count: resamples), count: estimate.count)
    for b in 0..<resamples {
      for t in runsByTask.indices {
        let runs = runsByTask[t]
        for i in runs.indices { sample[t][i] = runs[rng.int(below: runs.count)] }
      }
      let values = statistic(sample)
      precondition(values.count == estimate.count, "the statistic changed length between resamples")
      for k in values.indices { replicates[k][b] = values[k] }
    }
    let alpha = 1 - level
    return estimate.indices.map { k in
      replicates[k].sort()
      return ConfidenceInterval(
        estimate: estimate[k],
        low: Statistics.sortedQuantile(replicates[k], alpha / 2),
        high: Statistics.sortedQuantile(replicates[k], 1 - alpha / 2),
        level: level)
    }
  }

  /// IQM over all runs of all tasks with its stratified bootstrap CI, as rliable's
  /// `get_interval_estimates(..., aggregate_iqm)` reports it.
  public static func interquartileMean(
    _ runsByTask: [[Double]], level: Double = 0.95, resamples: Int = defaultResamples, seed: UInt64 = 0
  ) -> ConfidenceInterval {
    var flat: [Double] = []
    flat.reserveCapacity(runsByTask.reduce(0) { $0 + $1.count })
    return stratifiedConfidenceInterval(runsByTask, level: level, resamples: resamples, seed: seed) { tasks in
      flat.removeAll(keepingCapacity: true)
      for runs in tasks { flat.append(contentsOf: runs) }
      flat.sort()
      return Statistics.sortedTrimmedMean(flat, proportionToCut: 0.25)
    }
  }

  /// Mean with its percentile bootstrap CI over runs (one task).
  public static func mean(
    _ x: [Double], level: Double = 0.95, resamples: Int = defaultResamples, seed: UInt64 = 0
  ) -> ConfidenceInterval {
    confidenceInterval(x, level: level, resamples: resamples, seed: seed, statistic: Statistics.mean)
  }
}
