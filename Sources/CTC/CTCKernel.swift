import Foundation
import Tensors

/// The per-item CTC forward-backward kernel over raw buffers (Graves et al. 2006, section 4.1).
///
/// Buffers: `logits` and `gradient` are `[T, N, C]`; item `i`, frame `t` is the row at
/// `(t * N + i) * C`. The workspace holds `alpha` `[T_i, L']`, the gathered label
/// probabilities `y` `[T_i, L']`, one `beta` row `[L']` and per-frame scalars, with
/// `L' = 2 S_i + 1` (the extended label sequence `l'`: blank, l_1, blank, ..., l_S, blank).
/// The gradient is with respect to the unnormalised logits: `softmax - gamma` (eq. 16).
struct CTCKernel<Scalar: CTCScalar>: @unchecked Sendable {
  typealias V = CTCVectorMath
  let logits: UnsafePointer<Scalar>
  let gradient: UnsafeMutablePointer<Scalar>
  let T: Int
  let N: Int
  let C: Int
  let blank: Int
  let zeroInfinity: Bool
  let forceLogSpace: Bool

  /// Budget for the error that underflow can cause in linear space. An operation whose result
  /// falls below the normal range is off by at most 2^-1075 absolute; in rescaled units that
  /// error at frame t changes every later gamma by at most L' 2^-1073 (2 + 1/c_t + 1/d_t) / Z_t
  /// (c_t, d_t: the forward and backward scale factors, Z_t = sum_s alpha_t(s) beta_t(s), both
  /// rows summing to 1), because the mass an error carries forward is conserved by the
  /// recursions. When the sum of these bounds exceeds this budget the item is recomputed in log
  /// space; otherwise the linear result is exact to rounding.
  static var underflowBudget: Double { 0x1p-60 }

  /// Computes item `i`'s loss and writes its gradient rows (valid frames; padding stays 0).
  func item(
    _ i: Int, target: [Int], inputLength: Int, scale: Double, workspace ws: CTCWorkspace
  ) -> (Double, CTCItemStatus) {
    let L = 2 * target.count + 1
    let Ti = inputLength
    ws.prepare(target: target, blank: blank)
    for t in Ti..<T {
      let o = gradient + (t * N + i) * C
      for c in 0..<C { o[c] = 0 }
    }
    guard softmaxRows(i, Ti, scale, ws) else { return (.nan, .nonFinite) }
    if Ti == 0 && target.isEmpty { return (0, .linear) }
    // Feasible iff the last label or the final blank can be reached by the last frame.
    let feasible = Ti > 0 && min(ws.first[L - 1], L > 1 ? ws.first[L - 2] : Int.max) <= Ti - 1
    guard feasible else {
      let fill: Scalar = zeroInfinity ? 0 : .nan
      for t in 0..<Ti {
        let o = gradient + (t * N + i) * C
        for c in 0..<C { o[c] = fill }
      }
      return (zeroInfinity ? 0 : .infinity, .infeasible)
    }
    if !forceLogSpace, let loss = linearSpace(i, Ti, L, scale, ws) { return (loss, .linear) }
    _ = softmaxRows(i, Ti, scale, ws)
    return (logSpace(i, Ti, L, scale, ws), .logSpace)
  }

