import Foundation
import NeuralNets
import TestSupport
import Testing

/// The run lifecycle through the real `losslab` for all three trainers: SIGKILL mid-update and
/// Ctrl-C (exit 130), then `--resume DIR`, give the metrics (wall-clock columns aside) and the
/// final weights of an uninterrupted run; finished runs, occupied folders and short budgets are
/// answered with a message, never a trap.
@Suite(.serialized) struct RunLifecycleCLITests {
  /// A `losslab` child whose output goes to files (a chatty child cannot block on a pipe).
  struct Child {
    let process: Process
    let stdout: URL
    let stderr: URL

    init(_ arguments: [String], logs: URL) throws {
      process = Process()
      process.executableURL = try LossLabProcess.executable()
      process.arguments = arguments
      process.currentDirectoryURL = Fixtures.repositoryRoot
      let id = UInt64.random(in: 0..<UInt64.max)
      stdout = logs.appendingPathComponent("child-\(id).out")
      stderr = logs.appendingPathComponent("child-\(id).err")
      for url in [stdout, stderr] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
      process.standardOutput = try FileHandle(forWritingTo: stdout)
      process.standardError = try FileHandle(forWritingTo: stderr)
      try process.run()
    }

    /// Waits (up to 60 s) until `file` exists; false if the child ended first.
    func wait(for file: URL) -> Bool {
      let deadline = Date().addingTimeInterval(60)
      while Date() < deadline {
        if FileManager.default.fileExists(atPath: file.path) { return true }
        if !process.isRunning { return FileManager.default.fileExists(atPath: file.path) }
        usleep(1_000)
      }
      return false
    }

    func finish() -> (Int32, String) {
      process.waitUntilExit()
      return (process.terminationStatus, (try? readText(stderr)) ?? "")
    }
  }

  /// metrics.csv without the wall-clock columns.
  func metrics(_ run: URL) throws -> [[Substring]] {
    let lines = try readText(run.appendingPathComponent("metrics.csv")).split(separator: "\n")
    let header = lines[0].split(separator: ",", omittingEmptySubsequences: false)
    let keep = header.indices.filter { !["time/fps", "time/time_elapsed"].contains(header[$0]) }
    return lines.map { line in
      let cells = line.split(separator: ",", omittingEmptySubsequences: false)
      return keep.map { cells[$0] }
    }
  }

  func latestWeights(_ run: URL) throws -> Data {
    let name = try readText(run.appendingPathComponent("checkpoints/latest"))
      .trimmingCharacters(in: .whitespacesAndNewlines)
    return try Data(contentsOf: run.appendingPathComponent("checkpoints/\(name).safetensors"))
  }

  func status(_ run: URL) throws -> String {
    let object = try JSONSerialization.jsonObject(
      with: Data(contentsOf: run.appendingPathComponent("status.json")))
    return (object as? [String: Any])?["status"] as? String ?? "?"
  }

  func expectSameRun(_ a: URL, _ b: URL) throws {
    #expect(try metrics(a) == (try metrics(b)))
    #expect(try latestWeights(a) == (try latestWeights(b)))
    #expect(try status(b) == "finished")
  }

  @Test func ppoResumesExactlyAfterSIGKILL() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let straight = scratch.appendingPathComponent("straight")
    let killed = scratch.appendingPathComponent("killed")
    let args = [
      "rl", "train", "--env", "cartpole", "--seed", "3", "--steps", "20000", "--checkpoint-freq", "3",
      "--eval-episodes", "3", "--no-progress",
    ]
    #expect(try LossLabProcess.run(args + ["--out", straight.path]).0 == 0)

    let child = try Child(args + ["--out", killed.path], logs: scratch)
    #expect(child.wait(for: killed.appendingPathComponent("checkpoints/latest")))
    kill(child.process.processIdentifier, SIGKILL)
    #expect(child.finish().0 == SIGKILL)
    #expect(try status(killed) == "running")  // killed mid-run: the last checkpoint is the resume point
    let (code, out, err) = try LossLabProcess.run(["rl", "train", "--resume", killed.path, "--no-progress"])
    #expect(code == 0, "\(err)")
    #expect(out.contains("resuming"))
    try expectSameRun(straight, killed)

