import Foundation

/// A seeded, portable random number generator: xoshiro256** (Blackman and Vigna, 2018), seeded
/// through SplitMix64. Identical streams on every platform, unlike `SystemRandomNumberGenerator`.
///
/// Every source of randomness in LossLab (initialisers, environment resets, action sampling,
/// minibatch shuffling, bootstrap resampling) draws from one of these, so a seed fixes a run.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
  private var s0: UInt64
  private var s1: UInt64
  private var s2: UInt64
  private var s3: UInt64
  /// The second Box-Muller variate, kept so `normal()` costs one transform per two draws.
  private var spareNormal: Double?

  /// Creates a generator from a seed; `stream` derives independent generators from one seed
  /// (for example one per environment copy or per worker).
  public init(seed: UInt64, stream: UInt64 = 0) {
    var sm = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
    s0 = RandomGenerator.splitMix64(&sm)
    s1 = RandomGenerator.splitMix64(&sm)
    s2 = RandomGenerator.splitMix64(&sm)
    s3 = RandomGenerator.splitMix64(&sm)
    if s0 | s1 | s2 | s3 == 0 { s0 = 0x9E37_79B9_7F4A_7C15 }
    spareNormal = nil
  }

  private static func splitMix64(_ state: inout UInt64) -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  @inline(__always)
  private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

  @inline(__always)
  public mutating func next() -> UInt64 {
    let result = RandomGenerator.rotl(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = RandomGenerator.rotl(s3, 45)
    return result
  }

  /// Uniform in [0, 1) with 53 random bits.
  @inline(__always)
  public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

  /// Uniform in [low, high).
  @inline(__always)
  public mutating func uniform(_ low: Double, _ high: Double) -> Double {
    low + (high - low) * uniform()
  }

  /// Uniform in [0, 1) as a Float with 24 random bits.
  @inline(__always)
  public mutating func uniformFloat() -> Float { Float(next() >> 40) * 0x1.0p-24 }

  /// Unbiased integer in [0, bound) (Lemire's multiply-shift with rejection).
  @inline(__always)
  public mutating func int(below bound: Int) -> Int {
    precondition(bound > 0, "int(below:) needs a positive bound, got \(bound)")
    let b = UInt64(bound)
    var m = next().multipliedFullWidth(by: b)
    if m.low < b {
      let threshold = (0 &- b) % b
      while m.low < threshold { m = next().multipliedFullWidth(by: b) }
    }
    return Int(m.high)
  }

  /// Standard normal variate (Box-Muller; portable because it uses only log, sqrt, sin and cos).
  public mutating func normal() -> Double {
    if let spare = spareNormal {
      spareNormal = nil
      return spare
    }
    var u1 = uniform()
    while u1 <= .leastNormalMagnitude { u1 = uniform() }
    let u2 = uniform()
    let radius = (-2 * Foundation.log(u1)).squareRoot()
    let angle = 2 * Double.pi * u2
    spareNormal = radius * Foundation.sin(angle)
    return radius * Foundation.cos(angle)
  }

  /// Normal variate with the given mean and standard deviation.
  public mutating func normal(mean: Double, std: Double) -> Double { mean + std * normal() }

  /// Index drawn from unnormalised non-negative weights (inverse CDF).
  public mutating func categorical<C: Collection>(_ weights: C) -> Int
  where C.Element: BinaryFloatingPoint {
    var total = 0.0
    for w in weights { total += Double(w) }
    precondition(total > 0 && total.isFinite, "categorical needs positive finite total weight, got \(total)")
    let u = uniform() * total
    var cumulative = 0.0
    var last = 0
    for (i, w) in weights.enumerated() {
      cumulative += Double(w)
      if u < cumulative { return i }
      if w > 0 { last = i }
    }
    return last  // rounding left u at the very top: return the last index with positive weight
  }

  /// Fisher-Yates shuffle in place, using this generator (portable, unlike `Array.shuffle()`'s
  /// unspecified algorithm).
  public mutating func shuffle<T>(_ array: inout [T]) {
    guard array.count > 1 else { return }
    for i in stride(from: array.count - 1, to: 0, by: -1) {
      let j = int(below: i + 1)
      if i != j { array.swapAt(i, j) }
    }
  }

  /// A random permutation of 0..<n.
  public mutating func permutation(_ n: Int) -> [Int] {
    var p = Array(0..<n)
    shuffle(&p)
    return p
  }
}
