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
/// `OUT/trials/trial-NNNN/seed-K`, started with the trial's `--set`/`--shaping` values and
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
  public var executable: URL
  public var jobs = 1
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
    self.executable = executable
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

  public mutating func evaluate(_ trials: [SweepTrial], budget: Int, rung: Int) throws -> [SweepEvaluation] {
    var jobs: [SweepProcesses.Job] = []
    for t in trials {
      for seed in seedList {
        jobs.append(
          .init(
            folder: seedFolder(t.number, seed: seed), budget: budget,
            arguments: arguments(t, seed: seed, budget: budget)))
      }
    }
    let numbers = trials.map { String($0.number) }.joined(separator: ", ")
    log("rung \(rung) (\(budget) steps): trial\(trials.count == 1 ? "" : "s") \(numbers), \(jobs.count) runs")
    let results = try SweepProcesses.run(
      jobs, executable: executable, jobs: self.jobs, threads: threads, interrupt: interrupt)
    var evaluations: [SweepEvaluation] = []
    for (k, t) in trials.enumerated() {
      let mine = results[(k * seeds)..<((k + 1) * seeds)]
      if mine.contains(where: { $0 == .notRun }) {
        evaluations.append(.interrupted)
        continue
      }
      if let failure = mine.compactMap({ r -> String? in
        if case .failed(let why) = r { return why } else { return nil }
      }).first {
        evaluations.append(.failed(failure))
        continue
      }
      var curves: [LearningCurve] = []
      for seed in seedList {
        if let c = SweepTraining.evalCurve(in: seedFolder(t.number, seed: seed), upTo: budget) {
          curves.append(c)
        }
      }
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

/// Runs `rl train` processes, `jobs` at a time (each with `OPENBLAS_NUM_THREADS` = `threads`,
/// output to `train.log` in its folder): a run already finished at the budget is skipped, a run
/// with a checkpoint continues with `rl train --resume DIR --steps BUDGET` (a finished run goes
/// on to the larger budget), one without starts over.
public enum SweepProcesses {
  public struct Job: Sendable, Equatable {
    public var folder: URL
    public var budget: Int
    public var arguments: [String]
  }

  public enum Result: Sendable, Equatable {
    case done
    case failed(String)
    /// Not started, or stopped, because of an interrupt.
    case notRun
  }

  /// Whether the run in `folder` finished with at least `budget` steps.
  public static func isDone(_ folder: URL, budget: Int) -> Bool {
    let run = RunFolder(url: folder)
    guard run.isFinished else { return false }
    return (run.readStatusRecord()?.step ?? CompareRunner.stepsDone(in: folder)) >= budget
  }

  public static func run(
    _ list: [Job], executable: URL, jobs: Int, threads: Int, interrupt: InterruptHandler?
  ) throws -> [Result] {
    var results = [Result?](repeating: nil, count: list.count)
    var pending: [Int] = []
    for (i, job) in list.enumerated() {
      if isDone(job.folder, budget: job.budget) { results[i] = .done } else { pending.append(i) }
    }
    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_NUM_THREADS"] = String(threads)
    var running: [(index: Int, process: Process, log: FileHandle)] = []
    while !pending.isEmpty || !running.isEmpty {
      let stopping = interrupt?.isRequested ?? false
      while running.count < Swift.max(jobs, 1), !pending.isEmpty, !stopping {
        let i = pending.removeFirst()
        let job = list[i]
        try AtomicFile.createFolder(job.folder)
        let logURL = job.folder.appendingPathComponent("train.log")
        if !FileManager.default.fileExists(atPath: logURL.path) {
          _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logURL)
        _ = try? log.seekToEnd()
        let folder = RunFolder(url: job.folder)
        let process = Process()
        process.executableURL = executable
        if folder.isRun && folder.latestCheckpoint() != nil {
          process.arguments = [
            "rl", "train", "--resume", job.folder.path, "--steps", String(job.budget), "--threads",
            String(threads),
            "--no-progress",
          ]
        } else {
          process.arguments = folder.isRun ? job.arguments + ["--overwrite"] : job.arguments
        }
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
          try? log.close()
          results[i] = .failed("could not start \(executable.path): \(error)")
          continue
        }
        running.append((i, process, log))
      }
      if stopping {
        for i in pending { results[i] = .notRun }
        pending.removeAll()
      }
      var k = 0
      while k < running.count {
        let item = running[k]
        if item.process.isRunning {
          k += 1
          continue
        }
        try? item.log.close()
        running.remove(at: k)
        let job = list[item.index]
        if item.process.terminationStatus == 0 && isDone(job.folder, budget: job.budget) {
          results[item.index] = .done
        } else if interrupt?.isRequested ?? false {
          results[item.index] = .notRun
        } else {
          let status = RunFolder(url: job.folder).readStatus()?.description ?? "no status.json"
          var reason = "\(job.folder.path): exit status \(item.process.terminationStatus), status \(status)"
          let tail = CompareRunner.lastLines(of: job.folder.appendingPathComponent("train.log"), count: 2)
          if !tail.isEmpty { reason += ": " + tail }
          results[item.index] = .failed(reason)
        }
      }
      if !running.isEmpty { Thread.sleep(forTimeInterval: 0.05) }
    }
    return results.map { $0 ?? .notRun }
  }
}
