import Foundation

/// Discrete Fourier transform of a real signal of power-of-two length `count`:
/// `X[k] = sum_n x[n] e^{-2 pi i k n / count}` for `k = 0 ... count / 2` (the other half is the
/// complex conjugate mirror).
///
/// The `count` real samples are packed as `count / 2` complex ones `z[n] = x[2n] + i x[2n+1]`,
/// transformed by an iterative radix-2 decimation-in-time FFT, and split into the even and odd
/// spectra: `X[k] = E[k] + W^k O[k]` with `E[k] = (Z[k] + conj Z[M-k]) / 2`,
/// `O[k] = (Z[k] - conj Z[M-k]) / 2i`, `W = e^{-2 pi i / count}`, `M = count / 2`
/// (Press et al., Numerical Recipes, section 12.3). Tables are built once; `transform` allocates
/// nothing, so one value serves every thread.
public struct RealFFT: Sendable {
  public let count: Int
  /// `count / 2`: the complex FFT length.
  let half: Int
  let bitReversed: [Int32]
  /// cos and sin of `2 pi j / half`, `j < half / 2` (complex-FFT twiddles).
  let cosTable: [Float]
  let sinTable: [Float]
  /// cos and sin of `2 pi k / count`, `k <= half` (split twiddles).
  let splitCos: [Float]
  let splitSin: [Float]

  public init(count: Int) {
    precondition(
      count >= 4 && count & (count - 1) == 0, "RealFFT count must be a power of two >= 4, got \(count)")
    self.count = count
    half = count / 2
    var bits = 0
    while 1 << bits < half { bits += 1 }
    bitReversed = (0..<half).map { i in
      var r = 0
      for b in 0..<bits where i & (1 << b) != 0 { r |= 1 << (bits - 1 - b) }
      return Int32(r)
    }
    let h = half
    cosTable = (0..<max(1, h / 2)).map { Float(cos(2 * Double.pi * Double($0) / Double(h))) }
    sinTable = (0..<max(1, h / 2)).map { Float(sin(2 * Double.pi * Double($0) / Double(h))) }
    splitCos = (0...h).map { Float(cos(2 * Double.pi * Double($0) / Double(count))) }
    splitSin = (0...h).map { Float(sin(2 * Double.pi * Double($0) / Double(count))) }
  }

  /// Number of output bins, `count / 2 + 1`.
  public var bins: Int { half + 1 }

  /// Transforms `input[0..<count]` into `real[0...count/2]` and `imag[0...count/2]`.
  /// `scratch` must hold `count` floats.
  public func transform(
    _ input: UnsafePointer<Float>, real: UnsafeMutablePointer<Float>, imag: UnsafeMutablePointer<Float>,
    scratch: UnsafeMutablePointer<Float>
  ) {
    let m = half
    let zr = scratch
    let zi = scratch + m
    bitReversed.withUnsafeBufferPointer { rev in
      for n in 0..<m {
        let r = Int(rev[n])
        zr[r] = input[2 * n]
        zi[r] = input[2 * n + 1]
      }
    }
    cosTable.withUnsafeBufferPointer { ct in
      sinTable.withUnsafeBufferPointer { st in
        var size = 2
        while size <= m {
          let halfSize = size / 2
          let step = m / size
          var start = 0
          while start < m {
            for j in 0..<halfSize {
              let wr = ct[j * step]
              let wi = -st[j * step]  // e^{-2 pi i j / size}
              let a = start + j
              let b = a + halfSize
              let br = zr[b] * wr - zi[b] * wi
              let bi = zr[b] * wi + zi[b] * wr
              zr[b] = zr[a] - br
              zi[b] = zi[a] - bi
              zr[a] += br
              zi[a] += bi
            }
            start += size
          }
          size *= 2
        }
      }
    }
    splitCos.withUnsafeBufferPointer { sc in
      splitSin.withUnsafeBufferPointer { ss in
        for k in 0...m {
          let kk = k == m ? 0 : k
          let mk = k == 0 ? 0 : m - k
          // E = (Z[k] + conj Z[m-k]) / 2, O = (Z[k] - conj Z[m-k]) / 2i
          let er = 0.5 * (zr[kk] + zr[mk])
          let ei = 0.5 * (zi[kk] - zi[mk])
          let or = 0.5 * (zi[kk] + zi[mk])
          let oi = -0.5 * (zr[kk] - zr[mk])
          let wr = sc[k]
          let wi = -ss[k]
          real[k] = er + wr * or - wi * oi
          imag[k] = ei + wr * oi + wi * or
        }
      }
    }
  }

  /// The spectrum of `signal` (zero-padded or truncated to `count`), as `count / 2 + 1` bins.
  public func transform(_ signal: [Float]) -> (real: [Float], imag: [Float]) {
    var input = [Float](repeating: 0, count: count)
    for i in 0..<min(count, signal.count) { input[i] = signal[i] }
    var real = [Float](repeating: 0, count: bins)
    var imag = [Float](repeating: 0, count: bins)
    var scratch = [Float](repeating: 0, count: count)
    input.withUnsafeBufferPointer { x in
      real.withUnsafeMutableBufferPointer { re in
        imag.withUnsafeMutableBufferPointer { im in
          scratch.withUnsafeMutableBufferPointer { s in
            transform(x.baseAddress!, real: re.baseAddress!, imag: im.baseAddress!, scratch: s.baseAddress!)
          }
        }
      }
    }
    return (real, imag)
  }
}
