import Foundation
import Tensors

/// The classical structured-prediction losses of Edunov et al. 2018 ("Classical Structured
/// Prediction Losses for Sequence to Sequence Learning", §2.2), over a candidate set U(x) per
/// source with `cost(u) = 1 - sentenceBLEU(u, t) / 100` and the model score
/// `s(u|x) = log p(u|x)` (the full sequence log-probability, `<eos>` included). The oracle u* is the
/// lowest-cost candidate (the first one on ties), and û the highest-scoring one.
///
/// - `sequenceNLL` (SeqNLL, eq. 3): `-s(u*|x) + log sum_{u in U} exp s(u|x)`, the negative
///   log-likelihood of the oracle with the distribution renormalised over the candidate set.
/// - `maxMargin` (eq. 4): `max[0, cost(û) - cost(u*) - s(u*|x) + s(û|x)]`.
/// - `multiMargin` (eq. 5): `sum_{u in U} max[0, cost(u) - cost(u*) - s(u*|x) + s(u|x)]`.
/// - `softmaxMargin` (eq. 6): `-s(u*|x) + log sum_{u in U} exp[s(u|x) + cost(u)]`.
///
/// Risk (eq. 7) is `MinimumRisk`. Each loss is the mean over sources of a batch; margins are
/// piecewise linear in the scores, so their gradient is the subgradient that is 0 at the kink.
public enum SequenceLoss: String, CaseIterable, Sendable, Codable {
  case sequenceNLL = "seq-nll"
  case maxMargin = "max-margin"
  case multiMargin = "multi-margin"
  case softmaxMargin = "softmax-margin"

  /// The lowest-cost candidate of `group` (the first on ties).
  public static func oracle(costs: [Double], group: Range<Int>) -> Int {
    var best = group.lowerBound
    for i in group where costs[i] < costs[best] { best = i }
    return best
  }

  static func logSumExp(_ values: [Double]) -> (value: Double, softmax: [Double]) {
    let top = values.max() ?? 0
    let exps = values.map { Foundation.exp($0 - top) }
    let total = exps.reduce(0, +)
    return (top + Foundation.log(total), exps.map { $0 / total })
  }

  /// The mean loss over groups and its gradient with respect to each candidate's score, in Double.
  public func objective(
    scores: [Double], costs: [Double], groups: [Range<Int>]
  ) -> (loss: Double, gradient: [Double]) {
    precondition(scores.count == costs.count, "\(scores.count) scores, \(costs.count) costs")
    var gradient = [Double](repeating: 0, count: scores.count)
    var total = 0.0
    for group in groups where !group.isEmpty {
      let star = Self.oracle(costs: costs, group: group)
      switch self {
      case .sequenceNLL, .softmaxMargin:
        let augmented = group.map { scores[$0] + (self == .softmaxMargin ? costs[$0] : 0) }
        let (lse, softmax) = Self.logSumExp(augmented)
        total += lse - scores[star]
        for (j, i) in group.enumerated() { gradient[i] += softmax[j] }
        gradient[star] -= 1
      case .maxMargin:
        var top = group.lowerBound
        for i in group where scores[i] > scores[top] { top = i }
        let margin = costs[top] - costs[star] - scores[star] + scores[top]
        if top != star && margin > 0 {
          total += margin
          gradient[top] += 1
          gradient[star] -= 1
        }
      case .multiMargin:
        for i in group where i != star {
          let margin = costs[i] - costs[star] - scores[star] + scores[i]
          if margin > 0 {
            total += margin
            gradient[i] += 1
            gradient[star] -= 1
          }
        }
      }
    }
    let scale = 1 / Double(max(groups.count, 1))
    return (total * scale, gradient.map { $0 * scale })
  }

  /// The loss as a differentiable function of the candidates' sequence log-probabilities `[N]`
  /// (one fused node, accumulated in Double).
  public func loss(logProbabilities: Variable, costs: [Double], groups: [Range<Int>]) -> Variable {
    precondition(
      logProbabilities.shape == [costs.count],
      "\(rawValue): log-probabilities \(logProbabilities.shape) for \(costs.count) costs")
    let (value, gradient) = objective(
      scores: logProbabilities.value.data.map(Double.init), costs: costs, groups: groups)
    return logProbabilities.tape.record(Tensor(Float(value)), inputs: [logProbabilities]) { g in
      [Tensor(shape: [costs.count], data: gradient.map { Float(Double(g.scalar) * $0) })]
    }
  }

  /// Costs rescaled per source to [0, 1]: `(cost - min) / (max - min)` within each group, 0 where
  /// all candidates cost the same (the optional cost normalisation of `risk`).
  public static func normalisedCosts(_ costs: [Double], groups: [Range<Int>]) -> [Double] {
    var out = costs
    for group in groups where !group.isEmpty {
      let low = group.map { costs[$0] }.min()!
      let high = group.map { costs[$0] }.max()!
      for i in group { out[i] = high > low ? (costs[i] - low) / (high - low) : 0 }
    }
    return out
  }
}
