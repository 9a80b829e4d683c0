import BLEU
import Foundation
import NeuralNets
import TestSupport
import Testing

/// End-to-end runs of `losslab mrt` on a tiny corpus and model (a few seconds in release).
@Suite(.serialized) struct ToyTranslationCLITests {
  /// Runs `losslab arguments` in `folder`; expects `expectStatus`; returns stdout + stderr.
  @discardableResult
  static func run(_ arguments: [String], in folder: URL, expectStatus: Int32 = 0) throws -> String {
    let result = try LossLabProcess.result(arguments, in: folder)
    let output = result.stdout + result.stderr
    #expect(result.status == expectStatus, "losslab \(arguments): \(output)")
    return output
  }

  static func temporaryFolder() throws -> URL { try makeScratchFolder("mrt") }

  @Test func dataTrainFineTuneEvaluate() throws {
    let folder = try Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Self.run(
      ["mrt", "data", "--out", "data", "--seed", "2", "--train", "400", "--dev", "30", "--test", "30"],
      in: folder)
    let tiny = ["--embedding", "8", "--hidden", "16", "--quiet"]
    try Self.run(
      ["mrt", "train", "--data", "data", "--out", "mle", "--max-steps", "20", "--eval-every", "10"]
        + tiny, in: folder)
    let trained = try Self.run(
      [
        "mrt", "train", "--data", "data", "--init", "mle", "--objective", "risk", "--out", "mrt",
        "--max-steps", "4", "--eval-every", "2", "--samples", "4", "--sources-per-step", "3",
        "--mle-weight", "0.5", "--deduplicate", "--include-reference", "--quiet",
      ], in: folder)
    #expect(trained.contains("mrt: best dev BLEU"))
    for file in ["config.json", "vocab.json", "best.safetensors", "summary.json", "metrics.csv"] {
      #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("mrt/\(file)").path))
    }
    let metrics = try String(contentsOf: folder.appendingPathComponent("mrt/metrics.csv"), encoding: .utf8)
    #expect(metrics.hasPrefix("time/total_timesteps,train/nll,train/risk,"))
    #expect(metrics.split(separator: "\n").count == 1 + 1 + 4 + 2)  // header, eval 0, 4 steps, 2 evals
    let status = try String(contentsOf: folder.appendingPathComponent("mrt/status.json"), encoding: .utf8)
    #expect(status.contains("finished"))

    let report = try Self.run(
      ["mrt", "eval", "mrt", "--split", "test", "--beam", "3", "--examples", "2"], in: folder)
    #expect(report.contains("mrt test (beam 3): BLEU = "))
    #expect(report.contains("signature: nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:"))
    #expect(report.components(separatedBy: "\nhyp: ").count == 3)
    #expect(
      FileManager.default.fileExists(atPath: folder.appendingPathComponent("mrt/test.beam3.hyp").path))

