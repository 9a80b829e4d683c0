import COpenBLAS
import Core
import Foundation
import Tensors

/// Weight initialisers (PyTorch `torch.nn.init` semantics).
public enum Initializer: Sendable, Equatable {
  /// Orthogonal matrix scaled by `gain` (Saxe et al. 2014), as PPO implementations use.
  case orthogonal(gain: Float)
  /// Glorot & Bengio 2010 uniform: U(-a, a), a = gain * sqrt(6 / (fanIn + fanOut)).
  case xavierUniform(gain: Float)
  /// All zeros.
  case zeros
  /// PyTorch's default for `nn.Linear` weights: U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
  case uniformFanIn

  /// A tensor of `shape` (`[out, in]` for weights; rank-1 is treated as `[1, n]`).
  public func make(_ shape: [Int], using rng: inout RandomGenerator) -> Tensor {
    let rows = shape.first ?? 1
    let cols = Tensor.count(of: shape) / Swift.max(rows, 1)
    switch self {
    case .zeros:
      return Tensor(zeros: shape)
    case .xavierUniform(let gain):
      let fanIn = Float(shape.count >= 2 ? cols : shape[0])
      let fanOut = Float(shape.count >= 2 ? rows : shape[0])
      let a = gain * (6 / (fanIn + fanOut)).squareRoot()
      return Tensor.uniform(shape: shape, low: -a, high: a, using: &rng)
    case .uniformFanIn:
      let bound = 1 / Float(Swift.max(cols, 1)).squareRoot()
      return Tensor.uniform(shape: shape, low: -bound, high: bound, using: &rng)
    case .orthogonal(let gain):
      let q = Initializer.orthogonalMatrix(rows: rows, cols: cols, using: &rng)
      return Tensor(shape: shape, data: q.map { $0 * gain })
    }
  }

  /// A `rows x cols` matrix with orthonormal rows or columns (whichever is fewer), from the QR
  /// decomposition of a standard normal matrix with the signs of R's diagonal folded into Q
  /// (Mezzadri 2007), exactly as `torch.nn.init.orthogonal_`. Uses LAPACK `sgeqrf`/`sorgqr`.
  static func orthogonalMatrix(rows: Int, cols: Int, using rng: inout RandomGenerator) -> [Float] {
    // Work on the tall orientation (m >= n); LAPACK is column-major, so a row-major [n, m] buffer
    // is the column-major m x n matrix we factor.
    let m = Swift.max(rows, cols)
    let n = Swift.min(rows, cols)
    var a = (0..<(m * n)).map { _ in Float(rng.normal()) }  // column-major m x n
    var tau = [Float](repeating: 0, count: n)
    var mm = Int32(m)
    var nn = Int32(n)
    var kk = Int32(n)
    var lda = Int32(m)
    var info: Int32 = 0
    var lwork = Int32(-1)
    var query: Float = 0
    sgeqrf_(&mm, &nn, &a, &lda, &tau, &query, &lwork, &info)
    lwork = Int32(query)
    var work = [Float](repeating: 0, count: Swift.max(Int(lwork), 1))
    sgeqrf_(&mm, &nn, &a, &lda, &tau, &work, &lwork, &info)
    precondition(info == 0, "sgeqrf failed with info \(info)")
    let signs = (0..<n).map { a[$0 * m + $0] < 0 ? Float(-1) : Float(1) }
    lwork = -1
    sorgqr_(&mm, &nn, &kk, &a, &lda, &tau, &query, &lwork, &info)
    lwork = Int32(query)
    work = [Float](repeating: 0, count: Swift.max(Int(lwork), 1))
    sorgqr_(&mm, &nn, &kk, &a, &lda, &tau, &work, &lwork, &info)
    precondition(info == 0, "sorgqr failed with info \(info)")
    for j in 0..<n { for i in 0..<m { a[j * m + i] *= signs[j] } }
    // Column-major Q (m x n) read row-major is Q^T (n x m).
    if rows >= cols {
      // Want [rows = m, cols = n] row-major = Q: transpose the buffer.
      var out = [Float](repeating: 0, count: m * n)
      for i in 0..<m { for j in 0..<n { out[i * n + j] = a[j * m + i] } }
      return out
    }
    return a  // [rows = n, cols = m] row-major = Q^T, orthonormal rows
  }
}
