import BLEU
import Foundation
import TestSupport
import Testing

@testable import Training

/// End-to-end runs of the built `losslab bleu` executable (it sits next to the test bundle).
@Suite struct BLEUCommandTests {
  typealias Run = LossLabProcess.Result

  func run(_ arguments: [String], stdin: Data? = nil) throws -> Run {
    try LossLabProcess.result(arguments, stdin: stdin)
  }

  func fixture(_ name: String) -> String { BLEUFixtures.folder.appendingPathComponent(name).path }

  func expectedResult(corpus: String, tokenize: String, lowercase: Bool, smooth: String) throws -> [String:
    Any]
  {
    let corpora = try BLEUFixtures.json("expected.json")["corpora"] as! [[String: Any]]
    let c = try #require(corpora.first { $0["name"] as? String == corpus })
    return try #require(
      (c["results"] as! [[String: Any]]).first {
        $0["tokenize"] as? String == tokenize && $0["lowercase"] as? Bool == lowercase
          && $0["smooth_method"] as? String == smooth && $0["smooth_value"] is NSNull
          && $0["effective_order"] as? Bool == false
      })
  }

  @Test func jsonMatchesSacrebleuForTwoReferences() throws {
    let r = try run([
      "bleu", fixture("corpus_b.ref1.txt"), fixture("corpus_b.ref2.txt"), "-i", fixture("corpus_b.hyp.txt"),
      "-tok", "intl", "-lc", "-s", "floor", "--json",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let expected = try expectedResult(corpus: "corpus_b", tokenize: "intl", lowercase: true, smooth: "floor")
    #expect(BLEUFixtures.close(json["score"] as! Double, expected["score"] as! Double))
    #expect(BLEUFixtures.close(json["bp"] as! Double, expected["bp"] as! Double))
    for (a, e) in zip(json["precisions"] as! [Double], expected["precisions"] as! [Double]) {
      #expect(BLEUFixtures.close(a, e))
    }
    #expect(json["sys_len"] as? Int == expected["sys_len"] as? Int)
    #expect(json["ref_len"] as? Int == expected["ref_len"] as? Int)
    #expect(json["signature"] as? String == BLEUFixtures.localSignature(expected["signature"] as! String))
    let formatted = expected["formatted"] as! String
    #expect(json["verbose_score"] as? String == String(formatted.dropFirst("BLEU = 00.00 ".count)))
    #expect(json["name"] as? String == "BLEU")
    #expect(
      json["nrefs"] as? String == "2" && json["case"] as? String == "lc" && json["eff"] as? String == "no")
    #expect(json["tok"] as? String == "intl" && json["smooth"] as? String == "floor[0.10]")
    // sacrebleu's key order, then LossLab's additions.
    let keys = [
      "name", "score", "signature", "verbose_score", "nrefs", "case", "eff", "tok", "smooth", "version",
      "precisions", "bp", "sys_len", "ref_len",
    ]
    let positions = keys.map { r.stdout.range(of: "\"\($0)\":")!.lowerBound }
    #expect(positions == positions.sorted())
  }

  @Test func textOutputFromStandardInput() throws {
    let hyp = try Data(contentsOf: URL(fileURLWithPath: fixture("corpus_a.hyp.txt")))
    let r = try run(["bleu", fixture("corpus_a.ref1.txt")], stdin: hyp)
    #expect(r.status == 0, "\(r.stderr)")
    let expected = try expectedResult(corpus: "corpus_a", tokenize: "13a", lowercase: false, smooth: "exp")
    #expect(r.stdout == (expected["formatted"] as! String) + "\n")
    let scoreOnly = try run(["bleu", fixture("corpus_a.ref1.txt"), "-i", fixture("corpus_a.hyp.txt"), "-b"])
    #expect(scoreOnly.stdout == "71.79\n")
  }

  @Test func sentenceLevelPrintsOneObjectPerLine() throws {
    let r = try run([
      "bleu", fixture("corpus_a.ref1.txt"), "-i", fixture("corpus_a.hyp.txt"), "--sentence-level", "--json",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    #expect(lines.count == 500)
    // Line 2 of corpus_a is one of the recorded sentences (sacrebleu.sentence_bleu defaults).
    let sentences = try BLEUFixtures.json("expected.json")["sentences"] as! [[String: Any]]
    for s in sentences where s["corpus"] as? String == "corpus_a" {
      let line = s["line"] as! Int
      let json = try #require(
        try JSONSerialization.jsonObject(with: Data(lines[line - 1].utf8)) as? [String: Any])
      let expected = s["sentence_bleu_default"] as! [String: Any]
      #expect(BLEUFixtures.close(json["score"] as! Double, expected["score"] as! Double), "line \(line)")
      #expect(json["eff"] as? String == "yes")
    }
  }

  @Test func errorsAreClear() throws {
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("losslab-bleu-cli-\(getpid())")
    try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: tmp) }
    let short = tmp.appendingPathComponent("short.txt")
    try Data("one line\n".utf8).write(to: short)
    let mismatch = try run(["bleu", short.path, "-i", fixture("corpus_a.hyp.txt")])
    #expect(mismatch.status != 0)
    #expect(
      mismatch.stderr.contains("different lengths") && mismatch.stderr.contains("short.txt has 1 lines"))

    let bad = tmp.appendingPathComponent("bad.txt")
    try Data([0x61, 0x0A, 0x62, 0xC3, 0x28, 0x0A]).write(to: bad)
    let invalid = try run(["bleu", bad.path, "-i", bad.path])
    #expect(invalid.status != 0)
    #expect(invalid.stderr.contains("line 2 is not valid UTF-8"))

    let tokenizer = try run(["bleu", short.path, "-i", short.path, "-tok", "zh"])
    #expect(tokenizer.status != 0)
    #expect(tokenizer.stderr.contains("-tok") && tokenizer.stderr.contains("'13a', 'intl', 'char' or 'none'"))

    let smoothing = try run(["bleu", short.path, "-i", short.path, "-s", "laplace"])
    #expect(smoothing.status != 0 && smoothing.stderr.contains("'exp', 'floor', 'add-k' or 'none'"))

    let unknown = try run(["bleu", short.path, "-i", short.path, "--bogus"])
    #expect(unknown.status != 0 && unknown.stderr.contains("Unknown option '--bogus'"))

    let missing = try run(["bleu", tmp.appendingPathComponent("absent.txt").path, "-i", short.path])
    #expect(missing.status != 0 && missing.stderr.contains("cannot read"))
  }
}
