import COpenBLAS
import Core
import Foundation
import NeuralNets
import Tensors

/// The measurements behind `losslab bench tensor`: the tensor layer against bare OpenBLAS calls,
/// measured in one run (the machines are shared and noisy, so every comparison is a ratio of two
/// figures timed in interleaved rounds).
public enum TensorBenchmark {
  public struct MatmulRecord: Codable, Sendable {
    public let n: Int
    public let tensor_gflops: Double
    public let raw_gflops: Double
    public let ratio: Double
  }

  public struct MLPRecord: Codable, Sendable {
    public let batch: Int
    public let widths: [Int]
    /// forward + backward + Adam step through the tape, microseconds.
    public let step_us: Double
    /// The bare sgemm calls that step needs (3 forward, 5 backward) on preallocated buffers.
    public let blas_floor_us: Double
    public let ratio_to_floor: Double
  }

  public struct GRURecord: Codable, Sendable {
    public let input: Int
    public let hidden: Int
    public let steps: Int
    public let batch: Int
    /// forward + backward through the fused GRU, milliseconds.
    public let forward_backward_ms: Double
  }

  public struct ThreadsRecord: Codable, Sendable {
    public let threads: Int
    public let mlp_step_us_batch64: Double
    public let mlp_step_us_batch256: Double
    public let gru_ms: Double
    public let matmul_1024_gflops: Double
  }

  public struct Report: Codable, Sendable {
    public let threads: Int
    public let matmul: [MatmulRecord]
    public let mlp: [MLPRecord]
    public let gru: GRURecord
    /// The same workloads at each thread count (how the default was chosen).
    public let thread_sweep: [ThreadsRecord]
  }

  /// Runs every measurement with `threads` BLAS threads, then the thread sweep; `quick` shortens
  /// every timing (for tests).
  public static func run(threads: Int, sweep: [Int] = [1, 2], quick: Bool = false) -> Report {
    let saved = BLAS.threads
    defer { BLAS.threads = saved }
    let budget = quick ? 0.01 : 0.4
    BLAS.threads = threads
    let matmul = [64, 256, 1024].map { matmulRecord(n: $0, budget: $0 == 1024 ? budget * 3 : budget) }
    let mlp = [64, 256].map { mlpRecord(batch: $0, budget: budget) }
    let gru = gruRecord(budget: budget * 2)
    var sweepRecords: [ThreadsRecord] = []
    for t in sweep {
      BLAS.threads = t
      sweepRecords.append(
        ThreadsRecord(
          threads: t, mlp_step_us_batch64: mlpRecord(batch: 64, budget: budget).step_us,
          mlp_step_us_batch256: mlpRecord(batch: 256, budget: budget).step_us,
          gru_ms: gruRecord(budget: budget * 2).forward_backward_ms,
          matmul_1024_gflops: matmulRecord(n: 1024, budget: budget * 2).tensor_gflops))
    }
    return Report(threads: threads, matmul: matmul, mlp: mlp, gru: gru, thread_sweep: sweepRecords)
  }

