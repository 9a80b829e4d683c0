import CTC
import Core
import Foundation
import Testing

@Suite struct KneserNeyTests {
  /// Corpus "a b" / "b", bigram. By hand: bigrams <s> a, a b, b </s> (x2), <s> b; continuation
  /// counts a 1, b 2, </s> 1; every t_3 is 0, so the fallback discounts 0.5, 1, 1.5. Unigrams:
  /// u = (a - D) / 4, b() = (0.5 * 2 + 1) / 4 = 0.5 spread over {a, b, </s>, <unk>}:
  /// p(a) = 0.125 + 0.125, p(b) = 0.25 + 0.125, p(</s>) = 0.25, p(<unk>) = 0.125.
  /// p(a | <s>) = 0.5 / 2 + 0.5 p(a) = 0.375; p(b | <s>) = 0.25 + 0.5 * 0.375 = 0.4375;
  /// p(b | a) = 0.5 + 0.5 * 0.375 = 0.6875; p(</s> | b) = 1 / 2 + 0.5 * 0.25 = 0.625.
  @Test func bigramByHand() throws {
    let model = KneserNeyEstimation.estimate(sentences: [["a", "b"], ["b"]], order: 2)
    #expect(model.discounts == [.fallback, .fallback])
    let p = model.probabilities
    #expect(p[0][["a"]] == 0.25)
    #expect(p[0][["b"]] == 0.375)
    #expect(p[0][["</s>"]] == 0.25)
    #expect(p[0][["<unk>"]] == 0.125)
    #expect(p[1][["<s>", "a"]] == 0.375)
    #expect(p[1][["<s>", "b"]] == 0.4375)
    #expect(p[1][["a", "b"]] == 0.6875)
    #expect(p[1][["b", "</s>"]] == 0.625)
    #expect(model.backoffs[0][["<s>"]] == 0.5)
    #expect(model.backoffs[0][["b"]] == 0.5)
    #expect(model.backoffs[0][["</s>"]] == nil)

    let arpa = try ARPALanguageModel.parse(KneserNeyEstimation.arpa(model))
    #expect(arpa.counts == [5, 4])
    // p(a | <s>) p(b | a) p(</s> | b); and an unseen bigram backs off: p(a | b) = b(b) p(a).
    let expected = log10(0.375) + log10(0.6875) + log10(0.625)
    #expect(abs(arpa.sentenceScore("a b") - expected) < 1e-6)
    #expect(
      abs(arpa.sentenceScore("b a", bos: false, eos: false) - (log10(0.375) + log10(0.5 * 0.25))) < 1e-6)
  }

  /// Discounts from counts of counts (Chen and Goodman's formula) against numbers worked out:
  /// t = 10, 4, 2, 1: Y = 10 / 18; D1 = 1 - 2 Y 4/10 = 0.5556, D2 = 2 - 3 Y 2/4 = 1.1667,
  /// D3+ = 3 - 4 Y 1/2 = 1.8889.
  @Test func discountsByHand() {
    let d = KneserNeyEstimation.Discounts.estimate([0, 10, 4, 2, 1])
    let y = 10.0 / 18
    #expect(abs(d.d1 - (1 - 2 * y * 0.4)) < 1e-12)
    #expect(abs(d.d2 - (2 - 3 * y * 0.5)) < 1e-12)
    #expect(abs(d.d3 - (3 - 4 * y * 0.5)) < 1e-12)
    #expect(KneserNeyEstimation.Discounts.estimate([0, 3, 1, 0, 0]) == .fallback)
  }

  /// Every context's distribution over the vocabulary (without <s>) sums to 1, read back
  /// through the ARPA file (backoff arithmetic included).
  @Test func trigramDistributionsSumToOne() throws {
    var rng = RandomGenerator(seed: 9)
    let words = ["a", "b", "c", "d", "e", "f"]
    let sentences = (0..<300).map { _ in
      (0..<(1 + rng.int(below: 7))).map { _ in words[rng.int(below: words.count)] }
    }
    let model = KneserNeyEstimation.estimate(sentences: sentences, order: 3)
    #expect(model.discounts[2] != .fallback)
    let arpa = try ARPALanguageModel.parse(KneserNeyEstimation.arpa(model))
    let vocabulary = words + ["</s>", "<unk>"]
    for history in [["<s>"], ["<s>", "a"], ["a", "b"], ["f", "f"], ["c"], []] {
      var state = history.first == "<s>" ? arpa.beginSentence : arpa.nullContext
      for w in history where w != "<s>" { state = arpa.score(state, arpa.index(w)).state }
      let total = vocabulary.reduce(0.0) { $0 + pow(10, Double(arpa.score(state, arpa.index($1)).log10)) }
      #expect(abs(total - 1) < 1e-5, "history \(history): \(total)")
    }
  }
}
