import BLEU
import Core
import Foundation
import Tensors
import Testing

@testable import BLEU

/// Closed-form cases for the statistics, the scoring rules and the integer API.
@Suite struct BLEUStatisticsTests {
  @Test func handComputedSentence() throws {
    // hyp "a b c d e" vs ref "a b c d f": matches 4/5, 3/4, 2/3, 1/2; lengths equal (BP = 1).
    let reference = try BLEUReference(tokens: [[1, 2, 3, 4, 6]])
    let stats = reference.sentenceStatistics(hypothesis: [1, 2, 3, 4, 5])
    #expect(stats.correct == [4, 3, 2, 1])
    #expect(stats.total == [5, 4, 3, 2])
    let score = stats.score(smoothing: BLEUSmoothing(.none))
    let expected = 100 * pow(4.0 / 5 * 3.0 / 4 * 2.0 / 3 * 1.0 / 2, 0.25)
    #expect(abs(score.score - expected) < 1e-12)
    #expect(score.bp == 1)
  }

  @Test func clippingAndMultipleReferences() throws {
    // "the the the" against refs with 1 and 2 "the": clipped to the maximum over references, 2.
    let reference = try BLEUReference(tokens: [[7, 8], [7, 7, 9, 10]])
    let stats = reference.sentenceStatistics(hypothesis: [7, 7, 7])
    #expect(stats.correct[0] == 2)
    #expect(stats.correct[1] == 1)  // "the the" occurs once in reference 2
    // Closest length to 3: 2 and 4 are both 1 away, ties go to the shorter.
    #expect(stats.referenceLength == 2)
    #expect(reference.closestLength(to: 4) == 4)
  }

  @Test func smoothingRules() {
    let stats = BLEUStatistics(
      hypothesisLength: 6, referenceLength: 8, correct: [4, 2, 0, 0], total: [6, 5, 4, 3])
    let bp = exp(1 - 8.0 / 6.0)
    // exp: the k-th zero order gets 100 / (2^k * total).
    let e = stats.score(smoothing: BLEUSmoothing(.exp))
    let ePrecisions: [Double] = [100 * 4.0 / 6, 100 * 2.0 / 5, 100 / (2 * 4.0), 100 / (4 * 3.0)]
    #expect(e.precisions == ePrecisions)
    #expect(abs(e.bp - bp) < 1e-15)
    // floor: 100 * value / total.
    let f = stats.score(smoothing: BLEUSmoothing(.floor, value: 0.5))
    #expect(f.precisions[2] == 100 * 0.5 / 4 && f.precisions[3] == 100 * 0.5 / 3)
    // add-k: k added to counts and totals from order 2 on.
    let k = stats.score(smoothing: BLEUSmoothing(.addK))
    #expect(k.counts == [4, 3, 1, 1] && k.totals == [6, 6, 5, 4])
    // none: a zero precision gives log(0) = -9999999999, hence exactly 0.
    #expect(stats.score(smoothing: BLEUSmoothing(.none)).score == 0)
  }

  @Test func noUnigramMatchIsZeroUnderEverySmoothing() {
    // sacrebleu #141: no match at all scores 0 whatever the smoothing, counts not smoothed.
    let stats = BLEUStatistics(
      hypothesisLength: 3, referenceLength: 3, correct: [0, 0, 0, 0], total: [3, 2, 1, 0])
    for method in BLEUSmoothingMethod.allCases {
      let s = stats.score(smoothing: BLEUSmoothing(method), effectiveOrder: true)
      #expect(s.score == 0 && s.precisions == [0, 0, 0, 0] && s.counts == [0, 0, 0, 0])
    }
  }

  @Test func effectiveOrder() throws {
    // Two tokens, both matching: only orders 1 and 2 have n-grams.
    let stats = try BLEUReference(tokens: [[1, 2]]).sentenceStatistics(hypothesis: [1, 2])
    #expect(stats.total == [2, 1, 0, 0])
    #expect(abs(stats.score(effectiveOrder: true).score - 100) < 1e-9)
    #expect(stats.score(effectiveOrder: false).score == 0)
  }

  @Test func corpusIsSumOfSegments() throws {
    let hyps = ["the cat sat on the mat .", "a dog", ""]
    let refs = ["the cat sat on a mat .", "the dog barked", "nothing here"]
    let bleu = BLEU()
    let segments = try bleu.segmentStatistics(
      hypotheses: BLEUSegments(hyps), references: [BLEUSegments(refs)])
    let total = segments.reduce(BLEUStatistics.zero(), +)
    #expect(
      try bleu.corpusStatistics(hypotheses: BLEUSegments(hyps), references: [BLEUSegments(refs)]) == total)
    #expect(segments[2].hypothesisLength == 0 && segments[2].referenceLength == 2)
  }

  @Test func parallelChunksAgreeWithOneChunk() throws {
    // 5,000 segments run in several chunks; the sum must equal segment-by-segment statistics.
    var hyps: [String] = []
    var refs: [String] = []
    for i in 0..<5000 {
      refs.append("w\(i % 37) x\(i % 11) , y\(i % 5) z\(i % 3) .")
      hyps.append("w\(i % 37) y\(i % 5) x\(i % 11) z\(i % 3) .")
    }
    let bleu = BLEU()
    let corpus = try bleu.corpusStatistics(hypotheses: BLEUSegments(hyps), references: [BLEUSegments(refs)])
    var sum = BLEUStatistics.zero()
    for i in 0..<200 {
      sum += try bleu.corpusStatistics(
        hypotheses: BLEUSegments(Array(hyps[(i * 25)..<((i + 1) * 25)])),
        references: [BLEUSegments(Array(refs[(i * 25)..<((i + 1) * 25)]))])
    }
    #expect(corpus == sum)
  }

  @Test func inputErrors() throws {
    let bleu = BLEU()
    #expect(throws: BLEUError.lengthMismatch(stream: "r", lines: 1, hypothesisLines: 2)) {
      try bleu.corpusScore(
        hypotheses: BLEUSegments(["a", "b"]), references: [BLEUSegments(["a"], name: "r")])
    }
    #expect(throws: BLEUError.noReferences) {
      try bleu.corpusScore(hypotheses: BLEUSegments(["a"]), references: [])
    }
    let bad = BLEUSegments(utf8: Array("ok\nalso ok\nbad ".utf8) + [0xFF, 0x0A], name: "hyp.txt")
    #expect(throws: BLEUError.invalidUTF8(stream: "hyp.txt", line: 3)) {
      try bleu.corpusScore(hypotheses: bad, references: [BLEUSegments(["a", "b", "c"])])
    }
  }

  @Test func signature() {
    #expect(
      BLEUSettings().signature(referenceCount: 1)
        == "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:\(LossLabVersionString.value)")
    let s = BLEUSettings(
      tokenizer: .intl, lowercase: true, smoothing: BLEUSmoothing(.addK), effectiveOrder: true)
    #expect(
      s.signature(referenceCount: 2)
        == "nrefs:2|case:lc|eff:yes|tok:intl|smooth:add-k[1.00]|version:\(LossLabVersionString.value)")
    #expect(BLEUSmoothing(.floor).signature == "floor[0.10]")
    #expect(BLEUSmoothing(.floor, value: 0.5).signature == "floor[0.50]")
  }
}

enum LossLabVersionString {
  static let value = LossLabVersion.string
}
