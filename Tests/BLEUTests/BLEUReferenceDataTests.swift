import BLEU
import Foundation
import TestSupport
import Testing

@testable import BLEU

/// sacrebleu 2.6.0's results on the four reference corpora (35 settings each), 200 sentence pairs
/// (8 settings + `sentence_bleu` defaults) and the examples of sacrebleu's own test suite.
@Suite struct BLEUReferenceDataTests {
  @Test func corporaMatchSacrebleuForEverySetting() throws {
    let expected = try BLEUFixtures.json("expected.json")
    let corpora = try #require(expected["corpora"] as? [[String: Any]])
    #expect(corpora.count == 4)
    var checked = 0
    for corpus in corpora {
      let name = corpus["name"] as! String
      let hyps = try BLEUFixtures.segments(corpus["hyp_file"] as! String)
      let refs = try (corpus["ref_files"] as! [String]).map(BLEUFixtures.segments)
      #expect(hyps.count == corpus["lines"] as! Int)
      let results = corpus["results"] as! [[String: Any]]
      #expect(results.count == 35)
      for result in results {
        let settings = try BLEUFixtures.settings(result)
        let score = try BLEU(settings).corpusScore(hypotheses: hyps, references: refs)
        let label =
          "\(name) \(settings.tokenizer.rawValue) lc=\(settings.lowercase) \(settings.smoothing.signature) eff=\(settings.effectiveOrder)"
        BLEUFixtures.expectMatches(score, result, label)
        #expect(
          settings.signature(referenceCount: refs.count)
            == BLEUFixtures.localSignature(result["signature"] as! String), "\(label): signature")
        checked += 1
      }
    }
    #expect(checked == 140)
  }

  @Test func sentencesMatchSacrebleu() throws {
    let expected = try BLEUFixtures.json("expected.json")
    let sentences = try #require(expected["sentences"] as? [[String: Any]])
    #expect(sentences.count == 200)
    for (j, sentence) in sentences.enumerated() {
      let hyp = sentence["hyp"] as! String
      let refs = sentence["refs"] as! [String]
      for result in sentence["results"] as! [[String: Any]] {
        let settings = try BLEUFixtures.settings(result)
        let score = try BLEU(settings).sentenceScore(hypothesis: hyp, references: refs)
        BLEUFixtures.expectMatches(
          score, result, "sentence \(j) \(settings.smoothing.signature) eff=\(settings.effectiveOrder)")
      }
      // `sacrebleu.sentence_bleu` defaults: exp smoothing with effective order.
      let defaults = BLEU(BLEUSettings(effectiveOrder: true))
      BLEUFixtures.expectMatches(
        try defaults.sentenceScore(hypothesis: hyp, references: refs),
        sentence["sentence_bleu_default"] as! [String: Any], "sentence \(j) default")
    }
  }

  @Test func sentencesMatchThroughIntegerAPI() throws {
    // The same pairs through BLEUReference + sentenceStatistics on interned token ids.
    let expected = try BLEUFixtures.json("expected.json")
    let sentences = try #require(expected["sentences"] as? [[String: Any]])
    var ids = BLEU.TokenIDs()
    for (j, sentence) in sentences.enumerated() {
      let reference = try BLEUReference(tokens: (sentence["refs"] as! [String]).map { ids.ids($0) })
      let stats = reference.sentenceStatistics(hypothesis: ids.ids(sentence["hyp"] as! String))
      for result in sentence["results"] as! [[String: Any]] {
        let settings = try BLEUFixtures.settings(result)
        BLEUFixtures.expectMatches(
          stats.score(smoothing: settings.smoothing, effectiveOrder: settings.effectiveOrder), result,
          "integer sentence \(j)")
      }
    }
  }

  @Test func upstreamCorpusCases() throws {
    let cases = try #require(try BLEUFixtures.json("upstream_cases.json")["corpus"] as? [[String: Any]])
    #expect(cases.count == 20)
    for (k, c) in cases.enumerated() {
      let settings = try BLEUFixtures.settings(c["settings"] as! [String: Any])
      let refs = c["refs"] as! [[String]]
      let score = try BLEU(settings).corpusScore(hypotheses: c["hyps"] as! [String], references: refs)
      BLEUFixtures.expectMatches(score, c, "upstream corpus \(k)")
      let upstream = c["upstream_expected"] as! Double
      let tolerance = c["upstream_tolerance"] as! Double
      #expect(abs(score.score - upstream) <= tolerance, "upstream corpus \(k): \(score.score) vs \(upstream)")
      if let signature = c["signature"] as? String {
        #expect(
          settings.signature(referenceCount: refs.count) == BLEUFixtures.localSignature(signature),
          "upstream corpus \(k) signature")
      }
    }
  }

  @Test func upstreamSentenceCases() throws {
    let cases = try #require(try BLEUFixtures.json("upstream_cases.json")["sentence"] as? [[String: Any]])
    #expect(cases.count == 18)
    for (k, c) in cases.enumerated() {
      let settings = try BLEUFixtures.settings(c["settings"] as! [String: Any])
      let score = try BLEU(settings).sentenceScore(
        hypothesis: c["hyp"] as! String, references: c["refs"] as! [String])
      BLEUFixtures.expectMatches(score, c, "upstream sentence \(k)")
      let upstream = c["upstream_expected"] as! Double
      let tolerance = c["upstream_tolerance"] as! Double
      #expect(
        abs(score.score - upstream) <= tolerance, "upstream sentence \(k): \(score.score) vs \(upstream)")
    }
  }

  @Test func upstreamFromStatistics() throws {
    let cases = try #require(try BLEUFixtures.json("upstream_cases.json")["from_stats"] as? [[String: Any]])
    #expect(cases.count == 7)
    for (k, c) in cases.enumerated() {
      let settings = try BLEUFixtures.settings(c)
      let stats = BLEUStatistics(
        hypothesisLength: c["sys_len"] as! Int, referenceLength: c["ref_len"] as! Int,
        correct: c["counts"] as! [Int], total: c["totals"] as! [Int])
      let score = stats.score(smoothing: settings.smoothing, effectiveOrder: settings.effectiveOrder)
      #expect(BLEUFixtures.close(score.score, c["score"] as! Double), "from_stats \(k): score \(score.score)")
      #expect(BLEUFixtures.close(score.bp, c["bp"] as! Double), "from_stats \(k): bp")
      let ePrecisions = (c["precisions"] as! [Any]).map { ($0 as! NSNumber).doubleValue }
      for (a, e) in zip(score.precisions, ePrecisions) {
        #expect(BLEUFixtures.close(a, e), "from_stats \(k): precisions \(score.precisions)")
      }
      #expect(abs(score.score - (c["upstream_expected"] as! Double)) <= 1e-8, "from_stats \(k) upstream")
    }
  }
}
