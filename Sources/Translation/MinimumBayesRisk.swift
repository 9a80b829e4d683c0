import BLEU

/// Minimum Bayes risk decoding (Kumar and Byrne 2004; Eikema and Aziz 2020, "sampling-based
/// MBR"): among a candidate set drawn from the model (ancestral samples or an n-best list), pick the
/// hypothesis h of highest expected utility against the candidates themselves as pseudo-references,
///
///     u(h) = (1 / N) sum_{j = 1..N} sentenceBLEU(h, y_j),
///
/// with sacrebleu's sentence BLEU (`exp` smoothing, effective order). Every candidate counts as
/// evidence as often as it was drawn (itself included); the hypothesis space is the distinct
/// candidates. Ties go to the candidate drawn first.
public enum MinimumBayesRisk {
  /// u(h) for each candidate (repeated candidates get the same value).
  public static func expectedUtilities(_ candidates: [[Int]]) -> [Double] {
    guard !candidates.isEmpty else { return [] }
    var unique: [[Int]] = []
    var counts: [Int] = []
    var index: [[Int]: Int] = [:]
    for c in candidates {
      if let i = index[c] {
        counts[i] += 1
      } else {
        index[c] = unique.count
        unique.append(c)
        counts.append(1)
      }
    }
    // One reference is always given, so the initializer cannot throw.
    let references = unique.map { (try? BLEUReference(tokens: [$0]))! }
    let smoothing = BLEUSmoothing(.exp)
    var utility = [Double](repeating: 0, count: unique.count)
    for (i, h) in unique.enumerated() {
      for (j, reference) in references.enumerated() {
        let bleu = reference.sentenceStatistics(hypothesis: h)
          .score(smoothing: smoothing, effectiveOrder: true).score
        utility[i] += Double(counts[j]) * bleu
      }
    }
    let n = Double(candidates.count)
    return candidates.map { utility[index[$0]!] / n }
  }

  /// The index (into `candidates`) of the MBR choice; 0 for an empty set.
  public static func select(_ candidates: [[Int]]) -> Int {
    let utilities = expectedUtilities(candidates)
    var best = 0
    for i in utilities.indices where utilities[i] > utilities[best] { best = i }
    return best
  }
}
