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

    // Lexicon + word LM beam search, LM weight and word score tuned on dev.
    let digits = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    let lexicon = scratch.appendingPathComponent("lexicon.txt")
    try Data(digits.map { "\($0)\t\($0.map { String($0) }.joined(separator: " ")) |\n" }.joined().utf8)
      .write(to: lexicon)
    let text = scratch.appendingPathComponent("text.txt")
    try Data("one two three\nfour five six seven\neight nine zero\n".utf8).write(to: text)
    let arpa = scratch.appendingPathComponent("lm.arpa").path
    #expect(try run(["lm", "build", text.path, "--order", "2", "--out", arpa]).0 == 0)
    let lex = try run([
      "ctc", "eval", out, "--data", data, "--decoder", "lexicon", "--lexicon", lexicon.path, "--lm", arpa,
      "--tune", "--beam-size", "8", "--json",
    ])
    #expect(lex.0 == 0, "\(lex.2)")
    let lexReport = try #require(
      try JSONSerialization.jsonObject(with: Data(lex.1.utf8)) as? [String: Any], "\(lex.1)")
    #expect((lexReport["decoder"] as? String)?.hasPrefix("lexicon(beam 8, lm n-gram") == true, "\(lex.1)")
    #expect((lexReport["tuning"] as? [Any])?.count == 35)
    #expect(lexReport["utterances"] as? Int == 2)
    let free = try run(["ctc", "eval", out, "--data", data, "--decoder", "lexicon-free", "--beam-size", "4"])
    #expect(free.0 == 0, "\(free.2)")
    #expect(free.1.contains("lexicon-free(beam 4, lm none"), "\(free.1)")
    let noLexicon = try run(["ctc", "eval", out, "--data", data, "--decoder", "lexicon"])
    #expect(noLexicon.0 == 2 && noLexicon.2.contains("--lexicon"), "\(noLexicon.2)")

    // Fine-tuning starts from the run's weights.
    let tuned = try run([
      "ctc", "train", "--data", data, "--out", scratch.appendingPathComponent("tuned").path, "--epochs", "1",
      "--hidden", "16", "--frontend", "16", "--batch-size", "4", "--init-from", out,
    ])
    #expect(tuned.0 == 0, "\(tuned.2)")
    #expect(tuned.2.contains("initial weights from \(out)"), "\(tuned.2)")
    let wrongShape = try run([
      "ctc", "train", "--data", data, "--out", scratch.appendingPathComponent("wrong").path, "--epochs", "1",
      "--init-from", out,
    ])
    #expect(wrongShape.0 == 2 && wrongShape.2.contains("--init-from"), "\(wrongShape.2)")
  }

  @Test func asteriskCorpusFromTheFixture() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let out = scratch.appendingPathComponent("asterisk").path
    let ok = try run([
      "ctc", "corpus", "asterisk", "--out", out, "--sounds", Fixtures.url("asterisk/sounds").path,
      "--transcripts", Fixtures.url("asterisk/core-sounds-en.txt").path,
    ])
    #expect(ok.0 == 0, "\(ok.2)")
    #expect(ok.1.contains("dev: 1 prompts") && ok.1.contains("test: 2 prompts"), "\(ok.1)")
    let missing = try run([
      "ctc", "corpus", "asterisk", "--out", out, "--sounds", scratch.appendingPathComponent("none").path,
    ])
    #expect(missing.0 == 2, "\(missing.2)")
    #expect(
      missing.2.contains("apt-get install -y asterisk-core-sounds-en-wav asterisk-core-sounds-en"),
      "\(missing.2)")
  }
}
