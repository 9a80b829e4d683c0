import Foundation
import NeuralNets
import Runs
import TestSupport
import Testing
import Training

@testable import Runs
@testable import Training

/// The rules of ``TrainingSession`` (docs/runs.md) and exact resume of MRT training.
@Suite struct RunLifecycleTests {
  func expectUsage(_ text: String, _ body: () throws -> Void) {
    do {
      try body()
      Issue.record("no error; expected one mentioning '\(text)'")
    } catch let error as RunLifecycleError {
      #expect(error.exitCode == 2, "\(error)")
      #expect(error.description.contains(text), "\(error)")
    } catch { Issue.record("unexpected \(error)") }
  }

  @Test func outResumeAndOverwriteRules() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let path = scratch.appendingPathComponent("run").path
    expectUsage("--out") { _ = try RunRequest.parse(out: "", resume: nil, overwrite: false) }
    expectUsage("--out") { _ = try RunRequest.parse(out: nil, resume: nil, overwrite: false) }
    expectUsage("exclude") { _ = try RunRequest.parse(out: path, resume: path, overwrite: false) }
    expectUsage("--overwrite") { _ = try RunRequest.parse(out: nil, resume: path, overwrite: true) }
    expectUsage("--keep-checkpoints") {
      _ = try RunRequest.parse(out: path, resume: nil, overwrite: false, keepCheckpoints: 0)
    }

    // A new run; its folder is then a run, refused by --out and replaced by --overwrite.
    let request = try RunRequest.parse(out: path, resume: nil, overwrite: false, keepCheckpoints: 2)
    let session = try TrainingSession(request)
    let logger = try session.begin(config: ["a": 1], metricKeys: [MetricsLogger.stepKey])
    try logger.close()
    for step in [1, 2, 3] {
      try session.saveCheckpoint(step: step, sidecar: ["s": step]) { try Data().write(to: $0) }
    }
    #expect(session.folder.checkpoints().map(\.step) == [2, 3])  // --keep-checkpoints 2
    _ = try session.run { (.interrupted, ()) }
    let record = try #require(session.folder.readStatusRecord())
    #expect(record.status == "interrupted" && record.step == 3 && record.reason != nil)
    expectUsage("--resume \(path)") { _ = try TrainingSession(request) }
    expectUsage("--overwrite") { _ = try TrainingSession(request) }
    let over = try TrainingSession(try RunRequest.parse(out: path, resume: nil, overwrite: true))
    #expect(!over.folder.exists && !over.isResuming)

