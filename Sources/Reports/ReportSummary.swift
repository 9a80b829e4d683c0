import Environments
import Foundation
import Runs
import Statistics

/// The reference returns a comparison is measured against.
public struct ReportReference: Sendable, Equatable {
  /// Return counted as "learned" for steps-to-threshold.
  public var threshold: Double
  /// Normalisation of the area under the curve: `(level - low) / (high - low)`.
  public var low: Double
  public var high: Double
  /// The best achievable expected return (gridworlds: value iteration within the time limit).
  public var optimalReturn: Double?
  /// The uniform-random policy's expected return (gridworlds).
  public var randomReturn: Double? = nil
  /// How the threshold was chosen, for the report.
  public var explanation: String

  /// Defaults for an environment: gridworlds use the optimal return from the solver (finite
  /// horizon = the map's time limit) and the uniform-random policy's return `R_rand`:
  /// threshold `R_rand + 0.9 * (R* - R_rand)` (90% of the way from random to optimal, which is
  /// 90% of optimal when the random return is 0 and stays meaningful for negative returns), AUC
  /// normalised by the same two numbers. CartPole: threshold 475, AUC normalised by `[0, 500]`
  /// (its time limit; with the Sutton-Barto reward `[-1, 0]` and threshold -0.05).
  public static func defaults(for spec: EnvironmentSpec, gamma: Double) -> ReportReference {
    switch spec.kind {
    case .cartPole(let sutton, let limit):
      let top = Double(limit ?? CartPole.maxEpisodeSteps)
      if sutton {
        return ReportReference(
          threshold: -0.05, low: -1, high: 0, optimalReturn: nil,
          explanation: "Sutton-Barto CartPole: threshold -0.05, AUC normalised by [-1, 0]")
      }
      return ReportReference(
        threshold: min(475, 0.95 * top), low: 0, high: top, optimalReturn: top,
        explanation:
          "CartPole: threshold \(Report.number(min(475, 0.95 * top))) (Gymnasium's reward threshold), AUC normalised by [0, \(Report.number(top))]"
      )
    case .classic(let env, let limit):
      // AUC between the worst return within the limit and the best per-step reward; the
      // threshold is the success bar of ``classicThreshold(_:)``.
      let steps = Double(limit ?? env.defaultTimeLimit)
      let threshold = classicThreshold(env)
      let (low, high): (Double, Double)
      switch env {
      case .acrobot, .mountainCar: (low, high) = (-steps, 0)
      case .mountainCarContinuous: (low, high) = (-0.1 * steps, 100)
      case .pendulum: (low, high) = (-16.2736044 * steps, 0)
      }
      return ReportReference(
        threshold: threshold, low: low, high: high, optimalReturn: nil,
        explanation:
          "\(env.gymnasiumID): threshold \(Report.number(threshold)) (\(classicThresholdReason(env))), AUC normalised by [\(Report.number(low)), \(Report.number(high))]"
      )
    case .gridworld(let map):
      let ceiling = GridworldCeiling(map: map, gamma: gamma)
      let table = TransitionTable(map: map)
      let random = randomPolicyReturn(table, horizon: map.settings.timeLimit ?? 10_000)
      let optimal = ceiling.optimalReturn
      let threshold = random + 0.9 * (optimal - random)
      let horizon = map.settings.timeLimit.map { "\($0)-step" } ?? "10000-step"
      return ReportReference(
        threshold: threshold, low: random, high: optimal, optimalReturn: optimal, randomReturn: random,
        explanation:
          "optimal return R* = \(Report.number(optimal)) (finite-horizon value iteration, \(horizon) limit), uniform-random policy R_rand = \(Report.number(random)); threshold = R_rand + 0.9 (R* - R_rand) = \(Report.number(threshold)); AUC normalised as (mean return - R_rand) / (R* - R_rand)"
      )
    }
  }

  /// The return a classic-control run must reach to count as solved: the bar every seed must clear
  /// in the RL Zoo comparison of issue 13 (a seed below it "fails"): Acrobot-v1 -100 (Gymnasium's
  /// reward_threshold), MountainCar-v0 -150 (the flag within 150 steps; Gymnasium's threshold is
  /// -110, the Zoo's score -110.4 after 1M steps), MountainCarContinuous-v0 80 (Gymnasium's: 90),
  /// Pendulum-v1 -250 (Gymnasium has none; the Zoo scores -172 after 100k steps, a policy that
  /// never swings up scores about -1200).
  public static func classicThreshold(_ env: ClassicControl) -> Double {
    switch env {
    case .acrobot: return -100
    case .mountainCar: return -150
    case .mountainCarContinuous: return 80
    case .pendulum: return -250
    }
  }

