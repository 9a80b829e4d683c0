import CTC
import Core
import Foundation
import Tensors
import Testing

@testable import CTC

/// CTC loss against PyTorch float64 reference data (FORMAT.md tolerances: loss 1e-12 relative;
/// gradient 1e-12 absolute, 1e-9 + 5e-10 rounding on the `long` cases), closed forms, finite
/// differences and input errors.
struct CTCLossTests {
  func check(_ file: CTCReferenceFile, gradientTolerance: Double, threads: Int) throws {
    for c in file.cases {
      let shape = [c.T, c.N, c.C]
      let x = c.logits
      let targets = c.items.map(\.target)
      let lengths = c.items.map(\.inputLength)
      func run(_ reduction: CTCReduction) throws -> CTCLossOutput<Double> {
        try CTCLoss(blank: c.blank, reduction: reduction, zeroInfinity: c.zeroInfinity, threads: threads)(
          logits: x, shape: shape, targets: targets, inputLengths: lengths)
      }
      let none = try run(.none)
      let sum = try run(.sum)
      let mean = try run(.mean)
      #expect(relativeError(sum.loss, c.lossSum) <= 1e-12, "\(c.id) sum \(sum.loss) vs \(c.lossSum)")
      #expect(relativeError(mean.loss, c.lossMean) <= 1e-12, "\(c.id) mean \(mean.loss) vs \(c.lossMean)")
      for (i, item) in c.items.enumerated() {
        #expect(relativeError(none.losses[i], c.losses[i]) <= 1e-12, "\(c.id) item \(i)")
        #expect(relativeError(none.losses[i], item.loss) <= 1e-12, "\(c.id) item \(i)")
        #expect(none.infeasibleItems.contains(i) == !item.feasible, "\(c.id) item \(i) feasibility")
        if !item.feasible && !c.zeroInfinity {
          #expect(none.losses[i] == .infinity)
          continue
        }
        var worst = 0.0
        var worstMean = 0.0
        var paddingNonZero = 0
        let meanScale = 1 / (Double(max(item.target.count, 1)) * Double(c.N))
        for t in 0..<c.T {
          for k in 0..<c.C {
            let index = (t * c.N + i) * c.C + k
            let g = none.gradient[index]
            worst = max(worst, abs(g - item.gradLogits[t][k]))
            worstMean = max(worstMean, abs(mean.gradient[index] - meanScale * item.gradLogits[t][k]))
            #expect(sum.gradient[index] == g)
            if t >= item.inputLength && (g != 0 || mean.gradient[index] != 0) { paddingNonZero += 1 }
          }
        }
        #expect(worst <= gradientTolerance, "\(c.id) item \(i): gradient off by \(worst)")
        #expect(
          worstMean <= gradientTolerance * meanScale + 1e-15,
          "\(c.id) item \(i): mean gradient off by \(worstMean)")
        #expect(paddingNonZero == 0, "\(c.id) item \(i): padding frames must have exactly zero gradient")
      }
    }
  }

  @Test func matchesPyTorchReferenceCases() throws {
    let file = try loadCTCReference("ctc_cases.json")
    #expect(file.cases.count == 38)
    try check(file, gradientTolerance: 1e-12, threads: 2)
  }

  @Test func matchesPyTorchLongCases() throws {
    let file = try loadCTCReference("ctc_cases_long.json")
    #expect(file.cases.count == 2)
    try check(file, gradientTolerance: 1e-9 + 5e-10, threads: 1)
  }

  /// long_35's target probability (~e^-60000) is far below the double range: only log space works.
  @Test func extremeLogitsFallBackToLogSpace() throws {
    let c = try #require(
      try loadCTCReference("ctc_cases_long.json").cases.first { $0.id.hasPrefix("long_35") })
    let out = try CTCLoss(blank: c.blank, reduction: .none)(
      logits: c.logits, shape: [c.T, c.N, c.C], targets: c.items.map(\.target),
      inputLengths: c.items.map(\.inputLength))
    #expect(out.logSpaceItems == [0])
    #expect(out.losses[0] > 5e4 && out.losses[0].isFinite)
  }

  /// T = 1, S = 1: the only path emits the label, so loss = -log softmax(x)[l] and the gradient
  /// is softmax - onehot(l).
  @Test func singleFrameClosedForm() throws {
    let x: [Double] = [0.5, -1.0, 2.0]
    let z = x.map(exp).reduce(0, +)
    let p = x.map { exp($0) / z }
    let out = try CTCLoss(blank: 0, reduction: .sum)(
      logits: x, shape: [1, 1, 3], targets: [[2]], inputLengths: [1])
    #expect(abs(out.loss - -log(p[2])) <= 1e-15)
    let expected = [p[0], p[1], p[2] - 1]
    for k in 0..<3 { #expect(abs(out.gradient[k] - expected[k]) <= 1e-15) }
  }

  /// T = 2, S = 1 (label 1, blank 0): paths (1,1), (0,1), (1,0), so
  /// p = q1(1) q2(1) + q1(0) q2(1) + q1(1) q2(0) with q the per-frame softmax.
  @Test func twoFrameClosedForm() throws {
    let x: [Double] = [0.3, -0.2, 1.1, 0.7, 0.0, -0.5]
    func softmax(_ r: ArraySlice<Double>) -> [Double] {
      let z = r.map(exp).reduce(0, +)
      return r.map { exp($0) / z }
    }
    let q1 = softmax(x[0..<3])
    let q2 = softmax(x[3..<6])
    let p = q1[1] * q2[1] + q1[0] * q2[1] + q1[1] * q2[0]
    let out = try CTCLoss(blank: 0, reduction: .none)(
      logits: x, shape: [2, 1, 3], targets: [[1]], inputLengths: [2])
    #expect(abs(out.losses[0] - -log(p)) <= 1e-14)
    // Occupancy at frame 1: gamma(1) = (q1(1) q2(1) + q1(1) q2(0)) / p, gamma(0) = q1(0) q2(1) / p.
    let gamma1 = (q1[1] * q2[1] + q1[1] * q2[0]) / p
    #expect(abs(out.gradient[1] - (q1[1] - gamma1)) <= 1e-14)
    #expect(abs(out.gradient[0] - (q1[0] - (1 - gamma1))) <= 1e-14)
    #expect(abs(out.gradient[2] - q1[2]) <= 1e-14)
  }

  /// Central differences (h = 1e-5) of the mean-reduced loss on random small batches; tolerance 1e-7.
  @Test func gradientMatchesFiniteDifferences() throws {
    var rng = RandomGenerator(seed: 11)
    for trial in 0..<6 {
      let (t, n, c) = (3 + rng.int(below: 5), 1 + rng.int(below: 3), 2 + rng.int(below: 4))
      let blank = rng.int(below: c)
      let lengths = (0..<n).map { _ in 1 + rng.int(below: t) }
      let targets: [[Int]] = lengths.map { len in
        var s: [Int] = []
        for _ in 0..<rng.int(below: (len + 1) / 2 + 1) {
          var l = rng.int(below: c - 1)
          if l >= blank { l += 1 }
          s.append(l)
        }
        return s
      }
      let x = (0..<(t * n * c)).map { _ in rng.normal() * 2 }
      let loss = CTCLoss(blank: blank, reduction: .mean, zeroInfinity: true, threads: 1)
      let out = try loss(logits: x, shape: [t, n, c], targets: targets, inputLengths: lengths)
      var worst = 0.0
      for k in 0..<x.count {
        var plus = x
        var minus = x
        plus[k] += 1e-5
        minus[k] -= 1e-5
        let fd =
          (try loss(logits: plus, shape: [t, n, c], targets: targets, inputLengths: lengths).loss
            - loss(logits: minus, shape: [t, n, c], targets: targets, inputLengths: lengths).loss) / 2e-5
        worst = max(worst, abs(fd - out.gradient[k]))
      }
      #expect(worst <= 1e-7, "trial \(trial): finite differences off by \(worst)")
    }
  }

  /// The Float path (what training uses) agrees with the double reference within float tolerances,
  /// and results do not depend on the thread count.
  @Test func floatPathAndThreadCountInvariance() throws {
    let file = try loadCTCReference("ctc_cases.json")
    for c in file.cases where c.category == "batch" || c.category == "random" {
      let x = c.logits.map { Float($0) }
      let targets = c.items.map(\.target)
      let lengths = c.items.map(\.inputLength)
      let one = try CTCLoss(blank: c.blank, reduction: .none, zeroInfinity: c.zeroInfinity, threads: 1)(
        logits: x, shape: [c.T, c.N, c.C], targets: targets, inputLengths: lengths)
      let three = try CTCLoss(blank: c.blank, reduction: .none, zeroInfinity: c.zeroInfinity, threads: 3)(
        logits: x, shape: [c.T, c.N, c.C], targets: targets, inputLengths: lengths)
      #expect(one.losses == three.losses)
      #expect(one.gradient.elementsEqual(three.gradient) { $0 == $1 || ($0.isNaN && $1.isNaN) })
      for (i, item) in c.items.enumerated() where item.feasible {
        #expect(relativeError(one.losses[i], item.loss) <= 1e-5, "\(c.id) item \(i)")
        for t in 0..<c.T {
          for k in 0..<c.C {
            let g = Double(one.gradient[(t * c.N + i) * c.C + k])
            #expect(abs(g - item.gradLogits[t][k]) <= 5e-4, "\(c.id) item \(i) t \(t) c \(k)")
          }
        }
      }
    }
  }

  /// Float logits of magnitude 100 underflow the float softmax: the item must be recomputed in
  /// log space and still match (FORMAT.md's float tolerance for `long`: 5e-2 gradient).
  @Test func floatPathOnLongCases() throws {
    for c in try loadCTCReference("ctc_cases_long.json").cases {
      let out = try CTCLoss(blank: c.blank, reduction: .none)(
        logits: c.logits.map { Float($0) }, shape: [c.T, c.N, c.C], targets: c.items.map(\.target),
        inputLengths: c.items.map(\.inputLength))
      #expect(relativeError(out.losses[0], c.losses[0]) <= 1e-5, "\(c.id)")
      var worst = 0.0
      for t in 0..<c.T {
        for k in 0..<c.C {
          worst = max(worst, abs(Double(out.gradient[t * c.C + k]) - c.items[0].gradLogits[t][k]))
        }
      }
      #expect(worst <= 5e-2, "\(c.id): float gradient off by \(worst)")
    }
  }

  /// Ordinary logits (Normal(0, 1), the benchmark's data) stay in the fast linear-space path,
  /// and its results agree with the log-space path to 1e-12.
  @Test func ordinaryLogitsStayInLinearSpace() throws {
    var rng = RandomGenerator(seed: 5)
    let (t, n, c, s) = (400, 3, 20, 80)
    let x = (0..<(t * n * c)).map { _ in rng.normal() }
    let targets = (0..<n).map { _ in (0..<s).map { _ in 1 + rng.int(below: c - 1) } }
    let lengths = [t, t - 50, t - 100]
    let out = try CTCLoss(blank: 0, reduction: .none)(
      logits: x, shape: [t, n, c], targets: targets, inputLengths: lengths)
    #expect(out.logSpaceItems.isEmpty)
    // Scaling every logit by 40 makes the paths extremely peaked: log space takes over.
    let peaked = try CTCLoss(blank: 0, reduction: .none)(
      logits: x.map { $0 * 40 }, shape: [t, n, c], targets: targets, inputLengths: lengths)
    #expect(peaked.logSpaceItems == [0, 1, 2])
    // The log-space path on the same data agrees (loss 1e-12 relative, gradient 1e-12 absolute).
    var logOnly = CTCLoss(blank: 0, reduction: .none)
    logOnly.forceLogSpace = true
    let reference = try logOnly(logits: x, shape: [t, n, c], targets: targets, inputLengths: lengths)
    #expect(reference.logSpaceItems == [0, 1, 2])
    for i in 0..<n { #expect(relativeError(out.losses[i], reference.losses[i]) <= 1e-12) }
    let worst = zip(out.gradient, reference.gradient).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= 1e-12, "linear vs log space gradient off by \(worst)")
  }

  /// The tape wrapper passes the kernel's gradient back, scaled by the upstream gradient.
  @Test func tapeWrapperBackpropagatesKernelGradient() throws {
    var rng = RandomGenerator(seed: 9)
    let (t, n, c) = (12, 3, 5)
    let x = Tensor.normal(shape: [t, n, c], using: &rng)
    let targets = [[1, 2], [3], [4, 4, 1]]
    let lengths = [12, 9, 10]
    let direct = try CTCLoss(blank: 0, reduction: .mean)(logits: x, targets: targets, inputLengths: lengths)
    let tape = Tape()
    let logits = tape.variable(x)
    let loss = try CTCLoss(blank: 0, reduction: .mean)(
      logits: logits, targets: targets, inputLengths: lengths)
    #expect(loss.value.data == [Float(direct.loss)])
    tape.backward(loss)
    #expect(try #require(tape.gradient(of: logits)).data == direct.gradient)
    // reduction none: upstream gradient per item.
    let tape2 = Tape()
    let logits2 = tape2.variable(x)
    let losses = try CTCLoss(blank: 0, reduction: .none)(
      logits: logits2, targets: targets, inputLengths: lengths)
    #expect(losses.shape == [n])
    tape2.backward(losses, seed: Tensor([1, 0, 2]))
    let g = try #require(tape2.gradient(of: logits2)).data
    let none = try CTCLoss(blank: 0, reduction: .none)(logits: x, targets: targets, inputLengths: lengths)
    for k in 0..<g.count {
      let item = (k / c) % n
      #expect(g[k] == none.gradient[k] * [1, 0, 2][item])
    }
  }

  @Test func infeasibleWithoutZeroInfinityIsInfinite() throws {
    let x = [Double](repeating: 0, count: 2 * 1 * 3)
    let out = try CTCLoss(blank: 0, reduction: .mean)(
      logits: x, shape: [2, 1, 3], targets: [[1, 1]], inputLengths: [2])
    #expect(out.loss == .infinity)
    #expect(out.infeasibleItems == [0])
    let zeroed = try CTCLoss(blank: 0, reduction: .mean, zeroInfinity: true)(
      logits: x, shape: [2, 1, 3], targets: [[1, 1]], inputLengths: [2])
    #expect(zeroed.loss == 0)
    #expect(zeroed.gradient.allSatisfy { $0 == 0 })
  }

  @Test func rejectsBadInputs() throws {
    let x = [Float](repeating: 0, count: 4 * 2 * 3)
    let loss = CTCLoss(blank: 0)
    func message(_ body: () throws -> Void) -> String {
      do {
        try body()
        return ""
      } catch { return "\(error)" }
    }
    #expect(
      message { _ = try loss(logits: x, shape: [4, 2, 3], targets: [[1], [3]], inputLengths: [4, 4]) }
        .contains("label 3"))
    #expect(
      message { _ = try loss(logits: x, shape: [4, 2, 3], targets: [[1], [0]], inputLengths: [4, 4]) }
        .contains("blank"))
    #expect(
      message { _ = try loss(logits: x, shape: [4, 2, 3], targets: [[1], [2]], inputLengths: [4, 5]) }
        .contains("input length 5"))
    #expect(
      message { _ = try loss(logits: x, shape: [4, 2, 3], targets: [[1], [2]], inputLengths: [4, -1]) }
        .contains("input length -1"))
    #expect(
      message { _ = try loss(logits: x, shape: [4, 2, 3], targets: [[1]], inputLengths: [4, 4]) }.contains(
        "targets"))
    #expect(
      message { _ = try loss(logits: x, shape: [4, 2, 4], targets: [[1], [2]], inputLengths: [4, 4]) }
        .contains("shape"))
    #expect(
      message {
        _ = try CTCLoss(blank: 3)(logits: x, shape: [4, 2, 3], targets: [[1], [2]], inputLengths: [4, 4])
      }.contains("blank index 3"))
    #expect(
      message {
        _ = try loss(
          logits: x, shape: [4, 2, 3], paddedTargets: [1, 2, 2, 0], targetLengths: [2, 3],
          inputLengths: [4, 4])
      }.contains("target length 3"))
    var bad = x
    bad[(2 * 2 + 1) * 3 + 1] = .nan
    #expect(
      message { _ = try loss(logits: bad, shape: [4, 2, 3], targets: [[1], [2]], inputLengths: [4, 4]) }
        .contains("item 1"))
    bad[(2 * 2 + 1) * 3 + 1] = -.infinity
    #expect(
      message { _ = try loss(logits: bad, shape: [4, 2, 3], targets: [[1], [2]], inputLengths: [4, 4]) }
        .contains("NaN or infinite"))
    // NaN in a padding frame is ignored (padding is never read).
    #expect(
      message { _ = try loss(logits: bad, shape: [4, 2, 3], targets: [[1], [2]], inputLengths: [4, 2]) } == ""
    )
  }

  /// `ctc cases` round trip: the filled file parses back to the same structure and values.
  @Test func referenceFileRoundTrips() throws {
    let file = try loadCTCReference("ctc_cases.json")
    let filled = try file.filled(threads: 2)
    let back = try CTCReferenceFile.decode(filled.encoded())
    #expect(back.cases.map(\.id) == file.cases.map(\.id))
    #expect(back.torchVersion == file.torchVersion)
    for (a, b) in zip(back.cases, file.cases) {
      #expect(a.items.map(\.logits) == b.items.map(\.logits))
      #expect(
        relativeError(a.lossMean, b.lossMean) <= 1e-12 && relativeError(a.lossSum, b.lossSum) <= 1e-12,
        "\(a.id)")
      for (p, q) in zip(a.items, b.items) {
        #expect(relativeError(p.loss, q.loss) <= 1e-12)
        if !q.feasible && !b.zeroInfinity { continue }
        let worst = zip(p.gradLogits.joined(), q.gradLogits.joined()).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-12, "\(a.id)")
      }
    }
    // Keys appear in the format's order.
    let text = String(decoding: filled.encoded(), as: UTF8.self)
    #expect(text.hasPrefix("{\"generator\":"))
    #expect(text.contains("\"loss_mean\":"))
  }
}