  /// Writes `softmax(logits[t])` into the gradient rows of the valid frames and keeps
  /// `log sum exp(logits[t])` per frame. Returns false if a logit is NaN or infinite.
  func softmaxRows(_ i: Int, _ Ti: Int, _ scale: Double, _ ws: CTCWorkspace) -> Bool {
    if Scalar.self == Float.self {
      let x32 = UnsafeRawPointer(logits).assumingMemoryBound(to: Float.self)
      let o32 = UnsafeMutableRawPointer(gradient).assumingMemoryBound(to: Float.self)
      for t in 0..<Ti {
        let offset = (t * N + i) * C
        guard let lse = CTCVectorMath.softmax(x32 + offset, o32 + offset, count: C, scale: scale) else {
          return false
        }
        ws.logNormaliser[t] = lse
      }
      return true
    }
    for t in 0..<Ti {
      let x = logits + (t * N + i) * C
      let o = gradient + (t * N + i) * C
      var m = x[0]
      var total = 0.0  // NaN or +-inf anywhere makes this non-finite
      for c in 0..<C {
        let v = x[c]
        if v > m { m = v }
        total += Double(v)
      }
      guard total.isFinite else { return false }
      var sum = 0.0
      for c in 0..<C {
        let e = Scalar.ctcExp(x[c] - m)
        o[c] = e
        sum += Double(e)
      }
      let inverse = Scalar(scale / sum)
      for c in 0..<C { o[c] *= inverse }
      ws.logNormaliser[t] = Double(m) + Foundation.log(sum)
    }
    return true
  }

  /// Scaled forward-backward in linear space; nil if a reachable variable underflows.
  func linearSpace(_ i: Int, _ Ti: Int, _ L: Int, _ scale: Double, _ ws: CTCWorkspace) -> Double? {
    let ext = ws.ext
    let skip = ws.skip
    let y = ws.y
    let alpha = ws.alpha
    // y_t(s) = softmax(logits[t])[l'(s)], gathered once into a contiguous [T, L'] buffer.
    // The rows hold scale * softmax (the reduction's factor is folded into the gradient).
    let inverseScale = 1 / scale
    let yFloor = Double(Scalar.leastNormalMagnitude) * inverseScale
    var yMin = Double.infinity
    var labelMin = Double.infinity
    for t in 0..<Ti {
      let o = gradient + (t * N + i) * C
      let yt = y + t * L
      let yBlank = Double(o[blank]) * inverseScale
      yMin = Swift.min(yMin, yBlank)
      yt[0] = yBlank
      var s = 1
      while s < L {
        let v = Double(o[ext[s]]) * inverseScale
        yt[s] = v
        yt[s + 1] = yBlank
        labelMin = Swift.min(labelMin, v)
        s += 2
      }
    }
    yMin = Swift.min(yMin, labelMin)
    guard yMin >= yFloor else { return nil }

    // Forward variables (eq. 6-7), each row rescaled to sum 1; log p = sum of log scales.
    var logScale = 0.0
    for t in 0..<Ti {
      let a = alpha + t * L
      let yt = y + t * L
      if t == 0 {
        for s in 0..<L { a[s] = 0 }
        a[0] = yt[0]
        if L > 1 { a[1] = yt[1] }
      } else {
        let p = a - L
        a[0] = p[0] * yt[0]
        if L > 1 { a[1] = (p[1] + p[0]) * yt[1] }
        var s = 2
        while s + 4 <= L {
          let v = (V.load(p + s) + V.load(p + s - 1) + V.load(skip + s) * V.load(p + s - 2)) * V.load(yt + s)
          V.store(v, a + s)
          s += 4
        }
        while s < L {
          a[s] = (p[s] + p[s - 1] + skip[s] * p[s - 2]) * yt[s]
          s += 1
        }
      }
      let c = CTCVectorMath.sum(a, L)
      guard c.isNormal else { return nil }
      let inverse = 1 / c
      CTCVectorMath.scale(a, L, by: inverse)
      ws.inverseScale[t] = inverse
      logScale += Foundation.log(c)
    }
    let last = alpha + (Ti - 1) * L
    let loss = -(logScale + Foundation.log(last[L - 1] + (L > 1 ? last[L - 2] : 0)))

    // Backward variables (eq. 10-11, without y_t(s): beta_t(s) = p(rest after t | s at t)),
    // with the occupancy gamma_t(s) = alpha beta / sum_s alpha beta subtracted frame by frame.
    // Two beta rows and a product row w, each padded with zeros past L' (as is the skip mask)
    // so the vector loops read s + 1 and s + 2 without bounds tests.
    var beta = ws.beta
    var betaNext = ws.betaNext
    let w = ws.w
    for s in 0..<(L + 2) {
      beta[s] = 0
      betaNext[s] = 0
      w[s] = 0
    }
    beta[L - 1] = 1
    if L > 1 { beta[L - 2] = 1 }
    var inverseBetaScale = 1.0
    var underflowBound = 0.0
    for t in stride(from: Ti - 1, through: 0, by: -1) {
      let a = alpha + t * L
      V.multiply(a, beta, into: w, L)
      let z = CTCVectorMath.sum(w, L)
      guard z.isNormal else { return nil }
      let inverseZ = 1 / z
      let gammaScale = inverseZ * scale
      underflowBound += (2 + ws.inverseScale[t] + inverseBetaScale) * inverseZ
      // gamma_t(s) = w(s) / Z: the blank positions (even s) share one class.
      let o = gradient + (t * N + i) * C
      var blankOccupancy = 0.0
      for s in stride(from: 0, to: L, by: 2) { blankOccupancy += w[s] }
      o[blank] -= Scalar(blankOccupancy * gammaScale)
      for s in stride(from: 1, to: L, by: 2) { o[ext[s]] -= Scalar(w[s] * gammaScale) }
      if t == 0 { break }
      // beta_{t-1}(s) = sum over s' in {s, s+1, s+2 (skip)} of y_t(s') beta_t(s') (eq. 10-11).
      let yt = y + t * L
      V.multiply(yt, beta, into: w, L)
      w[L] = 0
      w[L + 1] = 0
      var s = 0
      while s + 4 <= L {
        V.store(V.load(w + s) + V.load(w + s + 1) + V.load(skip + s + 2) * V.load(w + s + 2), betaNext + s)
        s += 4
      }
      while s < L {
        betaNext[s] = w[s] + w[s + 1] + skip[s + 2] * w[s + 2]
        s += 1
      }
      let d = CTCVectorMath.sum(betaNext, L)
      guard d.isNormal else { return nil }
      inverseBetaScale = 1 / d
      CTCVectorMath.scale(betaNext, L, by: inverseBetaScale)
      swap(&beta, &betaNext)
    }
    guard underflowBound * Double(L) * 0x1p-1073 <= CTCKernel.underflowBudget else { return nil }
    return loss
  }

