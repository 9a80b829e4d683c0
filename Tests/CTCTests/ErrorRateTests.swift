import CTC
import Core
import Tensors
import Testing

@testable import CTC

@Suite struct ErrorRateTests {
  @Test func levenshteinClosedForm() {
    func d(_ a: String, _ b: String) -> Int { EditDistance.levenshtein(Array(a), Array(b)) }
    #expect(d("kitten", "sitting") == 3)  // k->s, e->i, +g
    #expect(d("", "abc") == 3)
    #expect(d("abc", "") == 3)
    #expect(d("", "") == 0)
    #expect(d("flaw", "lawn") == 2)
    #expect(d("abc", "abc") == 0)
    #expect(d("ab", "ba") == 2)  // no transpositions in Levenshtein
    #expect(d("intention", "execution") == 5)
  }

  @Test func levenshteinIsSymmetricAndBounded() {
    var rng = RandomGenerator(seed: 3)
    for _ in 0..<200 {
      let a = (0..<rng.int(below: 8)).map { _ in rng.int(below: 3) }
      let b = (0..<rng.int(below: 8)).map { _ in rng.int(below: 3) }
      let ab = EditDistance.levenshtein(a, b)
      #expect(ab == EditDistance.levenshtein(b, a))
      #expect(ab >= abs(a.count - b.count) && ab <= max(a.count, b.count))
    }
  }

  @Test func characterAndWordRates() {
    // "two seven" vs "two eleven": characters "seven" -> "eleven" = 2 edits (s->e, +l... ) per jiwer.
    let c = ErrorRate.characters(hypothesis: "two seven", reference: "two eleven")
    #expect(c.referenceLength == 10)
    #expect(c.edits == EditDistance.levenshtein(Array("seven"), Array("eleven")))
    let w = ErrorRate.words(hypothesis: "one two three", reference: "one three")
    #expect(w == ErrorCounts(edits: 1, referenceLength: 2))
    #expect(w.rate == 0.5)
    // Whitespace runs and trailing spaces are not errors (jiwer's default transforms).
    #expect(ErrorRate.characters(hypothesis: " one  two ", reference: "one two").edits == 0)
    #expect(ErrorRate.words(hypothesis: "", reference: "one two").edits == 2)
    #expect(ErrorCounts(edits: 0, referenceLength: 0).rate == 0)
    #expect(ErrorCounts(edits: 2, referenceLength: 0).rate == .infinity)
  }

  @Test func corpusRateIsTotalEditsOverTotalLength() {
    // jiwer.wer(["a b c d", "e"], ["a b c x", "f"]) = (1 + 1) / (4 + 1) = 0.4, not mean(0.25, 1).
    var score = TranscriptScore()
    score.add(hypothesis: "a b c x", reference: "a b c d")
    score.add(hypothesis: "f", reference: "e")
    #expect(score.wer == 0.4)
    #expect(score.characters == ErrorCounts(edits: 2, referenceLength: 8))
    #expect(score.cer == 0.25)
    #expect(score.utterances == 2)
  }

  @Test func decoderNames() {
    #expect(CTCDecoding("greedy") == .greedy)
    #expect(CTCDecoding("beam:8") == .beam(width: 8))
    #expect(CTCDecoding("beam:0") == nil)
    #expect(CTCDecoding("beam") == nil)
    #expect(CTCDecoding.beam(width: 4).description == "beam:4")
  }
}
