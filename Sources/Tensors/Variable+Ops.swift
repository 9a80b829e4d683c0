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

// MARK: - Free functions over several variables

/// `op(a) x op(b)` for rank-2 variables; backward uses BLAS transpose flags, no copies.
public func matmul(
  _ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false
) -> Variable {
  precondition(a.tape === b.tape, "matmul: operands belong to different tapes")
  let (va, vb) = (a.value, b.value)
  let (needA, needB) = (a.requiresGrad, b.requiresGrad)
  let out = Tensor.matmul(va, vb, transposeA: transposeA, transposeB: transposeB)
  return a.tape.record(out, inputs: [a, b]) { g in
    // C = op(A) op(B): dop(A) = g op(B)^T, dop(B) = op(A)^T g, then undo each op.
    var ga: Tensor? = nil
    var gb: Tensor? = nil
    if needA {
      ga =
        transposeA
        ? Tensor.matmul(vb, g, transposeA: transposeB, transposeB: true)
        : Tensor.matmul(g, vb, transposeA: false, transposeB: !transposeB)
    }
    if needB {
      gb =
        transposeB
        ? Tensor.matmul(g, va, transposeA: true, transposeB: transposeA)
        : Tensor.matmul(va, g, transposeA: !transposeA, transposeB: false)
    }
    return [ga, gb]
  }
}

/// Fused affine map `x W^T + b` (`weight` `[out, in]`, `x` `[..., in]`): one sgemm forward, two
/// (plus a column sum) backward.
public func linear(_ x: Variable, weight: Variable, bias: Variable?) -> Variable {
  linear(x, weight: weight, bias: bias, activation: .identity)
}

/// A nonlinearity applied inside a fused operation (its derivative is a function of its output).
public enum FusedActivation: String, Sendable, CaseIterable {
  case identity, tanh, relu, sigmoid
  /// tanh with `RoundedEigenTanh` (the PPO policy's; same backward).
  case tanhRounded

  /// Applies the activation in place.
  @inlinable
  public func apply(_ y: UnsafeMutableBufferPointer<Float>) {
    guard let p = y.baseAddress else { return }
    switch self {
    case .identity: return
    case .tanh: VectorMath.tanh(p, p, count: y.count)
    case .tanhRounded: VectorMath.tanh(p, p, count: y.count, RoundedEigenTanh.self)
    case .sigmoid: VectorMath.sigmoid(p, p, count: y.count)
    case .relu: for i in 0..<y.count { y[i] = Swift.max(y[i], 0) }
    }
  }

  /// `g * f'(z)` written through the output `y = f(z)`: tanh `1 - y^2`, sigmoid `y (1 - y)`,
  /// relu `y > 0`.
  public func backward(_ g: Tensor, output y: Tensor) -> Tensor {
    if self == .identity { return g }
    return g.data.withUnsafeBufferPointer { gp in
      y.data.withUnsafeBufferPointer { yp in
        Tensor.filled(shape: y.shape) { o in
          switch self {
          case .identity: break
          case .tanh, .tanhRounded: for i in 0..<o.count { o[i] = gp[i] * (1 - yp[i] * yp[i]) }
          case .sigmoid: for i in 0..<o.count { o[i] = gp[i] * yp[i] * (1 - yp[i]) }
          case .relu: for i in 0..<o.count { o[i] = yp[i] > 0 ? gp[i] : 0 }
          }
        }
      }
    }
  }
}

/// Fused `activation(x W^T + b)`: one sgemm and one pass over the output forward; backward forms
/// `dz = g * f'(z)` from the saved output, then the two sgemms and the bias column sum of `linear`.
/// One tape node instead of two (the MLP hot path).
public func linear(
  _ x: Variable, weight: Variable, bias: Variable?, activation: FusedActivation
) -> Variable {
  precondition(x.tape === weight.tape, "linear: operands belong to different tapes")
  let vx = x.value
  let vw = weight.value
  let y = Tensor.linear(vx, weight: vw, bias: bias?.value, activation: activation)
  let needX = x.requiresGrad
  let needW = weight.requiresGrad
  let needB = bias?.requiresGrad ?? false
  let inFeatures = vw.shape[1]
  let outFeatures = vw.shape[0]
  let rows = vx.count / Swift.max(inFeatures, 1)
  var inputs = [x, weight]
  if let bias { inputs.append(bias) }
  let hasBias = bias != nil  // never capture a Variable: it holds the tape (a retain cycle)
  return x.tape.record(y, inputs: inputs) { g in
    let dz = activation.backward(g, output: y).reshaped([rows, outFeatures])
    let x2 = vx.reshaped([rows, inFeatures])
    let gx = needX ? Tensor.matmul(dz, vw).reshaped(vx.shape) : nil
    let gw = needW ? Tensor.matmul(dz, x2, transposeA: true) : nil
    var grads: [Tensor?] = [gx, gw]
    if hasBias { grads.append(needB ? dz.sum(axis: 0) : nil) }
    return grads
  }
}