  /// The same recursions in log space with log-sum-exp: exact for any finite logits.
  func logSpace(_ i: Int, _ Ti: Int, _ L: Int, _ scale: Double, _ ws: CTCWorkspace) -> Double {
    let ext = ws.ext
    let skip = ws.skip
    let logY = ws.y
    let logAlpha = ws.alpha
    for t in 0..<Ti {
      let x = logits + (t * N + i) * C
      let yt = logY + t * L
      for s in 0..<L { yt[s] = Double(x[ext[s]]) - ws.logNormaliser[t] }
    }
    for t in 0..<Ti {
      let a = logAlpha + t * L
      let yt = logY + t * L
      if t == 0 {
        for s in 0..<L { a[s] = -.infinity }
        a[0] = yt[0]
        if L > 1 { a[1] = yt[1] }
        continue
      }
      let p = a - L
      for s in 0..<L {
        let stay = p[s]
        let step = s >= 1 ? p[s - 1] : -.infinity
        let jump = s >= 2 && skip[s] != 0 ? p[s - 2] : -.infinity
        a[s] = logSumExp(stay, step, jump) + yt[s]
      }
    }
    let last = logAlpha + (Ti - 1) * L
    let loss = -logSumExp(last[L - 1], L > 1 ? last[L - 2] : -.infinity, -.infinity)

    let logBeta = ws.beta
    for s in 0..<L { logBeta[s] = -.infinity }
    logBeta[L - 1] = 0
    if L > 1 { logBeta[L - 2] = 0 }
    for t in stride(from: Ti - 1, through: 0, by: -1) {
      let a = logAlpha + t * L
      var m = -Double.infinity
      for s in 0..<L { m = Swift.max(m, a[s] + logBeta[s]) }
      var z = 0.0
      for s in 0..<L { z += Foundation.exp(a[s] + logBeta[s] - m) }
      let logZ = m + Foundation.log(z)
      let o = gradient + (t * N + i) * C
      for s in 0..<L {
        let ab = a[s] + logBeta[s]
        if ab > -.infinity { o[ext[s]] -= Scalar(Foundation.exp(ab - logZ) * scale) }
      }
      if t == 0 { break }
      let yt = logY + t * L
      for s in 0..<L { logBeta[s] += yt[s] }
      for s in 0..<L {
        let step = s + 1 < L ? logBeta[s + 1] : -.infinity
        let jump = s + 2 < L && skip[s + 2] != 0 ? logBeta[s + 2] : -.infinity
        logBeta[s] = logSumExp(logBeta[s], step, jump)
      }
    }
    return loss
  }
}

