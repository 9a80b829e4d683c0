import CTC
import Foundation
import TestSupport
import Testing

@testable import CTC

func loadCTCReference(_ name: String) throws -> CTCReferenceFile {
  try CTCReferenceFile.decode(Data(contentsOf: fixtureURL("ctc", name)))
}

/// Relative difference, with equal infinities counting as 0.
func relativeError(_ a: Double, _ b: Double) -> Double {
  if a == b { return 0 }
  return abs(a - b) / max(abs(b), 1e-300)
}
