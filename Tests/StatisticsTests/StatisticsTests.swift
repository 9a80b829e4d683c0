import Core
import Foundation
import Statistics
import Tensors
import Testing

@testable import Statistics

/// |a - b| <= tolerance * max(1, |b|).
private func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
  abs(a - b) <= tolerance * max(1, abs(b))
}

@Suite struct DescriptiveStatisticsTests {
  // Values from NumPy 2 / SciPy 1.17 (call beside each number).
  let x: [Double] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]

  @Test func meanStdQuantiles() {
    #expect(Statistics.mean(x) == 3.9)
    #expect(close(Statistics.standardDeviation(x), 2.4698178070456938, 1e-14))  // np.std(x, ddof=1)
    #expect(close(Statistics.quantile(x, 0.3), 2.6999999999999997, 1e-14))  // np.quantile(x, 0.3)
    #expect(close(Statistics.quantile(x, 0.9), 6.299999999999999, 1e-14))  // np.quantile(x, 0.9)
    #expect(Statistics.median(x) == 3.5)  // np.median(x)
    #expect(Statistics.quantile(x, 0) == 1 && Statistics.quantile(x, 1) == 9)
    #expect(Statistics.standardDeviation([4]).isNaN)
  }

  @Test func quantileWithInfinities() {
    // Runs that never reach a threshold count as +inf: the median must not become NaN.
    #expect(Statistics.median([1, .infinity, .infinity]) == .infinity)
    #expect(Statistics.median([1, 3, .infinity, .infinity]) == .infinity)
    #expect(Statistics.median([1, 3, 5, .infinity]) == 4)
  }

  @Test func interquartileMeanMatchesScipyTrimMean() {
    // scipy.stats.trim_mean(x, 0.25) = 3.6666666666666665: drops int(2.5) = 2 per end.
    #expect(close(Statistics.interquartileMean(x), 3.6666666666666665, 1e-15))
    // scipy.stats.trim_mean([10, 20, 30, 40, 50, 60, 1000], 0.25) = 40.0 (cuts 1 per end).
    #expect(Statistics.interquartileMean([10, 20, 30, 40, 50, 60, 1000]) == 40)
    // scipy.stats.trim_mean([[1,10],[2,20],[3,30],[4,40]], 0.25, axis=None) = 9.25 (rliable's IQM).
    #expect(Statistics.interquartileMean([1, 10, 2, 20, 3, 30, 4, 40]) == 9.25)
  }
}

@Suite struct SpecialFunctionTests {
  @Test func incompleteBetaAgainstScipy() {
    // (a, b, x, scipy.special.betainc(a, b, x))
    let cases: [(Double, Double, Double, Double)] = [
      (0.5, 0.5, 0.3, 0.36901011956554536),  // also = (2/pi) asin(sqrt(0.3))
      (2, 3, 0.4, 0.5247999999999999),  // closed form 6x^2/2 - 8x^3 + 3x^4 ... = 0.5248
      (10, 0.5, 0.9, 0.15164090963470994),
      (0.5, 10, 0.01, 0.3420718248432154),
      (100, 100, 0.52, 0.7140328471877408),
      (5.5, 0.5, 0.999, 0.9183176370668992),
      (1, 1, 0.25, 0.25),
      (30, 2, 0.95, 0.5365969098573434),
    ]
    for (a, b, x, expected) in cases {
      let got = SpecialFunctions.regularizedIncompleteBeta(a, b, x)
      #expect(abs(got - expected) <= 1e-12, "I_\(x)(\(a), \(b)) = \(got), scipy \(expected)")
    }
    #expect(
      abs(SpecialFunctions.regularizedIncompleteBeta(0.5, 0.5, 0.3) - 2 / Double.pi * asin(0.3.squareRoot()))
        < 1e-14)
    #expect(SpecialFunctions.regularizedIncompleteBeta(2, 3, 0) == 0)
    #expect(SpecialFunctions.regularizedIncompleteBeta(2, 3, 1) == 1)
  }

  @Test func studentTCDFAgainstScipy() {
    // (t, df, scipy.stats.t.cdf(t, df))
    let cases: [(Double, Double, Double)] = [
      (2.0, 3, 0.9303370157205785),
      (-1.5, 7.3, 0.08778154640154305),
      (0.0, 5, 0.5),
      (10.0, 2.5, 0.9977792521163463),
      (3.0, 1000, 0.9986166454778809),
      (-40, 4, 1.1670081613006339e-06),
    ]
    for (t, df, expected) in cases {
      let got = SpecialFunctions.studentTCDF(t, degreesOfFreedom: df)
      // Relative tolerance, so the 1e-6 tail is checked to ~10 significant digits too.
      #expect(abs(got - expected) <= 1e-10 * expected, "t.cdf(\(t), \(df)) = \(got), scipy \(expected)")
    }
    // df = 1 is the Cauchy distribution: cdf(t) = 1/2 + atan(t)/pi.
    #expect(
      abs(SpecialFunctions.studentTCDF(1.7, degreesOfFreedom: 1) - (0.5 + atan(1.7) / Double.pi)) < 1e-14)
  }
}

