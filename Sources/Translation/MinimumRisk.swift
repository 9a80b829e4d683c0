import BLEU
import Foundation
import Tensors

/// Minimum-risk training (Shen et al. 2016, §3; Edunov et al. 2018, §2.2 "Risk").
///
/// For a source x with a candidate set S(x) sampled from the model, the risk is
///
///     R(x) = sum_{y in S(x)} Q(y | x) cost(y),   Q(y | x) = p(y|x)^alpha / sum_{y'} p(y'|x)^alpha   (eq. 13)
///
/// with `cost(y) = 1 - sentenceBLEU(y, reference) / 100` (sacrebleu's `exp` smoothing and
/// effective order, as `sacrebleu.sentence_bleu`). log p(y|x) is the full, unnormalised sequence
/// log-probability (the sum of token log-probabilities, `<eos>` included), as in Shen et al.;
/// alpha = 0.005 there. The gradient with respect to each candidate's log-probability is
///
///     dR/d log p(y) = alpha Q(y) (cost(y) - R(x)),
///
/// so probability moves towards candidates cheaper than the current expected cost. The batch
/// objective is the mean of R(x) over sources.
public enum MinimumRisk {
  /// Candidates of a batch of sources, grouped: `groups[g]` are the rows of source g.
  public struct Candidates: Sendable, Equatable {
    public var tokens: [[Int]]
    public var costs: [Double]
    public var groups: [Range<Int>]

    /// How many candidates each source has.
    public var counts: [Int] { groups.map(\.count) }
  }

  /// Builds candidate sets from `samples` (`k` consecutive rows per source), optionally
  /// deduplicated (Shen et al. keep distinct candidates) and with the reference added, and scores
  /// each with `1 - sentence BLEU`.
  public static func candidates(
    samples: [[Int]], samplesPerSource k: Int, references: [BLEUReference],
    referenceTokens: [[Int]], includeReference: Bool, deduplicate: Bool
  ) -> Candidates {
    precondition(
      samples.count == k * references.count && referenceTokens.count == references.count,
      "\(samples.count) samples for \(references.count) references and k = \(k)")
    return candidates(
      lists: references.indices.map { Array(samples[($0 * k)..<($0 * k + k)]) },
      references: references, referenceTokens: referenceTokens, includeReference: includeReference,
      deduplicate: deduplicate)
  }

  /// Candidate sets from one list per source (samples, or a beam's n-best list).
  public static func candidates(
    lists: [[[Int]]], references: [BLEUReference], referenceTokens: [[Int]],
    includeReference: Bool, deduplicate: Bool
  ) -> Candidates {
    precondition(
      lists.count == references.count && referenceTokens.count == references.count,
      "\(lists.count) candidate lists for \(references.count) references")
    var tokens: [[Int]] = []
    var costs: [Double] = []
    var groups: [Range<Int>] = []
    let smoothing = BLEUSmoothing(.exp)
    for (source, reference) in references.enumerated() {
      let start = tokens.count
      var group = lists[source]
      if includeReference { group.append(referenceTokens[source]) }
      if deduplicate {
        var seen = Set<[Int]>()
        group = group.filter { seen.insert($0).inserted }
      }
      for candidate in group {
        let bleu = reference.sentenceStatistics(hypothesis: candidate)
          .score(smoothing: smoothing, effectiveOrder: true).score
        tokens.append(candidate)
        costs.append(1 - bleu / 100)
      }
      groups.append(start..<tokens.count)
    }
    return Candidates(tokens: tokens, costs: costs, groups: groups)
  }

  /// Q within each group and the mean risk over groups, in Double.
  public static func distribution(
    logProbabilities: [Double], costs: [Double], groups: [Range<Int>], alpha: Double
  ) -> (q: [Double], risk: Double) {
    precondition(
      logProbabilities.count == costs.count && groups.last?.upperBound ?? 0 <= costs.count,
      "\(logProbabilities.count) log-probabilities, \(costs.count) costs")
    var q = [Double](repeating: 0, count: costs.count)
    var risk = 0.0
    for group in groups where !group.isEmpty {
      var top = -Double.infinity
      for i in group { top = max(top, alpha * logProbabilities[i]) }
      var total = 0.0
      for i in group {
        q[i] = Foundation.exp(alpha * logProbabilities[i] - top)
        total += q[i]
      }
      for i in group {
        q[i] /= total
        risk += q[i] * costs[i]
      }
    }
    return (q, risk / Double(max(groups.count, 1)))
  }

  /// The mean risk over groups as a differentiable function of the candidates' sequence
  /// log-probabilities `[N]` (one fused node; the objective is accumulated in Double).
  public static func risk(
    logProbabilities: Variable, costs: [Double], groups: [Range<Int>], alpha: Double
  ) -> Variable {
    precondition(
      logProbabilities.shape == [costs.count],
      "risk: log-probabilities \(logProbabilities.shape) for \(costs.count) costs")
    let logp = logProbabilities.value.data.map(Double.init)
    let (q, risk) = distribution(
      logProbabilities: logp, costs: costs, groups: groups, alpha: alpha)
    let scale = 1 / Double(max(groups.count, 1))
    return logProbabilities.tape.record(Tensor(Float(risk)), inputs: [logProbabilities]) { g in
      var grad = [Float](repeating: 0, count: costs.count)
      for group in groups {
        var expected = 0.0
        for i in group { expected += q[i] * costs[i] }
        for i in group {
          grad[i] = Float(Double(g.scalar) * scale * alpha * q[i] * (costs[i] - expected))
        }
      }
      return [Tensor(shape: [costs.count], data: grad)]
    }
  }
}
