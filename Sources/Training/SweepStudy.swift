import Core
import Foundation

/// How trials are stopped early (`--pruner`).
public enum SweepPrunerKind: String, Sendable, CaseIterable, Codable {
  /// Every trial runs its full budget (one rung).
  case none
  /// Optuna's `MedianPruner` on the rungs: a trial whose score at a rung is below the median of
  /// the scores that trials of earlier batches reached at that rung is pruned (once at least
  /// ``SweepPlan/medianStartupTrials`` of them have).
  case median
  /// Asynchronous successive halving (ASHA; Li et al. 2020, as Optuna's
  /// `SuccessiveHalvingPruner`): a trial goes on from a rung only when its score is in the top
  /// `1/eta` of every score recorded at that rung so far (its own batch included); while fewer
  /// than `eta` trials have reached the rung, only the best of them goes on.
  case asha
}

/// The budget ladder and the rules of a sweep.
public struct SweepPlan: Sendable, Equatable {
  /// Trials sampled in total.
  public var trials: Int
  /// Trials sampled and run together; the sampler sees every trial of earlier batches.
  public var batch = 1
  public var pruner: SweepPrunerKind = .none
  /// Rung budgets, increasing; the last one is the full budget.
  public var rungs: [Int]
  public var eta = 3
  public static let medianStartupTrials = 5

  public init(trials: Int, rungs: [Int]) {
    self.trials = trials
    self.rungs = rungs
  }

  /// Rung budgets for `steps` with a pruner: `minSteps * eta^k` below `steps`, then `steps`
  /// (one rung, `steps`, without a pruner or when `minSteps >= steps`).
  public static func rungs(steps: Int, minSteps: Int?, eta: Int, pruner: SweepPrunerKind) -> [Int] {
    guard pruner != .none, eta >= 2 else { return [steps] }
    let first = minSteps ?? Swift.max(1, steps / (eta * eta))
    var result: [Int] = []
    var budget = first
    while budget < steps {
      result.append(budget)
      let (next, overflow) = budget.multipliedReportingOverflow(by: eta)
      if overflow { break }
      budget = next
    }
    return result + [steps]
  }
}

/// What a trial's evaluation at a rung gave.
public enum SweepEvaluation: Sendable, Equatable {
  case score(Double)
  case failed(String)
  /// Stopped by Ctrl-C: the trial stays `running` and continues on rerun.
  case interrupted
}

/// Runs trials to a budget and scores them. The sweep calls it with every trial of a batch that
/// must reach a rung, so a real objective can run them in parallel; tests plug in synthetic
/// functions.
public protocol SweepObjective {
  /// Scores (higher is better) of `trials` trained to `budget`, in order.
  mutating func evaluate(_ trials: [SweepTrial], budget: Int, rung: Int) throws -> [SweepEvaluation]
}

/// The sweep loop: batches of trials sampled from the history of earlier batches, run rung by
/// rung, pruned by the plan's rule, recorded after every rung (``SweepTrialsFile``). Everything it
/// decides is a function of the seed and the scores, so a rerun after an interrupt finishes the
/// same sweep.
public struct SweepStudy {
  public let plan: SweepPlan
  public let sampler: any SweepSampler
  public private(set) var trials: [SweepTrial]
  /// Called after every change to the trials (to save them).
  public var onChange: ([SweepTrial]) throws -> Void = { _ in }

  public init(plan: SweepPlan, sampler: any SweepSampler, trials: [SweepTrial] = []) {
    self.plan = plan
    self.sampler = sampler
    self.trials = trials
  }

  /// Runs until `plan.trials` trials are final (or the sampler is used up); returns false when
  /// an interrupt stopped it.
  public mutating func run<O: SweepObjective>(_ objective: inout O) throws -> Bool {
    let total = Swift.min(plan.trials, sampler.capacity ?? plan.trials)
    var start = 0
    while start < total {
      let end = Swift.min(start + plan.batch, total)
      let history = trials.prefix(start).filter(\.isFinal)
      while trials.count < end {
        let n = trials.count
        guard let values = sampler.sample(number: n, history: Array(history)) else { return true }
        trials.append(SweepTrial(number: n, values: values))
      }
      try onChange(trials)
      for rung in plan.rungs.indices {
        let due = (start..<end).filter { trials[$0].state == .running && trials[$0].rungScores.count == rung }
        if !due.isEmpty {
          let results = try objective.evaluate(due.map { trials[$0] }, budget: plan.rungs[rung], rung: rung)
          var interrupted = false
          for (i, result) in zip(due, results) {
            switch result {
            case .score(let s):
              trials[i].rungScores.append(s.isFinite ? s : -.infinity)
            case .failed(let reason):
              trials[i].state = .failed
              trials[i].reason = reason
            case .interrupted: interrupted = true
            }
          }
          try onChange(trials)
          if interrupted { return false }
        }
        for i in start..<end where trials[i].state == .running && trials[i].rungScores.count == rung + 1 {
          if rung == plan.rungs.count - 1 {
            trials[i].state = .complete
          } else if shouldPrune(trials[i], rung: rung, batchStart: start, batchEnd: end) {
            trials[i].state = .pruned
          }
        }
        try onChange(trials)
      }
      start = end
    }
    return true
  }

  /// The pruning rule at `rung` for a trial of the batch `batchStart..<batchEnd`.
  func shouldPrune(_ trial: SweepTrial, rung: Int, batchStart: Int, batchEnd: Int) -> Bool {
    guard let score = trial.rungScores.last else { return false }
    switch plan.pruner {
    case .none: return false
    case .median:
      let others = trials.prefix(batchStart).filter { $0.rungScores.count > rung && $0.state != .failed }
        .map { $0.rungScores[rung] }
      guard others.count >= SweepPlan.medianStartupTrials else { return false }
      let sorted = others.sorted()
      let median =
        sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
      return score < median
    case .asha:
      let competing = trials.prefix(batchEnd).filter { $0.rungScores.count > rung }.map {
        $0.rungScores[rung]
      }
      .sorted(by: >)
      var index = competing.count / plan.eta - 1
      if index < 0 { index = 0 }
      guard competing.indices.contains(index) else { return false }
      return score < competing[index]
    }
  }

  /// The complete trial with the highest score (the earliest on ties).
  public var best: SweepTrial? {
    trials.filter { $0.state == .complete }.max {
      ($0.score ?? -.infinity, -$0.number) < ($1.score ?? -.infinity, -$1.number)
    }
  }
}
