import Foundation

/// `x ** 2` as Python and NumPy compute it: the C library's `pow` (`powf` for a float32 operand),
/// which is not always the correctly rounded `x * x` (glibc's pow is within 0.52 ulp): NumPy's
/// float64 and float32 scalar `** 2` differ from `x * x` in about 1 case in 1500. Kept out of the
/// optimiser's reach, which would otherwise rewrite `pow(x, 2)` as `x * x`.
@inline(never) @_optimize(none)
func pythonSquare(_ x: Double) -> Double { Foundation.pow(x, 2) }

/// NumPy's float32 scalar `x ** 2`: the C library's `powf(x, 2)`.
@inline(never) @_optimize(none)
func pythonSquare(_ x: Float) -> Float { Foundation.powf(x, 2) }
