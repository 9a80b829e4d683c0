import Foundation
import Runs
import TestSupport
import Testing

/// Folders that are in use, in the way or unusable, through the real `losslab`: a clear message
/// and exit 2 (a usage problem) or 1 (a runtime failure), never a trap. The kill and disk-full
/// cases are scripts/test_faults.py's (`make test-faults`).
@Suite(.serialized) struct HostileFolderCLITests {
  static let shortPPO = [
    "rl", "train", "--env", "cartpole", "--seed", "1", "--steps", "512", "--set", "n_envs=2", "--set",
    "n_steps=64", "--set", "batch_size=64", "--eval-freq", "0", "--eval-episodes", "1", "--no-progress",
  ]

  /// A second `rl compare` on a folder in use is refused, naming the owner.
  @Test func compareFolderInUseIsRefused() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let out = scratch.appendingPathComponent("compare")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    let held = try RunLock(folder: out)
    let (code, _, err) = try LossLabProcess.run([
      "rl", "compare", "--env", "cartpole", "--shapings", "none,scale:2", "--out", out.path, "--seeds", "1",
      "--steps", "512",
      "--no-progress",
    ])
    #expect(code == 2, "\(err)")
    #expect(err.contains("in use") && err.contains("pid \(getpid())"), "\(err)")
    withExtendedLifetime(held) {}
  }

  /// `--out` below a regular file cannot be created: exit 1 naming the path.
  @Test func unusableOutIsAClearError() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let file = scratch.appendingPathComponent("file.txt")
    try Data("x".utf8).write(to: file)
    let out = file.appendingPathComponent("run").path
    let (code, _, err) = try LossLabProcess.run(Self.shortPPO + ["--out", out])
    #expect(code == 1 || code == 2, "\(code) \(err)")
    #expect(err.contains(file.path) && !err.contains("Fatal error"), "\(err)")
  }

  /// A checkpoint copied from a run of another environment is refused by `--resume` with the
  /// tensor that does not fit, not loaded and not a trap.
  @Test func checkpointFromAnotherEnvironmentIsRefused() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let cartpole = scratch.appendingPathComponent("cartpole")
    let acrobot = scratch.appendingPathComponent("acrobot")
    let a = try LossLabProcess.run(Self.shortPPO + ["--out", cartpole.path])
    #expect(a.0 == 0, "\(a.2)")
    var other = Self.shortPPO
    other[3] = "acrobot"
    let b = try LossLabProcess.run(other + ["--out", acrobot.path, "--steps", "1024"])
    #expect(b.0 == 0, "\(b.2)")
    // Acrobot's newest checkpoint replaced by CartPole's weights (same step name).
    let theirs = try #require(RunFolder(url: cartpole).latestCheckpoint())
    let ours = try #require(RunFolder(url: acrobot).latestCheckpoint())
    try FileManager.default.removeItem(at: ours.weightsURL)
    try FileManager.default.copyItem(at: theirs.weightsURL, to: ours.weightsURL)
    let (code, _, err) = try LossLabProcess.run(["rl", "train", "--resume", acrobot.path, "--steps", "2048"])
    #expect(code == 1, "\(code) \(err)")
    #expect(err.contains("shape") || err.contains("tensor"), "\(err)")
    #expect(!err.contains("Fatal error"), "\(err)")
  }
}