  static func classicThresholdReason(_ env: ClassicControl) -> String {
    let gym =
      env.rewardThreshold.map { "Gymnasium's reward_threshold is \(Report.number($0))" }
      ?? "Gymnasium has none"
    return "the per-seed success bar of the RL Zoo comparison; \(gym)"
  }

  /// Dashed reference levels for return plots: the threshold (if asked), the optimal return R* and
  /// the random policy's return, where known.
  public func lines(threshold includeThreshold: Bool) -> [ReferenceLine] {
    var lines: [ReferenceLine] = []
    if let optimalReturn { lines.append(ReferenceLine(name: "R*", value: optimalReturn)) }
    if includeThreshold { lines.append(ReferenceLine(name: "threshold", value: threshold)) }
    if let randomReturn { lines.append(ReferenceLine(name: "random", value: randomReturn)) }
    return lines
  }

  /// Expected undiscounted return from the start of the uniform-random policy within `horizon` steps.
  public static func randomPolicyReturn(_ table: TransitionTable, horizon: Int) -> Double {
    var v = [Double](repeating: 0, count: table.stateCount)
    var next = v
    for _ in 0..<horizon {
      for s in 0..<table.stateCount {
        var total = 0.0
        for a in 0..<table.actionCount {
          for o in table.outcomes(state: s, action: a) {
            total += o.probability * (o.reward + (o.terminated ? 0 : v[o.next]))
          }
        }
        next[s] = total / Double(table.actionCount)
      }
      swap(&v, &next)
    }
    return v[table.initialState]
  }
}

/// Per-shaping statistics over seeds.
public struct ShapingSummary: Sendable {
  public var shaping: String
  /// Finished runs used in the statistics.
  public var seeds: Int
  /// Runs found that did not finish (failed, interrupted or still running).
  public var unfinished: Int
  public var finalReturns: [Double]
  public var finalReturn: ConfidenceInterval
  public var iqm: ConfidenceInterval
  public var threshold: ThresholdSummary
  public var aucs: [Double]
  public var auc: ConfidenceInterval
  /// Mean of the last logged `rollout/ep_shaped_rew_mean` (nil without shaping).
  public var finalShapedTrainReturn: Double?
  /// Mean over seeds of the last evaluation's success rate (`eval/success_rate`: the fraction of
  /// evaluation episodes that reached the goal or flag); nil where the environment has no goal.
  public var successRate: Double?
  /// Holm-corrected Welch p-values against the baseline; nil for the baseline itself.
  public var pValueAUC: Double?
  public var pValueFinal: Double?
  public var pValueSteps: Double?
  public var optimalReturn: Double?
  /// `optimalReturn - mean final return` (gridworlds).
  public var optimalityGap: Double? { optimalReturn.map { $0 - finalReturn.estimate } }
}

/// Statistics of a reward-shaping comparison: per shaping, over seeds, against the baseline.
public struct Report: Sendable {
  public var env: String
  public var reference: ReportReference
  public var baseline: String
  public var summaries: [ShapingSummary]
  /// Mean eval/train/shaped curves with bootstrap bands per shaping.
  public var bands: [(shaping: String, metric: String, band: CurveBand)]
  /// The common step range of the evaluation curves, over which AUCs are taken.
  public var aucRange: ClosedRange<Double>
  public var runs: [ReportRun]
  public var problems: [String]
  /// Steps per run (the largest `total_timesteps` among the configs).
  public var stepsPerRun: Int
  /// rliable's aggregate metrics, performance profiles and probabilities of improvement over the
  /// groups' final returns (nil when the environment's scores cannot be normalised).
  public var aggregates: AggregateReport?

