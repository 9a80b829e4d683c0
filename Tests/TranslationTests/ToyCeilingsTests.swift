import BLEU
import Core
import Foundation
import Testing
import Translation

@testable import Translation

/// The mode-vs-consensus and optional-word families, and the ceilings (mode score, Bayes ceiling)
/// against brute-force enumeration.
@Suite struct ToyCeilingsTests {
  static func options(
    phrases: Int = 0, idiomRate: Double = 0.3, k: Int = 10, optional: Double = 0,
    indefinite: Double = 0, drop: Double = 0, clauses: Int = 1, maxLength: Int = 20
  ) -> ToyTranslation.Options {
    var o = ToyTranslation.Options()
    o.ambiguousPhrases = phrases
    o.idiomRate = idiomRate
    o.alternatives = k
    o.optionalRate = optional
    o.indefiniteRate = indefinite
    o.dropRate = drop
    o.maxClauses = clauses
    o.maxLength = maxLength
    return o
  }

  /// The pieces describe the generator exactly: the mode rendering is the noise-free target when
  /// articles are mostly definite, and every sampled reference is in the pieces' support.
  @Test func piecesMatchTheGenerator() {
    for options in [
      ToyTranslation.Options(), ToyTranslation.Options.simple,
      Self.options(phrases: 2, optional: 0.4, indefinite: 0.1, drop: 0.05, maxLength: 30),
      Self.options(phrases: 1, idiomRate: 0.6, k: 3, optional: 0.7, maxLength: 16),
    ] {
      let task = ToyTranslation(options: options)
      var rng = RandomGenerator(seed: 5)
      for _ in 0..<300 {
        let pair = task.samplePair(using: &rng)
        #expect(task.render(pair.pieces, policy: task.modePolicy) == pair.noiseFreeTarget)
        if let support = task.referenceDistribution(pair.pieces, limit: 1_000_000) {
          #expect(support.contains { $0.words == pair.target }, "\(pair.target)")
          #expect(abs(support.map(\.probability).reduce(0, +) - 1) < 1e-9)
        }
        let markers = pair.source.filter { $0 == ToyTranslationLexicon.Particle.ambiguous }.count
        #expect(markers == options.ambiguousPhrases)
      }
    }
    #expect(!ToyTranslationLexicon.standard.nouns.contains { $0.source == "zu" })
    let targets = Set(
      ToyTranslation().corpus(seed: 1, trainSize: 5000, devSize: 1, testSize: 1).train.flatMap(\.target))
    #expect(
      targets.isDisjoint(with: ToyTranslation.idiom + ToyTranslation.consensusTail + ["indeed", "alice"]))
  }

  /// Every hypothesis combination over the support (brute force), scored by exact expected corpus
  /// BLEU through `BLEU.corpusScore`: the best equals the Bayes ceiling, the mode's and each
  /// policy's expectations match.
  @Test(arguments: [
    (ToyCeilingsTests.options(phrases: 1, idiomRate: 0.3, k: 3), 1),
    (ToyCeilingsTests.options(phrases: 1, idiomRate: 0.6, k: 3), 1),
    (ToyCeilingsTests.options(phrases: 1, idiomRate: 0.3, k: 3), 2),
    (ToyCeilingsTests.options(optional: 0.4), 2),
    (ToyCeilingsTests.options(phrases: 1, idiomRate: 0.3, k: 2, indefinite: 0.3), 1),
  ])
  func bayesCeilingEqualsBruteForce(options: ToyTranslation.Options, sentences: Int) {
    let task = ToyTranslation(options: options)
    var rng = RandomGenerator(seed: 21)
    let pairs = (0..<sentences).map { _ in task.samplePair(using: &rng) }
    let ceilings = task.ceilings(pairs, draws: 1, seed: 1)
    #expect(ceilings.exact)
    // Hypothesis space: every rendering of every choice (no dropped word), per sentence.
    let hypotheses = pairs.map { pair in
      pair.pieces.reduce([[String]()]) { prefixes, piece in
        prefixes.flatMap { prefix in task.outcomes(of: piece).map { prefix + $0.words } }
      }
    }
    var best = -1.0
    func walk(_ i: Int, _ chosen: [[String]]) {
      if i == pairs.count {
        best = max(best, task.exactExpectedBLEU(chosen, pairs: pairs)!)
        return
      }
      for h in hypotheses[i] { walk(i + 1, chosen + [h]) }
    }
    walk(0, [])
    #expect(abs(ceilings.bayes.expectedBLEU - best) < 1e-9, "Bayes \(ceilings.bayes) brute force \(best)")
    for policy in task.policies {
      let score = ceilings.policies.first { $0.policy == policy.name(for: options) }!
      let outputs = pairs.map { task.render($0.pieces, policy: policy) }
      #expect(abs(score.expectedBLEU - task.exactExpectedBLEU(outputs, pairs: pairs)!) < 1e-9)
      let actual = try? BLEU().corpusScore(
        hypotheses: outputs.map { $0.joined(separator: " ") },
        references: [pairs.map { $0.target.joined(separator: " ") }])
      #expect(abs(score.bleu - (actual?.score ?? -1)) < 1e-9)
    }
  }

  /// Monte Carlo agrees with the exact expectation within four standard errors.
  @Test func monteCarloAgreesWithExact() {
    let task = ToyTranslation(options: Self.options(phrases: 1, k: 3, optional: 0.4, drop: 0.1))
    var rng = RandomGenerator(seed: 8)
    let pairs = (0..<3).map { _ in task.samplePair(using: &rng) }
    let exact = task.ceilings(pairs, draws: 1, seed: 1, exactLimit: 10_000_000)
    let sampled = task.ceilings(pairs, draws: 3000, seed: 2, exactLimit: 0)
    #expect(exact.exact && !sampled.exact && sampled.draws == 3000)
    for (e, s) in zip(exact.policies, sampled.policies) {
      #expect(e.policy == s.policy && s.standardError > 0)
      #expect(abs(e.expectedBLEU - s.expectedBLEU) < 4 * s.standardError, "\(e) \(s)")
    }
  }

  /// The issue's simulated figures, as far as they reproduce here (1,000 sentences of the default
  /// three-clause grammar): at pA 0.3, k 10 the consensus output beats the mode (the idiom) by
  /// about +1.7 BLEU with one phrase at the end of a ~20-word sentence (the issue's +4 to +5
  /// depends on where the phrase sits and is not reached with this placement), and by about +5.8
  /// with two phrases (one at each end; the issue: +6 to +7). At pA 0.4 the gap reverses.
  @Test func issueFiguresRoughlyReproduced() {
    func gain(idiomRate: Double, phrases: Int = 1) -> (gain: Double, ceilings: ToyCeilings) {
      let task = ToyTranslation(
        options: ToyCeilingsTests.options(phrases: phrases, idiomRate: idiomRate, clauses: 3, maxLength: 40))
      let pairs = task.corpus(seed: 3, trainSize: 1000, devSize: 0, testSize: 0).train
      let c = task.ceilings(pairs, draws: 4, seed: 1)
      let consensus = c.policies.first { $0.policy == "phrases=consensus" }!
      let idiom = c.policies.first { $0.policy == "phrases=idiom" }!
      return (consensus.expectedBLEU - idiom.expectedBLEU, c)
    }
    let low = gain(idiomRate: 0.3)
    #expect(low.ceilings.mode.policy == "phrases=idiom" && low.ceilings.bayes.policy == "phrases=consensus")
    #expect((1...3).contains(low.gain), "pA 0.3: \(low.gain) \(low.ceilings)")
    let two = gain(idiomRate: 0.3, phrases: 2)
    #expect((4.5...7.5).contains(two.gain), "two phrases: \(two.gain)")
    let high = gain(idiomRate: 0.4)
    #expect(high.gain < 0 && high.ceilings.bayes.policy == "phrases=idiom", "pA 0.4: \(high.gain)")
  }

  /// Optional words at q = 0.4, one slot per clause: of the pure policies, omitting them (the mode)
  /// beats including them everywhere by about 5 BLEU (the brevity penalty costs less than the
  /// n-grams the extra word breaks), so the Bayes policy is the mode. The issue's +2.5 to +3.5 for
  /// "the best inclusion policy" needs partial inclusion, which the policy family does not hold.
  @Test func optionalWordsModeIsTheBestPurePolicy() {
    let task = ToyTranslation(options: ToyCeilingsTests.options(optional: 0.4, clauses: 3, maxLength: 40))
    let pairs = task.corpus(seed: 3, trainSize: 1000, devSize: 0, testSize: 0).train
    let c = task.ceilings(pairs, draws: 4, seed: 1)
    #expect(c.mode.policy == "optional=omit" && c.bayes.policy == "optional=omit", "\(c)")
    let include = c.policies.first { $0.policy == "optional=include" }!
    #expect(c.mode.expectedBLEU - include.expectedBLEU > 2, "\(c)")
    let high = ToyTranslation(options: ToyCeilingsTests.options(optional: 0.6, clauses: 3, maxLength: 40))
    let h = high.ceilings(
      high.corpus(seed: 3, trainSize: 300, devSize: 0, testSize: 0).train, draws: 2, seed: 1)
    #expect(h.mode.policy == "optional=include")
  }
}
