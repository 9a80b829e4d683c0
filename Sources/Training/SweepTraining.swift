import Core
import Foundation
import Reports
import Runs
import Statistics

/// How a trial's seeds are combined into its score (`--metric`).
public enum SweepMetric: String, Sendable, CaseIterable, Codable {
  /// Interquartile mean over seeds of the last deterministic evaluation return.
  case iqm
  /// Mean over seeds of the last deterministic evaluation return.
  case mean
  /// Mean over seeds of the normalised area under the evaluation curve (its mean level from the
  /// first evaluation to the budget): rewards learning fast as well as well.
  case auc

  /// The trial's score from its seeds' evaluation curves (each cut at the budget); nil when a
  /// seed has no evaluation.
  public func score(_ curves: [LearningCurve]) -> Double? {
    guard !curves.isEmpty, curves.allSatisfy({ !$0.values.isEmpty }) else { return nil }
    switch self {
    case .iqm: return Statistics.interquartileMean(curves.map { $0.values.last! })
    case .mean: return Statistics.mean(curves.map { $0.values.last! })
    case .auc:
      return Statistics.mean(
        curves.map {
          $0.steps.count >= 2 && $0.steps.last! > $0.steps.first! ? $0.normalizedArea() : $0.values.last!
        })
    }
  }
}

/// The runs of a sweep on this machine: each trial is `seeds` ordinary `rl train` runs in
/// `OUT/trials/trial-NNNN/seed-K` run by a ``JobExecutor`` (local processes or a Slurm array), started with the trial's `--set`/`--shaping` values and
/// continued to each larger rung budget with `rl train --resume DIR --steps BUDGET`.
public struct SweepTraining: SweepObjective {
  public var space: SweepSpace
  public var env: String
  public var envOptions: [String] = []
  public var preset: String?
  /// Fixed `--set NAME=VALUE` overrides under every trial's values.
  public var overrides: [String] = []
  public var seeds: Int
  public var firstSeed: UInt64 = 0
  public var evalFreq = 5_000
  public var evalEpisodes = 20
  public var metric: SweepMetric = .iqm
  public var out: URL
  /// The executor of each rung's runs; its argument is the folder for its own files
  /// (`OUT/slurm/trial-NNNN-rung-R` for a Slurm array). Default: one local process at a time.
  public var makeExecutor: (URL) -> any JobExecutor
  /// BLAS threads per run.
  public var threads = 1
  public var interrupt: InterruptHandler?
  /// Progress lines (one per rung of each batch).
  public var log: (String) -> Void = { print($0) }

  public init(space: SweepSpace, env: String, seeds: Int, out: URL, executable: URL) {
    self.space = space
    self.env = env
    self.seeds = seeds
    self.out = out
    makeExecutor = { _ in LocalExecutor(executable: executable, jobs: 1, threads: 1) }
  }

  /// `OUT/trials/trial-NNNN`.
  public func trialFolder(_ number: Int) -> URL {
    out.appendingPathComponent("trials", isDirectory: true).appendingPathComponent(
      "trial-" + String(format: "%04d", number), isDirectory: true)
  }

  public func seedFolder(_ number: Int, seed: UInt64) -> URL {
    trialFolder(number).appendingPathComponent("seed-\(seed)", isDirectory: true)
  }

  /// The `rl train` arguments that start one seed of a trial at `budget` steps.
  public func arguments(_ trial: SweepTrial, seed: UInt64, budget: Int) -> [String] {
    var args = ["rl", "train", "--env", env]
    for o in envOptions { args += ["--env-option", o] }
    if let preset { args += ["--preset", preset] }
    for o in overrides { args += ["--set", o] }
    var shaping = "none"
    for (p, v) in zip(space.parameters, trial.values) {
      if p.isShaping { shaping = p.text(v) } else { args += ["--set", "\(p.name)=\(p.text(v))"] }
    }
    args += ["--shaping", shaping, "--seed", String(seed), "--steps", String(budget)]
    args += [
      "--eval-freq", String(evalFreq), "--eval-episodes", String(evalEpisodes), "--threads", String(threads),
      "--no-progress", "--out", seedFolder(trial.number, seed: seed).path,
    ]
    return args
  }

  public var seedList: [UInt64] { (0..<UInt64(seeds)).map { firstSeed + $0 } }

  /// The jobs of `trials` at `budget`: each seed's run starts with ``arguments(_:seed:budget:)``
  /// and continues (an interrupted run, or a finished one promoted to a larger rung) with
  /// `rl train --resume DIR --steps BUDGET`.
  public func jobs(_ trials: [SweepTrial], budget: Int) -> [TrainingJob] {
    var jobs: [TrainingJob] = []
    for t in trials {
      for seed in seedList {
        let folder = seedFolder(t.number, seed: seed)
        jobs.append(
          TrainingJob(
            label: "trial-\(String(format: "%04d", t.number))/seed-\(seed)", folder: folder,
            arguments: arguments(t, seed: seed, budget: budget),
            resumeArguments: [
              "rl", "train", "--resume", folder.path, "--steps", String(budget), "--threads", String(threads),
              "--no-progress",
            ], steps: budget))
      }
    }
    return jobs
  }

  public mutating func evaluate(_ trials: [SweepTrial], budget: Int, rung: Int) throws -> [SweepEvaluation] {
    let jobs = self.jobs(trials, budget: budget)
    let numbers = trials.map { String($0.number) }.joined(separator: ", ")
    log("rung \(rung) (\(budget) steps): trial\(trials.count == 1 ? "" : "s") \(numbers), \(jobs.count) runs")
    let first = trials.first?.number ?? 0
    let executor = makeExecutor(
      out.appendingPathComponent("slurm", isDirectory: true).appendingPathComponent(
        "trial-\(String(format: "%04d", first))-rung-\(rung)", isDirectory: true))
    let outcome = try executor.run(jobs, progress: nil, interrupt: interrupt)
    for note in outcome.notes { log(note) }
    var failures: [URL: String] = [:]
    for (job, reason) in outcome.failed { failures[job.folder] = reason }
    let unfinished = Set((outcome.notStarted + outcome.stillRunning).map(\.folder))
    var evaluations: [SweepEvaluation] = []
    for t in trials {
      let folders = seedList.map { seedFolder(t.number, seed: $0) }
      if folders.contains(where: unfinished.contains) {
        evaluations.append(.interrupted)
        continue
      }
      if let failure = folders.compactMap({ failures[$0] }).first {
        evaluations.append(.failed(failure))
        continue
      }
      let curves = folders.compactMap { SweepTraining.evalCurve(in: $0, upTo: budget) }
      if curves.count == seeds, let score = metric.score(curves) {
        evaluations.append(.score(score))
        log(String(format: "  trial %d: %@ %.4g", t.number, metric.rawValue, score))
      } else {
        evaluations.append(.failed("no evaluation in metrics.csv up to \(budget) steps"))
      }
    }
    return evaluations
  }

  /// The run's evaluation curve up to `budget` (rounded up to whole rollouts as `rl train` rounds).
  public static func evalCurve(in folder: URL, upTo budget: Int) -> LearningCurve? {
    guard let run = try? ReportRun(folder: folder), let curve = run.evalCurve else { return nil }
    let rollout = Swift.max(1, run.config.ppo.rolloutSize)
    let limit = Double((budget + rollout - 1) / rollout * rollout)
    let keep = curve.steps.indices.filter { curve.steps[$0] <= limit }
    guard !keep.isEmpty else { return nil }
    return LearningCurve(steps: keep.map { curve.steps[$0] }, values: keep.map { curve.values[$0] })
  }
}
