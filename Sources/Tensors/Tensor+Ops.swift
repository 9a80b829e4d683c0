import Foundation

/// How two shapes combine elementwise. Supported: equal shapes, a one-element operand (scalar),
/// and an operand whose shape is a suffix of the other's (`[N, D] op [D]`: broadcasting over
/// leading dimensions).
@usableFromInline
enum Broadcast {
  case same
  case rightRepeats(period: Int)  // b's elements repeat along a's leading dimensions
  case leftRepeats(period: Int)  // a's elements repeat along b's leading dimensions

  @usableFromInline
  static func resolve(_ a: [Int], _ b: [Int]) -> (Broadcast, [Int]) {
    if a == b { return (.same, a) }
    let na = Tensor.count(of: a)
    let nb = Tensor.count(of: b)
    if nb == 1 && b.count <= a.count { return (.rightRepeats(period: 1), a) }
    if na == 1 && a.count <= b.count { return (.leftRepeats(period: 1), b) }
    if b.count < a.count && Array(a.suffix(b.count)) == b { return (.rightRepeats(period: nb), a) }
    if a.count < b.count && Array(b.suffix(a.count)) == a { return (.leftRepeats(period: na), b) }
    preconditionFailure("shapes \(a) and \(b) do not broadcast (equal, scalar, or suffix shapes)")
  }
}

extension Tensor {
  /// A tensor whose every element `body` writes (no zero-fill first; `body` must write them all).
  @inlinable
  public static func filled(shape: [Int], _ body: (UnsafeMutableBufferPointer<Float>) -> Void) -> Tensor {
    let n = Tensor.count(of: shape)
    let data = [Float](unsafeUninitializedCapacity: n) { buffer, initialized in
      body(buffer)
      initialized = n
    }
    return Tensor(shape: shape, data: data)
  }

  // MARK: Elementwise

  /// Applies `f` to every element.
  @inlinable
  public func map(_ f: (Float) -> Float) -> Tensor {
    data.withUnsafeBufferPointer { x in
      Tensor.filled(shape: shape) { y in
        for i in 0..<x.count { y[i] = f(x[i]) }
      }
    }
  }

  /// Combines two tensors elementwise with broadcasting (see `Broadcast`).
  @inlinable
  public static func zip(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
    let (mode, shape) = Broadcast.resolve(a.shape, b.shape)
    var out = [Float](repeating: 0, count: Tensor.count(of: shape))
    a.data.withUnsafeBufferPointer { x in
      b.data.withUnsafeBufferPointer { y in
        out.withUnsafeMutableBufferPointer { o in
          switch mode {
          case .same:
            for i in 0..<o.count { o[i] = f(x[i], y[i]) }
          case .rightRepeats(let period):
            if period == 1 {
              let s = y[0]
              for i in 0..<o.count { o[i] = f(x[i], s) }
            } else {
              var i = 0
              while i < o.count {
                for j in 0..<period { o[i + j] = f(x[i + j], y[j]) }
                i += period
              }
            }
          case .leftRepeats(let period):
            if period == 1 {
              let s = x[0]
              for i in 0..<o.count { o[i] = f(s, y[i]) }
            } else {
              var i = 0
              while i < o.count {
                for j in 0..<period { o[i + j] = f(x[j], y[i + j]) }
                i += period
              }
            }
          }
        }
      }
    }
    return Tensor(shape: shape, data: out)
  }

  /// Sums `self` (a gradient shaped like a broadcast result) down to `shape`, undoing broadcasting.
  public func reduced(toBroadcastShape target: [Int]) -> Tensor {
    if target == shape { return self }
    let n = Tensor.count(of: target)
    precondition(n > 0 && count % n == 0, "cannot reduce shape \(shape) to \(target)")
    var out = [Float](repeating: 0, count: n)
    data.withUnsafeBufferPointer { g in
      out.withUnsafeMutableBufferPointer { o in
        var i = 0
        while i < g.count {
          for j in 0..<n { o[j] += g[i + j] }
          i += n
        }
      }
    }
    return Tensor(shape: target, data: out)
  }

  public static func + (a: Tensor, b: Tensor) -> Tensor { zip(a, b, +) }
  public static func - (a: Tensor, b: Tensor) -> Tensor { zip(a, b, -) }
  public static func * (a: Tensor, b: Tensor) -> Tensor { zip(a, b, *) }
  public static func / (a: Tensor, b: Tensor) -> Tensor { zip(a, b, /) }
  public static func + (a: Tensor, s: Float) -> Tensor { a.map { $0 + s } }
  public static func - (a: Tensor, s: Float) -> Tensor { a.map { $0 - s } }
  public static func * (a: Tensor, s: Float) -> Tensor { a.map { $0 * s } }
  public static func / (a: Tensor, s: Float) -> Tensor { a.map { $0 / s } }
  public static prefix func - (a: Tensor) -> Tensor { a.map { -$0 } }

