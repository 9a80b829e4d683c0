import Core
import Foundation
import Runs

/// Runs jobs as at most `jobs` concurrent child processes of `executable` on this machine (each
/// with `OPENBLAS_NUM_THREADS` = `threads`, so `jobs x threads` stays within the cores), each
/// one's output in `train.log` in its folder. Finished jobs are skipped and unfinished ones
/// resumed (``TrainingJob/launch()``); jobs that fail are reported with the end of their log
/// and the others go on. After an interrupt no new job starts; running ones get the signal too
/// (same process group) and save a checkpoint.
public struct LocalExecutor: JobExecutor {
  public var executable: URL
  /// Concurrent jobs (>= 1).
  public var jobs: Int
  /// BLAS threads per job.
  public var threads: Int

  public var name: String { "local" }

  public init(executable: URL, jobs: Int, threads: Int) {
    self.executable = executable
    self.jobs = max(1, jobs)
    self.threads = max(1, threads)
  }

  public func run(_ all: [TrainingJob], progress: ProgressBar?, interrupt: InterruptHandler?) throws
    -> JobOutcome
  {
    let start = ProcessInfo.processInfo.systemUptime
    var outcome = JobOutcome()
    var pending: [TrainingJob] = []
    for job in all {
      if job.launch() == .skip { outcome.skipped.append(job) } else { pending.append(job) }
    }
    var completedSteps = outcome.skipped.reduce(0) { $0 + $1.steps }
    var running: [(job: TrainingJob, process: Process, log: FileHandle)] = []
    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_NUM_THREADS"] = String(threads)
    var lastPoll = -Double.infinity
    func doneRuns() -> Double { Double(outcome.finished.count + outcome.skipped.count) }
    progress?.update(completedSteps, extras: [("runs", doneRuns())])
    while !pending.isEmpty || !running.isEmpty {
      let stopping = interrupt?.isRequested ?? false
      while running.count < jobs, !pending.isEmpty, !stopping {
        let job = pending.removeFirst()
        guard let arguments = job.launchArguments() else {
          outcome.skipped.append(job)
          continue
        }
        try AtomicFile.createFolder(job.folder)
        let logURL = job.folder.appendingPathComponent("train.log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
          try? log.close()
          outcome.failed.append((job, "could not start \(executable.path): \(error)"))
          continue
        }
        running.append((job, process, log))
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
        let folder = RunFolder(url: item.job.folder)
        if item.process.terminationStatus == 0 && item.job.launch() == .skip {  // finished, at its budget
          outcome.finished.append(item.job)
          completedSteps += item.job.steps
        } else {
          let status = folder.readStatus()?.description ?? "no status.json"
          var reason = "exit status \(item.process.terminationStatus), status \(status)"
          let tail = lastLines(of: item.job.folder.appendingPathComponent("train.log"), count: 3)
          if !tail.isEmpty { reason += ": " + tail }
          outcome.failed.append((item.job, reason))
        }
      }
      let now = ProcessInfo.processInfo.systemUptime
      if let progress, now - lastPoll >= 1 {
        lastPoll = now
        let partial = running.reduce(0) { $0 + $1.job.stepsDone() }
        progress.update(completedSteps + partial, extras: [("runs", doneRuns())])
      }
      if !running.isEmpty { Thread.sleep(forTimeInterval: 0.05) }
    }
    progress?.finish(done: completedSteps, extras: [("runs", doneRuns())])
    outcome.wallSeconds = ProcessInfo.processInfo.systemUptime - start
    return outcome
  }
}