/// `log(e^a + e^b + e^c)`, stable, with `-inf` for an empty sum.
@inline(__always)
func logSumExp(_ a: Double, _ b: Double, _ c: Double) -> Double {
  let m = Swift.max(a, Swift.max(b, c))
  if m == -.infinity { return m }
  return m + Foundation.log(Foundation.exp(a - m) + Foundation.exp(b - m) + Foundation.exp(c - m))
}

/// One worker's scratch memory for items up to `maxT` frames and `maxL` extended labels,
/// allocated once per call and reused for every item the worker runs.
final class CTCWorkspace {
  let alpha: UnsafeMutablePointer<Double>
  let y: UnsafeMutablePointer<Double>
  let beta: UnsafeMutablePointer<Double>
  let betaNext: UnsafeMutablePointer<Double>
  let w: UnsafeMutablePointer<Double>
  let skip: UnsafeMutablePointer<Double>
  let ext: UnsafeMutablePointer<Int>
  let first: UnsafeMutablePointer<Int>
  let inverseScale: UnsafeMutablePointer<Double>
  let logNormaliser: UnsafeMutablePointer<Double>

  init(maxT: Int, maxL: Int) {
    let cells = Swift.max(1, maxT * maxL)
    let frames = Swift.max(1, maxT)
    alpha = .allocate(capacity: cells)
    y = .allocate(capacity: cells)
    beta = .allocate(capacity: maxL + 8)
    betaNext = .allocate(capacity: maxL + 8)
    w = .allocate(capacity: maxL + 8)
    skip = .allocate(capacity: maxL + 8)
    ext = .allocate(capacity: maxL)
    first = .allocate(capacity: maxL)
    inverseScale = .allocate(capacity: frames)
    logNormaliser = .allocate(capacity: frames)
  }

  deinit {
    for p in [alpha, y, beta, betaNext, w, skip, logNormaliser, inverseScale] { p.deallocate() }
    for p in [ext, first] { p.deallocate() }
  }

  /// Builds `l'`, the skip mask (a jump s-2 -> s only onto a label differing from l'(s-2)),
  /// and first[s], the earliest frame at which position s can be occupied.
  func prepare(target: [Int], blank: Int) {
    let L = 2 * target.count + 1
    for s in 0..<L {
      ext[s] = s % 2 == 0 ? blank : target[s / 2]
      skip[s] = s >= 2 && s % 2 == 1 && target[s / 2] != target[s / 2 - 1] ? 1 : 0
    }
    for s in L..<(L + 8) { skip[s] = 0 }
    first[0] = 0
    if L > 1 { first[1] = 0 }
    if L > 2 {
      for s in 2..<L { first[s] = 1 + (skip[s] != 0 ? Swift.min(first[s - 1], first[s - 2]) : first[s - 1]) }
    }
  }
}
