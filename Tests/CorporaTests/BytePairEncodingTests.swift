import Testing

@testable import Corpora

/// Byte-pair encoding against merges worked out by hand on Sennrich et al.'s example vocabulary
/// (low 5, lower 2, newest 6, widest 3).
@Suite struct BytePairEncodingTests {
  static let counts = ["low": 5, "lower": 2, "newest": 6, "widest": 3]

  /// By hand: (e s) 9 ties (s t</w>) 9 and wins on "e" < "s"; then (es t</w>) 9; (l o) 7; the
  /// three pairs at 6 go in string order: (e w), then (ew est</w>) before (n ewest</w>) as
  /// "ew" < "n"; (lo w</w>) 5; the three at 3 in string order: (d est</w>), (i dest</w>),
  /// (w idest</w>); the three at 2: (e r</w>), (lo w), (low er</w>). Then nothing occurs twice.
  @Test func learnsTheHandComputedMerges() {
    let bpe = BytePairEncoding.learn(wordCounts: Self.counts, merges: 100)
    #expect(
      bpe.merges.map(\.description) == [
        "e s", "es t</w>", "l o", "e w", "ew est</w>", "n ewest</w>", "lo w</w>", "d est</w>",
        "i dest</w>", "w idest</w>", "e r</w>", "lo w", "low er</w>",
      ])
    #expect(BytePairEncoding.learn(wordCounts: Self.counts, merges: 3).merges.count == 3)
  }

  @Test func segmentsByRank() {
    let bpe = BytePairEncoding.learn(wordCounts: Self.counts, merges: 10)
    // lowest: (e s), (es t</w>), (l o); (w est</w>) was never learned.
    #expect(bpe.segment("lowest") == ["lo@@", "w@@", "est"])
    // newer: (e w) only; (n ew) was never learned.
    #expect(bpe.segment("newer") == ["n@@", "ew@@", "e@@", "r"])
    #expect(bpe.segment("newest") == ["newest"])
    #expect(bpe.segment("x") == ["x"])
    #expect(BytePairEncoding(merges: []).segment("ab") == ["a@@", "b"])
  }

  @Test func joinInvertsApply() {
    let bpe = BytePairEncoding.learn(wordCounts: Self.counts, merges: 6)
    let sentence = ["the", "lowest", "newer", "widest", "."]
    let segmented = bpe.apply([sentence])[0]
    #expect(segmented.count > sentence.count)
    #expect(BytePairEncoding.join(segmented) == sentence)
  }

  @Test func codesFileIsSubwordNMTFormat() {
    let bpe = BytePairEncoding.learn(wordCounts: Self.counts, merges: 2)
    #expect(bpe.codesText == "#version: 0.2\ne s\nes t</w>\n")
  }
}