@Suite struct HypothesisTestTests {
  @Test func welchAgainstScipy() {
    // scipy.stats.ttest_ind(a, b, equal_var=False) -> statistic, pvalue, df
    let cases: [([Double], [Double], Double, Double, Double)] = [
      (
        [12.1, 14.3, 11.8, 15.2, 13.9, 12.7, 14.8, 13.1], [10.4, 11.9, 9.8, 12.5, 10.1, 11.2],
        4.024245662511354, 0.0017631574280725108, 11.73048739903577
      ),
      (
        [498.0, 500.0, 312.5, 500.0, 455.25], [480.5, 210.0, 500.0, 390.75, 120.0, 455.0, 500.0],
        1.0782798117126184, 0.30769678388272875, 9.437483248670201
      ),
      ([1, 2, 3], [1.5, 2.5, 3.5, 4.5], -1.1547005383792517, 0.3008027072551761, 4.959183673469389),
    ]
    for (a, b, t, p, df) in cases {
      let r = HypothesisTests.welchTTest(a, b)
      #expect(close(r.t, t, 1e-12), "t \(r.t) vs \(t)")
      #expect(close(r.degreesOfFreedom, df, 1e-12), "df \(r.degreesOfFreedom) vs \(df)")
      #expect(abs(r.pValue - p) <= 1e-10 * p, "p \(r.pValue) vs \(p)")
    }
  }

  @Test func welchDegenerateVariance() {
    let same = HypothesisTests.welchTTest([2, 2, 2], [2, 2])
    #expect(same.pValue.isNaN && same.t.isNaN)
    let apart = HypothesisTests.welchTTest([3, 3, 3], [2, 2])
    #expect(apart.pValue == 0 && apart.t == .infinity)
  }

