import Foundation

// Differentiable operations: each records its forward value (a `Tensor` kernel from
// `Tensor+Ops.swift`) and, in one place, the backward rule mapping the output gradient `g` to
// input gradients.

extension Variable {
  @inline(__always)
  fileprivate func unary(_ value: Tensor, _ backward: @escaping (Tensor) -> Tensor) -> Variable {
    tape.record(value, inputs: [self]) { g in [backward(g)] }
  }

  @inline(__always)
  fileprivate func sameTape(_ other: Variable, _ op: String) {
    precondition(tape === other.tape, "\(op): operands belong to different tapes")
  }

  // MARK: Arithmetic with broadcasting

  public static func + (a: Variable, b: Variable) -> Variable {
    a.sameTape(b, "+")
    let (va, vb) = (a.value, b.value)
    let (needA, needB) = (a.requiresGrad, b.requiresGrad)
    return a.tape.record(va + vb, inputs: [a, b]) { g in
      [
        needA ? g.reduced(toBroadcastShape: va.shape) : nil,
        needB ? g.reduced(toBroadcastShape: vb.shape) : nil,
      ]
    }
  }

  public static func - (a: Variable, b: Variable) -> Variable {
    a.sameTape(b, "-")
    let (va, vb) = (a.value, b.value)
    let (needA, needB) = (a.requiresGrad, b.requiresGrad)
    return a.tape.record(va - vb, inputs: [a, b]) { g in
      [
        needA ? g.reduced(toBroadcastShape: va.shape) : nil,
        needB ? (-g).reduced(toBroadcastShape: vb.shape) : nil,
      ]
    }
  }

  public static func * (a: Variable, b: Variable) -> Variable {
    a.sameTape(b, "*")
    let (va, vb) = (a.value, b.value)
    let (needA, needB) = (a.requiresGrad, b.requiresGrad)
    return a.tape.record(va * vb, inputs: [a, b]) { g in
      [
        needA ? (g * vb).reduced(toBroadcastShape: va.shape) : nil,
        needB ? (g * va).reduced(toBroadcastShape: vb.shape) : nil,
      ]
    }
  }

  public static func / (a: Variable, b: Variable) -> Variable {
    a.sameTape(b, "/")
    let (va, vb) = (a.value, b.value)
    let (needA, needB) = (a.requiresGrad, b.requiresGrad)
    return a.tape.record(va / vb, inputs: [a, b]) { g in
      [
        needA ? (g / vb).reduced(toBroadcastShape: va.shape) : nil,
        // d(a/b)/db = -a / b^2
        needB ? Tensor.zip(g * va, vb) { gv, y in -gv / (y * y) }.reduced(toBroadcastShape: vb.shape) : nil,
      ]
    }
  }

  public static func + (a: Variable, s: Float) -> Variable { a.unary(a.value + s) { $0 } }
  public static func - (a: Variable, s: Float) -> Variable { a.unary(a.value - s) { $0 } }
  public static func * (a: Variable, s: Float) -> Variable { a.unary(a.value * s) { $0 * s } }
  public static func / (a: Variable, s: Float) -> Variable { a.unary(a.value / s) { $0 / s } }
  public static func + (s: Float, a: Variable) -> Variable { a + s }
  public static func * (s: Float, a: Variable) -> Variable { a * s }
  public static func - (s: Float, a: Variable) -> Variable { a.unary(a.value.map { s - $0 }) { -$0 } }
  public static prefix func - (a: Variable) -> Variable { a.unary(-a.value) { -$0 } }

  // MARK: Elementwise functions

  public func exp() -> Variable {
    let y = value.exp()
    return unary(y) { $0 * y }
  }

  public func log() -> Variable {
    let x = value
    return unary(x.log()) { $0 / x }
  }

  public func tanh() -> Variable {
    let y = value.tanh()
    return unary(y) { g in FusedActivation.tanh.backward(g, output: y) }
  }

  public func sigmoid() -> Variable {
    let y = value.sigmoid()
    return unary(y) { g in FusedActivation.sigmoid.backward(g, output: y) }
  }

  public func relu() -> Variable {
    let x = value
    return unary(x.relu()) { g in Tensor.zip(g, x) { gv, v in v > 0 ? gv : 0 } }
  }

  public func square() -> Variable {
    let x = value
    return unary(x.map { $0 * $0 }) { g in Tensor.zip(g, x) { gv, v in 2 * v * gv } }
  }

  public func sqrt() -> Variable {
    let y = value.map { $0.squareRoot() }
    return unary(y) { g in Tensor.zip(g, y) { gv, r in gv / (2 * r) } }
  }

  public func abs() -> Variable {
    let x = value
    return unary(x.map { Swift.abs($0) }) { g in Tensor.zip(g, x) { gv, v in v > 0 ? gv : (v < 0 ? -gv : 0) }
    }
  }

  /// Clamps to [lo, hi]; the gradient passes where `lo <= x <= hi` (PyTorch's convention).
  public func clamped(min lo: Float, max hi: Float) -> Variable {
    let x = value
    return unary(x.clamped(min: lo, max: hi)) { g in
      Tensor.zip(g, x) { gv, v in (v >= lo && v <= hi) ? gv : 0 }
    }
  }

  // MARK: Reductions

  public func sum() -> Variable {
    let shape = self.shape
    return unary(value.sum()) { g in Tensor(repeating: g.scalar, shape: shape) }
  }

  public func mean() -> Variable {
    let shape = self.shape
    let n = Float(value.count)
    return unary(value.mean()) { g in Tensor(repeating: g.scalar / n, shape: shape) }
  }

  /// Sum over one axis (negative counts from the end), removing it.
  public func sum(axis: Int) -> Variable {
    let x = value
    let axis = x.axisIndex(axis)
    return unary(x.sum(axis: axis)) { g in Variable.expand(g, along: axis, of: x.shape) }
  }

