import Core
import Foundation
import Runs

/// How the runs of a comparison went.
public struct CompareOutcome: Sendable {
  /// Runs whose folder already said `finished` (a rerun skips them).
  public var skipped: [CompareRun] = []
  public var finished: [CompareRun] = []
  /// Runs that exited with an error or did not finish, with the reason and the log's last lines.
  public var failed: [(run: CompareRun, reason: String)] = []
  /// Runs not started because of an interrupt.
  public var notStarted: [CompareRun] = []
  public var wallSeconds = 0.0
}

/// Runs a comparison's `rl train` runs as `jobs` concurrent child processes of the same
/// executable (each with `OPENBLAS_NUM_THREADS` = the plan's threads), skipping finished runs and
/// resuming unfinished ones from their checkpoints through `rl train --resume` (the
/// ``TrainingSession`` path); each run's output goes to `train.log` in its
/// folder. Runs that fail are reported with the end of their log, and the others go on.
public enum CompareRunner {
  /// Runs `runs` with at most `jobs` at a time. `progress` counts environment steps over all runs
  /// (`stepsPerRun` each, read from the runs' `metrics.csv` while they train).
  public static func run(
    _ runs: [CompareRun], executable: URL, jobs: Int, threads: Int, stepsPerRun: Int,
    progress: ProgressBar?, interrupt: InterruptHandler?
  ) throws -> CompareOutcome {
    precondition(jobs >= 1, "jobs must be positive, got \(jobs)")
    let start = ProcessInfo.processInfo.systemUptime
    var outcome = CompareOutcome()
    var pending: [CompareRun] = []
    for run in runs {
      if RunFolder(url: run.folder).isFinished { outcome.skipped.append(run) } else { pending.append(run) }
    }
    var completedSteps = outcome.skipped.count * stepsPerRun
    var running: [(run: CompareRun, process: Process, log: FileHandle)] = []
    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_NUM_THREADS"] = String(threads)
    var lastPoll = -Double.infinity
    var partial: [URL: Int] = [:]
    progress?.update(completedSteps)
    while !pending.isEmpty || !running.isEmpty {
      let stopping = interrupt?.isRequested ?? false
      while running.count < jobs, !pending.isEmpty, !stopping {
        let run = pending.removeFirst()
        try AtomicFile.createFolder(run.folder)
        let logURL = run.folder.appendingPathComponent("train.log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        let process = Process()
        process.executableURL = executable
        let folder = RunFolder(url: run.folder)
        // The session's rules: a run with a checkpoint (interrupted, killed, failed) is resumed
        // with `rl train --resume`; a run that never checkpointed starts over with --overwrite.
        let resumable = !run.resumeArguments.isEmpty && folder.isRun && folder.latestCheckpoint() != nil
        process.arguments =
          resumable ? run.resumeArguments : folder.isRun ? run.arguments + ["--overwrite"] : run.arguments
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
          try? log.close()
          outcome.failed.append((run, "could not start \(executable.path): \(error)"))
          continue
        }
        running.append((run, process, log))
      }
      if stopping && !pending.isEmpty {
        outcome.notStarted += pending
        pending.removeAll()
      }
      var index = 0
      while index < running.count {
        let item = running[index]
        if item.process.isRunning {
          index += 1
          continue
        }
        try? item.log.close()
        running.remove(at: index)
        partial[item.run.folder] = nil
        let folder = RunFolder(url: item.run.folder)
        if item.process.terminationStatus == 0 && folder.isFinished {
          outcome.finished.append(item.run)
          completedSteps += stepsPerRun
        } else {
          let status = folder.readStatus()?.description ?? "no status.json"
          var reason = "exit status \(item.process.terminationStatus), status \(status)"
          let tail = lastLines(of: item.run.folder.appendingPathComponent("train.log"), count: 3)
          if !tail.isEmpty { reason += ": " + tail }
          outcome.failed.append((item.run, reason))
        }
      }
      let now = ProcessInfo.processInfo.systemUptime
      if let progress, now - lastPoll >= 1 {
        lastPoll = now
        for item in running { partial[item.run.folder] = stepsDone(in: item.run.folder) }
        let done = completedSteps + partial.values.reduce(0) { $0 + min($1, stepsPerRun) }
        progress.update(done, extras: [("runs", Double(outcome.finished.count + outcome.skipped.count))])
      }
      if !running.isEmpty { Thread.sleep(forTimeInterval: 0.05) }
    }
    progress?.finish(
      done: completedSteps, extras: [("runs", Double(outcome.finished.count + outcome.skipped.count))])
    outcome.wallSeconds = ProcessInfo.processInfo.systemUptime - start
    return outcome
  }

  /// The last `time/total_timesteps` in a run's `metrics.csv` (0 if none yet).
  static func stepsDone(in folder: URL) -> Int {
    guard let table = try? MetricsTable.read(folder.appendingPathComponent(MetricsLogger.csvName)),
      let last = table.column(MetricName.totalTimesteps)?.compactMap({ $0 }).last
    else { return 0 }
    return Int(last)
  }

  static func lastLines(of url: URL, count: Int) -> String {
    guard let text = try? String(contentsOf: url, encoding: .utf8) else { return "" }
    return text.split(whereSeparator: \.isNewline).suffix(count).joined(separator: " | ")
  }
}
