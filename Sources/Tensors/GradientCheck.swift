import Core

/// Central finite differences against the tape's gradients (the idea of PyTorch's
/// `torch.autograd.gradcheck`), shared by every module's gradient tests.
///
/// The scalar checked is `sum(w * f(inputs))` with fixed random weights `w`, so every output
/// element gets a different upstream gradient (a plain sum would hide transposition errors).
/// Forward values are Float, the weighted sum is accumulated in Double; with step `eps` = 1e-2 the
/// truncation error of a smooth op is O(eps^2) ~ 1e-4 and the rounding error ~1e-5, so the default
/// tolerance is |analytic - numeric| <= atol + rtol * |numeric| with atol = 2e-3, rtol = 2e-2.
public enum GradientCheck {
  /// One input element whose analytic and numeric derivatives disagree beyond the tolerance.
  public struct Mismatch: Sendable, CustomStringConvertible {
    public var input: Int
    public var element: Int
    public var analytic: Float
    public var numeric: Float
    public var description: String {
      "input \(input) element \(element): analytic \(analytic) vs numeric \(numeric)"
    }
  }

  /// Every element of every input whose gradient fails the tolerance (empty when `f`'s backward
  /// agrees with central differences). `f` must be deterministic.
  public static func mismatches(
    _ inputs: [Tensor], eps: Float = 1e-2, atol: Float = 2e-3, rtol: Float = 2e-2,
    _ f: ([Variable]) -> Variable
  ) -> [Mismatch] {
    // Analytic gradients.
    let tape = Tape()
    let vars = inputs.map { tape.variable($0) }
    let out = f(vars)
    var rng = RandomGenerator(seed: 99)
    let weights = (0..<out.value.count).map { _ in
      Float(rng.uniform(0.5, 1.5)) * (rng.uniform() < 0.5 ? -1 : 1)
    }
    tape.backward(out, seed: Tensor(shape: out.shape, data: weights))
    let analytic = vars.map { tape.gradient(of: $0) ?? Tensor(zeros: $0.shape) }

    func objective(_ xs: [Tensor]) -> Double {
      let t = Tape()
      let y = f(xs.map { t.constant($0) }).value
      var s = 0.0
      for i in 0..<y.count { s += Double(weights[i]) * Double(y.data[i]) }
      return s
    }

    var bad: [Mismatch] = []
    for (k, x) in inputs.enumerated() {
      for i in 0..<x.count {
        var plus = inputs
        var minus = inputs
        plus[k].data[i] += eps
        minus[k].data[i] -= eps
        let numeric = Float((objective(plus) - objective(minus)) / Double(2 * eps))
        let a = analytic[k].data[i]
        if !(Swift.abs(a - numeric) <= atol + rtol * Swift.abs(numeric)) {
          bad.append(Mismatch(input: k, element: i, analytic: a, numeric: numeric))
        }
      }
    }
    return bad
  }
}
