import Dispatch
import Foundation
import Tensors

/// How the per-item CTC losses are combined, with PyTorch's meanings.
public enum CTCReduction: String, Sendable, CaseIterable {
  /// No reduction: `loss` is the sum of the per-item losses, and the gradient is that of the sum
  /// (item `i`'s slice of the gradient is the gradient of its own loss).
  case none
  /// `sum_i loss_i`.
  case sum
  /// `mean_i(loss_i / max(S_i, 1))` over all N items (items zeroed by `zeroInfinity` still count).
  case mean
}

/// A CTC input that a caller can break: the message names the offending item and values.
public struct CTCError: Error, CustomStringConvertible, Equatable, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// Element types the CTC kernel reads and writes. Accumulation is always in `Double`.
public protocol CTCScalar: BinaryFloatingPoint, Sendable {
  /// `e^x` in this type's precision (the softmax numerators are computed once, in place).
  static func ctcExp(_ x: Self) -> Self
}

extension Float: CTCScalar {
  @inline(__always) public static func ctcExp(_ x: Float) -> Float { Foundation.expf(x) }
}

extension Double: CTCScalar {
  @inline(__always) public static func ctcExp(_ x: Double) -> Double { Foundation.exp(x) }
}

/// The result of one CTC forward+backward pass.
public struct CTCLossOutput<Scalar: CTCScalar>: Sendable {
  /// `-log p(target_i | logits_i)` per item; `+inf` for an impossible alignment (0 with `zeroInfinity`).
  public var losses: [Double]
  /// The reduced loss (`reduction`); for `.none`, the sum of `losses`.
  public var loss: Double
  /// `d loss / d logits`, shape `[T, N, C]` like the logits. Frames past an item's input length
  /// are exactly 0. An impossible item without `zeroInfinity` has NaN on its valid frames (as
  /// PyTorch); with `zeroInfinity` it is all 0.
  public var gradient: [Scalar]
  /// Items whose target cannot be aligned within their input length.
  public var infeasibleItems: [Int]
  /// Items whose linear-space recursion would underflow and were recomputed in log space.
  public var logSpaceItems: [Int]

  /// The gradient for an upstream gradient `upstream` (one value for `.sum`/`.mean`, one per item
  /// for `.none`): what an autograd wrapper passes back to the logits.
  public func gradient(scaledBy upstream: [Double], shape: [Int]) -> [Scalar] {
    let (n, c) = (shape[1], shape[2])
    precondition(
      upstream.count == 1 || upstream.count == n,
      "upstream gradient needs 1 or \(n) values, got \(upstream.count)")
    var g = gradient
    g.withUnsafeMutableBufferPointer { g in
      for i in 0..<g.count {
        let item = (i / c) % n
        let u = upstream.count == 1 ? upstream[0] : upstream[item]
        g[i] = Scalar(Double(g[i]) * u)
      }
    }
    return g
  }
}

/// Connectionist temporal classification loss (Graves et al., 2006), batched, with its gradient.
///
/// Logits are `[T, N, C]` (time-major, PyTorch's layout), unnormalised: the loss applies the
/// log-softmax over `C` itself, and the gradient is with respect to the logits
/// (`softmax - occupancy`, Graves 2006 eq. 16), computed in the same pass as the loss.
///
/// The recursions run over the extended label sequence `l'` (blanks around every label) in
/// linear space in `Double`, rescaled every frame (Rabiner scaling; the loss is the sum of the
/// log scale factors). When a reachable forward or backward variable would become subnormal
/// (extremely peaked logits), that item is recomputed in log space, so results are exact for
/// any finite logits. Items run in parallel over `threads` workers; each worker carves one
/// workspace of `O(T x (2S+1))` doubles; results do not depend on the thread count.
public struct CTCLoss: Sendable {
  public var blank: Int
  public var reduction: CTCReduction
  public var zeroInfinity: Bool
  public var threads: Int
  /// Tests only: run every item in log space (the exact reference path).
  var forceLogSpace = false