  @Test func holmTextbook() {
    // Sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04 -> running max
    // 0.02, 0.03, 0.06, 0.06; back in input order:
    let adjusted = HypothesisTests.holmBonferroni([0.01, 0.04, 0.03, 0.005])
    let expected = [0.03, 0.06, 0.06, 0.02]
    for (g, e) in zip(adjusted, expected) { #expect(abs(g - e) < 1e-15) }
    // 0.01x5 = 0.05, 0.015x4 = 0.06, 0.04x3 = 0.12, 0.2x2 = 0.4, 0.7x1 = 0.7
    let second = HypothesisTests.holmBonferroni([0.2, 0.01, 0.7, 0.015, 0.04])
    for (g, e) in zip(second, [0.4, 0.05, 0.7, 0.06, 0.12]) { #expect(abs(g - e) < 1e-15) }
    // Capped at 1 and monotone: 0.5x2 = 1, then max(1, 0.6) = 1.
    #expect(HypothesisTests.holmBonferroni([0.6, 0.5]) == [1, 1])
    let withNaN = HypothesisTests.holmBonferroni([0.02, .nan, 0.04])
    #expect(withNaN[1].isNaN && abs(withNaN[0] - 0.04) < 1e-15 && abs(withNaN[2] - 0.04) < 1e-15)
  }
}

@Suite struct BootstrapTests {
  @Test func deterministicWithSeed() {
    let x: [Double] = [1, 5, 2, 8, 4, 4, 7, 3, 9, 6]
    let a = Bootstrap.mean(x, resamples: 500, seed: 7)
    let b = Bootstrap.mean(x, resamples: 500, seed: 7)
    let c = Bootstrap.mean(x, resamples: 500, seed: 8)
    #expect(a == b)
    #expect(a != c)
    #expect(a.estimate == 4.9)
    #expect(a.low < a.estimate && a.estimate < a.high)
    // Percentile CI of a mean lies within the sample range.
    #expect(a.low >= 1 && a.high <= 9)
  }

  @Test func constantSampleHasZeroWidth() {
    let ci = Bootstrap.interquartileMean([[3, 3, 3, 3]], resamples: 100, seed: 1)
    #expect(ci.estimate == 3 && ci.low == 3 && ci.high == 3)
  }

  @Test func stratifiedResamplingKeepsTasksApart() {
    // Task 0 scores are all 0 and task 1 all 100: a stratified resample always has 3 of each, so
    // the mean is exactly 50 in every resample (an unstratified bootstrap would vary).
    let ci = Bootstrap.stratifiedConfidenceInterval([[0, 0, 0], [100, 100, 100]], resamples: 200, seed: 3) {
      tasks in
      Statistics.mean(tasks.flatMap { $0 })
    }
    #expect(ci.low == 50 && ci.high == 50)
  }

  @Test func iqmEstimateIsRliableIQM() {
    let runsByTask: [[Double]] = [[1, 2, 3, 4], [10, 20, 30, 40]]
    let ci = Bootstrap.interquartileMean(runsByTask, resamples: 300, seed: 5)
    #expect(ci.estimate == 9.25)  // scipy.stats.trim_mean(m, 0.25, axis=None), m = runs x tasks
    #expect(ci.low <= ci.estimate && ci.estimate <= ci.high)
  }

  @Test func coverageOfNormalMean() {
    // 200 experiments of n = 30 standard normals; a 95% percentile CI of the mean should cover 0
    // about 95% of the time (binomial sd ~ 1.5%; the percentile method runs a little narrow at
    // n = 30, so accept 88%..99%).
    var rng = Core.RandomGenerator(seed: 2024)
    var covered = 0
    for trial in 0..<200 {
      let sample = (0..<30).map { _ in rng.normal() }
      let ci = Bootstrap.mean(sample, resamples: 400, seed: UInt64(trial))
      if ci.low <= 0 && 0 <= ci.high { covered += 1 }
    }
    #expect(covered >= 176 && covered <= 198, "covered \(covered) / 200")
  }
}

@Suite struct LearningCurveTests {
  @Test func areaAndNormalisedArea() {
    // Linear ramp 0 -> 100 over 0..1000 steps: area 50_000, mean level 50, normalised by 100: 0.5.
    let ramp = LearningCurve(steps: [0, 250, 1000], values: [0, 25, 100])
    #expect(abs(ramp.area(from: 0, to: 1000) - 50_000) < 1e-9)
    #expect(abs(ramp.normalizedArea(normalizer: 100) - 0.5) < 1e-15)
    // Sub-range with interpolated ends: 100..500 has mean level 30 -> 0.3.
    #expect(abs(ramp.normalizedArea(from: 100, to: 500, normalizer: 100) - 0.3) < 1e-12)
    #expect(ramp.value(at: 2000).isNaN)
  }

  @Test func differentGridsAreComparedOnCommonRange() {
    let a = LearningCurve(steps: [0, 500, 1000, 1500], values: [0, 50, 100, 100])
    let b = LearningCurve(steps: [0, 400, 800, 1200], values: [0, 40, 80, 120])
    #expect(LearningCurves.commonRange([a, b]) == 0...1200)
    #expect(LearningCurves.commonGrid([a, b]) == [0, 400, 500, 800, 1000, 1200])
    let areas = LearningCurves.normalizedAreas([a, b], normalizer: 100)
    // a over 0..1200: ramp to 100 at 1000 (area 50_000) + flat 100 for 200 (20_000) = 70_000 / 120_000.
    #expect(abs(areas[0] - 70_000.0 / 120_000) < 1e-12)
    #expect(abs(areas[1] - 0.6) < 1e-12)  // ramp 0 -> 120: mean 60
  }

  @Test func bandOverSeeds() {
    let a = LearningCurve(steps: [0, 100, 200], values: [0, 10, 20])
    let b = LearningCurve(steps: [0, 50, 150, 250], values: [0, 15, 45, 75])
    let band = CurveBand(curves: [a, b], resamples: 200, seed: 1)
    #expect(band.steps == [0, 50, 100, 150, 200])
    // At step 100: a = 10, b = 30 (interpolated): mean 20; resamples are {10,10}, {10,30}, {30,30}.
    #expect(band.center[2] == 20 && band.low[2] >= 10 && band.high[2] <= 30)
    #expect(band.center[0] == 0 && band.low[0] == 0 && band.high[0] == 0)
    let even = CurveBand(curves: [a, b], points: 3, resamples: 50)
    #expect(even.steps == [0, 100, 200])
  }

  @Test func stepsToThresholdCountsNever() {
    let fast = LearningCurve(steps: [0, 100, 200], values: [0, 200, 500])
    let slow = LearningCurve(steps: [0, 100, 200, 300], values: [0, 100, 300, 480])
    let never = LearningCurve(steps: [0, 100], values: [0, 10])
    #expect(fast.firstStep(reaching: 475) == 200)
    #expect(never.firstStep(reaching: 475) == nil)
    let summary = ThresholdSummary(curves: [fast, slow, never], threshold: 475)
    #expect(summary.reached == 2 && summary.runs == 3)
    #expect(summary.median == 300)
    let mostlyNever = ThresholdSummary(steps: [100, nil, nil])
    #expect(mostlyNever.median == .infinity && mostlyNever.reached == 1)
    // Losses: lower is better.
    #expect(
      LearningCurve(steps: [1, 2, 3], values: [3, 1.5, 0.5]).firstStep(reaching: 1, higherIsBetter: false)
        == 3)
  }
}
