// sacrebleu's tokenizers (`tokenizers/tokenizer_13a.py`, `tokenizer_re.py`, `tokenizer_intl.py`,
// `tokenizer_char.py`, `tokenizer_none.py`), reproduced on code points. Each regular-expression
// substitution of the originals is one left-to-right pass with Python's non-overlapping match
// semantics: after a two-character match both characters are consumed.

/// The tokenizer applied to every segment before n-grams are counted (sacrebleu's `tokenize`).
public enum BLEUTokenizer: String, CaseIterable, Sendable {
  /// mteval-v13a: WMT's standard (sacrebleu's default).
  case thirteenA = "13a"
  /// mteval-v14 international: splits Unicode punctuation (\p{P}) and symbols (\p{S}).
  case intl
  /// Every non-whitespace code point is a token.
  case char
  /// Whitespace splitting only.
  case none

  /// Tokens of `text` as sacrebleu produces them: optional `str.lower()`, `str.rstrip()`, the
  /// tokenizer, then `str.split()`.
  public func tokenize(_ text: String, lowercase: Bool = false) -> [String] {
    var pipeline = TokenPipeline(tokenizer: self, lowercase: lowercase)
    let scalars = text.unicodeScalars.map(\.value)
    var tokens: [String] = []
    pipeline.transform(scalars) { buffer, start, end in
      var token = String.UnicodeScalarView()
      for k in start..<end { token.append(Unicode.Scalar(buffer[k])!) }
      tokens.append(String(token))
    }
    return tokens
  }
}

/// A growable scratch buffer of code points, written through its pointer (no per-element
/// uniqueness checks or bounds checks in the tokenizer passes).
final class ScalarBuffer {
  private(set) var base: UnsafeMutablePointer<UInt32>
  private(set) var capacity: Int
  var count = 0

  init(capacity: Int = 1024) {
    self.capacity = capacity
    base = .allocate(capacity: capacity)
  }

  deinit { base.deallocate() }

  /// Makes room for `n` code points, keeping the current contents.
  @inline(__always)
  func reserve(_ n: Int) {
    guard n > capacity else { return }
    var newCapacity = capacity
    while newCapacity < n { newCapacity *= 2 }
    let newBase = UnsafeMutablePointer<UInt32>.allocate(capacity: newCapacity)
    newBase.update(from: base, count: count)
    base.deallocate()
    base = newBase
    capacity = newCapacity
  }

  var buffer: UnsafeBufferPointer<UInt32> { UnsafeBufferPointer(start: base, count: count) }
}

/// Scratch buffers for one thread: turns one segment into tokens without allocating once the
/// buffers have grown. Not thread-safe; each worker owns one.
struct TokenPipeline {
  let tokenizer: BLEUTokenizer
  let lowercase: Bool
  private var input = ScalarBuffer()
  private var a = ScalarBuffer()
  private var b = ScalarBuffer()

  init(tokenizer: BLEUTokenizer, lowercase: Bool) {
    self.tokenizer = tokenizer
    self.lowercase = lowercase
  }

  /// Decodes a UTF-8 segment and tokenizes it; false (and no tokens) when it is not valid UTF-8.
  mutating func transform(
    utf8 bytes: UnsafeBufferPointer<UInt8>, token: (UnsafeBufferPointer<UInt32>, Int, Int) -> Void
  ) -> Bool {
    input.reserve(bytes.count)
    let n = PythonText.decodeUTF8(bytes, into: input.base)
    guard n >= 0 else { return false }
    input.count = n
    run(token: token)
    return true
  }

  /// Tokenizes a segment given as code points.
  mutating func transform(_ segment: [UInt32], token: (UnsafeBufferPointer<UInt32>, Int, Int) -> Void) {
    input.reserve(segment.count)
    segment.withUnsafeBufferPointer { input.base.update(from: $0.baseAddress!, count: $0.count) }
    input.count = segment.count
    run(token: token)
  }

