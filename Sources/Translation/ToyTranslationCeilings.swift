import BLEU
import Core
import Foundation

/// What a perfect translator of the toy task can score on one split, before any training.
///
/// The source never determines the random choices (articles, mode-vs-consensus phrases, optional
/// words, a dropped word), so no output matches every reference. Among the pure policies (each
/// choice rendered the same way everywhere; `ToyTranslation.policies`):
/// - the **mode** renders every choice by its most probable value (what a mode-seeking decoder
///   of a perfect model outputs);
/// - the **Bayes** output is the policy of highest expected corpus BLEU under the generator's own
///   distribution of references (minimum Bayes risk with corpus BLEU as the utility). The
///   expectation is exact (every joint reference configuration enumerated) when the split has at
///   most `exactLimit` of them, otherwise a Monte Carlo mean over `draws` reference sets redrawn
///   from the generator, with its standard error.
/// Each policy is also scored against the split's actual references (`bleu`), the number that is
/// comparable with a model's test BLEU.
public struct ToyCeilings: Codable, Sendable, Equatable {
  public struct PolicyScore: Codable, Sendable, Equatable {
    public var policy: String
    /// Corpus BLEU of the policy's outputs against the split's references.
    public var bleu: Double
    /// Expected corpus BLEU under the generator (exact, or the Monte Carlo mean).
    public var expectedBLEU: Double
    /// Standard error of `expectedBLEU` (0 when exact).
    public var standardError: Double
  }

  public var sentences: Int
  /// The noise-free targets (`<split>.noise-free.tgt`) against the references.
  public var noiseFreeBLEU: Double
  public var mode: PolicyScore
  public var bayes: PolicyScore
  public var policies: [PolicyScore]
  public var exact: Bool
  /// Monte Carlo reference sets (0 when exact).
  public var draws: Int

  /// Three lines for `mrt data`.
  public func summary(split: String) -> String {
    func f(_ x: Double) -> String { String(format: "%.2f", x) }
    func e(_ s: PolicyScore) -> String {
      exact
        ? "expected \(f(s.expectedBLEU)) exact"
        : "expected \(f(s.expectedBLEU)) ± \(f(s.standardError)) (\(draws) draws)"
    }
    return [
      "\(split): noise-free ceiling \(f(noiseFreeBLEU)) BLEU (\(sentences) sentences)",
      "  mode score \(f(mode.bleu)) [\(mode.policy)], \(e(mode))",
      "  Bayes ceiling \(f(bayes.bleu)) [\(bayes.policy)], \(e(bayes))",
    ].joined(separator: "\n")
  }
}

