import CTC
import Core
import Foundation
import TestSupport
import Testing

/// `Tests/Fixtures/error_rates/jiwer.json`, recorded by `scripts/jiwer_fixtures.py` (jiwer 4):
/// alignment counts and rates per pair and for the corpus, compared exactly.
@Suite struct ErrorRateJiwerTests {
  func load() throws -> JSONValue {
    try JSONValue.parse(String(decoding: try Fixtures.data("error_rates/jiwer.json"), as: UTF8.self))
  }

  func counts(_ v: JSONValue?) -> AlignmentCounts {
    func n(_ k: String) -> Int { Int(v?[k]?.number ?? -1) }
    return AlignmentCounts(
      hits: n("hits"), substitutions: n("substitutions"), deletions: n("deletions"),
      insertions: n("insertions"))
  }

  func string(_ v: JSONValue?) -> String {
    if case .string(let s)? = v { return s }
    return ""
  }

  @Test func perPairCountsAndRatesMatchJiwer() throws {
    let json = try load()
    let pairs = json["pairs"]?.array ?? []
    #expect(pairs.count >= 100)
    var score = AlignmentScore()
    for p in pairs {
      let (ref, hyp) = (string(p["reference"]), string(p["hypothesis"]))
      let w = Alignment.words(hypothesis: hyp, reference: ref)
      #expect(w == counts(p["words"]), "words: '\(ref)' / '\(hyp)'")
      #expect(w.rate == p["wer"]?.number, "wer: '\(ref)' / '\(hyp)'")
      if p["characters"] != nil {
        let c = Alignment.characters(hypothesis: hyp, reference: ref)
        #expect(c == counts(p["characters"]), "characters: '\(ref)' / '\(hyp)'")
        #expect(c.rate == p["cer"]?.number, "cer: '\(ref)' / '\(hyp)'")
      }
      score.add(hypothesis: hyp, reference: ref)
    }
    let corpus = json["corpus"]
    #expect(score.words == counts(corpus?["words"]))
    #expect(score.characters == counts(corpus?["characters"]))
    #expect(score.wer == corpus?["wer"]?.number)
    #expect(score.cer == corpus?["cer"]?.number)
    #expect(score.utterances.count == pairs.count)
  }

  @Test func countsAreConsistentWithLevenshtein() {
    var rng = RandomGenerator(seed: 5)
    for _ in 0..<300 {
      let a = (0..<rng.int(below: 9)).map { _ in rng.int(below: 3) }
      let b = (0..<rng.int(below: 9)).map { _ in rng.int(below: 3) }
      let c = Alignment.counts(reference: a, hypothesis: b)
      #expect(c.edits == EditDistance.levenshtein(b, a))
      #expect(c.referenceLength == a.count)
      #expect(c.hypothesisLength == b.count)
    }
  }
}
