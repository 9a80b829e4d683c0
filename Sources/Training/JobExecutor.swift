import Core
import Foundation
import Runs

/// One training job of an experiment (a comparison's (shaping, seed), a sweep's trial): a run
/// folder and the `losslab` arguments that train into it. Executors decide from the folder alone
/// (its `status.json` and checkpoints) whether to skip, resume or start the job, so a rerun of
/// the same job list continues where the last one stopped.
public struct TrainingJob: Sendable, Equatable {
  /// Short name for messages, e.g. `pbrs-bfs/seed-3`.
  public var label: String
  /// The run folder (`rl train --out`).
  public var folder: URL
  /// Arguments after the executable that start the run (`rl train ... --out FOLDER`).
  public var arguments: [String]
  /// Arguments that continue the run from its checkpoint (`rl train --resume FOLDER ...`);
  /// empty: an unfinished run always starts over.
  public var resumeArguments: [String]
  /// The environment steps the run will do (its budget, for progress bars); 0 if unknown.
  public var steps: Int

  public init(label: String, folder: URL, arguments: [String], resumeArguments: [String] = [], steps: Int = 0)
  {
    self.label = label
    self.folder = folder
    self.arguments = arguments
    self.resumeArguments = resumeArguments
    self.steps = steps
  }

  /// What to do with a job, given its folder now.
  public enum Launch: String, Sendable, Equatable {
    /// `status.json` says `finished`: never run again.
    case skip
    /// An unfinished run with a complete checkpoint (interrupted, killed, failed): `resumeArguments`.
    case resume
    /// A run folder without a checkpoint: `arguments + ["--overwrite"]`.
    case restart
    /// No run there yet: `arguments`.
    case start
  }

  /// The session's rules (``TrainingSession``): finished runs are skipped (unless they stopped
  /// short of `steps` and can resume: `rl train --resume --steps` extends them); a run with a checkpoint
  /// is resumed; a run that never checkpointed starts over with `--overwrite`.
  public func launch() -> Launch {
    let run = RunFolder(url: folder)
    if run.isFinished {
      // A finished run given a larger budget (a sweep trial promoted to its next rung) continues.
      if steps > 0, !resumeArguments.isEmpty, let done = run.readStatusRecord()?.step, done < steps,
        run.latestCheckpoint() != nil
      {
        return .resume
      }
      return .skip
    }
    if !resumeArguments.isEmpty && run.isRun && run.latestCheckpoint() != nil { return .resume }
    return run.isRun ? .restart : .start
  }

  /// The arguments for ``launch()``; `nil` for a finished job.
  public func launchArguments() -> [String]? {
    switch launch() {
    case .skip: return nil
    case .resume: return resumeArguments
    case .restart: return arguments + ["--overwrite"]
    case .start: return arguments
    }
  }

  /// Environment steps done so far: `steps` for a finished run, else the last
  /// `time/total_timesteps` in its `metrics.csv` (0 if none yet), at most `steps` when known.
  public func stepsDone() -> Int {
    if launch() == .skip { return steps }
    guard let table = try? MetricsTable.read(folder.appendingPathComponent(MetricsLogger.csvName)),
      let last = table.column(MetricName.totalTimesteps)?.compactMap({ $0 }).last, last.isFinite, last >= 0
    else { return 0 }
    let done = last >= Double(Int.max) ? Int.max : Int(last)
    return steps > 0 ? min(done, steps) : done
  }
}

/// How an executor's jobs went.
public struct JobOutcome: Sendable {
  /// Jobs whose folder already said `finished` (a rerun skips them).
  public var skipped: [TrainingJob] = []
  /// Jobs that finished during this call.
  public var finished: [TrainingJob] = []
  /// Jobs that ended without finishing, with the reason and the end of their log.
  public var failed: [(job: TrainingJob, reason: String)] = []
  /// Jobs not started because of an interrupt.
  public var notStarted: [TrainingJob] = []
  /// Jobs still queued or running when the executor stopped watching (a Slurm array left running
  /// after Ctrl-C); a rerun of the same command watches them again.
  public var stillRunning: [TrainingJob] = []
  /// Lines for the user (how to cancel a detached array, where the logs are).
  public var notes: [String] = []
  public var wallSeconds = 0.0

  public init() {}

  /// Whether every job is finished (skipped or finished now).
  public var allFinished: Bool { failed.isEmpty && notStarted.isEmpty && stillRunning.isEmpty }
}

/// Runs a list of training jobs somewhere: child processes here (``LocalExecutor``) or a Slurm
/// job array (``SlurmExecutor``). Every executor skips finished jobs, resumes or restarts the
/// others (``TrainingJob/launch()``), reports progress in environment steps over all jobs (read
/// from the run folders) and stops starting or watching jobs when `interrupt` is requested.
public protocol JobExecutor {
  /// `local` or `slurm`, for messages.
  var name: String { get }
  /// Runs `jobs` until each has ended (or the interrupt), then says how they went. `progress`
  /// (total: the sum of the jobs' `steps`) is updated while they run.
  func run(_ jobs: [TrainingJob], progress: ProgressBar?, interrupt: InterruptHandler?) throws -> JobOutcome
}

extension TrainingJob {
  /// Environment steps over all `jobs` (a progress bar's total; at least 1).
  public static func totalSteps(_ jobs: [TrainingJob]) -> Int {
    max(1, jobs.reduce(0) { $0.addingReportingOverflow($1.steps).overflow ? Int.max : $0 + $1.steps })
  }

  /// Environment steps done over all `jobs` (see ``stepsDone()``).
  public static func stepsDone(_ jobs: [TrainingJob]) -> Int {
    jobs.reduce(0) { sum, job in
      let (total, overflow) = sum.addingReportingOverflow(job.stepsDone())
      return overflow ? Int.max : total
    }
  }
}

/// The last lines of a text file joined with ` | ` ("" when it cannot be read).
func lastLines(of url: URL, count: Int) -> String {
  guard let data = try? Data(contentsOf: url) else { return "" }
  let text = String(decoding: data.suffix(64 * 1024), as: UTF8.self)
  return text.split(whereSeparator: \.isNewline).suffix(count).joined(separator: " | ")
}
