import Core
import Tensors
import Testing

/// `GradientCheck.mismatches` (central finite differences, tolerance documented there) as one
/// expectation that lists the first failing elements.
public func checkGradients(
  _ inputs: [Tensor], eps: Float = 1e-2, atol: Float = 2e-3, rtol: Float = 2e-2,
  sourceLocation: SourceLocation = #_sourceLocation,
  _ f: ([Variable]) -> Variable
) {
  let bad = GradientCheck.mismatches(inputs, eps: eps, atol: atol, rtol: rtol, f)
  #expect(bad.isEmpty, "\(bad.count) mismatches: \(bad.prefix(8))", sourceLocation: sourceLocation)
}

/// A tensor of uniform values in `[low, high)` from a seeded generator.
public func randomTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
  var rng = RandomGenerator(seed: seed)
  return Tensor.uniform(shape: shape, low: low, high: high, using: &rng)
}
