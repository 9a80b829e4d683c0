import BLEU
import Foundation
import Testing

@testable import BLEU

/// BLEU's API refuses data it cannot score instead of trapping.
@Suite struct BLEUInputTests {
  @Test func bleuWithoutReferencesThrows() throws {
    #expect(throws: BLEUError.noReferences) {
      try BLEU().sentenceScore(hypothesis: "a b c", references: [])
    }
    #expect(throws: BLEUError.noReferences) { try BLEUReference(tokens: []) }
    let same = "the cat sat on the mat"
    #expect(abs(try BLEU().sentenceScore(hypothesis: same, references: [same]).score - 100) < 1e-9)
  }
}
