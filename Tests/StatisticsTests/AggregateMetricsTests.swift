import Foundation
import Statistics
import TestSupport
import Testing

/// `Tests/Fixtures/rliable/rliable.json`, recorded by `scripts/rliable_fixtures.py` with rliable.
struct RliableFixture: Decodable {
  struct PairEntry: Decodable {
    var x: String
    var y: String
    var estimate: Double
    var ci: [Double]?
  }
  struct Case: Decodable {
    var name: String
    /// scores[algorithm][run][task], raw.
    var scores: [String: [[Double]]]
    var taus: [Double]
    var point: [String: [String: PointValue]]
    var interval: [String: [String: [Double]]]
    var probability_of_improvement: [PairEntry]
    var random: [Double]?
    var optimal: [Double]?

    /// One algorithm's scores as `runsByTask`, normalised when the case says how.
    func runsByTask(_ algorithm: String) -> [[Double]] {
      let matrix = scores[algorithm]!
      let tasks = matrix[0].count
      let byTask = (0..<tasks).map { t in matrix.map { $0[t] } }
      guard let random, let optimal else { return byTask }
      return Aggregates.normalized(byTask, random: random, optimal: optimal)
    }
  }
  /// A number or a list of numbers.
  enum PointValue: Decodable {
    case number(Double)
    case list([Double])
    init(from decoder: Decoder) throws {
      let c = try decoder.singleValueContainer()
      if let v = try? c.decode(Double.self) {
        self = .number(v)
      } else {
        self = .list(try c.decode([Double].self))
      }
    }
    var number: Double? { if case .number(let v) = self { return v } else { return nil } }
    var list: [Double]? { if case .list(let v) = self { return v } else { return nil } }
  }
  var reps: Int
  var level: Double
  var cases: [Case]

  static func load() throws -> RliableFixture {
    try JSONDecoder().decode(RliableFixture.self, from: Fixtures.data("rliable/rliable.json"))
  }
}