/// Elementwise minimum of equally shaped variables. Ties split the gradient in half (PyTorch).
public func minimum(_ a: Variable, _ b: Variable) -> Variable {
  choose(a, b, name: "minimum") { $0 < $1 }
}

/// Elementwise maximum of equally shaped variables. Ties split the gradient in half (PyTorch).
public func maximum(_ a: Variable, _ b: Variable) -> Variable {
  choose(a, b, name: "maximum") { $0 > $1 }
}

private func choose(
  _ a: Variable, _ b: Variable, name: String, _ prefersA: @escaping (Float, Float) -> Bool
) -> Variable {
  precondition(a.tape === b.tape, "\(name): operands belong to different tapes")
  let (va, vb) = (a.value, b.value)
  precondition(va.shape == vb.shape, "\(name) needs equal shapes, got \(va.shape) and \(vb.shape)")
  let out = Tensor.zip(va, vb) { x, y in prefersA(x, y) || x == y ? x : y }
  return a.tape.record(out, inputs: [a, b]) { g in
    var ga = [Float](repeating: 0, count: g.count)
    var gb = [Float](repeating: 0, count: g.count)
    for i in 0..<g.count {
      let x = va.data[i]
      let y = vb.data[i]
      if x == y {
        ga[i] = g.data[i] / 2
        gb[i] = g.data[i] / 2
      } else if prefersA(x, y) {
        ga[i] = g.data[i]
      } else {
        gb[i] = g.data[i]
      }
    }
    return [Tensor(shape: va.shape, data: ga), Tensor(shape: vb.shape, data: gb)]
  }
}

/// `mask ? a : b` elementwise (equal shapes); the gradient goes to the chosen side.
public func select(_ mask: [Bool], _ a: Variable, _ b: Variable) -> Variable {
  precondition(a.tape === b.tape, "select: operands belong to different tapes")
  let (va, vb) = (a.value, b.value)
  precondition(va.shape == vb.shape, "select needs equal shapes, got \(va.shape) and \(vb.shape)")
  precondition(mask.count == va.count, "select mask has \(mask.count) entries for shape \(va.shape)")
  var out = vb.data
  for i in 0..<out.count where mask[i] { out[i] = va.data[i] }
  return a.tape.record(Tensor(shape: va.shape, data: out), inputs: [a, b]) { g in
    var ga = [Float](repeating: 0, count: g.count)
    var gb = g.data
    for i in 0..<g.count where mask[i] {
      ga[i] = g.data[i]
      gb[i] = 0
    }
    return [Tensor(shape: va.shape, data: ga), Tensor(shape: vb.shape, data: gb)]
  }
}

/// Joins variables along `axis`.
public func concat(_ parts: [Variable], axis: Int = 0) -> Variable {
  precondition(!parts.isEmpty, "concat of no variables")
  let tape = parts[0].tape
  let values = parts.map(\.value)
  let out = Tensor.concat(values, axis: axis)
  let ax = values[0].axisIndex(axis)
  return tape.record(out, inputs: parts) { g in
    let outer = g.shape[..<ax].reduce(1, *)
    let inner = g.shape[(ax + 1)...].reduce(1, *)
    let total = g.shape[ax]
    var grads: [Tensor?] = []
    var offset = 0
    for v in values {
      let extent = v.shape[ax]
      var d = [Float](repeating: 0, count: v.count)
      for o in 0..<outer {
        let src = (o * total + offset) * inner
        let dst = o * extent * inner
        for i in 0..<(extent * inner) { d[dst + i] = g.data[src + i] }
      }
      grads.append(Tensor(shape: v.shape, data: d))
      offset += extent
    }
    return grads
  }
}

/// Stacks equally shaped variables along a new leading axis.
public func stack(_ parts: [Variable]) -> Variable {
  precondition(!parts.isEmpty, "stack of no variables")
  let shapes = parts.map(\.shape)
  let out = Tensor.stack(parts.map(\.value))
  let count = parts.count  // never capture a Variable: it holds the tape (a retain cycle)
  return parts[0].tape.record(out, inputs: parts) { g in
    let n = g.count / count
    return shapes.enumerated().map { i, s in
      Tensor(shape: s, data: Array(g.data[(i * n)..<((i + 1) * n)]))
    }
  }
}
