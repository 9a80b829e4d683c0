import Core
import Foundation
import Runs

/// One `sbatch` of a job array, recorded in `slurm/submissions.json`.
public struct SlurmSubmission: Codable, Sendable, Equatable {
  public var job: Int
  public var tasks: [Int]
  public var submitted: String
  public init(job: Int, tasks: [Int], submitted: String) {
    self.job = job
    self.tasks = tasks
    self.submitted = submitted
  }
}

/// Runs jobs as one Slurm job array: writes the job list and the sbatch script into `folder`
/// (``SlurmFiles``), submits the tasks that are neither finished (from their `status.json`) nor
/// still queued from an earlier submission, then watches the run folders and `squeue` until
/// every task has ended. On an interrupt it stops watching and leaves the array running (or runs
/// `scancel` with ``SlurmSettings/cancelOnInterrupt``). The run folders and `folder` must be on a
/// file system that the compute nodes share; a task that cannot see it fails with that message.
public struct SlurmExecutor: JobExecutor {
  public var settings: SlurmSettings
  public var files: SlurmFiles
  /// The `losslab` binary the tasks run (an absolute path the compute nodes see).
  public var executable: URL
  /// Where the tasks run; the job list's run folders are relative to it.
  public var workingFolder: URL
  public var client: SlurmClient
  /// Progress lines (submissions, task ends), e.g. to stderr.
  public var log: @Sendable (String) -> Void

  public var name: String { "slurm" }

  public init(
    settings: SlurmSettings, folder: URL, executable: URL, workingFolder: URL, client: SlurmClient = .system,
    log: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
  ) {
    self.settings = settings
    self.files = SlurmFiles(folder: folder)
    self.executable = executable
    self.workingFolder = workingFolder
    self.client = client
    self.log = log
  }

  /// The job-list indices to submit: every job that is not finished (its `status.json`) and not
  /// in `active` (tasks still queued or running from an earlier submission).
  public static func tasksToSubmit(_ jobs: [TrainingJob], active: Set<Int>) -> [Int] {
    jobs.indices.filter { !active.contains($0) && jobs[$0].launch() != .skip }
  }

  /// The earlier submissions of this folder (empty when there are none).
  public func submissions() throws -> [SlurmSubmission] {
    guard FileManager.default.fileExists(atPath: files.submissions.path) else { return [] }
    do {
      return try JSONDecoder().decode([SlurmSubmission].self, from: Data(contentsOf: files.submissions))
    } catch {
      throw SlurmError(
        "\(files.submissions.path): unreadable (\(error)); delete it to forget earlier submissions")
    }
  }

  /// The sbatch script for `indices` (what `--dry-run` prints).
  public func script(indices: [Int], title: String = "losslab") throws -> String {
    try SlurmScript.text(
      indices: indices, settings: settings, files: files, executable: executable,
      workingFolder: workingFolder,
      title: title)
  }

  public func run(_ jobs: [TrainingJob], progress: ProgressBar?, interrupt: InterruptHandler?) throws
    -> JobOutcome
  {
    try run(jobs, progress: progress, stopRequested: { interrupt?.isRequested ?? false })
  }

