import Foundation

/// A decoded label sequence and its log-probability score.
public struct CTCHypothesis: Sendable, Equatable {
  /// Labels after merging repeats and dropping blanks.
  public var labels: [Int]
  /// Greedy: log-probability of the best path. Beam search: log-probability of the labelling,
  /// summed over the alignments that stayed in the beam (exact when nothing was pruned).
  public var score: Double

  public init(labels: [Int], score: Double) {
    self.labels = labels
    self.score = score
  }
}

/// CTC decoders over one item's scores `[T, C]` (row-major): logits or log-probabilities. Each
/// frame is normalised with a log-softmax first, which leaves log-probabilities unchanged.
public enum CTCDecoder {
  /// Best-path decoding (Graves et al. 2006, section 3.2): argmax per frame, merge repeats,
  /// drop blanks. Ties go to the lower class index.
  public static func greedy(_ scores: [Float], frames: Int, classes: Int, blank: Int) -> CTCHypothesis {
    let logProbs = normalised(scores, frames: frames, classes: classes, blank: blank)
    var labels: [Int] = []
    var score = 0.0
    var previous = blank
    for t in 0..<frames {
      let row = logProbs[(t * classes)..<((t + 1) * classes)]
      var best = row.startIndex
      for i in row.indices where row[i] > row[best] { best = i }
      let k = best - t * classes
      score += row[best]
      if k != blank && k != previous { labels.append(k) }
      previous = k
    }
    return CTCHypothesis(labels: labels, score: score)
  }

  /// CTC prefix beam search (Graves 2012, Hannun et al. 2014): keeps the `beamWidth` most
  /// probable prefixes, with the probabilities of ending in a blank and in a non-blank kept apart
  /// in log space, so that a repeated label is merged unless a blank separates it. Classes
  /// whose log-probability at a frame is below `pruneLogProbability` are not extended (nil:
  /// no pruning). Returns up to `beamWidth` hypotheses, most probable first.
  public static func beamSearch(
    _ scores: [Float], frames: Int, classes: Int, blank: Int, beamWidth: Int,
    pruneLogProbability: Double? = nil
  ) -> [CTCHypothesis] {
    precondition(beamWidth >= 1, "beamWidth must be >= 1, got \(beamWidth)")
    let logProbs = normalised(scores, frames: frames, classes: classes, blank: blank)
    // (log p ending in blank, log p ending in a label) per prefix.
    var beam: [[Int]: (blank: Double, label: Double)] = [[]: (0, -.infinity)]
    for t in 0..<frames {
      let row = logProbs[(t * classes)..<((t + 1) * classes)]
      var next: [[Int]: (blank: Double, label: Double)] = [:]
      func add(_ prefix: [Int], blank b: Double = -.infinity, label l: Double = -.infinity) {
        let old = next[prefix] ?? (-.infinity, -.infinity)
        next[prefix] = (logAddExp(old.blank, b), logAddExp(old.label, l))
      }
      for (prefix, p) in beam {
        let total = logAddExp(p.blank, p.label)
        for k in 0..<classes {
          let y = row[t * classes + k]
          if let threshold = pruneLogProbability, y < threshold { continue }
          if k == blank {
            add(prefix, blank: total + y)
          } else if k == prefix.last {
            add(prefix, label: p.label + y)  // repeat without a blank: same prefix
            add(prefix + [k], label: p.blank + y)  // blank in between: a new label
          } else {
            add(prefix + [k], label: total + y)
          }
        }
      }
      beam = Dictionary(
        uniqueKeysWithValues: ranked(next).prefix(beamWidth).map { ($0.labels, next[$0.labels]!) })
    }
    return Array(ranked(beam).prefix(beamWidth))
  }

  /// Hypotheses with a nonzero probability by descending score, ties broken by the labels
  /// (shorter, then lexicographic), so the result does not depend on dictionary order.
  static func ranked(_ beam: [[Int]: (blank: Double, label: Double)]) -> [CTCHypothesis] {
    beam.map { CTCHypothesis(labels: $0.key, score: logAddExp($0.value.blank, $0.value.label)) }
      .filter { $0.score > -.infinity }
      .sorted { a, b in
        if a.score != b.score { return a.score > b.score }
        if a.labels.count != b.labels.count { return a.labels.count < b.labels.count }
        return a.labels.lexicographicallyPrecedes(b.labels)
      }
  }

  static func normalised(_ scores: [Float], frames: Int, classes: Int, blank: Int) -> [Double] {
    precondition(
      scores.count == frames * classes, "scores hold \(scores.count) values, not [\(frames), \(classes)]")
    precondition(blank >= 0 && blank < classes, "blank \(blank) is outside 0..<\(classes)")
    var out = [Double](repeating: 0, count: scores.count)
    for t in 0..<frames {
      let row = scores[(t * classes)..<((t + 1) * classes)].map(Double.init)
      let m = row.max()!
      let lse = m + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - m) })
      for k in 0..<classes { out[t * classes + k] = row[k] - lse }
    }
    return out
  }
}

/// `log(e^a + e^b)`, stable, with `-inf` for two zeros.
@inline(__always)
func logAddExp(_ a: Double, _ b: Double) -> Double {
  let m = Swift.max(a, b)
  if m == -.infinity { return m }
  return m + Foundation.log1p(Foundation.exp(-abs(a - b)))
}