  /// `_preprocess_segment` (lower, rstrip, tokenize), then `token(buffer, start, end)` for each
  /// whitespace-separated token of the result.
  private mutating func run(token: (UnsafeBufferPointer<UInt32>, Int, Int) -> Void) {
    if lowercase {
      a.reserve(input.count * 3)
      a.count = PythonText.lower(input.buffer, into: a.base)
    } else {
      a.reserve(input.count)
      a.base.update(from: input.base, count: input.count)
      a.count = input.count
    }
    a.count = PythonText.rstrippedCount(a.buffer, count: a.count)
    switch tokenizer {
    case .thirteenA: apply13a()
    case .intl: applyIntl()
    case .char, .none: break
    }
    let buffer = a.buffer
    if tokenizer == .char {
      // `" ".join(line).split()`: whitespace code points vanish, all others are tokens.
      for k in 0..<buffer.count where !PythonText.isSpace(buffer[k]) { token(buffer, k, k + 1) }
      return
    }
    var k = 0
    let n = buffer.count
    while k < n {
      while k < n && PythonText.isSpace(buffer[k]) { k += 1 }
      let start = k
      while k < n && !PythonText.isSpace(buffer[k]) { k += 1 }
      if k > start { token(buffer, start, k) }
    }
  }

  // MARK: 13a

  private static let space: UInt32 = 0x20

  @inline(__always)
  private static func isDigit(_ c: UInt32) -> Bool { c &- 0x30 < 10 }

  @inline(__always)
  private static func isPeriodOrComma(_ c: UInt32) -> Bool { c == 0x2E || c == 0x2C }

  /// `[\{-\~\[-\` -\&\(-\+\:-\@\/]`: ASCII punctuation except `'`, `,`, `-`, `.`, plus space.
  @inline(__always)
  private static func isSplitPunctuation13a(_ c: UInt32) -> Bool {
    (c >= 0x7B && c <= 0x7E) || (c >= 0x5B && c <= 0x60) || (c >= 0x20 && c <= 0x26)
      || (c >= 0x28 && c <= 0x2B) || (c >= 0x3A && c <= 0x40) || c == 0x2F
  }

  private static func scalars(_ pairs: [(String, String)]) -> [([UInt32], [UInt32])] {
    pairs.map { ($0.0.unicodeScalars.map(\.value), $0.1.unicodeScalars.map(\.value)) }
  }
  private static let replacements13a = scalars([("<skipped>", ""), ("-\n", ""), ("\n", " ")])
  /// Only these four entities (not `&apos;`), as mteval-v13a.
  private static let entities13a = scalars([
    ("&quot;", "\""), ("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"),
  ])

  private mutating func apply13a() {
    // Language-independent part, in the original's order (each `str.replace` is a full pass).
    // One scan decides which passes can change anything: the replacements only delete or
    // shorten, so they never create a `<`, `\n` or `&` that was not there.
    var hasLessThan = false
    var hasNewline = false
    var hasAmpersand = false
    for c in a.buffer {
      hasLessThan = hasLessThan || c == 0x3C
      hasNewline = hasNewline || c == 0x0A
      hasAmpersand = hasAmpersand || c == 0x26
    }
    if hasLessThan { replaceAll(Self.replacements13a[0].0, with: Self.replacements13a[0].1) }
    if hasNewline {
      replaceAll(Self.replacements13a[1].0, with: Self.replacements13a[1].1)
      replaceAll(Self.replacements13a[2].0, with: Self.replacements13a[2].1)
    }
    if hasAmpersand {
      for (old, new) in Self.entities13a { replaceAll(old, with: new) }
    }
    // f' {line} ' and `([\{-\~\[-\` -\&\(-\+\:-\@\/])` -> ` \1 `. The padding spaces are
    // themselves in the class, so each becomes three spaces.
    let n = a.count
    b.reserve(3 * n + 6)
    let src = a.base
    let dst = b.base
    var j = 0
    var hasPeriodOrComma = false
    var hasDash = false
    for _ in 0..<3 {
      dst[j] = Self.space
      j += 1
    }
    for i in 0..<n {
      let c = src[i]
      if Self.isSplitPunctuation13a(c) {
        dst[j] = Self.space
        dst[j + 1] = c
        dst[j + 2] = Self.space
        j += 3
      } else {
        hasPeriodOrComma = hasPeriodOrComma || Self.isPeriodOrComma(c)
        hasDash = hasDash || c == 0x2D
        dst[j] = c
        j += 1
      }
    }
    for _ in 0..<3 {
      dst[j] = Self.space
      j += 1
    }
    b.count = j
    swap(&a, &b)
    // The remaining passes only insert spaces; each needs a `.`/`,` or a `-` to match.
    if hasPeriodOrComma {
      // `([^0-9])([\.,])` -> `\1 \2 `
      pairPass({ !Self.isDigit($0) && Self.isPeriodOrComma($1) }, spaceBefore: false, spaceAfter: true)
      // `([\.,])([^0-9])` -> ` \1 \2`
      pairPass({ Self.isPeriodOrComma($0) && !Self.isDigit($1) }, spaceBefore: true, spaceAfter: false)
    }
    if hasDash {
      // `([0-9])(-)` -> `\1 \2 `
      pairPass({ Self.isDigit($0) && $1 == 0x2D }, spaceBefore: false, spaceAfter: true)
    }
  }

