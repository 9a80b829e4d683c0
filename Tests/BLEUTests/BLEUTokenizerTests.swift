import BLEU
import Testing

@testable import BLEU

/// Tokenizer and Python-string cases; expected values were produced by sacrebleu 2.6.0.
@Suite struct BLEUTokenizerTests {
  let sample = "Hello, world! It's 1,000.5 € (approx.) &amp; &quot;x&quot; <skipped> a-b 3-4 3e-5."

  @Test func thirteenA() {
    #expect(
      BLEUTokenizer.thirteenA.tokenize(sample) == [
        "Hello", ",", "world", "!", "It's", "1,000.5", "€", "(", "approx", ".", ")", "&", "\"", "x", "\"",
        "a-b", "3", "-", "4", "3e-5", ".",
      ])
    #expect(
      BLEUTokenizer.thirteenA.tokenize("e-mail: jo@x.org; 12:30...") == [
        "e-mail", ":", "jo", "@", "x", ".", "org", ";", "12", ":", "30", ".", ".", ".",
      ])
    // Period and comma between non-digits; the padding spaces make a final "5." split.
    #expect(
      BLEUTokenizer.thirteenA.tokenize("A.B,C .5 5. x.") == [
        "A", ".", "B", ",", "C", ".", "5", "5", ".", "x", ".",
      ])
    // `&apos;` is not an mteval-v13a entity.
    #expect(BLEUTokenizer.thirteenA.tokenize("&apos;") == ["&", "apos", ";"])
  }

  @Test func international() {
    #expect(
      BLEUTokenizer.intl.tokenize(sample) == [
        "Hello", ",", "world", "!", "It", "'", "s", "1,000.5", "€", "(", "approx", ".", ")", "&", "amp", ";",
        "&",
        "quot", ";", "x", "&", "quot", ";", "<", "skipped", ">", "a", "-", "b", "3-4", "3e", "-", "5.",
      ])
    #expect(
      BLEUTokenizer.intl.tokenize("e-mail: jo@x.org; 12:30...") == [
        "e", "-", "mail", ":", "jo", "@", "x", ".", "org", ";", "12:30", ".", ".", ".",
      ])
  }

  @Test func charAndNone() {
    // Code points, not grapheme clusters: "e" + U+0301 is two tokens.
    #expect(
      BLEUTokenizer.char.tokenize("中文 ab\u{2009}c e\u{301} ") == ["中", "文", "a", "b", "c", "e", "\u{301}"])
    #expect(
      BLEUTokenizer.none.tokenize(" a\u{A0}b\u{3000}c\u{2028}d\u{85}e\u{1C}f\u{200B}g\u{FEFF}h ") == [
        "a", "b", "c", "d", "e", "f\u{200B}g\u{FEFF}h",
      ])
  }

  @Test func pythonLowercase() {
    // İ -> i + U+0307; Σ -> ς at the end of a word (case-ignorable characters skipped), else σ.
    let tokens = BLEUTokenizer.none.tokenize(
      "İSTANBUL ΟΔΟΣ Σ ΑΣ. ΣΑ Σ\u{301} AΣ\u{301} ΑΣ\u{345}b ǅ ẞ\u{A0}x\u{3000}", lowercase: true)
    let expected =
      "i\u{307}stanbul \u{3BF}\u{3B4}\u{3BF}\u{3C2} \u{3C3} \u{3B1}\u{3C2}. \u{3C3}\u{3B1} \u{3C3}\u{301} a\u{3C2}\u{301} \u{3B1}\u{3C3}\u{345}b \u{1C6} \u{DF} x"
    // Compare code points: Swift String equality is canonical equivalence, Python's is not.
    #expect(
      tokens.map { Array($0.unicodeScalars) }
        == expected.split(separator: " ").map { Array($0.unicodeScalars) })
  }

  @Test func utf8Decoding() {
    func decode(_ bytes: [UInt8]) -> [UInt32]? {
      var out = [UInt32](repeating: 0, count: bytes.count)
      let n = bytes.withUnsafeBufferPointer { b in
        out.withUnsafeMutableBufferPointer { PythonText.decodeUTF8(b, into: $0.baseAddress!) }
      }
      return n < 0 ? nil : Array(out[0..<n])
    }
    #expect(decode(Array("aé€😀".utf8)) == [0x61, 0xE9, 0x20AC, 0x1F600])
    #expect(decode([0xFF]) == nil)  // not a lead byte
    #expect(decode([0xC0, 0x80]) == nil)  // overlong
    #expect(decode([0xED, 0xA0, 0x80]) == nil)  // surrogate
    #expect(decode([0xF4, 0x90, 0x80, 0x80]) == nil)  // above U+10FFFF
    #expect(decode([0xE2, 0x82]) == nil)  // truncated
  }

  @Test func fixedDecimalsRoundLikePython() {
    // Ties on exact binary values go to even; 2.675 is below its decimal and rounds down.
    #expect(BLEUScore.fixed(0.125, 2) == "0.12")
    #expect(BLEUScore.fixed(0.375, 2) == "0.38")
    #expect(BLEUScore.fixed(2.675, 2) == "2.67")
    #expect(BLEUScore.fixed(99.95, 1) == "100.0")
    #expect(BLEUScore.fixed(0, 3) == "0.000")
    #expect(BLEUScore.fixed(7, 0) == "7")
    #expect(BLEUScore.fixed(1e-300, 2) == "0.00")
    var rng = UInt64(0x9E37_79B9_7F4A_7C15)
    for _ in 0..<20_000 {
      rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let x = Double(rng >> 11) * 0x1.0p-53 * 100
      let halves = (x * 2000).rounded() / 2000  // many exact ties at 3 decimals
      for value in [x, halves, x / 1000] {
        for d in 0...3 { #expect(BLEUScore.fixed(value, d) == BLEUScore.cFixed(value, d), "\(value) \(d)") }
      }
    }
  }
}
