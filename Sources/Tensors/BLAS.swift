import COpenBLAS

/// Thin, typed access to the OpenBLAS routines the tensor layer uses.
public enum BLAS {
  /// OpenBLAS worker threads (process-wide).
  public static var threads: Int {
    get { Int(openblas_get_num_threads()) }
    set {
      precondition(newValue >= 1, "BLAS.threads must be at least 1, got \(newValue)")
      openblas_set_num_threads(Int32(newValue))
    }
  }

  /// Stops OpenBLAS's idle worker threads (started when the library loads); the next
  /// multithreaded BLAS call starts them again. Returns false when this BLAS has no such routine.
  @discardableResult
  public static func stopIdleWorkers() -> Bool {
    losslab_openblas_stop_workers() != 0
  }

  /// The thread count LossLab's commands use unless told otherwise (`--threads`): one thread is
  /// fastest for the batch-64...256, width-64 matrices of RL and for the per-step GEMMs of a GRU,
  /// where OpenBLAS's thread hand-off costs more than it saves (measured in BENCHMARKS.md).
  public static let defaultThreads = 1

  /// `C = alpha * op(A) * op(B) + beta * C` on raw row-major buffers.
  /// `op(A)` is `[m, k]`, `op(B)` is `[k, n]`, `C` is `[m, n]`; `lda`/`ldb` are the row strides of
  /// A and B as stored (before the transpose flag is applied).
  @inline(__always)
  public static func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  /// `y += alpha * x` over `n` elements.
  @inline(__always)
  public static func saxpy(
    n: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>
  ) {
    cblas_saxpy(Int32(n), alpha, x, 1, y, 1)
  }
}