  /// Python's `str.replace(old, new)`: non-overlapping occurrences, left to right (every
  /// replacement here is no longer than its pattern).
  private mutating func replaceAll(_ pattern: [UInt32], with replacement: [UInt32]) {
    let first = pattern[0]
    guard a.buffer.contains(first) else { return }
    let n = a.count
    let m = pattern.count
    b.reserve(n)
    let src = a.base
    let dst = b.base
    var i = 0
    var j = 0
    while i < n {
      if src[i] == first && i + m <= n && UnsafeBufferPointer(start: src + i, count: m).elementsEqual(pattern)
      {
        for r in replacement {
          dst[j] = r
          j += 1
        }
        i += m
      } else {
        dst[j] = src[i]
        j += 1
        i += 1
      }
    }
    b.count = j
    swap(&a, &b)
  }

  /// One `re.sub` pass of a two-character pattern `(X)(Y)` with replacement `\1 \2`, optionally
  /// with a space before and/or after: after a match both characters are consumed.
  @inline(__always)
  private mutating func pairPass(_ matches: (UInt32, UInt32) -> Bool, spaceBefore: Bool, spaceAfter: Bool) {
    let n = a.count
    b.reserve(2 * n + 2)
    let src = a.base
    let dst = b.base
    var i = 0
    var j = 0
    while i < n {
      let c = src[i]
      if i + 1 < n && matches(c, src[i + 1]) {
        if spaceBefore {
          dst[j] = Self.space
          j += 1
        }
        dst[j] = c
        dst[j + 1] = Self.space
        dst[j + 2] = src[i + 1]
        j += 3
        if spaceAfter {
          dst[j] = Self.space
          j += 1
        }
        i += 2
      } else {
        dst[j] = c
        j += 1
        i += 1
      }
    }
    b.count = j
    swap(&a, &b)
  }

  // MARK: intl

  /// General-category classes the intl tokenizer's patterns use.
  enum CategoryClass: UInt8 {
    case number, punctuation, symbol, other
  }

  private static let asciiClasses: [CategoryClass] = (0..<128).map { categoryClass(of: UInt32($0)) }

  @inline(__always)
  static func category(_ c: UInt32) -> CategoryClass {
    c < 128 ? asciiClasses[Int(c)] : categoryClass(of: c)
  }

  private static func categoryClass(of c: UInt32) -> CategoryClass {
    guard let scalar = Unicode.Scalar(c) else { return .other }
    switch scalar.properties.generalCategory {
    case .decimalNumber, .letterNumber, .otherNumber:
      return .number
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
      .initialPunctuation, .finalPunctuation, .otherPunctuation:
      return .punctuation
    case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
      return .symbol
    default:
      return .other
    }
  }

  private mutating func applyIntl() {
    // `(\P{N})(\p{P})` -> `\1 \2 `
    pairPass(
      { Self.category($0) != .number && Self.category($1) == .punctuation }, spaceBefore: false,
      spaceAfter: true)
    // `(\p{P})(\P{N})` -> ` \1 \2`
    pairPass(
      { Self.category($0) == .punctuation && Self.category($1) != .number }, spaceBefore: true,
      spaceAfter: false)
    // `(\p{S})` -> ` \1 `
    let n = a.count
    b.reserve(3 * n)
    let src = a.base
    let dst = b.base
    var j = 0
    for i in 0..<n {
      let c = src[i]
      if Self.category(c) == .symbol {
        dst[j] = Self.space
        dst[j + 1] = c
        dst[j + 2] = Self.space
        j += 3
      } else {
        dst[j] = c
        j += 1
      }
    }
    b.count = j
    swap(&a, &b)
  }
}
