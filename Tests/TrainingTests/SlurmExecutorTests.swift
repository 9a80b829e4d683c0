import Core
import Foundation
import Runs
import TestSupport
import Testing

@testable import Training

/// The Slurm executor against a stand-in scheduler: which tasks are (re)submitted, how ended
/// tasks are judged from their run folders, and what an interrupt does.
@Suite struct SlurmExecutorTests {
  /// A scheduler that records `sbatch`/`scancel` calls and lists `queue` for `squeue`.
  final class FakeSlurm: @unchecked Sendable {
    let lock = NSLock()
    var calls: [[String]] = []
    var queue: [String] = []
    var nextJob = 100
    /// Called on every squeue (to let "tasks" end).
    var onPoll: (FakeSlurm) -> Void = { _ in }

    var client: SlurmClient {
      SlurmClient { tool, arguments in
        self.lock.lock()
        defer { self.lock.unlock() }
        self.calls.append([tool] + arguments)
        switch tool {
        case "sbatch":
          self.nextJob += 1
          return ToolResult(status: 0, stdout: "\(self.nextJob)\n")
        case "squeue":
          self.onPoll(self)
          return ToolResult(status: 0, stdout: self.queue.map { $0 + "\n" }.joined())
        case "sacct": return ToolResult(status: 1, stdout: "", stderr: "Slurm accounting storage is disabled")
        default: return ToolResult(status: 0, stdout: "")
        }
      }
    }
    var submitted: [[String]] { calls.filter { $0[0] == "sbatch" || $0[0] == "scancel" } }
  }

  func makeJobs(_ root: URL, count: Int) -> [TrainingJob] {
    (0..<count).map { i in
      TrainingJob(
        label: "run-\(i)", folder: root.appendingPathComponent("runs/run-\(i)"),
        arguments: ["rl", "train", "--out", "x"],
        resumeArguments: ["rl", "train", "--resume", "x"], steps: 100)
    }
  }

  func executor(_ root: URL, _ fake: FakeSlurm) -> SlurmExecutor {
    var settings = SlurmSettings()
    settings.pollSeconds = 0.01
    return SlurmExecutor(
      settings: settings, folder: root.appendingPathComponent("slurm"),
      executable: URL(fileURLWithPath: "/bin/echo"),
      workingFolder: root, client: fake.client, log: { _ in })
  }

  func finish(_ job: TrainingJob) {
    let run = RunFolder(url: job.folder)
    try? run.writeConfig(["seed": 0])
    try? run.writeStatus(.finished)
  }

  @Test func resubmissionSelectsMissingFailedAndInterruptedOnly() throws {
    let root = try makeScratchFolder()
    let jobs = makeJobs(root, count: 6)
    finish(jobs[0])
    try RunFolder(url: jobs[1].folder).writeStatus(.failed(reason: "NaN"))
    try RunFolder(url: jobs[2].folder).writeStatus(.interrupted)
    try RunFolder(url: jobs[3].folder).writeStatus(.running)  // killed: no task runs it
    // jobs[4]: no folder; jobs[5]: still queued from an earlier submission.
    #expect(SlurmExecutor.tasksToSubmit(jobs, active: [5]) == [1, 2, 3, 4])
    #expect(SlurmExecutor.tasksToSubmit(jobs, active: []) == [1, 2, 3, 4, 5])
  }

