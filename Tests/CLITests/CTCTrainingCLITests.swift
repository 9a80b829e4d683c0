import Foundation
import TestSupport
import Testing

/// `losslab ctc synth | train | eval` run as a user runs them: the real executable, built next to
/// the test bundle by `swift build --build-tests` / `swift test`.
@Suite struct CTCTrainingCLITests {
  func run(_ arguments: [String]) throws -> (Int32, String, String) {
    try LossLabProcess.run(arguments)
  }

  @Test func synthTrainEvalOnATinyCorpus() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let data = scratch.appendingPathComponent("speech").path
    let out = scratch.appendingPathComponent("run").path

    let synth = try run([
      "ctc", "synth", "--out", data, "--utterances", "20", "--seed", "1", "--max-words", "3", "--speakers",
      "9",
      "--held-out-speakers", "2",
    ])
    #expect(synth.0 == 0, "\(synth.2)")

    let train = try run([
      "ctc", "train", "--data", data, "--out", out, "--epochs", "1", "--hidden", "16", "--frontend", "16",
      "--batch-size", "4",
    ])
    #expect(train.0 == 0, "\(train.2)")
    #expect(train.1.hasPrefix("trained 1 epochs"), "\(train.1)")
    #expect(train.2.contains("epoch 1: train/ctc_loss"), "\(train.2)")
    let csv = try readText(URL(fileURLWithPath: out).appendingPathComponent("metrics.csv"))
    #expect(csv.hasPrefix("time/total_timesteps,time/epochs,time/time_elapsed,train/ctc_loss,"))
    #expect(csv.split(separator: "\n").count == 2)

    // Resuming a finished run with a larger --epochs trains the extra epoch only.
    let more = try run(["ctc", "train", "--resume", out, "--epochs", "2"])
    #expect(more.0 == 0, "\(more.2)")
    #expect(more.1.hasPrefix("trained 2 epochs"), "\(more.1)")

    let eval = try run([
      "ctc", "eval", out, "--data", data, "--split", "test", "--decoder", "beam:4", "--json",
    ])
    #expect(eval.0 == 0, "\(eval.2)")
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(eval.1.utf8)) as? [String: Any], "\(eval.1)")
    #expect(report["decoder"] as? String == "beam:4")
    #expect(report["utterances"] as? Int == 2)
    #expect((report["cer"] as? Double).map { $0 >= 0 } == true)
    #expect((report["realTimeFactor"] as? Double).map { $0 > 0 } == true)

    let bad = try run(["ctc", "eval", out, "--data", data, "--decoder", "beam"])
    #expect(bad.0 != 0)
    #expect(bad.2.contains("--decoder"))
  }
}
