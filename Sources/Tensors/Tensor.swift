import Core
import Foundation

/// A dense, row-major tensor of `Float`.
///
/// Value semantics with copy-on-write: `data` is a Swift array, so copies share storage until one
/// side mutates. `reshaped(_:)` never copies. Operations that build new tensors live in
/// `Tensor+Ops.swift`; differentiable versions on a `Tape` live in `Variable+Ops.swift`.
public struct Tensor: Sendable, Equatable {
  /// The extent of each dimension; `[]` is a scalar.
  public private(set) var shape: [Int]
  /// Row-major contiguous elements; `data.count == shape.product`.
  public var data: [Float]

  public init(shape: [Int], data: [Float]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative dimension")
    precondition(
      Tensor.count(of: shape) == data.count,
      "Tensor shape \(shape) needs \(Tensor.count(of: shape)) elements, got \(data.count)")
    self.shape = shape
    self.data = data
  }

  public init(zeros shape: [Int]) { self.init(repeating: 0, shape: shape) }

  public init(repeating value: Float, shape: [Int]) {
    self.init(shape: shape, data: [Float](repeating: value, count: Tensor.count(of: shape)))
  }

  /// A scalar (shape `[]`).
  public init(_ scalar: Float) { self.init(shape: [], data: [scalar]) }

  /// A vector (shape `[n]`).
  public init(_ vector: [Float]) { self.init(shape: [vector.count], data: vector) }

  /// A matrix from rows (shape `[rows.count, rows[0].count]`).
  public init(rows: [[Float]]) {
    let cols = rows.first?.count ?? 0
    precondition(rows.allSatisfy { $0.count == cols }, "Tensor(rows:) needs rows of equal length")
    self.init(shape: [rows.count, cols], data: rows.flatMap { $0 })
  }

  /// Uniform in [low, high).
  public static func uniform(
    shape: [Int], low: Float = 0, high: Float = 1, using rng: inout RandomGenerator
  ) -> Tensor {
    let n = count(of: shape)
    var data = [Float](repeating: 0, count: n)
    for i in 0..<n { data[i] = low + (high - low) * rng.uniformFloat() }
    return Tensor(shape: shape, data: data)
  }

  /// Normal with the given mean and standard deviation.
  public static func normal(
    shape: [Int], mean: Float = 0, std: Float = 1, using rng: inout RandomGenerator
  ) -> Tensor {
    let n = count(of: shape)
    var data = [Float](repeating: 0, count: n)
    for i in 0..<n { data[i] = mean + std * Float(rng.normal()) }
    return Tensor(shape: shape, data: data)
  }

  @inline(__always)
  public static func count(of shape: [Int]) -> Int {
    var n = 1
    for d in shape { n *= d }
    return n
  }

  public var count: Int { data.count }
  public var rank: Int { shape.count }
  /// The single value of a one-element tensor.
  public var scalar: Float {
    precondition(data.count == 1, "scalar needs a one-element tensor, shape is \(shape)")
    return data[0]
  }

  /// Same data, new shape; one dimension may be -1 (inferred). Never copies.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    var resolved = newShape
    if let inferred = newShape.firstIndex(of: -1) {
      let known = newShape.enumerated().filter { $0.offset != inferred }.reduce(1) { $0 * $1.element }
      precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
      resolved[inferred] = count / known
    }
    precondition(
      Tensor.count(of: resolved) == count, "cannot reshape \(shape) (\(count) elements) to \(newShape)")
    var t = self
    t.shape = resolved
    return t
  }

  /// Element at a multi-index (for tests and small lookups; hot code uses `data` directly).
  public subscript(indices: Int...) -> Float {
    get { data[flatIndex(indices)] }
    set { data[flatIndex(indices)] = newValue }
  }

  private func flatIndex(_ indices: [Int]) -> Int {
    precondition(indices.count == shape.count, "index \(indices) does not match shape \(shape)")
    var flat = 0
    for (i, d) in Swift.zip(indices, shape) {
      precondition(i >= 0 && i < d, "index \(indices) out of range for shape \(shape)")
      flat = flat * d + i
    }
    return flat
  }

  /// True when every element is finite (no NaN, no infinity).
  public var isFinite: Bool {
    data.withUnsafeBufferPointer { p in
      var ok = true
      for v in p where !v.isFinite {
        ok = false
        break
      }
      return ok
    }
  }
}

extension Tensor: CustomStringConvertible {
  public var description: String {
    let shown = data.prefix(16).map { String(format: "%.5g", Double($0)) }.joined(separator: ", ")
    return "Tensor(shape: \(shape), data: [\(shown)\(data.count > 16 ? ", ..." : "")])"
  }
}