  @Test func submitsWatchesAndJudgesEndedTasksByTheirFolders() throws {
    let root = try makeScratchFolder()
    let jobs = makeJobs(root, count: 3)
    let fake = FakeSlurm()
    var polls = 0
    fake.onPoll = { slurm in
      polls += 1
      switch polls {
      case 1: slurm.queue = ["101|0|RUNNING|node1", "101|1|RUNNING|node1", "101|2|PENDING|"]
      case 2:
        self.finish(jobs[0])
        slurm.queue = ["101|1|RUNNING|node1", "101|2|RUNNING|node2"]
      default:
        self.finish(jobs[2])
        try? FileManager.default.createDirectory(
          at: root.appendingPathComponent("slurm/markers"), withIntermediateDirectories: true)
        try? "node2\n".write(
          to: root.appendingPathComponent("slurm/markers/task-2.101"), atomically: true, encoding: .utf8)
        try? RunFolder(url: jobs[1].folder).writeStatus(.interrupted)
        try? "losslab: starting\nError: out of memory\n".write(
          to: root.appendingPathComponent("slurm/logs/task-1.out"), atomically: true, encoding: .utf8)
        slurm.queue = []
      }
    }
    let outcome = try executor(root, fake).run(jobs, progress: nil, stopRequested: { false })
    #expect(fake.submitted.count == 1)
    #expect(try readText(root.appendingPathComponent("slurm/submit.sh")).contains("#SBATCH --array=0-2\n"))
    #expect(try readText(root.appendingPathComponent("slurm/jobs.tsv")).split(separator: "\n").count == 3)
    #expect(outcome.finished.map(\.label) == ["run-0", "run-2"])
    #expect(outcome.failed.map(\.job.label) == ["run-1"])
    let reason = outcome.failed.first?.reason ?? ""
    #expect(reason.contains("status interrupted"), "\(reason)")
    #expect(reason.contains("out of memory"), "\(reason)")
    #expect(reason.contains("cannot see the experiment folder"), "\(reason)")  // ran on node1, no marker
    let history = try executor(root, fake).submissions()
    #expect(history.map(\.job) == [101] && history[0].tasks == [0, 1, 2])

    // The rerun submits only the failed task, as a new array over the same job list.
    var rerunPolls = 0
    fake.onPoll = { slurm in
      rerunPolls += 1
      if rerunPolls >= 2 { self.finish(jobs[1]) }  // the first squeue is the check for earlier tasks
      slurm.queue = []
    }
    let second = try executor(root, fake).run(jobs, progress: nil, stopRequested: { false })
    #expect(second.skipped.map(\.label) == ["run-0", "run-2"])
    #expect(second.finished.map(\.label) == ["run-1"])
    #expect(try executor(root, fake).submissions().map(\.tasks) == [[0, 1, 2], [1]])
    #expect(try readText(root.appendingPathComponent("slurm/submit.sh")).contains("#SBATCH --array=1\n"))
  }

  @Test func interruptLeavesTheArrayRunningOrCancelsIt() throws {
    let root = try makeScratchFolder()
    let jobs = makeJobs(root, count: 2)
    let fake = FakeSlurm()
    fake.onPoll = { slurm in slurm.queue = ["101|0|RUNNING|n", "101|1|PENDING|"] }
    let outcome = try executor(root, fake).run(jobs, progress: nil, stopRequested: { true })
    #expect(outcome.stillRunning.count == 2)
    #expect(outcome.notes.joined().contains("scancel 101"))
    #expect(!fake.calls.contains { $0[0] == "scancel" })
    // A rerun finds the tasks still queued and watches them without submitting again.
    fake.queue = ["101|0|RUNNING|n", "101|1|PENDING|"]
    var polls = 0
    fake.onPoll = { slurm in
      polls += 1
      if polls >= 2 {
        jobs.forEach(self.finish)
        slurm.queue = []
      }
    }
    let watched = try executor(root, fake).run(jobs, progress: nil, stopRequested: { false })
    #expect(fake.calls.filter { $0[0] == "sbatch" }.count == 1)
    #expect(watched.finished.count == 2 && watched.allFinished)
    // --cancel-on-interrupt: scancel the array.
    let other = try makeScratchFolder("cancel")
    var cancelling = executor(other, fake)
    cancelling.settings.cancelOnInterrupt = true
    fake.onPoll = { slurm in slurm.queue = ["102|0|RUNNING|n", "102|1|RUNNING|n"] }
    let stopped = try cancelling.run(makeJobs(other, count: 2), progress: nil, stopRequested: { true })
    #expect(fake.calls.contains { $0 == ["scancel", "102"] })
    #expect(stopped.notes.joined().contains("cancelled Slurm job 102"))
  }
}
