// Python `str` semantics that sacrebleu relies on, on Unicode scalars (Python iterates code points,
// not grapheme clusters): `str.split()` / `str.rstrip()` whitespace, `str.lower()` with the full
// Unicode mapping and the final-sigma rule, and strict UTF-8 decoding.

enum PythonText {
  /// Python's `str.isspace()` (`Py_UNICODE_ISSPACE`): bidirectional class WS, B or S, or category Zs.
  /// These are the separators of `str.split()` and the characters `str.rstrip()` removes.
  @inline(__always)
  static func isSpace(_ c: UInt32) -> Bool {
    if c < 0x80 { return c == 0x20 || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) }
    switch c {
    case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
    default: return false
    }
  }

  /// Length of `s` after Python's `str.rstrip()`.
  static func rstrippedCount(_ s: UnsafeBufferPointer<UInt32>, count: Int) -> Int {
    var n = count
    while n > 0 && isSpace(s[n - 1]) { n -= 1 }
    return n
  }

  /// Python's `str.lower()`: full lowercase mapping of every code point (so `İ` becomes `i̇`, two
  /// code points), with U+03A3 `Σ` lowered to final `ς` when preceded by a cased letter and not
  /// followed by one, case-ignorable characters skipped on both sides (CPython's
  /// `handle_capital_sigma`). `out` needs room for 3 code points per input code point; returns the
  /// count written.
  static func lower(_ s: UnsafeBufferPointer<UInt32>, into out: UnsafeMutablePointer<UInt32>) -> Int {
    var j = 0
    for i in 0..<s.count {
      let c = s[i]
      if c < 0x80 {
        out[j] = c &- 0x41 < 26 ? c + 32 : c
        j += 1
      } else if c == 0x3A3 {
        out[j] = isFinalSigma(s, at: i) ? 0x3C2 : 0x3C3
        j += 1
      } else if let scalar = Unicode.Scalar(c) {
        for m in scalar.properties.lowercaseMapping.unicodeScalars {
          out[j] = m.value
          j += 1
        }
      } else {
        out[j] = c
        j += 1
      }
    }
    return j
  }

  private static func isFinalSigma(_ s: UnsafeBufferPointer<UInt32>, at i: Int) -> Bool {
    var j = i - 1
    while j >= 0 && isCaseIgnorable(s[j]) { j -= 1 }
    guard j >= 0 && isCased(s[j]) else { return false }
    j = i + 1
    while j < s.count && isCaseIgnorable(s[j]) { j += 1 }
    return j == s.count || !isCased(s[j])
  }

  private static func isCased(_ c: UInt32) -> Bool {
    Unicode.Scalar(c)?.properties.isCased ?? false
  }

  private static func isCaseIgnorable(_ c: UInt32) -> Bool {
    Unicode.Scalar(c)?.properties.isCaseIgnorable ?? false
  }

  /// Decodes strict UTF-8 (what Python's `utf-8` codec accepts: no overlong forms, no surrogates,
  /// nothing above U+10FFFF) into code points; `out` needs room for `bytes.count` of them. Returns
  /// the count, or -1 at the first invalid byte sequence.
  static func decodeUTF8(_ bytes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt32>) -> Int {
    var i = 0
    var j = 0
    let n = bytes.count
    while i < n {
      let b0 = UInt32(bytes[i])
      if b0 < 0x80 {
        out[j] = b0
        j += 1
        i += 1
        continue
      }
      var need = 0
      var value: UInt32 = 0
      var minimum: UInt32 = 0
      switch b0 {
      case 0xC2...0xDF:
        need = 1
        value = b0 & 0x1F
        minimum = 0x80
      case 0xE0...0xEF:
        need = 2
        value = b0 & 0x0F
        minimum = 0x800
      case 0xF0...0xF4:
        need = 3
        value = b0 & 0x07
        minimum = 0x10000
      default: return -1
      }
      guard i + need < n else { return -1 }
      for k in 1...need {
        let b = UInt32(bytes[i + k])
        guard b & 0xC0 == 0x80 else { return -1 }
        value = (value << 6) | (b & 0x3F)
      }
      guard value >= minimum, value <= 0x10FFFF, !(0xD800...0xDFFF).contains(value) else { return -1 }
      out[j] = value
      j += 1
      i += need + 1
    }
    return j
  }
}