  public init(
    blank: Int = 0, reduction: CTCReduction = .mean, zeroInfinity: Bool = false,
    threads: Int = ProcessInfo.processInfo.activeProcessorCount
  ) {
    precondition(threads >= 1, "CTCLoss needs threads >= 1, got \(threads)")
    self.blank = blank
    self.reduction = reduction
    self.zeroInfinity = zeroInfinity
    self.threads = threads
  }

  /// Loss and gradient for `Float` logits `[T, N, C]` (`shape`), targets without padding.
  public func callAsFunction(
    logits: [Float], shape: [Int], targets: [[Int]], inputLengths: [Int]
  ) throws -> CTCLossOutput<Float> {
    try compute(logits: logits, shape: shape, targets: targets, inputLengths: inputLengths)
  }

  /// Loss and gradient for `Double` logits `[T, N, C]` (`shape`), targets without padding.
  public func callAsFunction(
    logits: [Double], shape: [Int], targets: [[Int]], inputLengths: [Int]
  ) throws -> CTCLossOutput<Double> {
    try compute(logits: logits, shape: shape, targets: targets, inputLengths: inputLengths)
  }

  /// Loss and gradient for a logits tensor `[T, N, C]`.
  public func callAsFunction(
    logits: Tensor, targets: [[Int]], inputLengths: [Int]
  ) throws -> CTCLossOutput<Float> {
    try compute(logits: logits.data, shape: logits.shape, targets: targets, inputLengths: inputLengths)
  }

  /// Loss and gradient with padded targets `[N, width]` (row-major) and their lengths.
  public func callAsFunction(
    logits: [Float], shape: [Int], paddedTargets: [Int], targetLengths: [Int], inputLengths: [Int]
  ) throws -> CTCLossOutput<Float> {
    let targets = try CTCLoss.unpad(paddedTargets, lengths: targetLengths)
    return try compute(logits: logits, shape: shape, targets: targets, inputLengths: inputLengths)
  }

  /// Splits padded targets `[N, width]` into per-item label lists.
  public static func unpad(_ padded: [Int], lengths: [Int]) throws -> [[Int]] {
    let n = lengths.count
    guard n > 0, padded.count % n == 0 else {
      throw CTCError("padded targets have \(padded.count) entries, not a multiple of the \(n) target lengths")
    }
    let width = padded.count / n
    return try (0..<n).map { i in
      let s = lengths[i]
      guard s >= 0, s <= width else {
        throw CTCError("target length \(s) of item \(i) is outside 0...\(width) (the padded target width)")
      }
      return Array(padded[(i * width)..<(i * width + s)])
    }
  }

  func validate(shape: [Int], count: Int, targets: [[Int]], inputLengths: [Int]) throws -> (Int, Int, Int) {
    guard shape.count == 3 else { throw CTCError("logits must have shape [T, N, C], got \(shape)") }
    let (t, n, c) = (shape[0], shape[1], shape[2])
    guard t >= 1, n >= 1, c >= 1 else { throw CTCError("logits shape \(shape) needs T >= 1, N >= 1, C >= 1") }
    guard count == t * n * c else {
      throw CTCError("logits hold \(count) values but shape \(shape) needs \(t * n * c)")
    }
    guard blank >= 0, blank < c else { throw CTCError("blank index \(blank) is outside 0..<\(c) (C = \(c))") }
    guard targets.count == n else { throw CTCError("\(targets.count) targets for a batch of N = \(n)") }
    guard inputLengths.count == n else {
      throw CTCError("\(inputLengths.count) input lengths for a batch of N = \(n)")
    }
    for i in 0..<n {
      guard inputLengths[i] >= 0, inputLengths[i] <= t else {
        throw CTCError("input length \(inputLengths[i]) of item \(i) is outside 0...\(t) (T = \(t))")
      }
      for (k, label) in targets[i].enumerated() {
        guard label >= 0, label < c else {
          throw CTCError("label \(label) at position \(k) of target \(i) is outside 0..<\(c) (C = \(c))")
        }
        guard label != blank else {
          throw CTCError("label at position \(k) of target \(i) is the blank index \(blank)")
        }
      }
    }
    return (t, n, c)
  }

