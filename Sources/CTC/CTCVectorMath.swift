import Foundation

/// Vector helpers for the CTC kernel's hot loops (SIMD over raw buffers, no allocation).
enum CTCVectorMath {
  /// `e^x` for eight floats (Cephes `expf`: range reduction by ln 2 in two parts and a degree-6
  /// polynomial; about 1 ulp on [-87, 88]). Results below the normal range are returned as 0,
  /// which the kernel treats as underflow (and then recomputes the item in log space).
  @inline(__always)
  static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // (replacing(with:where:) compiles to blends; the generic clamped/pointwiseMin do not inline)
    let clamped = x.replacing(with: -87.0, where: x .< -87.0).replacing(with: 88.0, where: x .> 88.0)
    // Round x / ln 2 to the nearest integer with the 1.5 * 2^23 trick.
    let magic = SIMD8<Float>(repeating: 0x1.8p23)
    let shifted = clamped * 1.442_695_04 + magic
    let n = shifted - magic
    var r = clamped - n * 0.693_359_375
    r = r - n * -2.121_944_4e-4
    var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    p = p * (r * r) + r + 1
    let bits = unsafeBitCast(shifted, to: SIMD8<UInt32>.self) &- 0x4B40_0000 &+ 127
    let scale = unsafeBitCast(bits &<< 23, to: SIMD8<Float>.self)
    return (p * scale).replacing(with: 0, where: x .< -87.0)
  }

  /// Softmax of a float row: writes `scale * softmax(x)` to `o` and returns
  /// `log sum exp(x)`, or nil if `x` holds NaN or an infinity.
  @inline(__always)
  static func softmax(
    _ x: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, count c: Int, scale: Double
  ) -> Double? {
    let vectors = c / 8
    var m8 = SIMD8<Float>(repeating: -.infinity)
    var finite = SIMD8<Float>(repeating: 0)  // x * 0 is NaN exactly for NaN and infinities
    let xr = UnsafeRawPointer(x)
    for v in 0..<vectors {
      let xv = xr.loadUnaligned(fromByteOffset: v * 32, as: SIMD8<Float>.self)
      m8.replace(with: xv, where: xv .> m8)
      finite += xv * 0
    }
    var m = m8.max()
    var tailFinite: Float = 0
    for k in (vectors * 8)..<c {
      m = Swift.max(m, x[k])
      tailFinite += x[k] * 0
    }
    guard finite.sum() == 0, tailFinite == 0, m.isFinite else { return nil }
    let or = UnsafeMutableRawPointer(o)
    let mv = SIMD8<Float>(repeating: m)
    var s8 = SIMD8<Float>()
    for v in 0..<vectors {
      let e = exp(xr.loadUnaligned(fromByteOffset: v * 32, as: SIMD8<Float>.self) - mv)
      or.storeBytes(of: e, toByteOffset: v * 32, as: SIMD8<Float>.self)
      s8 += e
    }
    var sum = Double(s8.sum())
    if vectors * 8 < c {
      var tail = SIMD8<Float>(repeating: -.infinity)
      for k in (vectors * 8)..<c { tail[k - vectors * 8] = x[k] - m }
      let e = exp(tail)
      for k in (vectors * 8)..<c {
        o[k] = e[k - vectors * 8]
        sum += Double(o[k])
      }
    }
    let inverse = SIMD8<Float>(repeating: Float(scale / sum))
    for v in 0..<vectors {
      let e = or.loadUnaligned(fromByteOffset: v * 32, as: SIMD8<Float>.self)
      or.storeBytes(of: e * inverse, toByteOffset: v * 32, as: SIMD8<Float>.self)
    }
    for k in (vectors * 8)..<c { o[k] *= inverse[0] }
    return Double(m) + Foundation.log(sum)
  }

  @inline(__always)
  static func load(_ p: UnsafePointer<Double>) -> SIMD4<Double> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Double>.self)
  }

  @inline(__always)
  static func store(_ v: SIMD4<Double>, _ p: UnsafeMutablePointer<Double>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Double>.self)
  }

  /// `sum_s p[s]`.
  @inline(__always)
  static func sum(_ p: UnsafeMutablePointer<Double>, _ n: Int) -> Double {
    var acc = SIMD4<Double>()
    var s = 0
    while s + 4 <= n {
      acc += load(p + s)
      s += 4
    }
    var total = acc.sum()
    while s < n {
      total += p[s]
      s += 1
    }
    return total
  }

  /// `p[s] *= k`.
  @inline(__always)
  static func scale(_ p: UnsafeMutablePointer<Double>, _ n: Int, by k: Double) {
    var s = 0
    while s + 4 <= n {
      store(load(p + s) * k, p + s)
      s += 4
    }
    while s < n {
      p[s] *= k
      s += 1
    }
  }

  /// `out[s] = a[s] * b[s]`.
  @inline(__always)
  static func multiply(
    _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>, _ n: Int
  ) {
    var s = 0
    while s + 4 <= n {
      store(load(a + s) * load(b + s), out + s)
      s += 4
    }
    while s < n {
      out[s] = a[s] * b[s]
      s += 1
    }
  }
}
