import Core
import Foundation
import Runs
import TestSupport
import Testing

@testable import Training

/// The Slurm job array's files without a scheduler: the `--array` list, the job list, the sbatch
/// script (run by bash with a stand-in `losslab` to check the task -> job mapping and the launch
/// rule), and the `--slurm-*` value checks.
@Suite struct SlurmScriptTests {
  @Test func arraySpecCompressesRanges() {
    #expect(SlurmScript.arraySpec([0, 1, 2, 3]) == "0-3")
    #expect(SlurmScript.arraySpec([0, 1, 2, 3], maxParallel: 2) == "0-3%2")
    #expect(SlurmScript.arraySpec([7, 1, 3, 5, 6]) == "1,3,5-7")
    #expect(SlurmScript.arraySpec([4]) == "4")
    #expect(SlurmScript.arraySpec([2, 2, 3]) == "2-3")
  }

  func jobs(_ root: URL) -> [TrainingJob] {
    var plan = ComparePlan(
      env: "gridworld:fourrooms", shapings: ["none", "pbrs:bfs*0.5"], seeds: 2,
      out: root.appendingPathComponent("cmp"))
    plan.steps = 4096
    return (try? plan.jobs(stepsPerRun: 4096)) ?? []
  }

  @Test func jobListHasOneQuotedLinePerTask() throws {
    let root = try makeScratchFolder()
    let list = try SlurmScript.jobList(jobs(root))
    let lines = list.split(separator: "\n")
    #expect(lines.count == 4)
    let fields = lines[3].split(separator: "\t", omittingEmptySubsequences: false)
    #expect(fields.count == 6)
    #expect(fields[0] == "3" && fields[1] == "pbrs-bfs-x0.5/seed-1")
    #expect(fields[2].hasSuffix("cmp/runs/pbrs-bfs-x0.5/seed-1"))
    #expect(fields[3] == "4096")
    #expect(fields[4].contains("--shaping 'pbrs:bfs*0.5' --seed 1"))
    #expect(fields[5].hasPrefix("rl train --resume "))
    var bad = jobs(root)
    bad[0].arguments.append("a\tb")
    #expect(throws: SlurmError.self) { try SlurmScript.jobList(bad) }
  }

