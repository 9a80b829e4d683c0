import Foundation

extension Tensor {
  // MARK: Softmax family (last axis)

  /// Numerically stable log-softmax over the last axis: `x - max - log(sum(exp(x - max)))`.
  public func logSoftmax() -> Tensor {
    mapRows("logSoftmax") { x, y, r, c, m in
      var s: Float = 0
      for j in 0..<c { s += Foundation.exp(x[r + j] - m) }
      // (x - m) - log(s), not x - (m + log(s)): the latter loses log(s) to rounding at large m.
      let logS = Foundation.log(s)
      for j in 0..<c { y[r + j] = (x[r + j] - m) - logS }
    }
  }

  /// Softmax over the last axis.
  public func softmax() -> Tensor {
    mapRows("softmax") { x, y, r, c, m in
      var s: Float = 0
      for j in 0..<c {
        let e = Foundation.exp(x[r + j] - m)
        y[r + j] = e
        s += e
      }
      let inv = 1 / s
      for j in 0..<c { y[r + j] *= inv }
    }
  }

  /// A tensor of this shape written row by row along the last axis: `body(x, y, r, c, m)` fills
  /// the output row `y[r..<r+c]` from the input row `x[r..<r+c]`, whose maximum is `m`.
  fileprivate func mapRows(
    _ name: String,
    _ body: (UnsafeBufferPointer<Float>, UnsafeMutableBufferPointer<Float>, Int, Int, Float) -> Void
  ) -> Tensor {
    precondition(rank >= 1 && shape[rank - 1] > 0, "\(name) needs a non-empty last axis, got \(shape)")
    let c = shape[rank - 1]
    var out = [Float](repeating: 0, count: count)
    data.withUnsafeBufferPointer { x in
      out.withUnsafeMutableBufferPointer { y in
        var r = 0
        while r < x.count {
          var m = x[r]
          for j in 1..<c { m = Swift.max(m, x[r + j]) }
          body(x, y, r, c, m)
          r += c
        }
      }
    }
    return Tensor(shape: shape, data: out)
  }

  /// Picks one element per row along the last axis: `out[r] = self[r, indices[r]]`.
  public func gather(_ indices: [Int]) -> Tensor {
    precondition(rank >= 1, "gather needs rank >= 1")
    let c = shape[rank - 1]
    let rows = count / Swift.max(c, 1)
    precondition(indices.count == rows, "gather: \(indices.count) indices for \(rows) rows of \(shape)")
    var out = [Float](repeating: 0, count: rows)
    data.withUnsafeBufferPointer { x in
      for r in 0..<rows {
        let j = indices[r]
        precondition(j >= 0 && j < c, "gather index \(j) out of range 0..<\(c)")
        out[r] = x[r * c + j]
      }
    }
    return Tensor(shape: Array(shape.dropLast()), data: out)
  }
}
