import Foundation
import Statistics
import Testing

@testable import Statistics

@Suite struct PairedTTestTests {
  /// n = 3 (df = 2), where Student's t has a closed-form tail: p = 1 - |t| / sqrt(2 + t^2).
  @Test func closedFormWithTwoDegreesOfFreedom() {
    let a = [88.04, 87.86, 88.10]
    let b = [87.90, 87.74, 87.89]
    let d = zip(a, b).map { $0 - $1 }
    let mean = d.reduce(0, +) / 3
    let sd = (d.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2).squareRoot()
    let t = mean / (sd / 3.0.squareRoot())
    let result = HypothesisTests.pairedTTest(a, b)
    #expect(abs(result.t - t) < 1e-9)
    #expect(result.degreesOfFreedom == 2)
    #expect(abs(result.meanDifference - mean) < 1e-12)
    #expect(abs(result.pValue - (1 - abs(t) / (2 + t * t).squareRoot())) < 1e-9)
    // Swapping the samples flips t, keeps p.
    let swapped = HypothesisTests.pairedTTest(b, a)
    #expect(abs(swapped.t + t) < 1e-9 && abs(swapped.pValue - result.pValue) < 1e-12)
  }

  /// Pairing matters: a constant shift is detected with certainty (zero variance of the
  /// differences), all-equal samples give NaN.
  @Test func degenerateDifferences() {
    let shifted = HypothesisTests.pairedTTest([1, 5, 9], [0, 4, 8])
    #expect(shifted.t == .infinity && shifted.pValue == 0)
    let equal = HypothesisTests.pairedTTest([1, 2], [1, 2])
    #expect(equal.t.isNaN && equal.pValue.isNaN)
  }
}