  /// Builds the report from runs of one environment. `order` puts shapings first in that order
  /// (others follow sorted); `baseline` (default `none`) is the reference for the p-values.
  public init(
    runs: [ReportRun], problems: [String] = [], order: [String] = [], baseline: String = "none",
    threshold: Double? = nil, seed: UInt64 = 0
  ) throws {
    guard !runs.isEmpty else { throw CompareError("no run folders (config.json + metrics.csv) found") }
    let runs = RunVariant.labelled(runs)
    let envs = Set(runs.map(\.config.env))
    guard envs.count == 1, let env = envs.first else {
      throw CompareError(
        "runs of several environments (\(envs.sorted().joined(separator: ", "))): report one environment per folder"
      )
    }
    self.env = env
    self.runs = runs
    self.problems = problems
    self.baseline = baseline
    stepsPerRun = runs.map(\.config.totalTimesteps).max() ?? 0
    var ref = ReportReference.defaults(
      for: try runs[0].config.environmentSpec(), gamma: runs[0].config.ppo.gamma)
    if let threshold {
      ref.threshold = threshold
      ref.explanation += "; threshold overridden to \(Report.number(threshold))"
    }
    reference = ref
    let names = Set(runs.map(\.group))
    var ordered = order.filter { names.contains($0) }
    ordered += names.subtracting(ordered).sorted { a, b in
      a == baseline ? true : b == baseline ? false : a < b
    }
    let finishedRuns = runs.filter { $0.isFinished && $0.evalCurve != nil }
    let evalCurves = finishedRuns.map { $0.evalCurve! }
    guard let range = LearningCurves.commonRange(evalCurves), range.upperBound > range.lowerBound else {
      throw CompareError(
        "the finished runs' evaluation curves (eval/mean_reward) do not overlap on a step range: need at least two evaluations per run"
      )
    }
    aucRange = range
    let grid = LearningCurves.commonGrid(evalCurves)
    var summaries: [ShapingSummary] = []
    var bands: [(String, String, CurveBand)] = []
    for name in ordered {
      let group = finishedRuns.filter { $0.group == name }
      let unfinished = runs.filter { $0.group == name }.count - group.count
      guard !group.isEmpty else {
        self.problems.append("\(name): no finished run")
        continue
      }
      let finals = group.map { $0.finalReturn! }
      let curves = group.map { $0.evalCurve! }
      let aucs = curves.map {
        ($0.normalizedArea(from: range.lowerBound, to: range.upperBound) - ref.low) / (ref.high - ref.low)
      }
      let shapedFinals = group.compactMap { $0.shapedCurve?.values.last }
      let successFinals = group.compactMap { $0.successCurve?.values.last }
      summaries.append(
        ShapingSummary(
          shaping: name, seeds: group.count, unfinished: unfinished, finalReturns: finals,
          finalReturn: Bootstrap.mean(finals, seed: seed),
          iqm: Bootstrap.interquartileMean([finals], seed: seed),
          threshold: ThresholdSummary(curves: curves, threshold: ref.threshold), aucs: aucs,
          auc: Bootstrap.mean(aucs, seed: seed),
          finalShapedTrainReturn: shapedFinals.isEmpty ? nil : Statistics.mean(shapedFinals),
          successRate: successFinals.count == group.count ? Statistics.mean(successFinals) : nil,
          optimalReturn: ref.optimalReturn))
      bands.append((name, MetricName.evalMeanReward, CurveBand(curves: curves, grid: grid, seed: seed)))
      for (metric, list) in [
        (MetricName.episodeRewardMean, group.compactMap(\.trainCurve)),
        (MetricName.episodeShapedRewardMean, group.compactMap(\.shapedCurve)),
      ] where list.count == group.count && LearningCurves.commonRange(list) != nil {
        bands.append((name, metric, CurveBand(curves: list, points: 100, seed: seed)))
      }
    }
    // Welch's t-test of each shaping against the baseline, Holm-corrected over the comparisons
    // (one family per metric).
    if let base = summaries.first(where: { $0.shaping == baseline }) {
      let others = summaries.indices.filter { summaries[$0].shaping != baseline }
      let cap = Double(stepsPerRun)
      func steps(_ s: ShapingSummary) -> [Double] { s.threshold.steps.map { $0 ?? cap } }
      let metrics: [(ShapingSummary) -> [Double]] = [{ $0.aucs }, { $0.finalReturns }, steps]
      var adjusted: [[Double]] = []
      for metric in metrics {
        let raw = others.map { Report.welchP(metric(summaries[$0]), metric(base)) }
        adjusted.append(HypothesisTests.holmBonferroni(raw))
      }
      for (k, i) in others.enumerated() {
        summaries[i].pValueAUC = adjusted[0][k]
        summaries[i].pValueFinal = adjusted[1][k]
        summaries[i].pValueSteps = adjusted[2][k]
      }
    }
    self.summaries = summaries
    self.bands = bands.map { (shaping: $0.0, metric: $0.1, band: $0.2) }
    let normalization = ScoreNormalization.defaults(
      env: env, spec: try runs[0].config.environmentSpec(), gamma: runs[0].config.ppo.gamma)
    aggregates =
      normalization.optimal == normalization.random
      ? nil
      : AggregateReport(
        finalReturns: finishedRuns.map { (group: $0.group, env: env, score: $0.finalReturn!) },
        normalizations: [normalization], order: summaries.map(\.shaping), seed: seed)
  }

  /// Two-sided Welch p-value; two constant samples with equal means give 1 (no evidence of a
  /// difference) instead of SciPy's NaN; fewer than 2 values per sample give NaN.
  static func welchP(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count >= 2, b.count >= 2 else { return .nan }
    let r = HypothesisTests.welchTTest(a, b)
    if r.pValue.isNaN && r.meanDifference == 0 { return 1 }
    return r.pValue
  }

  /// Compact number formatting for reports: up to 4 significant digits, integers plainly.
  public static func number(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == x.rounded() && abs(x) < 1e9 { return String(Int(x)) }
    return String(format: "%.4g", x)
  }
}