extension ToyTranslation {
  /// The ceilings of `pairs` (see `ToyCeilings`); `seed` drives the Monte Carlo draws.
  public func ceilings(
    _ pairs: [Pair], draws: Int, seed: UInt64, exactLimit: Int = 100_000
  ) -> ToyCeilings {
    var interner: [String: Int] = [:]
    func ids(_ words: [String]) -> [Int] {
      words.map { word in
        if let id = interner[word] { return id }
        interner[word] = interner.count
        return interner.count - 1
      }
    }
    func reference(_ words: [String]) -> BLEUReference {
      // One reference is always given, so the initializer cannot throw.
      (try? BLEUReference(tokens: [ids(words)]))!
    }
    func bleu(_ statistics: BLEUStatistics) -> Double { statistics.score().score }

    let candidates = policies
    let outputs = candidates.map { policy in pairs.map { ids(render($0.pieces, policy: policy)) } }
    var actual = [BLEUStatistics](repeating: .zero(), count: candidates.count)
    var noiseFree = BLEUStatistics.zero()
    for (i, pair) in pairs.enumerated() {
      let ref = reference(pair.target)
      noiseFree += ref.sentenceStatistics(hypothesis: ids(pair.noiseFreeTarget))
      for p in candidates.indices { actual[p] += ref.sentenceStatistics(hypothesis: outputs[p][i]) }
    }

    // Exact when the joint reference configurations are few enough.
    var distributions: [[(words: [String], probability: Double)]] = []
    var configurations = 1
    for pair in pairs {
      guard let d = referenceDistribution(pair.pieces, limit: exactLimit),
        configurations * d.count <= exactLimit
      else {
        configurations = exactLimit + 1
        break
      }
      configurations *= d.count
      distributions.append(d)
    }
    var expected = [Double](repeating: 0, count: candidates.count)
    var errors = [Double](repeating: 0, count: candidates.count)
    let exact = configurations <= exactLimit
    if exact {
      // stats[i][o][p]: sentence i, reference outcome o, policy p.
      let stats = distributions.enumerated().map { i, outcomes in
        outcomes.map { outcome in
          let ref = reference(outcome.words)
          return candidates.indices.map { ref.sentenceStatistics(hypothesis: outputs[$0][i]) }
        }
      }
      func walk(_ i: Int, _ probability: Double, _ sums: [BLEUStatistics]) {
        if i == pairs.count {
          for p in candidates.indices { expected[p] += probability * bleu(sums[p]) }
          return
        }
        for (o, outcome) in distributions[i].enumerated() {
          walk(i + 1, probability * outcome.probability, zip(sums, stats[i][o]).map { $0 + $1 })
        }
      }
      walk(0, 1, [BLEUStatistics](repeating: .zero(), count: candidates.count))
    } else {
      var rng = RandomGenerator(seed: seed, stream: 0xCE11)
      var scores = [[Double]](repeating: [], count: candidates.count)
      for _ in 0..<max(draws, 1) {
        var sums = [BLEUStatistics](repeating: .zero(), count: candidates.count)
        for (i, pair) in pairs.enumerated() {
          let ref = reference(sampleReference(pair.pieces, using: &rng))
          for p in candidates.indices { sums[p] += ref.sentenceStatistics(hypothesis: outputs[p][i]) }
        }
        for p in candidates.indices { scores[p].append(bleu(sums[p])) }
      }
      for p in candidates.indices {
        let n = Double(scores[p].count)
        let mean = scores[p].reduce(0, +) / n
        expected[p] = mean
        let variance = n > 1 ? scores[p].map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1) : 0
        errors[p] = (variance / n).squareRoot()
      }
    }
    let scores = candidates.indices.map {
      ToyCeilings.PolicyScore(
        policy: candidates[$0].name(for: options), bleu: bleu(actual[$0]), expectedBLEU: expected[$0],
        standardError: errors[$0])
    }
    var best = 0
    for p in scores.indices where scores[p].expectedBLEU > scores[best].expectedBLEU { best = p }
    return ToyCeilings(
      sentences: pairs.count, noiseFreeBLEU: bleu(noiseFree), mode: scores[0], bayes: scores[best],
      policies: scores, exact: exact, draws: exact ? 0 : max(draws, 1))
  }

  /// Expected corpus BLEU of `hypotheses` (one per pair) under the generator, by enumerating every
  /// joint reference configuration (for tests on tiny settings; nil above `limit`).
  public func exactExpectedBLEU(_ hypotheses: [[String]], pairs: [Pair], limit: Int = 100_000) -> Double? {
    var sets: [[(words: [String], probability: Double)]] = []
    var count = 1
    for pair in pairs {
      guard let d = referenceDistribution(pair.pieces, limit: limit), count * d.count <= limit else {
        return nil
      }
      count *= d.count
      sets.append(d)
    }
    let bleu = BLEU()
    var total = 0.0
    func walk(_ i: Int, _ probability: Double, _ references: [String]) {
      if i == pairs.count {
        let hyp = hypotheses.map { $0.joined(separator: " ") }
        total +=
          probability * ((try? bleu.corpusScore(hypotheses: hyp, references: [references]))?.score ?? .nan)
        return
      }
      for outcome in sets[i] {
        walk(i + 1, probability * outcome.probability, references + [outcome.words.joined(separator: " ")])
      }
    }
    walk(0, 1, [])
    return total
  }
}
