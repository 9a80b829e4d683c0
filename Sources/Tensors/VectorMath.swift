import Foundation

#if arch(x86_64)
  import _Builtin_intrinsics.intel
#endif

/// Vectorised elementwise kernels on raw buffers (8 lanes at a time, scalar tail).
///
/// `tanh` is the rational minimax approximation Eigen uses for float (`generic_fast_tanh_float`:
/// odd degree-13 numerator over even degree-6 denominator, input clamped to +-7.905, where
/// tanh rounds to +-1 in float). Its maximum error over the float line is 4e-7 absolute and
/// relative (checked in `TensorOpsTests` against Double `tanh`), versus 1.2e-7 for one rounding;
/// it is 10-20x faster than calling libm per element. `sigmoid(x) = (1 + tanh(x / 2)) / 2`
/// inherits the same accuracy.
public enum VectorMath {
  @inlinable @inline(__always)
  static func tanh8<T: TanhApproximation>(_ v: SIMD8<Float>, _: T.Type) -> SIMD8<Float> {
    // Clamp through lane masks (`clamped` is not inlined and costs a call per vector).
    var x = v
    x.replace(with: SIMD8(repeating: T.clamp), where: x .> T.clamp)
    x.replace(with: SIMD8(repeating: -T.clamp), where: x .< -T.clamp)
    let x2 = x * x
    var p = x2 * T.a13 + T.a11
    p = p * x2 + T.a9
    p = p * x2 + T.a7
    p = p * x2 + T.a5
    p = p * x2 + T.a3
    p = p * x2 + T.a1
    p = p * x
    var q = x2 * T.b6 + T.b4
    q = q * x2 + T.b2
    q = q * x2 + T.b0
    var y = p / q
    if T.identityBelow > 0 {
      var magnitude = x
      magnitude.replace(with: -x, where: x .< 0)
      y.replace(with: x, where: magnitude .< T.identityBelow)
    }
    return y
  }

  /// Lane-wise square root in one instruction (`SIMD4.squareRoot()` is lowered lane by lane).
  @inlinable @inline(__always)
  public static func squareRoot(_ x: SIMD4<Float>) -> SIMD4<Float> {
    #if arch(x86_64)
      return _mm_sqrt_ps(x)
    #else
      return x.squareRoot()
    #endif
  }

  @inlinable @inline(__always)
  public static func tanh(_ x: Float) -> Float {
    tanh8(SIMD8(repeating: x), EigenTanh.self)[0]
  }

  @inlinable @inline(__always)
  public static func tanh<T: TanhApproximation>(_ x: Float, _ kind: T.Type) -> Float {
    tanh8(SIMD8(repeating: x), kind)[0]
  }

  @inlinable @inline(__always)
  public static func sigmoid(_ x: Float) -> Float {
    0.5 + 0.5 * tanh(0.5 * x)
  }

  /// `y[i] = tanh(x[i])` for `count` elements (`x` and `y` may be the same buffer).
  @inlinable
  public static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    tanh(x, y, count: count, EigenTanh.self)
  }

  /// `y[i] = tanh(x[i])` with the approximation `kind`.
  @inlinable
  public static func tanh<T: TanhApproximation>(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, _ kind: T.Type
  ) {
    let raw = UnsafeRawPointer(x)
    let out = UnsafeMutableRawPointer(y)
    var i = 0
    while i + 8 <= count {
      let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
      out.storeBytes(of: tanh8(v, kind), toByteOffset: i * 4, as: SIMD8<Float>.self)
      i += 8
    }
    while i < count {
      y[i] = tanh(x[i], kind)
      i += 1
    }
  }

  /// `y[i] = sigmoid(x[i])` for `count` elements (`x` and `y` may be the same buffer).
  @inlinable
  public static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    let raw = UnsafeRawPointer(x)
    let out = UnsafeMutableRawPointer(y)
    var i = 0
    while i + 8 <= count {
      let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
      out.storeBytes(
        of: 0.5 + 0.5 * tanh8(0.5 * v, EigenTanh.self), toByteOffset: i * 4, as: SIMD8<Float>.self)
      i += 8
    }
    while i < count {
      y[i] = sigmoid(x[i])
      i += 1
    }
  }
}

/// The coefficients of a rational tanh `x P(x^2) / Q(x^2)` (numerator odd, denominator even),
/// the clamp beyond which float tanh is +-1, and a magnitude below which the result is `x`
/// itself (0: none). Static, so that each kernel is specialised with literal constants.
public protocol TanhApproximation {
  static var a1: Float { get }
  static var a3: Float { get }
  static var a5: Float { get }
  static var a7: Float { get }
  static var a9: Float { get }
  static var a11: Float { get }
  static var a13: Float { get }
  static var b0: Float { get }
  static var b2: Float { get }
  static var b4: Float { get }
  static var b6: Float { get }
  static var clamp: Float { get }
  static var identityBelow: Float { get }
}

/// Eigen's `generic_fast_tanh_float` (the default everywhere).
public enum EigenTanh: TanhApproximation {
  @inlinable public static var a1: Float { 4.89352455891786e-03 }
  @inlinable public static var a3: Float { 6.37261928875436e-04 }
  @inlinable public static var a5: Float { 1.48572235717979e-05 }
  @inlinable public static var a7: Float { 5.12229709037114e-08 }
  @inlinable public static var a9: Float { -8.60467152213735e-11 }
  @inlinable public static var a11: Float { 2.00018790482477e-13 }
  @inlinable public static var a13: Float { -2.76076847742355e-16 }
  @inlinable public static var b0: Float { 4.89352518554385e-03 }
  @inlinable public static var b2: Float { 2.26843463243900e-03 }
  @inlinable public static var b4: Float { 1.18534705686654e-04 }
  @inlinable public static var b6: Float { 1.19825839466702e-06 }
  @inlinable public static var clamp: Float { 7.90531110763549805 }
  @inlinable public static var identityBelow: Float { 0 }
}

/// Eigen's coefficients written to 8 significant digits (three of them round to a different
/// float) with `tanh(x) = x` below |x| < 4e-4: the PPO policy's tanh since the first PPO runs,
/// kept so that their metrics and weights reproduce bit for bit. Within 5e-7 of tanh.
public enum RoundedEigenTanh: TanhApproximation {
  @inlinable public static var a1: Float { 4.893_524_6e-03 }
  @inlinable public static var a3: Float { 6.372_619_3e-04 }
  @inlinable public static var a5: Float { 1.485_722_4e-05 }
  @inlinable public static var a7: Float { 5.122_297_1e-08 }
  @inlinable public static var a9: Float { -8.604_671_5e-11 }
  @inlinable public static var a11: Float { 2.000_187_9e-13 }
  @inlinable public static var a13: Float { -2.760_768_5e-16 }
  @inlinable public static var b0: Float { 4.893_525_2e-03 }
  @inlinable public static var b2: Float { 2.268_434_6e-03 }
  @inlinable public static var b4: Float { 1.185_347_1e-04 }
  @inlinable public static var b6: Float { 1.198_258_4e-06 }
  @inlinable public static var clamp: Float { 7.905_311_1 }
  @inlinable public static var identityBelow: Float { 0.000_4 }
}
