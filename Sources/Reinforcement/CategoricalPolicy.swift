import Core
import Foundation
import Tensors

/// Acting with a categorical policy from a batch of logits, without a tape.
enum CategoricalPolicy {
  /// Samples one action per row of `logits [n, A]` (inverse CDF of the softmax with one uniform
  /// draw per row) or takes the first argmax when `deterministic`; writes the actions and their
  /// log-probabilities.
  static func act(
    logits: Tensor, deterministic: Bool, using rng: inout RandomGenerator, actions: inout [Int],
    logProbs: inout [Float]
  ) {
    let a = logits.shape[1]
    let n = logits.shape[0]
    logits.data.withUnsafeBufferPointer { x in
      for r in 0..<n {
        let row = r * a
        var m = x[row]
        var best = 0
        for j in 1..<a where x[row + j] > m {
          m = x[row + j]
          best = j
        }
        var s: Float = 0
        for j in 0..<a { s += Foundation.exp(x[row + j] - m) }
        let logS = Foundation.log(s)
        var choice = best
        if !deterministic {
          let u = Float(rng.uniform()) * s
          var cumulative: Float = 0
          choice = a - 1
          for j in 0..<a {
            cumulative += Foundation.exp(x[row + j] - m)
            if u < cumulative {
              choice = j
              break
            }
          }
        }
        actions[r] = choice
        logProbs[r] = (x[row + choice] - m) - logS
      }
    }
  }
}