  public func exp() -> Tensor { map { Foundation.exp($0) } }
  public func log() -> Tensor { map { Foundation.log($0) } }
  /// Vectorised (`VectorMath.tanh`: within 4e-7 of the exact value).
  public func tanh() -> Tensor {
    data.withUnsafeBufferPointer { x in
      Tensor.filled(shape: shape) { y in
        guard let px = x.baseAddress, let py = y.baseAddress else { return }
        VectorMath.tanh(px, py, count: x.count)
      }
    }
  }

  /// Vectorised (`VectorMath.sigmoid`: within 4e-7 of the exact value).
  public func sigmoid() -> Tensor {
    data.withUnsafeBufferPointer { x in
      Tensor.filled(shape: shape) { y in
        guard let px = x.baseAddress, let py = y.baseAddress else { return }
        VectorMath.sigmoid(px, py, count: x.count)
      }
    }
  }
  public func relu() -> Tensor { map { Swift.max($0, 0) } }
  public func clamped(min lo: Float, max hi: Float) -> Tensor { map { Swift.min(Swift.max($0, lo), hi) } }

  /// Numerically stable logistic function.
  @inlinable
  public static func sigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
    let e = Foundation.exp(x)
    return e / (1 + e)
  }

  // MARK: Matrix products

  /// `op(a) x op(b)` for rank-2 tensors through `cblas_sgemm`; transposes are BLAS flags, never copies.
  public static func matmul(
    _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false
  ) -> Tensor {
    precondition(a.rank == 2 && b.rank == 2, "matmul needs rank-2 tensors, got \(a.shape) and \(b.shape)")
    let m = transposeA ? a.shape[1] : a.shape[0]
    let k = transposeA ? a.shape[0] : a.shape[1]
    let kb = transposeB ? b.shape[1] : b.shape[0]
    let n = transposeB ? b.shape[0] : b.shape[1]
    precondition(
      k == kb,
      "matmul shapes \(a.shape)\(transposeA ? "^T" : "") and \(b.shape)\(transposeB ? "^T" : "") do not agree"
    )
    guard m > 0 && n > 0 && k > 0 else { return Tensor(zeros: [m, n]) }
    // beta = 0: sgemm writes every element of C, so C needs no zero-fill.
    return a.data.withUnsafeBufferPointer { pa in
      b.data.withUnsafeBufferPointer { pb in
        Tensor.filled(shape: [m, n]) { pc in
          BLAS.sgemm(
            transA: transposeA, transB: transposeB, m: m, n: n, k: k,
            a: pa.baseAddress!, lda: a.shape[1], b: pb.baseAddress!, ldb: b.shape[1],
            c: pc.baseAddress!, ldc: n)
        }
      }
    }
  }

  /// `activation(x W^T + b)`: `linear`, then the activation in place over the output.
  public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, activation: FusedActivation) -> Tensor
  {
    var out = linear(x, weight: weight, bias: bias)
    out.data.withUnsafeMutableBufferPointer { activation.apply($0) }
    return out
  }

  /// Affine map `x W^T + b` (PyTorch's `Linear` convention: `weight` is `[out, in]`), one sgemm
  /// with the bias pre-loaded into the output (beta = 1). `x` is `[..., in]`.
  public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
    precondition(weight.rank == 2, "linear weight must be [out, in], got \(weight.shape)")
    let inFeatures = weight.shape[1]
    let outFeatures = weight.shape[0]
    precondition(
      x.rank >= 1 && x.shape.last == inFeatures,
      "linear input \(x.shape) does not end in weight's in-features (weight \(weight.shape))")
    if let bias {
      precondition(bias.shape == [outFeatures], "linear bias \(bias.shape) must be [\(outFeatures)]")
    }
    let rows = x.count / Swift.max(inFeatures, 1)
    var shape = x.shape
    shape[shape.count - 1] = outFeatures
    guard rows > 0 && outFeatures > 0 else { return Tensor(zeros: shape) }
    return Tensor.filled(shape: shape) { po in
      if let bias {
        bias.data.withUnsafeBufferPointer { b in
          for r in 0..<rows {
            (po.baseAddress! + r * outFeatures).initialize(from: b.baseAddress!, count: outFeatures)
          }
        }
      } else if inFeatures == 0 {
        po.initialize(repeating: 0)
      }
      guard inFeatures > 0 else { return }
      x.data.withUnsafeBufferPointer { px in
        weight.data.withUnsafeBufferPointer { pw in
          BLAS.sgemm(
            transA: false, transB: true, m: rows, n: outFeatures, k: inFeatures,
            a: px.baseAddress!, lda: inFeatures, b: pw.baseAddress!, ldb: inFeatures,
            beta: bias == nil ? 0 : 1, c: po.baseAddress!, ldc: outFeatures)
        }
      }
    }
  }

  // MARK: Reductions

  /// Sum of all elements (accumulated in Double), shape `[]`.
  public func sum() -> Tensor {
    let total = data.withUnsafeBufferPointer { p in
      var s = 0.0
      for v in p { s += Double(v) }
      return s
    }
    return Tensor(Float(total))
  }

  public func mean() -> Tensor {
    precondition(count > 0, "mean of an empty tensor")
    return Tensor(sum().scalar / Float(count))
  }

  /// (outer, extent, inner) sizes around `axis`.
  @usableFromInline
  func split(at axis: Int) -> (outer: Int, extent: Int, inner: Int) {
    precondition(axis >= 0 && axis < rank, "axis \(axis) out of range for shape \(shape)")
    let outer = shape[..<axis].reduce(1, *)
    let inner = shape[(axis + 1)...].reduce(1, *)
    return (outer, shape[axis], inner)
  }

  /// Normalises a possibly negative axis (-1 = last).
  @usableFromInline
  func axisIndex(_ axis: Int) -> Int { axis < 0 ? rank + axis : axis }

  /// Sum over one axis, removing it.
  public func sum(axis: Int) -> Tensor {
    let axis = axisIndex(axis)
    let (outer, extent, inner) = split(at: axis)
    var out = [Float](repeating: 0, count: outer * inner)
    data.withUnsafeBufferPointer { x in
      out.withUnsafeMutableBufferPointer { o in
        // Row pointers hoisted out of the inner loop, so that it vectorises (a bias gradient).
        guard let ob = o.baseAddress, let xb = x.baseAddress else { return }
        for a in 0..<outer {
          let dst = ob + a * inner
          for e in 0..<extent {
            let src = xb + (a * extent + e) * inner
            for i in 0..<inner { dst[i] += src[i] }
          }
        }
      }
    }
    var newShape = shape
    newShape.remove(at: axis)
    return Tensor(shape: newShape, data: out)
  }

  public func mean(axis: Int) -> Tensor {
    let extent = shape[axisIndex(axis)]
    precondition(extent > 0, "mean over an empty axis of \(shape)")
    return sum(axis: axis) * (1 / Float(extent))
  }

  // MARK: Structure

  /// Joins tensors along `axis`; all other dimensions must agree.
  public static func concat(_ parts: [Tensor], axis: Int = 0) -> Tensor {
    precondition(!parts.isEmpty, "concat of no tensors")
    let first = parts[0]
    let axis = first.axisIndex(axis)
    for p in parts {
      precondition(
        p.rank == first.rank
          && p.shape.enumerated().allSatisfy { $0.offset == axis || $0.element == first.shape[$0.offset] },
        "concat along axis \(axis): shape \(p.shape) does not match \(first.shape)")
    }
    let outer = first.shape[..<axis].reduce(1, *)
    let inner = first.shape[(axis + 1)...].reduce(1, *)
    let total = parts.reduce(0) { $0 + $1.shape[axis] }
    var out = [Float]()
    out.reserveCapacity(outer * total * inner)
    for o in 0..<outer {
      for p in parts {
        let block = p.shape[axis] * inner
        out.append(contentsOf: p.data[(o * block)..<((o + 1) * block)])
      }
    }
    var shape = first.shape
    shape[axis] = total
    return Tensor(shape: shape, data: out)
  }

  /// Stacks equally shaped tensors along a new leading axis.
  public static func stack(_ parts: [Tensor]) -> Tensor {
    precondition(!parts.isEmpty, "stack of no tensors")
    let shape = parts[0].shape
    var out = [Float]()
    out.reserveCapacity(parts.count * parts[0].count)
    for p in parts {
      precondition(p.shape == shape, "stack: shape \(p.shape) does not match \(shape)")
      out.append(contentsOf: p.data)
    }
    return Tensor(shape: [parts.count] + shape, data: out)
  }

  /// Rows `range` along the first axis.
  public func slice(_ range: Range<Int>) -> Tensor {
    precondition(rank >= 1, "slice needs rank >= 1")
    precondition(
      range.lowerBound >= 0 && range.upperBound <= shape[0],
      "slice \(range) out of range for first dimension of \(shape)")
    let inner = count / Swift.max(shape[0], 1)
    var newShape = shape
    newShape[0] = range.count
    return Tensor(shape: newShape, data: Array(data[(range.lowerBound * inner)..<(range.upperBound * inner)]))
  }

  /// Index `i` along the first axis, removing it (`x[t]` of a `[T, B, D]` sequence is `[B, D]`).
  public func index(_ i: Int) -> Tensor {
    let s = slice(i..<(i + 1))
    return s.reshaped(Array(shape.dropFirst()))
  }

  /// Columns `range` along the last axis.
  public func columns(_ range: Range<Int>) -> Tensor {
    precondition(rank >= 1, "columns needs rank >= 1")
    let c = shape[rank - 1]
    precondition(range.lowerBound >= 0 && range.upperBound <= c, "columns \(range) out of range for \(shape)")
    let rows = count / Swift.max(c, 1)
    let w = range.count
    var out = [Float](repeating: 0, count: rows * w)
    data.withUnsafeBufferPointer { x in
      out.withUnsafeMutableBufferPointer { o in
        for r in 0..<rows {
          for j in 0..<w { o[r * w + j] = x[r * c + range.lowerBound + j] }
        }
      }
    }
    var newShape = shape
    newShape[rank - 1] = w
    return Tensor(shape: newShape, data: out)
  }
}