  /// ``run(_:progress:interrupt:)`` with the stop request as a closure (tests).
  func run(_ jobs: [TrainingJob], progress: ProgressBar?, stopRequested: () -> Bool) throws -> JobOutcome {
    let start = ProcessInfo.processInfo.systemUptime
    var outcome = JobOutcome()
    var history = try submissions()
    // Tasks of earlier submissions that Slurm still has: watched again, never submitted twice.
    var active: [Int: (job: Int, state: String, nodes: String)] = [:]
    if !history.isEmpty {
      guard let queue = try client.queued(jobs: Set(history.map(\.job)), name: settings.jobName) else {
        throw SlurmError("squeue failed: cannot tell whether the earlier submissions are still running")
      }
      for t in queue where jobs.indices.contains(t.task) { active[t.task] = (t.job, t.state, t.nodes) }
      if !active.isEmpty {
        log(
          "slurm: \(active.count) task\(active.count == 1 ? "" : "s") of earlier submissions still queued or running; watching them"
        )
      }
    }
    let submit = SlurmExecutor.tasksToSubmit(jobs, active: Set(active.keys))
    for index in jobs.indices where !submit.contains(index) && active[index] == nil {
      outcome.skipped.append(jobs[index])
    }
    if !submit.isEmpty {
      try AtomicFile.createFolder(files.logs)
      try AtomicFile.createFolder(files.markers)
      try AtomicFile.write(SlurmScript.jobList(jobs), to: files.jobList)
      try AtomicFile.write(script(indices: submit), to: files.script)
      let id = try client.submit(files.script)
      history.append(
        SlurmSubmission(job: id, tasks: submit, submitted: ISO8601DateFormatter().string(from: Date())))
      try AtomicFile.write(JSONText.data(history, pretty: true), to: files.submissions)
      for index in submit { active[index] = (id, "PENDING", "") }
      log(
        "slurm: submitted job \(id), array \(SlurmScript.arraySpec(submit, maxParallel: settings.maxParallel)) "
          + "(\(submit.count) of \(jobs.count) runs); logs in \(files.logs.path)")
    }
    var seenRunning = Set<Int>()
    var failedPolls = 0
    var lastPoll = -Double.infinity
    func extras() -> [(String, Double)] {
      let running = active.values.filter { $0.state == "RUNNING" }.count
      return [
        ("done", Double(outcome.skipped.count + outcome.finished.count)), ("running", Double(running)),
        ("queued", Double(active.count - running)), ("failed", Double(outcome.failed.count)),
      ]
    }
    while !active.isEmpty {
      if stopRequested() {
        let ids = Set(active.values.map(\.job)).sorted()
        let list = ids.map(String.init).joined(separator: " ")
        if settings.cancelOnInterrupt {
          try client.cancel(jobs: ids)
          outcome.notes.append(
            "cancelled Slurm job \(list) (scancel): its running tasks save a checkpoint and stop; "
              + "rerun the same command to resubmit them")
        } else {
          outcome.notes.append(
            "stopped watching; Slurm job \(list) keeps running (squeue -j \(ids.map(String.init).joined(separator: ","))). "
              + "Cancel it with: scancel \(list). Rerun the same command to watch it again and write the report"
          )
        }
        outcome.stillRunning = active.keys.sorted().map { jobs[$0] }
        break
      }
      let now = ProcessInfo.processInfo.systemUptime
      if now - lastPoll >= settings.pollSeconds {
        lastPoll = now
        let queue = try client.queued(jobs: Set(active.values.map(\.job)), name: settings.jobName)
        if queue == nil {
          failedPolls += 1
          if failedPolls >= 12 { throw SlurmError("squeue failed 12 times in a row; stopped watching") }
        }
        var listed: [Int: SlurmTaskState] = [:]
        for t in queue ?? [] where active[t.task]?.job == t.job { listed[t.task] = t }
        var ended: [Int] = []
        if queue != nil { failedPolls = 0 }
        for (index, entry) in active where queue != nil {
          if let t = listed[index] {
            active[index] = (entry.job, t.state, t.nodes.isEmpty ? entry.nodes : t.nodes)
            if t.state == "RUNNING" { seenRunning.insert(index) }
          } else {
            ended.append(index)
          }
        }
        var accounting: [Int: [Int: String]] = [:]
        for index in ended.sorted() {
          guard let entry = active.removeValue(forKey: index) else { continue }
          let job = jobs[index]
          if job.launch() == .skip {  // finished, at its budget
            outcome.finished.append(job)
            continue
          }
          if accounting[entry.job] == nil { accounting[entry.job] = client.accounting(job: entry.job) }
          let reason = failureReason(
            index: index, job: job, slurmJob: entry.job, nodes: entry.nodes,
            wasRunning: seenRunning.contains(index),
            accounting: accounting[entry.job]?[index])
          outcome.failed.append((job, reason))
          log("slurm: array task \(index) (\(job.label)) ended unfinished: \(reason)")
        }
        progress?.update(TrainingJob.stepsDone(jobs), extras: extras())
      }
      if !active.isEmpty { Thread.sleep(forTimeInterval: min(0.25, settings.pollSeconds)) }
    }
    progress?.finish(done: TrainingJob.stepsDone(jobs), extras: extras())
    outcome.wallSeconds = ProcessInfo.processInfo.systemUptime - start
    return outcome
  }

  /// Why a task ended unfinished: its `status.json`, what accounting knows, whether it ever
  /// reached the run folder (the marker), and the end of its log.
  func failureReason(
    index: Int, job: TrainingJob, slurmJob: Int, nodes: String, wasRunning: Bool, accounting: String?
  ) -> String {
    var parts: [String] = []
    let status = RunFolder(url: job.folder).readStatus()
    parts.append("status \(status?.description ?? "none (no status.json)")")
    if let accounting { parts.append(accounting) }
    let marker = files.marker(task: index, job: slurmJob)
    if !FileManager.default.fileExists(atPath: marker.path) {
      if wasRunning {
        parts.append(
          "it ran\(nodes.isEmpty ? "" : " on \(nodes)") but never wrote \(marker.path): the compute node cannot see "
            + "the experiment folder, which must be on a file system shared with the submitting machine (docs/cluster.md)"
        )
      } else {
        parts.append(
          "it left the queue without starting in the experiment folder (cancelled, or the node cannot see it)"
        )
      }
    }
    let tail = lastLines(of: files.log(task: index), count: 5)
    parts.append(
      tail.isEmpty
        ? "no log at \(files.log(task: index).path)" : "log \(files.log(task: index).path): \(tail)")
    return parts.joined(separator: "; ")
  }
}