    // Finished: --resume says so (exit 0); a smaller --steps and a second --out are refused (2).
    let again = try LossLabProcess.run(["rl", "train", "--resume", killed.path])
    #expect(
      again.0 == 0 && again.1.contains("already finished at 20224 timesteps; pass --steps M (M > 20224)"))
    let short = try LossLabProcess.run(["rl", "train", "--resume", killed.path, "--steps", "1000"])
    #expect(short.0 == 2 && short.2.contains("1000") && short.2.contains("20224"), "\(short.2)")
    let occupied = try LossLabProcess.run(args + ["--out", killed.path])
    #expect(occupied.0 == 2 && occupied.2.contains("--resume") && occupied.2.contains("--overwrite"))
    let empty = try LossLabProcess.run(args + ["--out", ""])
    #expect(empty.0 == 2 && empty.2.contains("--out"))
  }

  @Test func ctcCtrlCExits130AndResumesExactly() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let data = scratch.appendingPathComponent("speech").path
    let synth = try LossLabProcess.run([
      "ctc", "synth", "--out", data, "--utterances", "20", "--seed", "1", "--max-words", "3", "--speakers",
      "9",
      "--held-out-speakers", "2",
    ])
    #expect(synth.0 == 0, "\(synth.2)")
    let args = [
      "ctc", "train", "--data", data, "--epochs", "2", "--hidden", "16", "--frontend", "16", "--batch-size",
      "4",
    ]
    try interruptResumeAndCompare(
      args, resume: ["ctc", "train"], in: scratch,
      finished: "already finished at 2 epochs; pass --epochs M (M > 2)")
  }

  @Test func mrtCtrlCExits130AndResumesExactly() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let data = scratch.appendingPathComponent("mt").path
    #expect(
      try LossLabProcess.run(["mrt", "data", "--out", data, "--train", "200", "--dev", "20", "--test", "5"]).0
        == 0)
    let args = [
      "mrt", "train", "--data", data, "--max-steps", "300", "--eval-every", "100", "--dev-sentences", "20",
      "--embedding", "8", "--hidden", "16", "--batch-size", "16", "--quiet",
    ]
    try interruptResumeAndCompare(
      args, resume: ["mrt", "train", "--quiet"], in: scratch,
      finished: "already finished at 300 steps; pass --max-steps M (M > 300)")
  }

  /// Runs `args` straight, and again with a Ctrl-C once the run has started (exit 130,
  /// `interrupted`), resumes that with `resume + --resume DIR`, and compares the two; resuming the
  /// finished run then prints `finished`.
  func interruptResumeAndCompare(_ args: [String], resume: [String], in scratch: URL, finished: String) throws
  {
    let straight = scratch.appendingPathComponent("straight")
    let stopped = scratch.appendingPathComponent("stopped")
    #expect(try LossLabProcess.run(args + ["--out", straight.path]).0 == 0)
    let child = try Child(args + ["--out", stopped.path], logs: scratch)
    #expect(child.wait(for: stopped.appendingPathComponent("status.json")))
    kill(child.process.processIdentifier, SIGINT)
    let (code, err) = child.finish()
    #expect(code == 130, "\(err)")
    #expect(try status(stopped) == "interrupted")
    let resumed = try LossLabProcess.run(resume + ["--resume", stopped.path])
    #expect(resumed.0 == 0, "\(resumed.2)")
    try expectSameRun(straight, stopped)
    let again = try LossLabProcess.run(resume + ["--resume", stopped.path])
    #expect(again.0 == 0 && again.1.contains(finished), "\(again.1)")
  }

  @Test func divergedDemoFailsWithoutACheckpoint() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let out = scratch.appendingPathComponent("demo")
    let (code, _, err) = try LossLabProcess.run([
      "demo", "regression", "--learning-rate", "1e20", "--steps", "100", "--out", out.path,
    ])
    #expect(code == 1 && err.contains("nan"), "\(err)")
    #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("model.safetensors").path))
  }
}
