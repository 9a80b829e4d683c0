import Foundation
import Runs
import TestSupport
import Testing

/// What a SIGKILL leaves behind and how the next process copes (scripts/test_faults.py drives the
/// real trainers; these pin the rules it found): status.json names the newest checkpoint while a
/// run is going, abandoned temporary files are removed by the next process, and a folder holding
/// only a killed first write is still free for `--out`.
@Suite struct KillRecoveryTests {
  @Test func statusFollowsEachCheckpoint() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let path = scratch.appendingPathComponent("run").path
    let session = try TrainingSession(try RunRequest.parse(out: path, resume: nil, overwrite: false))
    try session.begin(config: ["a": 1], metricKeys: [MetricsLogger.stepKey]).close()
    for step in [4, 8] {
      try session.saveCheckpoint(step: step, sidecar: ["s": step]) { try Data().write(to: $0) }
      // As a kill would find it: running, at the step a --resume continues from.
      let record = try #require(session.folder.readStatusRecord())
      #expect(record.status == "running" && record.step == step)
    }
  }

  @Test func abandonedTemporariesAreRemovedOnResume() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let path = scratch.appendingPathComponent("run").path
    do {
      let session = try TrainingSession(try RunRequest.parse(out: path, resume: nil, overwrite: false))
      try session.begin(config: ["a": 1], metricKeys: [MetricsLogger.stepKey]).close()
      try session.saveCheckpoint(step: 1, sidecar: ["s": 1]) { try Data().write(to: $0) }
    }
    // What a kill in the middle of AtomicFile.write / a checkpoint leaves.
    let folder = URL(fileURLWithPath: path)
    let leftovers = [
      folder.appendingPathComponent(".status.json.tmp-AbC123"),
      folder.appendingPathComponent("checkpoints/.step-2.safetensors.partial"),
      folder.appendingPathComponent("checkpoints/..step-2.safetensors.partial.tmp-x1Y2z3"),
      folder.appendingPathComponent("checkpoints/.step-2.json.tmp-Qq9Qq9"),
    ]
    for url in leftovers { try Data("torn".utf8).write(to: url) }
    let resumed = try TrainingSession(try RunRequest.parse(out: nil, resume: path, overwrite: false))
    try resumed.begin(config: ["a": 1], metricKeys: [MetricsLogger.stepKey]).close()
    for url in leftovers { #expect(!FileManager.default.fileExists(atPath: url.path), "\(url.path)") }
    #expect(
      FileManager.default.fileExists(atPath: folder.appendingPathComponent("checkpoints/step-1.json").path))
  }

  @Test func aFolderWithOnlyAKilledFirstWriteTakesANewRun() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let folder = scratch.appendingPathComponent("run")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try Data().write(to: folder.appendingPathComponent(".lock"))
    // begin() creates checkpoints/ first: a kill right after leaves it empty (found by
    // scripts/test_faults.py: the restart with --out --overwrite was refused).
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
    try Data("{\"a\"".utf8).write(to: folder.appendingPathComponent(".config.json.tmp-AbC123"))
    let session = try TrainingSession(try RunRequest.parse(out: folder.path, resume: nil, overwrite: false))
    try session.begin(config: ["a": 1], metricKeys: [MetricsLogger.stepKey]).close()
    #expect(
      !FileManager.default.fileExists(atPath: folder.appendingPathComponent(".config.json.tmp-AbC123").path))
  }
}

extension KillRecoveryTests {
  /// Killed after the final checkpoint, before `finished` was written: `--resume` has nothing to
  /// do, and now records the end so status.json stops saying `running`.
  @Test func resumingARunKilledAtItsEndRecordsFinished() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let path = scratch.appendingPathComponent("run").path
    do {
      let session = try TrainingSession(try RunRequest.parse(out: path, resume: nil, overwrite: false))
      try session.begin(config: ["a": 1], metricKeys: [MetricsLogger.stepKey]).close()
      try session.saveCheckpoint(step: 10, sidecar: ["s": 10]) { try Data().write(to: $0) }
    }
    let resumed = try TrainingSession(try RunRequest.parse(out: nil, resume: path, overwrite: false))
    #expect(resumed.folder.readStatus() == .running)
    #expect(throws: RunLifecycleError.self) {
      _ = try resumed.budget(
        saved: 10, requested: nil, done: 10, flag: "--steps", unit: "steps", finished: false)
    }
    let record = try #require(resumed.folder.readStatusRecord())
    #expect(record.status == "finished" && record.step == 10)
  }
}