  /// The report as one line of JSON with keys in a fixed order.
  public static func json(_ report: Report) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data = (try? encoder.encode(report)) ?? Data()
    return String(decoding: data, as: UTF8.self)
  }

  // MARK: Timing

  // MARK: Workloads

  static func matmulRecord(n: Int, budget: Double) -> MatmulRecord {
    var rng = RandomGenerator(seed: UInt64(n))
    let a = Tensor.uniform(shape: [n, n], low: -1, high: 1, using: &rng)
    let b = Tensor.uniform(shape: [n, n], low: -1, high: 1, using: &rng)
    var c = [Float](repeating: 0, count: n * n)
    var sink: Float = 0
    let times = Timing.interleaved(
      budget: budget,
      [
        { sink += Tensor.matmul(a, b).data[0] },
        {
          a.data.withUnsafeBufferPointer { pa in
            b.data.withUnsafeBufferPointer { pb in
              c.withUnsafeMutableBufferPointer { pc in
                cblas_sgemm(
                  CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, pa.baseAddress!,
                  Int32(n), pb.baseAddress!, Int32(n), 0, pc.baseAddress!, Int32(n))
              }
            }
          }
          sink += c[0]
        },
      ])
    _ = sink
    let flops = 2 * Double(n) * Double(n) * Double(n)
    let tensor = flops / times[0] * 1e-9
    let raw = flops / times[1] * 1e-9
    return MatmulRecord(
      n: n, tensor_gflops: round(tensor, 1), raw_gflops: round(raw, 1), ratio: round(tensor / raw, 3))
  }

  static let mlpWidths = [4, 64, 64, 2]

  static func mlpRecord(batch: Int, budget: Double) -> MLPRecord {
    var rng = RandomGenerator(seed: 7)
    let mlp = MLP(widths: mlpWidths, activation: .tanh, using: &rng)
    let adam = Adam(parameters: mlp.parameters, learningRate: 1e-4)
    let x = Tensor.uniform(shape: [batch, mlpWidths[0]], low: -1, high: 1, using: &rng)
    let target = Tensor.uniform(shape: [batch, mlpWidths.last!], low: -1, high: 1, using: &rng)
    let step = {
      let tape = Tape()
      let y = mlp(tape.constant(x))
      let loss = (y - tape.constant(target)).square().mean()
      tape.backward(loss)
      adam.step()
      adam.zeroGrad()
    }
    let floor = blasFloor(batch: batch, mlp: mlp, x: x)
    let times = Timing.interleaved(budget: budget, [step, floor])
    return MLPRecord(
      batch: batch, widths: mlpWidths, step_us: round(times[0] * 1e6, 2),
      blas_floor_us: round(times[1] * 1e6, 2),
      ratio_to_floor: round(times[0] / times[1], 2))
  }

  /// The sgemm calls of one MLP training step and nothing else: forward `h_l = h_{l-1} W_l^T`
  /// for each layer, backward `dW_l = g_l^T h_{l-1}` for each layer and `g_{l-1} = g_l W_l` for
  /// all but the first (the input needs no gradient).
  static func blasFloor(batch: Int, mlp: MLP, x: Tensor) -> () -> Void {
    let widths = mlpWidths
    let weights = mlp.layers.map(\.weight.value.data)
    var activations = widths.map { [Float](repeating: 0.01, count: batch * $0) }
    activations[0] = x.data
    var grads = widths.map { [Float](repeating: 0.01, count: batch * $0) }
    var weightGrads = weights.map { [Float](repeating: 0, count: $0.count) }
    return {
      for l in 0..<(widths.count - 1) {
        let (k, n) = (widths[l], widths[l + 1])
        sgemmRaw(false, true, batch, n, k, activations[l], k, weights[l], k, &activations[l + 1], n)
      }
      for l in stride(from: widths.count - 2, through: 0, by: -1) {
        let (k, n) = (widths[l], widths[l + 1])
        sgemmRaw(true, false, n, k, batch, grads[l + 1], n, activations[l], k, &weightGrads[l], k)
        if l > 0 { sgemmRaw(false, false, batch, k, n, grads[l + 1], n, weights[l], k, &grads[l], k) }
      }
    }
  }

  @inline(__always)
  static func sgemmRaw(
    _ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ a: [Float], _ lda: Int, _ b: [Float], _ ldb: Int,
    _ c: inout [Float], _ ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, Int32(m), Int32(n),
      Int32(k), 1,
      a, Int32(lda), b, Int32(ldb), 0, &c, Int32(ldc))
  }

  static func gruRecord(budget: Double) -> GRURecord {
    let (input, hidden, steps, batch) = (80, 128, 200, 16)
    var rng = RandomGenerator(seed: 11)
    let gru = GRU(inputSize: input, hiddenSize: hidden, using: &rng)
    let x = Tensor.uniform(shape: [steps, batch, input], low: -1, high: 1, using: &rng)
    let times = Timing.interleaved(
      budget: budget, rounds: 9,
      [
        {
          let tape = Tape()
          let out = gru(tape.constant(x))
          tape.backward(out.output.square().mean())
          gru.zeroGrad()
        }
      ])
    return GRURecord(
      input: input, hidden: hidden, steps: steps, batch: batch, forward_backward_ms: round(times[0] * 1e3, 3))
  }

  static func round(_ x: Double, _ digits: Int) -> Double {
    let s = Foundation.pow(10, Double(digits))
    return (x * s).rounded() / s
  }
}
