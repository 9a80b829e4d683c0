import CTC
import Core
import Dispatch
import Foundation
import Tensors

/// Timing of the CTC loss from logits (log-softmax, forward, backward, gradient; no model) on
/// random data: logits Normal(0, 1), random feasible targets of length exactly S, full input
/// lengths, blank 0, reduction mean. The figure is the median wall-clock time of `repeats` calls
/// after one warm-up call.
public enum CTCBenchmark {
  public struct Shape: Sendable, Equatable {
    public var T: Int
    public var N: Int
    public var C: Int
    public var S: Int
    public init(T: Int, N: Int, C: Int, S: Int) {
      self.T = T
      self.N = N
      self.C = C
      self.S = S
    }
  }

  public struct Measurement: Sendable {
    public var shape: Shape
    public var threads: Int
    public var milliseconds: Double
  }

  /// The shapes of issue 6 (PyTorch's CPU figures for them are in ANCHORS.md).
  public static let standardShapes = [
    Shape(T: 200, N: 32, C: 32, S: 40), Shape(T: 500, N: 16, C: 64, S: 100),
    Shape(T: 1000, N: 8, C: 128, S: 200), Shape(T: 100, N: 64, C: 1000, S: 30),
  ]

  public static func measure(_ shape: Shape, threads: Int, repeats: Int = 9, seed: UInt64 = 6) throws
    -> Measurement
  {
    precondition(repeats >= 1, "repeats must be >= 1, got \(repeats)")
    var rng = RandomGenerator(seed: seed)
    let logits = (0..<(shape.T * shape.N * shape.C)).map { _ in Float(rng.normal()) }
    let targets = (0..<shape.N).map { _ in (0..<shape.S).map { _ in 1 + rng.int(below: shape.C - 1) } }
    let lengths = [Int](repeating: shape.T, count: shape.N)
    let loss = CTCLoss(blank: 0, reduction: .mean, zeroInfinity: false, threads: threads)
    var times: [Double] = []
    for r in 0...repeats {
      let start = Timing.now()
      let out = try loss(
        logits: logits, shape: [shape.T, shape.N, shape.C], targets: targets, inputLengths: lengths)
      let elapsed = (Timing.now() - start) * 1e3
      guard out.loss.isFinite else { throw CTCError("benchmark loss is not finite: \(out.loss)") }
      if r > 0 { times.append(elapsed) }
    }
    return Measurement(shape: shape, threads: threads, milliseconds: Timing.median(times))
  }

  /// `{"shapes": [{"T", "N", "C", "S", "threads", "ms"}, ...]}`.
  public static func json(_ measurements: [Measurement]) -> String {
    let rows = measurements.map { m in
      let ms = (m.milliseconds * 1000).rounded() / 1000
      return "{\"T\": \(m.shape.T), \"N\": \(m.shape.N), \"C\": \(m.shape.C), \"S\": \(m.shape.S), "
        + "\"threads\": \(m.threads), \"ms\": \(ms)}"
    }
    return "{\"shapes\": [\n  " + rows.joined(separator: ",\n  ") + "\n]}"
  }
}