    let comparison = try Self.run(
      ["mrt", "compare", "--mle", "mle", "--mle", "mle", "--mrt", "mrt", "--mrt", "mrt"], in: folder)
    #expect(comparison.contains("| seed | MLE | MRT | MRT - MLE |"))
    #expect(comparison.contains("paired t-test"))
  }

  /// `losslab bench mrt` prints the training and decoding throughput as JSON.
  @Test func benchMRTReportsThroughput() throws {
    let folder = try Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = try Self.run(
      ["bench", "mrt", "--steps", "1", "--samples", "2", "--sentences", "4"], in: folder)
    for key in [
      "mleSentencesPerSecond", "riskSentencesPerSecond", "riskCandidatesPerSecond", "riskCostOverMLE",
      "greedySentencesPerSecond", "beam5SentencesPerSecond", "mbrSentencesPerSecond",
      "mbrCandidatesPerSecond",
    ] {
      #expect(out.contains("\"\(key)\""), "\(key) missing in \(out)")
    }
  }

  /// Same seed, same metrics (bit for bit); running a finished run's command again is refused,
  /// and resuming it says it is finished; neither retrains.
  @Test func trainingIsDeterministic() throws {
    let folder = try Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Self.run(
      ["mrt", "data", "--out", "data", "--train", "200", "--dev", "20", "--test", "20"], in: folder)
    let args = [
      "mrt", "train", "--data", "data", "--max-steps", "12", "--eval-every", "6",
      "--embedding", "8", "--hidden", "16", "--quiet",
    ]
    try Self.run(args + ["--out", "a"], in: folder)
    try Self.run(args + ["--out", "b"], in: folder)
    let a = try String(contentsOf: folder.appendingPathComponent("a/metrics.csv"), encoding: .utf8)
    let b = try String(contentsOf: folder.appendingPathComponent("b/metrics.csv"), encoding: .utf8)
    #expect(a == b && a.split(separator: "\n").count == 1 + 1 + 12 + 2)
    _ = try Self.run(args + ["--out", "a"], in: folder, expectStatus: 2)
    let again = try Self.run(["mrt", "train", "--resume", "a"], in: folder)
    #expect(again.contains("already finished at 12 steps"))
    let after = try String(contentsOf: folder.appendingPathComponent("a/metrics.csv"), encoding: .utf8)
    #expect(after == a)
  }

  @Test func badValuesNameTheFlag() throws {
    let folder = try Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let risk = try Self.run(
      ["mrt", "train", "--data", "x", "--out", "y", "--objective", "risk"], in: folder,
      expectStatus: 2)
    #expect(risk.contains("--objective risk needs --init"))
    let objective = try Self.run(
      ["mrt", "train", "--data", "x", "--out", "y", "--objective", "bleu"], in: folder,
      expectStatus: 2)
    #expect(objective.contains("--objective"))
    let split = try Self.run(["mrt", "eval", "r", "--split", "valid"], in: folder, expectStatus: 2)
    #expect(split.contains("--split 'valid': allowed train, dev, test"))
    let rate = try Self.run(
      ["mrt", "data", "--out", "d", "--clause-rate", "1.5"], in: folder, expectStatus: 2)
    #expect(rate.contains("--clause-rate 1.5: allowed 0...1"))
    let clauses = try Self.run(
      ["mrt", "data", "--out", "d", "--max-clauses", "0"], in: folder, expectStatus: 2)
    #expect(clauses.contains("--max-clauses 0: allowed 1...100"))
    let phrases = try Self.run(
      ["mrt", "data", "--out", "d", "--max-length", "16", "--ambiguous-phrases", "3"], in: folder,
      expectStatus: 2)
    #expect(phrases.contains("--ambiguous-phrases 3: allowed 0...2"))
    let idiom = try Self.run(
      ["mrt", "data", "--out", "d", "--idiom-rate", "1.2"], in: folder, expectStatus: 2)
    #expect(idiom.contains("--idiom-rate 1.2: allowed 0...1"))
    let k = try Self.run(["mrt", "data", "--out", "d", "--alternatives", "0"], in: folder, expectStatus: 2)
    #expect(k.contains("--alternatives 0: allowed 1...1000"))
    let margin = try Self.run(
      ["mrt", "train", "--data", "x", "--out", "y", "--objective", "max-margin"], in: folder, expectStatus: 2)
    #expect(margin.contains("--objective max-margin needs --init"))
    let method = try Self.run(
      ["mrt", "compare", "--mle", "a", "--mle", "b", "--method", "X:mbr0=c,d"], in: folder, expectStatus: 2)
    #expect(method.contains("--method 'X:mbr0=c,d': decoding 'mbr0' not allowed"))
  }

  /// The mode-vs-consensus task end to end: `mrt data` reports the ceilings, every sequence
  /// objective fine-tunes on sampled or beam candidates, `mrt eval --decode mbr` and `mrt compare
  /// --method` work.
  @Test func modeVersusConsensusObjectivesAndMBR() throws {
    let folder = try Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let data = try Self.run(
      [
        "mrt", "data", "--out", "data", "--train", "300", "--dev", "20", "--test", "20",
        "--ambiguous-phrases", "1", "--idiom-rate", "0.3", "--alternatives", "10", "--ceiling-draws", "5",
      ], in: folder)
    #expect(data.contains("test: noise-free ceiling") && data.contains("mode score"))
    #expect(data.contains("Bayes ceiling") && data.contains("phrases=consensus"))
    let ceilings = try String(
      contentsOf: folder.appendingPathComponent("data/ceilings.json"), encoding: .utf8)
    #expect(ceilings.contains("\"bayes\"") && ceilings.contains("\"standardError\""))
    let source = try String(contentsOf: folder.appendingPathComponent("data/train.src"), encoding: .utf8)
    #expect(source.split(separator: "\n").allSatisfy { $0.split(separator: " ").contains("zu") })
    let tiny = ["--embedding", "8", "--hidden", "16", "--quiet"]
    try Self.run(
      ["mrt", "train", "--data", "data", "--out", "mle", "--max-steps", "10", "--eval-every", "5"] + tiny,
      in: folder)
    for (objective, extra) in [
      ("seq-nll", ["--candidates", "beam"]), ("max-margin", []), ("multi-margin", ["--deduplicate"]),
      ("softmax-margin", ["--include-reference"]), ("risk", ["--normalise-costs", "--mle-weight", "0.3"]),
    ] {
      let out = try Self.run(
        [
          "mrt", "train", "--data", "data", "--init", "mle", "--objective", objective, "--out", objective,
          "--max-steps", "2", "--eval-every", "2", "--samples", "3", "--sources-per-step", "2", "--quiet",
        ] + extra, in: folder)
      #expect(out.contains("\(objective): best dev BLEU"))
    }
    let mbr = try Self.run(
      ["mrt", "eval", "mle", "--split", "test", "--decode", "mbr", "--mbr-samples", "4", "--examples", "0"],
      in: folder)
    #expect(mbr.contains("mle test (MBR over 4 samples, seed 1): BLEU = "))
    #expect(
      FileManager.default.fileExists(atPath: folder.appendingPathComponent("mle/test.mbr4-s1.hyp").path))
    let beamMBR = try Self.run(
      [
        "mrt", "eval", "mle", "--decode", "mbr", "--mbr-candidates", "beam", "--mbr-samples", "3",
        "--examples", "0",
      ],
      in: folder)
    #expect(beamMBR.contains("(MBR over a 3-best beam)"))
    let comparison = try Self.run(
      [
        "mrt", "compare", "--mle", "mle", "--mle", "mle", "--mrt", "risk", "--mrt", "risk",
        "--method", "seq-nll=seq-nll,seq-nll", "--method", "MBR:mbr4=mle,mle",
      ], in: folder)
    #expect(
      comparison.contains("| seed | MLE | MRT | MRT - MLE | seq-nll | seq-nll - MLE | MBR | MBR - MLE |"))
    #expect(comparison.contains("| 95% CI |") && comparison.contains("Holm-adjusted over 3 comparisons"))
  }

  /// The grammar options reach the corpus: one clause and no noise give simple sentences whose
  /// references equal their noise-free versions.
  @Test func dataOptionsShapeTheCorpus() throws {
    let folder = try Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Self.run(
      [
        "mrt", "data", "--out", "d", "--train", "300", "--dev", "10", "--test", "10",
        "--max-clauses", "1", "--max-length", "16", "--indefinite-rate", "0", "--drop-rate", "0",
      ], in: folder)
    let target = try String(contentsOf: folder.appendingPathComponent("d/train.tgt"), encoding: .utf8)
    let noiseFree = try String(
      contentsOf: folder.appendingPathComponent("d/train.noise-free.tgt"), encoding: .utf8)
    #expect(target == noiseFree)
    let lines = target.split(separator: "\n")
    #expect(lines.count == 300)
    #expect(lines.allSatisfy { $0.split(separator: " ").count <= 16 && !$0.contains("because") })
  }
}