@Suite struct AggregateMetricsTests {
  @Test func pointEstimatesMatchRliable() throws {
    let fixture = try RliableFixture.load()
    #expect(fixture.cases.count >= 4)
    for c in fixture.cases {
      for algorithm in c.scores.keys.sorted() {
        let scores = c.runsByTask(algorithm)
        let expected = c.point[algorithm]!
        for metric in AggregateMetric.allCases {
          let want = try #require(expected[metric.rawValue]?.number)
          #expect(
            abs(metric(scores) - want) <= 1e-9,
            "\(c.name) \(algorithm) \(metric): \(metric(scores)) vs \(want)")
        }
        let trim = try #require(expected["trim_mean"]?.number)
        #expect(abs(Statistics.trimmedMean(scores.flatMap { $0 }, proportionToCut: 0.25) - trim) <= 1e-9)
        let profile = try #require(expected["profile"]?.list)
        let ours = PerformanceProfile.fractionAbove(scores, taus: c.taus)
        #expect(ours.count == profile.count)
        for (a, b) in zip(ours, profile) { #expect(abs(a - b) <= 1e-9, "\(c.name) \(algorithm) profile") }
      }
      for pair in c.probability_of_improvement {
        let p = ProbabilityOfImprovement.estimate(c.runsByTask(pair.x), c.runsByTask(pair.y))
        #expect(
          abs(p - pair.estimate) <= 1e-9, "\(c.name) P(\(pair.x) > \(pair.y)): \(p) vs \(pair.estimate)")
      }
    }
  }

  /// The bootstrap cannot match rliable's draws (arch's RNG), so the intervals are compared
  /// statistically: each contains its estimate, and with many resamples each end lies within a
  /// fraction of rliable's interval width of rliable's end.
  @Test func bootstrapIntervalsAgreeWithRliableStatistically() throws {
    let fixture = try RliableFixture.load()
    let resamples = 4000
    func check(_ ours: ConfidenceInterval, _ theirs: [Double], _ what: String) {
      #expect(ours.low <= ours.estimate + 1e-12 && ours.estimate <= ours.high + 1e-12, "\(what): \(ours)")
      let width = theirs[1] - theirs[0]
      let slack = 0.15 * width + 1e-9
      #expect(abs(ours.low - theirs[0]) <= slack, "\(what) low \(ours.low) vs rliable \(theirs[0])")
      #expect(abs(ours.high - theirs[1]) <= slack, "\(what) high \(ours.high) vs rliable \(theirs[1])")
    }
    var checked = 0
    for c in fixture.cases {
      for algorithm in c.interval.keys.sorted() {
        let scores = c.runsByTask(algorithm)
        let intervals = Aggregates.intervalEstimates(scores, resamples: resamples, seed: 7)
        for metric in AggregateMetric.allCases {
          guard let theirs = c.interval[algorithm]?[metric.rawValue] else { continue }
          check(intervals[metric]!, theirs, "\(c.name) \(algorithm) \(metric)")
          checked += 1
        }
        if let low = c.interval[algorithm]?["profile_low"], let high = c.interval[algorithm]?["profile_high"]
        {
          let profile = PerformanceProfile(runsByTask: scores, taus: c.taus, resamples: resamples, seed: 7)
          for k in c.taus.indices {
            // Profile ends are fractions of runs (multiples of 1 / runs): allow one run's worth.
            let runs = Double(scores.flatMap { $0 }.count)
            #expect(profile.low[k] <= profile.fractions[k] && profile.fractions[k] <= profile.high[k])
            #expect(
              abs(profile.low[k] - low[k]) <= 1 / runs + 1e-9, "\(c.name) \(algorithm) profile low at \(k)")
            #expect(
              abs(profile.high[k] - high[k]) <= 1 / runs + 1e-9, "\(c.name) \(algorithm) profile high at \(k)"
            )
          }
        }
      }
      for pair in c.probability_of_improvement {
        guard let theirs = pair.ci else { continue }
        let ours = ProbabilityOfImprovement.interval(
          c.runsByTask(pair.x), c.runsByTask(pair.y), resamples: resamples, seed: 7)
        check(ours, theirs, "\(c.name) P(\(pair.x) > \(pair.y))")
        checked += 1
      }
    }
    #expect(checked >= 30)
  }

  @Test func definitionsOnSmallHandWorkedCases() {
    // Two tasks: task means 0.5 and 1.5 -> mean 1, median 1; gap clips the 2 to 1.
    let scores: [[Double]] = [[0, 1], [1, 2]]
    #expect(Aggregates.mean(scores) == 1)
    #expect(Aggregates.median(scores) == 1)
    #expect(Aggregates.optimalityGap(scores) == 0.25)  // 1 - mean(0, 1, 1, 1)
    #expect(Aggregates.interquartileMean(scores) == 1)  // trims 0 and 2 of four values
    #expect(PerformanceProfile.fractionAbove(scores, taus: [0, 1, 2]) == [0.75, 0.25, 0])
    // Ties count half: P([1, 2] > [1, 1]) = (0.5 + 0.5 + 1 + 1) / 4.
    #expect(ProbabilityOfImprovement.task([1, 2], [1, 1]) == 0.75)
    #expect(ProbabilityOfImprovement.estimate(scores, scores) == 0.5)
    #expect(Aggregates.normalizedScore(261, random: 22, optimal: 500) == 0.5)
    #expect(PerformanceProfile.linspace(0, 1, points: 5) == [0, 0.25, 0.5, 0.75, 1])
  }

  @Test func intervalsAreReproducibleFromTheSeed() {
    let x: [[Double]] = [[0.1, 0.5, 0.9, 0.4], [0.3, 0.2, 0.8]]
    let y: [[Double]] = [[0.2, 0.6, 0.3], [0.1, 0.4, 0.5, 0.9]]
    let a = ProbabilityOfImprovement.interval(x, y, resamples: 300, seed: 11)
    let b = ProbabilityOfImprovement.interval(x, y, resamples: 300, seed: 11)
    #expect(a == b)
    #expect(a.low < a.high)
    let p1 = PerformanceProfile(runsByTask: x, taus: [0, 0.5], resamples: 300, seed: 3)
    let p2 = PerformanceProfile(runsByTask: x, taus: [0, 0.5], resamples: 300, seed: 3)
    #expect(p1 == p2)
    // The vector bootstrap draws as the scalar one: same seed, same IQM interval.
    let scalar = Bootstrap.interquartileMean(x, resamples: 300, seed: 5)
    let vector = Aggregates.intervalEstimates(x, metrics: [.iqm], resamples: 300, seed: 5)[.iqm]!
    #expect(scalar == vector)
  }
}
