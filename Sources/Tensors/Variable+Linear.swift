import Foundation

// Matrix products and the fused linear layer (product, bias and activation in one tape node).

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
