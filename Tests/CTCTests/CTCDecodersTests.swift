import CTC
import Core
import Foundation
import Tensors
import Testing

@testable import CTC

/// Greedy and prefix beam search against closed forms and brute-force enumeration of all paths.
struct CTCDecodersTests {
  /// Every labelling's probability by summing all C^T paths: labelling -> log p.
  func bruteForce(_ probs: [[Double]], blank: Int) -> [[Int]: Double] {
    let (t, c) = (probs.count, probs[0].count)
    var total: [[Int]: Double] = [:]
    var path = [Int](repeating: 0, count: t)
    for code in 0..<Int(pow(Double(c), Double(t))) {
      var rest = code
      var p = 1.0
      for i in 0..<t {
        path[i] = rest % c
        rest /= c
        p *= probs[i][path[i]]
      }
      var labels: [Int] = []
      var previous = blank
      for k in path {
        if k != blank && k != previous { labels.append(k) }
        previous = k
      }
      total[labels, default: 0] += p
    }
    return total.mapValues { log($0) }
  }

  func logits(_ probs: [[Double]]) -> [Float] { probs.flatMap { $0.map { Float(log($0)) } } }

  @Test func greedyMergesRepeatsAndDropsBlanks() {
    // argmax per frame: 1 1 0 1 2 2 0 -> labels [1, 1, 2]
    let argmax = [1, 1, 0, 1, 2, 2, 0]
    var probs: [[Double]] = []
    for k in argmax {
      var row = [0.1, 0.1, 0.1]
      row[k] = 0.8
      probs.append(row)
    }
    let h = CTCDecoder.greedy(logits(probs), frames: 7, classes: 3, blank: 0)
    #expect(h.labels == [1, 1, 2])
    #expect(abs(h.score - 7 * log(0.8)) <= 1e-6)
  }

  /// Peaked frames (argmax probability >= 0.9): the one surviving prefix follows the best path.
  @Test func beamWidthOneEqualsGreedyOnPeakedFrames() {
    var rng = RandomGenerator(seed: 3)
    for _ in 0..<20 {
      let (t, c) = (5 + rng.int(below: 20), 3 + rng.int(below: 5))
      let blank = rng.int(below: c)
      var probs: [[Double]] = []
      for _ in 0..<t {
        let top = rng.int(below: c)
        var row = (0..<c).map { _ in 0.01 + rng.uniform() }
        let rest = row.enumerated().filter { $0.offset != top }.map(\.element).reduce(0, +)
        for k in 0..<c { row[k] = k == top ? 0.92 : 0.08 * row[k] / rest }
        probs.append(row)
      }
      let greedy = CTCDecoder.greedy(logits(probs), frames: t, classes: c, blank: blank)
      let beam = CTCDecoder.beamSearch(logits(probs), frames: t, classes: c, blank: blank, beamWidth: 1)
      #expect(beam.count == 1)
      #expect(beam[0].labels == greedy.labels)
    }
  }

  /// Frames [blank 0.5, a 0.3, b 0.2] x 3: the best path is all blanks (labelling [] with 0.125)
  /// but [a] has probability 0.342 summed over its 6 paths.
  @Test func beamSearchFindsMostProbableLabellingNotBestPath() throws {
    let probs = [[Double]](repeating: [0.5, 0.3, 0.2], count: 3)
    let exact = bruteForce(probs, blank: 0)
    let best = try #require(exact.max { $0.value < $1.value })
    #expect(best.key == [1])
    #expect(abs(exp(best.value) - 0.342) <= 1e-12)
    let greedy = CTCDecoder.greedy(logits(probs), frames: 3, classes: 3, blank: 0)
    #expect(greedy.labels == [])
    #expect(greedy.labels != best.key)
    let beam = CTCDecoder.beamSearch(logits(probs), frames: 3, classes: 3, blank: 0, beamWidth: 4)
    #expect(beam[0].labels == [1])
    #expect(abs(beam[0].score - best.value) <= 1e-6)
  }

  /// A beam wide enough to keep every prefix is exact: every labelling and its log-probability
  /// match brute force (and -CTC loss); tolerance 1e-6 (float32 inputs).
  @Test func wideBeamIsExactAgainstBruteForce() throws {
    var rng = RandomGenerator(seed: 8)
    for _ in 0..<5 {
      let (t, c) = (3 + rng.int(below: 3), 2 + rng.int(below: 3))
      let blank = rng.int(below: c)
      let probs: [[Double]] = (0..<t).map { _ in
        let row = (0..<c).map { _ in 0.05 + rng.uniform() }
        let z = row.reduce(0, +)
        return row.map { $0 / z }
      }
      let x = logits(probs)
      let exact = bruteForce(probs, blank: blank)
      let beam = CTCDecoder.beamSearch(x, frames: t, classes: c, blank: blank, beamWidth: 10_000)
      #expect(beam.count == exact.count)
      let sortedExact = exact.sorted { $0.value > $1.value }
      #expect(abs(beam[0].score - sortedExact[0].value) <= 1e-6)
      for h in beam {
        let truth = try #require(exact[h.labels])
        #expect(abs(h.score - truth) <= 1e-6)
        let nll = try CTCLoss(blank: blank, reduction: .sum)(
          logits: x.map(Double.init), shape: [t, 1, c], targets: [h.labels], inputLengths: [t]
        ).loss
        #expect(abs(-nll - truth) <= 1e-6)
      }
    }
  }

  /// Pruning skips unlikely classes but keeps the dominant labelling on peaked frames.
  @Test func pruningKeepsTheDominantLabelling() {
    let probs: [[Double]] = [[0.05, 0.9, 0.05], [0.9, 0.05, 0.05], [0.05, 0.05, 0.9], [0.9, 0.05, 0.05]]
    let pruned = CTCDecoder.beamSearch(
      logits(probs), frames: 4, classes: 3, blank: 0, beamWidth: 3, pruneLogProbability: log(0.1))
    #expect(pruned[0].labels == [1, 2])
    #expect(abs(pruned[0].score - log(0.9 * 0.9 * 0.9 * 0.9)) <= 1e-6)  // the only path left
  }
}