  func compute<Scalar: CTCScalar>(
    logits: [Scalar], shape: [Int], targets: [[Int]], inputLengths: [Int]
  ) throws -> CTCLossOutput<Scalar> {
    let (t, n, c) = try validate(
      shape: shape, count: logits.count, targets: targets, inputLengths: inputLengths)
    var losses = [Double](repeating: 0, count: n)
    var status = [CTCItemStatus](repeating: .linear, count: n)
    let scales: [Double] = targets.map { target in
      reduction == .mean ? 1 / (Double(max(target.count, 1)) * Double(n)) : 1
    }
    // Every element is written by the kernel (valid frames, padding zeros), so the gradient
    // skips a zero-fill pass over [T, N, C].
    let gradient = [Scalar](unsafeUninitializedCapacity: logits.count) { g, initialized in
      logits.withUnsafeBufferPointer { x in
        losses.withUnsafeMutableBufferPointer { lossOut in
          status.withUnsafeMutableBufferPointer { statusOut in
            let kernel = CTCKernel<Scalar>(
              logits: x.baseAddress!, gradient: g.baseAddress!, T: t, N: n, C: c, blank: blank,
              zeroInfinity: zeroInfinity, forceLogSpace: forceLogSpace)
            let shared = CTCShared(losses: lossOut.baseAddress!, status: statusOut.baseAddress!)
            let plan = CTCLoss.schedule(
              costs: (0..<n).map { inputLengths[$0] * (2 * targets[$0].count + 1) }, workers: threads)
            let run: @Sendable (Int) -> Void = { worker in
              let items = plan[worker]
              let maxT = items.map { inputLengths[$0] }.max() ?? 0
              let maxL = items.map { 2 * targets[$0].count + 1 }.max() ?? 1
              let workspace = CTCWorkspace(maxT: maxT, maxL: maxL)
              for i in items {
                let (loss, itemStatus) = kernel.item(
                  i, target: targets[i], inputLength: inputLengths[i], scale: scales[i], workspace: workspace)
                shared.losses[i] = loss
                shared.status[i] = itemStatus
              }
            }
            if plan.count == 1 {
              run(0)
            } else {
              DispatchQueue.concurrentPerform(iterations: plan.count, execute: run)
            }
          }
        }
      }
      initialized = logits.count
    }
    if let bad = status.firstIndex(of: .nonFinite) {
      throw CTCError(
        "logits of item \(bad) hold NaN or infinite values within its input length \(inputLengths[bad])")
    }
    // Reduce in item order so the result does not depend on the thread count.
    var loss = 0.0
    for i in 0..<n {
      loss += reduction == .mean ? losses[i] / Double(max(targets[i].count, 1)) : losses[i]
    }
    if reduction == .mean { loss /= Double(n) }
    return CTCLossOutput(
      losses: losses, loss: loss, gradient: gradient,
      infeasibleItems: (0..<n).filter { status[$0] == .infeasible },
      logSpaceItems: (0..<n).filter { status[$0] == .logSpace })
  }

  /// Longest-processing-time-first assignment of items to at most `workers` workers
  /// (deterministic; every item's result is independent of where it runs).
  static func schedule(costs: [Int], workers: Int) -> [[Int]] {
    let k = max(1, min(workers, costs.count))
    var plan = [[Int]](repeating: [], count: k)
    var load = [Int](repeating: 0, count: k)
    let order = costs.indices.sorted { costs[$0] != costs[$1] ? costs[$0] > costs[$1] : $0 < $1 }
    for i in order {
      let w = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 }!
      plan[w].append(i)
      load[w] += costs[i] + 1
    }
    return plan
  }
}

enum CTCItemStatus: Sendable, Equatable {
  case linear, logSpace, infeasible, nonFinite
}

/// Per-item output slots; workers write disjoint indices.
struct CTCShared: @unchecked Sendable {
  let losses: UnsafeMutablePointer<Double>
  let status: UnsafeMutablePointer<CTCItemStatus>
}