    // A folder that is not a run is refused, even with --overwrite; an empty one is fine.
    let other = scratch.appendingPathComponent("other")
    try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
    _ = try TrainingSession(try RunRequest.parse(out: other.path, resume: nil, overwrite: false))
    try Data("x".utf8).write(to: other.appendingPathComponent("notes.txt"))
    expectUsage("not a run") {
      _ = try TrainingSession(try RunRequest.parse(out: other.path, resume: nil, overwrite: true))
    }
    #expect(FileManager.default.fileExists(atPath: other.appendingPathComponent("notes.txt").path))
    expectUsage("not a run folder") {
      _ = try TrainingSession(try RunRequest.parse(out: nil, resume: other.path, overwrite: false))
    }
  }

  @Test func resumeBudgetRules() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let folder = RunFolder(url: scratch.appendingPathComponent("run"))
    let first = try TrainingSession(RunRequest(folder: folder, start: .new))
    try first.begin(config: ["a": 1], metricKeys: []).close()
    try first.saveCheckpoint(step: 100, sidecar: ["s": 1]) { try Data().write(to: $0) }
    _ = try first.run { (.finished, ()) }

    let resumed = try TrainingSession(RunRequest(folder: folder, start: .resume))
    #expect(resumed.resumeCheckpoint?.step == 100)
    do {
      _ = try resumed.budget(
        saved: 96, requested: nil, done: 100, flag: "--steps", unit: "steps", finished: true)
      Issue.record("a finished run resumed")
    } catch let error as RunLifecycleError {
      #expect(
        error
          == .alreadyFinished(
            "\(folder.url.path) already finished at 100 steps; pass --steps M (M > 100) to extend"))
      #expect(error.exitCode == 0)
    }
    expectUsage("--steps 50: below the 100 steps") {
      _ = try resumed.budget(
        saved: 96, requested: 50, done: 100, flag: "--steps", unit: "steps", finished: true)
    }
    #expect(
      try resumed.budget(saved: 96, requested: 200, done: 100, flag: "--steps", unit: "steps", finished: true)
        == 200)
  }

  @Test func metricsLoggerDropsATornLineAndTheAbandonedFuture() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let keys = [MetricsLogger.stepKey, "train/loss"]
    let logger = try MetricsLogger(folder: scratch, keys: keys)
    for step in 1...4 { try logger.log([MetricsLogger.stepKey: Double(step), "train/loss": 0.5]) }
    try logger.close()
    let csv = scratch.appendingPathComponent(MetricsLogger.csvName)
    let handle = try FileHandle(forWritingTo: csv)
    try handle.seekToEnd()
    try handle.write(contentsOf: Data("5,0.".utf8))  // a kill mid-write
    try handle.close()
    let resumed = try MetricsLogger(folder: scratch, keys: keys, resumingAfter: 3)
    try resumed.log([MetricsLogger.stepKey: 4, "train/loss": 0.25])
    try resumed.close()
    #expect(try readText(csv) == "time/total_timesteps,train/loss\n1,0.5\n2,0.5\n3,0.5\n4,0.25\n")
    let jsonl = try readText(scratch.appendingPathComponent(MetricsLogger.jsonlName))
    #expect(
      jsonl.split(separator: "\n").count == 4
        && jsonl.hasSuffix("{\"time/total_timesteps\":4,\"train/loss\":0.25}\n"))
  }

  /// MRT MLE on a tiny toy corpus: stopped after step 7 (between evaluations) and resumed, it logs
  /// the same metrics and ends with the same weights, byte for byte, as an uninterrupted run.
  @Test func mrtResumeMatchesAnUninterruptedRun() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let data = scratch.appendingPathComponent("mt")
    try ParallelCorpus.writeToyCorpus(to: data, seed: 1, trainSize: 120, devSize: 12, testSize: 4)
    var config = MRTConfiguration()
    config.data = data.path
    config.embeddingSize = 8
    config.hiddenSize = 16
    config.batchSize = 16
    config.maxSteps = 12
    config.evalEvery = 5
    config.patience = 100
    config.devSentences = 12

    func session(_ name: String, _ start: RunRequest.Start) throws -> TrainingSession {
      try TrainingSession(
        RunRequest(folder: RunFolder(url: scratch.appendingPathComponent(name)), start: start))
    }
    let straight = try session("straight", .new)
    _ = try MRTTraining.train(config, session: straight, progress: false)

    let stopped = try session("split", .new)
    stopped.stopAtStep = 7
    let first = try MRTTraining.train(config, session: stopped, progress: false)
    #expect(first.interrupted && first.steps == 7)
    #expect(stopped.folder.readStatus() == .interrupted)
    let resumed = try session("split", .resume)
    #expect(resumed.resumeCheckpoint?.step == 7)
    var other = config
    other.learningRate = 1  // ignored: a resumed run keeps its saved config
    let second = try MRTTraining.train(other, session: resumed, progress: false)
    #expect(!second.interrupted && second.steps == 12)
    #expect(resumed.folder.readStatusRecord()?.status == "finished")
    #expect(resumed.folder.readStatusRecord()?.step == 12)

    #expect(try readText(straight.folder.metricsCSVURL) == (try readText(resumed.folder.metricsCSVURL)))
    #expect(try readText(straight.folder.metricsJSONLURL) == (try readText(resumed.folder.metricsJSONLURL)))
    let a = try #require(straight.folder.latestCheckpoint())
    let b = try #require(resumed.folder.latestCheckpoint())
    #expect(a.step == 12 && b.step == 12)
    #expect(try Data(contentsOf: a.weightsURL) == (try Data(contentsOf: b.weightsURL)))
    #expect(
      try Data(contentsOf: MRTTraining.bestWeightsURL(straight.folder))
        == (try Data(contentsOf: MRTTraining.bestWeightsURL(resumed.folder))))

    // Finished: resuming says so and names the flag that extends it.
    let again = try session("split", .resume)
    #expect(throws: RunLifecycleError.self) {
      _ = try MRTTraining.train(config, session: again, progress: false)
    }
  }
}
