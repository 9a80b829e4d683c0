import Foundation
import NeuralNets
import Runs
import Speech
import Tensors
import TestSupport
import Testing
import Training

@testable import Training

/// End-to-end CTC training on a tiny synthetic corpus (20 utterances): run folder contents,
/// metrics, exact resume, NaN guard, evaluation report.
@Suite(.serialized) struct CTCTrainingTests {
  /// A 20-utterance built-in corpus (16 train, 2 dev, 2 test), written once per test.
  func corpus(_ folder: URL) throws -> URL {
    var config = SpeechCorpusConfig()
    config.utterances = 20
    config.seed = 4
    config.maxWords = 3
    let out = folder.appendingPathComponent("speech")
    _ = try SpeechCorpusWriter.write(
      config, engine: BuiltinSpeechEngine(speakerCount: 9, heldOut: 2), to: out)
    return out
  }

  func tinyConfig(_ data: URL, epochs: Int) -> CTCTrainingConfig {
    var config = CTCTrainingConfig(data: data.path)
    config.epochs = epochs
    config.batchSize = 4
    config.model.hidden = 16
    config.model.frontendWidth = 16
    config.lossThreads = 2
    return config
  }

  @Test func trainsOneEpochIntoARunFolderAndEvaluates() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let data = try corpus(scratch)
    let run = RunFolder(url: scratch.appendingPathComponent("run"))
    var rows: [[String: Double]] = []
    var observer = CTCTrainingObserver()
    observer.epochFinished = { rows.append($0) }
    let summary = try CTCTraining.run(tinyConfig(data, epochs: 1), folder: run, observer: observer)
    #expect(!summary.interrupted)
    #expect(summary.state.epoch == 1 && summary.state.updates == 4 && summary.state.samples == 16)
    #expect(run.readStatus() == .finished)
    for url in [run.configURL, run.metricsCSVURL, run.metricsJSONLURL, run.curveURL] {
      #expect(FileManager.default.fileExists(atPath: url.path), "\(url.lastPathComponent)")
    }
    #expect(run.latestCheckpoint()?.step == 16)
    let table = try MetricsTable.read(run.metricsCSVURL)
    #expect(table.keys == CTCMetric.all)
    #expect(table.rows.count == 1)
    let loss = try #require(table.column(CTCMetric.trainLoss)?.first ?? nil)
    #expect(loss.isFinite && loss > 0)
    #expect(rows.count == 1 && rows[0][CTCMetric.devCER] != nil)
    #expect(try readText(run.curveURL).contains("<svg"))

    // A second run into the same folder without resume is refused.
    #expect(throws: RunLifecycleError.self) { try CTCTraining.run(tinyConfig(data, epochs: 1), folder: run) }

