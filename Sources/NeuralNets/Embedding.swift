import Core
import Tensors

/// A lookup table of `vocabularySize` learned vectors of width `dimension` (PyTorch's
/// `nn.Embedding`: `weight` is `[vocabularySize, dimension]`, initialised N(0, 1)).
///
/// With `paddingIndex`, that row starts at zero and never receives a gradient, so padded positions
/// of a batch contribute nothing (PyTorch's `padding_idx`).
public final class Embedding: Module {
  public let weight: Parameter
  public let paddingIndex: Int?
  public var vocabularySize: Int { weight.value.shape[0] }
  public var dimension: Int { weight.value.shape[1] }

  public init(
    vocabularySize: Int, dimension: Int, paddingIndex: Int? = nil, using rng: inout RandomGenerator
  ) {
    precondition(
      vocabularySize > 0 && dimension > 0,
      "Embedding(vocabularySize: \(vocabularySize), dimension: \(dimension)) needs positive sizes")
    if let paddingIndex {
      precondition(
        paddingIndex >= 0 && paddingIndex < vocabularySize,
        "Embedding paddingIndex \(paddingIndex) out of range 0..<\(vocabularySize)")
    }
    var table = Tensor.normal(shape: [vocabularySize, dimension], using: &rng)
    if let paddingIndex {
      for j in 0..<dimension { table.data[paddingIndex * dimension + j] = 0 }
    }
    weight = Parameter(table)
    self.paddingIndex = paddingIndex
  }

  /// Differentiable lookup on `tape`: `[indices.count, dimension]`.
  public func callAsFunction(_ indices: [Int], on tape: Tape) -> Variable {
    embedding(tape.parameter(weight), indices: indices, paddingIndex: paddingIndex)
  }

  /// Inference without a tape: `[indices.count, dimension]`.
  public func callAsFunction(_ indices: [Int]) -> Tensor {
    Tensor.embedding(weight.value, indices: indices)
  }

  public func namedParameters() -> [(name: String, parameter: Parameter)] { [("weight", weight)] }
}

extension Tensor {
  /// Rows `indices` of a `[V, D]` table: `out[i] = table[indices[i]]`, shape `[indices.count, D]`.
  public static func embedding(_ table: Tensor, indices: [Int]) -> Tensor {
    precondition(table.rank == 2, "embedding table must be [vocabulary, dimension], got \(table.shape)")
    let (v, d) = (table.shape[0], table.shape[1])
    var out = [Float](repeating: 0, count: indices.count * d)
    table.data.withUnsafeBufferPointer { w in
      out.withUnsafeMutableBufferPointer { o in
        for (i, index) in indices.enumerated() {
          precondition(index >= 0 && index < v, "embedding index \(index) out of range 0..<\(v)")
          guard d > 0 else { continue }
          (o.baseAddress! + i * d).update(from: w.baseAddress! + index * d, count: d)
        }
      }
    }
    return Tensor(shape: [indices.count, d], data: out)
  }
}

/// Differentiable row lookup `table[indices]` (`table` `[V, D]`, result `[indices.count, D]`).
/// Backward scatter-adds each output row's gradient into its table row (repeated indices
/// accumulate); rows equal to `paddingIndex` get no gradient.
public func embedding(_ table: Variable, indices: [Int], paddingIndex: Int? = nil) -> Variable {
  let shape = table.shape
  let out = Tensor.embedding(table.value, indices: indices)
  let d = shape[1]
  return table.tape.record(out, inputs: [table]) { g in
    var grad = [Float](repeating: 0, count: Tensor.count(of: shape))
    g.data.withUnsafeBufferPointer { gp in
      grad.withUnsafeMutableBufferPointer { dw in
        for (i, index) in indices.enumerated() where index != paddingIndex {
          let src = i * d
          let dst = index * d
          for j in 0..<d { dw[dst + j] += gp[src + j] }
        }
      }
    }
    return [Tensor(shape: shape, data: grad)]
  }
}