  @Test func scriptHasTheSbatchOptions() throws {
    var settings = SlurmSettings()
    settings.partition = "cpu"
    settings.time = "1:00:00"
    settings.cpusPerTask = 4
    settings.memory = "2G"
    settings.extra = ["--account=abc"]
    settings.maxParallel = 8
    settings.jobName = "losslab-compare"
    let files = SlurmFiles(folder: URL(fileURLWithPath: "/shared/cmp/slurm"))
    let text = try SlurmScript.text(
      indices: [1, 3], settings: settings, files: files,
      executable: URL(fileURLWithPath: "/shared/bin/losslab"),
      workingFolder: URL(fileURLWithPath: "/shared/home"))
    let sbatch = text.split(separator: "\n").filter { $0.hasPrefix("#SBATCH ") }.map {
      String($0.dropFirst(8))
    }
    #expect(
      sbatch == [
        "--array=1,3%8", "--job-name=losslab-compare", "--output=/shared/cmp/slurm/logs/task-%a.out",
        "--open-mode=append", "--chdir=/shared/home", "--cpus-per-task=4", "--partition=cpu",
        "--time=1:00:00", "--mem=2G", "--account=abc",
      ])
    #expect(text.hasPrefix("#!/bin/bash\n"))
    #expect(text.contains("losslab=/shared/bin/losslab\n"))
    #expect(text.contains("docs/cluster.md"))
    #expect(throws: SlurmError.self) {
      try SlurmScript.text(
        indices: [0], settings: settings, files: SlurmFiles(folder: URL(fileURLWithPath: "/my cmp/slurm")),
        executable: URL(fileURLWithPath: "/bin/losslab"), workingFolder: URL(fileURLWithPath: "/"))
    }
  }

  /// Runs the script with bash as array task `task`, `losslab` replaced by `/bin/echo`: what it
  /// prints is the argv it would run.
  func runTask(_ task: Int, script: URL, environment extra: [String: String] = [:]) throws -> (Int32, String)
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [script.path]
    var environment = ProcessInfo.processInfo.environment
    environment["SLURM_ARRAY_TASK_ID"] = String(task)
    environment["SLURM_ARRAY_JOB_ID"] = "77"
    for (k, v) in extra { environment[k] = v }
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  @Test func scriptMapsTasksToJobsAndFollowsTheLaunchRule() throws {
    let root = try makeScratchFolder()
    let list = jobs(root)
    let files = SlurmFiles(folder: root.appendingPathComponent("cmp/slurm"))
    try AtomicFile.write(SlurmScript.jobList(list), to: files.jobList)
    let script = try SlurmScript.text(
      indices: [0, 1, 2, 3], settings: SlurmSettings(), files: files,
      executable: URL(fileURLWithPath: "/bin/echo"),
      workingFolder: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    try AtomicFile.write(script, to: files.script)
    // No run yet: the start argv, the task's own job; the marker says the node sees the folder.
    var (status, out) = try runTask(3, script: files.script)
    #expect(status == 0, "\(out)")
    let startLine = list[3].arguments.joined(separator: " ")
    #expect(out.hasSuffix(startLine + "\n"), "\(out)")
    #expect(FileManager.default.fileExists(atPath: files.marker(task: 3, job: 77).path))
    // A run folder without a checkpoint starts over; with one it resumes; finished: nothing.
    let run = RunFolder(url: list[1].folder)
    try run.writeConfig(["seed": 1])
    try run.writeStatus(.running)
    (status, out) = try runTask(1, script: files.script)
    #expect(out.hasSuffix(list[1].arguments.joined(separator: " ") + " --overwrite\n"), "\(out)")
    try run.saveCheckpoint(step: 2048, sidecar: ["s": 1], weights: Data())
    try run.writeStatus(.interrupted)
    (status, out) = try runTask(1, script: files.script)
    #expect(out.hasSuffix(list[1].resumeArguments.joined(separator: " ") + "\n"), "\(out)")
    try run.writeStatus(.finished)
    (status, out) = try runTask(1, script: files.script)
    #expect(status == 0 && out.contains("already finished") && !out.contains("--resume"), "\(out)")
    // Finished below the job's budget (a sweep trial promoted to its next rung): it continues.
    try run.writeStatus(.finished, step: 2048)
    (status, out) = try runTask(1, script: files.script)
    #expect(out.hasSuffix(list[1].resumeArguments.joined(separator: " ") + "\n"), "\(out)")
    try run.writeStatus(.finished, step: 4096)
    (status, out) = try runTask(1, script: files.script)
    #expect(status == 0 && out.contains("already finished") && !out.contains("--resume"), "\(out)")
    // A task outside the list, and a node that cannot see the folder, fail with a message.
    (status, out) = try runTask(9, script: files.script)
    #expect(status == 3 && out.contains("not in"), "\(out)")
    try FileManager.default.removeItem(at: files.jobList)
    (status, out) = try runTask(0, script: files.script)
    #expect(status == 3 && out.contains("shared"), "\(out)")
  }

  @Test func settingChecks() {
    for good in ["30", "30:00", "1:00:00", "2-12", "2-12:30", "1-00:00:00", "UNLIMITED"] {
      #expect(SlurmSettings.checkTime(good) == nil, "\(good)")
    }
    for bad in ["", "0", "0:00:00", "1:2:3:4", "1-", "-1", "a", "1h", "1-2-3", " 30", "12345678"] {
      #expect(SlurmSettings.checkTime(bad) != nil, "\(bad)")
    }
    for good in ["4G", "500M", "1024", "2t", "1K"] {
      #expect(SlurmSettings.checkMemory(good) == nil, "\(good)")
    }
    for bad in ["", "0", "G", "4GB", "-1G", "1.5G", "4 G"] {
      #expect(SlurmSettings.checkMemory(bad) != nil, "\(bad)")
    }
    for good in ["cpu", "gpu,cpu", "long-run_2.x"] {
      #expect(SlurmSettings.checkPartition(good) == nil, "\(good)")
    }
    for bad in ["", "a b", "a,,b", ",", "x;rm"] {
      #expect(SlurmSettings.checkPartition(bad) != nil, "\(bad)")
    }
    for good in ["--account=abc", "--qos=short", "--exclusive", "--constraint=a&b"] {
      #expect(SlurmSettings.checkExtra(good) == nil, "\(good)")
    }
    for bad in [
      "", "-A abc", "--", "account=abc", "--comment=a b", "--x='y'", "--a\nb", "--array=0-3", "--output=x",
    ] {
      #expect(SlurmSettings.checkExtra(bad) != nil, "\(bad)")
    }
    #expect(SlurmSettings.checkExtra("--time=5")?.contains("--slurm-time") == true)
  }
}