    let report = try CTCTraining.evaluate(run: run, data: data.path, split: "test", decoding: .beam(width: 4))
    #expect(report.utterances == 2)
    #expect(report.decoder == "beam:4")
    #expect(report.referenceCharacters > 0 && report.characterEdits >= 0)
    #expect(report.realTimeFactor > 0 && report.realTimeFactor < 1)
    #expect(report.examples.count == 2)
  }

  @Test func resumeAfterInterruptionMatchesAnUninterruptedRun() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let data = try corpus(scratch)
    let config = tinyConfig(data, epochs: 2)

    let straight = RunFolder(url: scratch.appendingPathComponent("straight"))
    _ = try CTCTraining.run(config, folder: straight)

    // Stop after the 6th update (mid-epoch 2), then resume.
    let split = RunFolder(url: scratch.appendingPathComponent("split"))
    var updates = 0
    var stopper = CTCTrainingObserver()
    stopper.updated = { done, _ in updates = done }
    stopper.shouldStop = { updates == 6 }
    let first = try CTCTraining.run(config, folder: split, observer: stopper)
    #expect(first.interrupted)
    #expect(first.state.epoch == 1 && first.state.batch == 2)
    #expect(split.readStatus() == .interrupted)
    let second = try CTCTraining.run(config, folder: split, resume: true)
    #expect(!second.interrupted && second.state.updates == 8)
    #expect(split.readStatus() == .finished)

    // Same draws, same single-threaded BLAS: the weights and Adam state are bit-identical.
    let a = try SafeTensors.load(from: try #require(straight.latestCheckpoint()).weightsURL)
    let b = try SafeTensors.load(from: try #require(split.latestCheckpoint()).weightsURL)
    #expect(a.names == b.names)
    for name in a.names { #expect(a[name] == b[name], "\(name)") }
    let ra = try MetricsTable.read(straight.metricsCSVURL)
    let rb = try MetricsTable.read(split.metricsCSVURL)
    #expect(ra.rows.count == 2 && rb.rows.count == 2)
    #expect(ra.column(CTCMetric.devCER)! == rb.column(CTCMetric.devCER)!)
    #expect(ra.column(CTCMetric.trainLoss)! == rb.column(CTCMetric.trainLoss)!)
  }

  /// Stopped right after the last update of epoch 1 (before its dev evaluation and row), then
  /// resumed: the metrics (wall-clock aside, the learning rate included) and the final
  /// checkpoint bytes equal the uninterrupted run's.
  @Test func resumeAtAnEpochEndMatchesExactly() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let data = try corpus(scratch)
    let config = tinyConfig(data, epochs: 2)
    let straight = RunFolder(url: scratch.appendingPathComponent("straight"))
    _ = try CTCTraining.run(config, folder: straight)
    let split = RunFolder(url: scratch.appendingPathComponent("split"))
    let session = try TrainingSession(RunRequest(folder: split, start: .new))
    session.stopAtStep = 16  // samples: the 4th update, the end of epoch 1
    let first = try CTCTraining.run(config, session: session)
    #expect(first.interrupted && first.state.epoch == 0 && first.state.batch == 4)
    #expect(split.readStatusRecord()?.step == 16)
    _ = try CTCTraining.run(config, session: try TrainingSession(RunRequest(folder: split, start: .resume)))
    func rows(_ run: RunFolder) throws -> [[Double?]] {
      let table = try MetricsTable.read(run.metricsCSVURL)
      let wall = try #require(table.keys.firstIndex(of: CTCMetric.timeElapsed))
      return table.rows.map { row in row.enumerated().filter { $0.offset != wall }.map(\.element) }
    }
    #expect(try rows(straight) == (try rows(split)))
    let a = try #require(straight.latestCheckpoint())
    let b = try #require(split.latestCheckpoint())
    #expect(a.step == b.step)
    #expect(try Data(contentsOf: a.weightsURL) == (try Data(contentsOf: b.weightsURL)))
  }

  @Test func nonFiniteWeightsFailTheRun() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let data = try corpus(scratch)
    let run = RunFolder(url: scratch.appendingPathComponent("run"))
    _ = try CTCTraining.run(tinyConfig(data, epochs: 1), folder: run)
    // Poison the checkpoint: the first resumed update must stop on the NaN loss.
    let checkpoint = try #require(run.latestCheckpoint())
    var file = try SafeTensors.load(from: checkpoint.weightsURL)
    let i = try #require(file.tensors.firstIndex { $0.name == "model.output.bias" })
    file.tensors[i].tensor.data[0] = .nan
    try SafeTensors.save(file.tensors, metadata: file.metadata, to: checkpoint.weightsURL)
    #expect(throws: NonFiniteMetricError.self) {
      try CTCTraining.run(tinyConfig(data, epochs: 2), folder: run, resume: true)
    }
    guard case .failed(let reason) = run.readStatus() else {
      Issue.record("status is \(String(describing: run.readStatus())), not failed")
      return
    }
    #expect(reason.contains(CTCMetric.trainLoss))
  }
}