  public func mean(axis: Int) -> Variable {
    let extent = Float(shape[value.axisIndex(axis)])
    return sum(axis: axis) * (1 / extent)
  }

  /// Repeats `g` (the shape of `shape` without `axis`) along `axis`.
  static func expand(_ g: Tensor, along axis: Int, of shape: [Int]) -> Tensor {
    let outer = shape[..<axis].reduce(1, *)
    let extent = shape[axis]
    let inner = shape[(axis + 1)...].reduce(1, *)
    var out = [Float](repeating: 0, count: outer * extent * inner)
    g.data.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for a in 0..<outer {
          for e in 0..<extent {
            let base = (a * extent + e) * inner
            for i in 0..<inner { dst[base + i] = src[a * inner + i] }
          }
        }
      }
    }
    return Tensor(shape: shape, data: out)
  }

  // MARK: Softmax family

  /// Log-softmax over the last axis. Backward: `g - softmax * sum(g)` per row.
  public func logSoftmax() -> Variable {
    let y = value.logSoftmax()
    return unary(y) { g in
      Variable.rowwiseBackward(g, y) { gp, yp, o, r, c in
        var s: Float = 0
        for j in 0..<c { s += gp[r + j] }
        for j in 0..<c { o[r + j] = gp[r + j] - Foundation.exp(yp[r + j]) * s }
      }
    }
  }

  /// Softmax over the last axis. Backward: `y * (g - sum(g * y))` per row.
  public func softmax() -> Variable {
    let y = value.softmax()
    return unary(y) { g in
      Variable.rowwiseBackward(g, y) { gp, yp, o, r, c in
        var s: Float = 0
        for j in 0..<c { s += gp[r + j] * yp[r + j] }
        for j in 0..<c { o[r + j] = yp[r + j] * (gp[r + j] - s) }
      }
    }
  }

  /// The gradient of a row-wise op over the last axis of its output `y`: `row(g, y, o, r, c)`
  /// writes `o[r..<r+c]` from the rows of `g` and `y` at offset `r` (`c` wide).
  private static func rowwiseBackward(
    _ g: Tensor, _ y: Tensor,
    _ row: (
      UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>, UnsafeMutableBufferPointer<Float>, Int, Int
    )
      -> Void
  ) -> Tensor {
    let c = y.shape[y.rank - 1]
    var out = [Float](repeating: 0, count: g.count)
    g.data.withUnsafeBufferPointer { gp in
      y.data.withUnsafeBufferPointer { yp in
        out.withUnsafeMutableBufferPointer { o in
          var r = 0
          while r < gp.count {
            row(gp, yp, o, r, c)
            r += c
          }
        }
      }
    }
    return Tensor(shape: y.shape, data: out)
  }

  /// One element per row along the last axis (log-probabilities of chosen actions or labels).
  public func gather(_ indices: [Int]) -> Variable {
    let shape = self.shape
    let c = shape[shape.count - 1]
    return unary(value.gather(indices)) { g in
      var out = [Float](repeating: 0, count: Tensor.count(of: shape))
      for (r, j) in indices.enumerated() { out[r * c + j] += g.data[r] }
      return Tensor(shape: shape, data: out)
    }
  }

  /// Fused `logSoftmax().gather(indices)`: one pass, one recorded node.
  public func logSoftmaxGather(_ indices: [Int]) -> Variable {
    let logp = value.logSoftmax()
    let c = logp.shape[logp.rank - 1]
    return unary(logp.gather(indices)) { g in
      // d/dx_j of logp[idx] = [j == idx] - softmax_j
      var out = [Float](repeating: 0, count: logp.count)
      logp.data.withUnsafeBufferPointer { lp in
        for (r, idx) in indices.enumerated() {
          let gr = g.data[r]
          for j in 0..<c { out[r * c + j] = -Foundation.exp(lp[r * c + j]) * gr }
          out[r * c + idx] += gr
        }
      }
      return Tensor(shape: logp.shape, data: out)
    }
  }

  // MARK: Shape

  /// Same data, new shape (no copy of the forward value).
  public func reshaped(_ shape: [Int]) -> Variable {
    let original = self.shape
    return unary(value.reshaped(shape)) { $0.reshaped(original) }
  }

  /// Rows `range` along the first axis.
  public func slice(_ range: Range<Int>) -> Variable {
    let shape = self.shape
    let inner = value.count / Swift.max(shape[0], 1)
    return unary(value.slice(range)) { g in
      var out = [Float](repeating: 0, count: Tensor.count(of: shape))
      out.withUnsafeMutableBufferPointer { o in
        g.data.withUnsafeBufferPointer { gp in
          guard gp.count > 0 else { return }
          (o.baseAddress! + range.lowerBound * inner).update(from: gp.baseAddress!, count: gp.count)
        }
      }
      return Tensor(shape: shape, data: out)
    }
  }

  /// Index `i` along the first axis, removing it.
  public func index(_ i: Int) -> Variable {
    slice(i..<(i + 1)).reshaped(Array(shape.dropFirst()))
  }

  /// Columns `range` along the last axis (for example one gate of a GRU's stacked projections).
  public func columns(_ range: Range<Int>) -> Variable {
    let shape = self.shape
    let c = shape[shape.count - 1]
    return unary(value.columns(range)) { g in
      var out = [Float](repeating: 0, count: Tensor.count(of: shape))
      let rows = out.count / Swift.max(c, 1)
      let w = range.count
      for r in 0..<rows {
        for j in 0..<w { out[r * c + range.lowerBound + j] = g.data[r * w + j] }
      }
      return Tensor(shape: shape, data: out)
    }
  }
}
