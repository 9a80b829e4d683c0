import Foundation
import Tensors

/// Luong et al. (2015) "general" attention over a padded batch of encoder states, as one fused
/// forward/backward pair.
///
/// Shapes (time-major, as the encoder produces them):
/// - `query`  `[B, H]`      decoder state h_t
/// - `keys`   `[S, B, H]`   W_a h̄_s, projected once per batch
/// - `values` `[S, B, H]`   h̄_s
/// - `lengths[b]`           valid source steps of item b (>= 1); later steps get zero weight
/// - result   `[B, H]`      context c_t = sum_s a_ts h̄_s, a_t = softmax_s(h_t . W_a h̄_s) (eq. 7-8)
///
/// Backward (per item b, over its valid steps s): with g the context gradient,
/// `da_s = g . v_s`, `de_s = a_s (da_s - sum_s' a_s' da_s')`, `dq = sum_s de_s k_s`,
/// `dk_s = de_s q`, `dv_s = a_s g`. Cost O(S B H) both ways, no allocation per step.
public enum LuongAttention {
  /// Attention weights `[B, S]` (zero past each length) and contexts `[B, H]`.
  public static func forward(
    query: Tensor, keys: Tensor, values: Tensor, lengths: [Int]
  ) -> (weights: [Float], context: Tensor) {
    let (s, b, h) = shapes(query: query, keys: keys, values: values, lengths: lengths)
    var weights = [Float](repeating: 0, count: b * s)
    var context = [Float](repeating: 0, count: b * h)
    query.data.withUnsafeBufferPointer { q in
      keys.data.withUnsafeBufferPointer { k in
        values.data.withUnsafeBufferPointer { v in
          weights.withUnsafeMutableBufferPointer { a in
            context.withUnsafeMutableBufferPointer { c in
              for item in 0..<b {
                let qi = q.baseAddress! + item * h
                let ai = a.baseAddress! + item * s
                let length = lengths[item]
                var maxScore = -Float.infinity
                for step in 0..<length {
                  let ks = k.baseAddress! + (step * b + item) * h
                  var dot: Float = 0
                  for j in 0..<h { dot += qi[j] * ks[j] }
                  ai[step] = dot
                  maxScore = max(maxScore, dot)
                }
                var total: Float = 0
                for step in 0..<length {
                  ai[step] = Foundation.exp(ai[step] - maxScore)
                  total += ai[step]
                }
                let ci = c.baseAddress! + item * h
                for step in 0..<length {
                  ai[step] /= total
                  let weight = ai[step]
                  let vs = v.baseAddress! + (step * b + item) * h
                  for j in 0..<h { ci[j] += weight * vs[j] }
                }
              }
            }
          }
        }
      }
    }
    return (weights, Tensor(shape: [b, h], data: context))
  }

  /// Gradients of the context with respect to query, keys and values, given the forward weights.
  public static func backward(
    contextGradient g: Tensor, weights: [Float], query: Tensor, keys: Tensor, values: Tensor,
    lengths: [Int]
  ) -> (query: Tensor, keys: Tensor, values: Tensor) {
    let (s, b, h) = shapes(query: query, keys: keys, values: values, lengths: lengths)
    var dq = [Float](repeating: 0, count: b * h)
    var dk = [Float](repeating: 0, count: s * b * h)
    var dv = [Float](repeating: 0, count: s * b * h)
    var de = [Float](repeating: 0, count: s)
    g.data.withUnsafeBufferPointer { gp in
      query.data.withUnsafeBufferPointer { q in
        keys.data.withUnsafeBufferPointer { k in
          values.data.withUnsafeBufferPointer { v in
            for item in 0..<b {
              let gi = gp.baseAddress! + item * h
              let qi = q.baseAddress! + item * h
              let length = lengths[item]
              var expected: Float = 0
              for step in 0..<length {
                let vs = v.baseAddress! + (step * b + item) * h
                var dot: Float = 0
                for j in 0..<h { dot += gi[j] * vs[j] }
                de[step] = dot
                expected += weights[item * s + step] * dot
              }
              for step in 0..<length {
                let a = weights[item * s + step]
                let e = a * (de[step] - expected)
                let offset = (step * b + item) * h
                let ks = k.baseAddress! + offset
                for j in 0..<h {
                  dq[item * h + j] += e * ks[j]
                  dk[offset + j] = e * qi[j]
                  dv[offset + j] = a * gi[j]
                }
              }
            }
          }
        }
      }
    }
    return (
      Tensor(shape: [b, h], data: dq), Tensor(shape: [s, b, h], data: dk),
      Tensor(shape: [s, b, h], data: dv)
    )
  }

  static func shapes(
    query: Tensor, keys: Tensor, values: Tensor, lengths: [Int]
  ) -> (Int, Int, Int) {
    precondition(keys.rank == 3, "attention keys must be [S, B, H], got \(keys.shape)")
    let (s, b, h) = (keys.shape[0], keys.shape[1], keys.shape[2])
    precondition(values.shape == keys.shape, "attention values \(values.shape) != keys \(keys.shape)")
    precondition(query.shape == [b, h], "attention query must be [\(b), \(h)], got \(query.shape)")
    precondition(lengths.count == b, "attention needs \(b) lengths, got \(lengths.count)")
    precondition(
      lengths.allSatisfy { $0 >= 1 && $0 <= s }, "attention lengths must be in 1...\(s): \(lengths)")
    return (s, b, h)
  }
}

/// Differentiable `LuongAttention` on the tape: context `[B, H]`.
public func luongAttention(
  query: Variable, keys: Variable, values: Variable, lengths: [Int]
) -> Variable {
  let (q, k, v) = (query.value, keys.value, values.value)
  let (weights, context) = LuongAttention.forward(query: q, keys: k, values: v, lengths: lengths)
  return query.tape.record(context, inputs: [query, keys, values]) { g in
    let d = LuongAttention.backward(
      contextGradient: g, weights: weights, query: q, keys: k, values: v, lengths: lengths)
    return [d.query, d.keys, d.values]
  }
}
