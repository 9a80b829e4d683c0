import Core
import Foundation
import Testing

@testable import Training

/// A synthetic objective in-process: `f(values)` (higher is better), the same at every budget
/// unless `budgetEffect` scales it; counts the budget spent.
struct SyntheticObjective: SweepObjective {
  var f: ([SweepValue]) -> Double
  /// Score at a rung = f(x) - penalty * (1 - budget / full): low budgets look worse, with the
  /// order of trials kept (a stand-in for learning curves).
  var fullBudget = 1
  var penalty = 0.0
  /// Environment steps spent: a trial continued to a larger rung costs only the difference, as a
  /// run resumed from its checkpoint does.
  var spent = 0
  var reached: [Int: Int] = [:]
  var stopAfterEvaluations: Int?
  var evaluations = 0

  init(_ f: @escaping ([SweepValue]) -> Double) { self.f = f }

  mutating func evaluate(_ trials: [SweepTrial], budget: Int, rung: Int) throws -> [SweepEvaluation] {
    trials.map { t in
      evaluations += 1
      if let stop = stopAfterEvaluations, evaluations > stop { return .interrupted }
      spent += budget - (reached[t.number] ?? 0)
      reached[t.number] = budget
      return .score(f(t.values) - penalty * (1 - Double(budget) / Double(fullBudget)))
    }
  }
}

enum Synthetic {
  /// A 2-D quadratic bowl on [-1, 1]^2 with its maximum 0 at (0.3, -0.2).
  static let bowlSpace = SweepSpace(parameters: [
    SweepParameter(name: "x", kind: .uniform(low: -1, high: 1), points: 9),
    SweepParameter(name: "y", kind: .uniform(low: -1, high: 1), points: 9),
  ])
  static func bowl(_ v: [SweepValue]) -> Double {
    let (x, y) = (v[0].number, v[1].number)
    return -((x - 0.3) * (x - 0.3) + (y + 0.2) * (y + 0.2))
  }

  /// A categorical + log-scale real + integer mix with its maximum 0 at (b, 1e-3, 20).
  static let mixedSpace = SweepSpace(parameters: [
    SweepParameter(name: "c", kind: .choice(["a", "b", "c"])),
    SweepParameter(name: "lr", kind: .logUniform(low: 1e-5, high: 1e-1)),
    SweepParameter(name: "n", kind: .int(low: 1, high: 64, step: 1, log: false)),
  ])
  static func mixed(_ v: [SweepValue]) -> Double {
    let offset = [0.5, 0, 1.0][Int(v[0].number)]
    let l = log10(v[1].number) + 3
    let m = (v[2].number - 20) / 16
    return -offset - l * l / 4 - m * m
  }

  /// The best score a sampler reaches in `trials` trials.
  static func best(
    _ kind: SweepSamplerKind, space: SweepSpace, seed: UInt64, trials: Int,
    f: @escaping ([SweepValue]) -> Double
  ) throws -> Double {
    var study = SweepStudy(
      plan: SweepPlan(trials: trials, rungs: [1]), sampler: kind.make(space: space, seed: seed))
    var objective = SyntheticObjective(f)
    _ = try study.run(&objective)
    return study.best?.score ?? -.infinity
  }
}

@Suite struct SweepSamplerTests {
  @Test func gridVisitsEveryPointOnceAndFindsTheBestGridPoint() throws {
    let sampler = GridSampler(space: Synthetic.bowlSpace, seed: 3)
    #expect(sampler.capacity == 81)
    var seen = Set<[SweepValue]>()
    for n in 0..<81 { seen.insert(sampler.sample(number: n, history: [])!) }
    #expect(seen.count == 81)
    #expect(sampler.sample(number: 81, history: []) == nil)
    // The grid's best point is (0.25, -0.25): f = -0.005. Asking for more trials stops at 81.
    var study = SweepStudy(plan: SweepPlan(trials: 100, rungs: [1]), sampler: sampler)
    var objective = SyntheticObjective(Synthetic.bowl)
    _ = try study.run(&objective)
    #expect(study.trials.count == 81)
    #expect(abs((study.best?.score ?? 0) + 0.005) < 1e-12)
    #expect(study.best?.values == [.real(0.25), .real(-0.25)])
  }

  @Test func gridAxes() {
    #expect(
      GridSampler.axis(SweepParameter(name: "n", kind: .int(low: 4, high: 20, step: 4, log: false)))
        == [4, 8, 12, 16, 20].map(SweepValue.integer))
    #expect(
      GridSampler.axis(SweepParameter(name: "n", kind: .int(low: 1, high: 100, step: 1, log: false))).count
        == 5)
    let logAxis = GridSampler.axis(
      SweepParameter(name: "lr", kind: .logUniform(low: 1e-4, high: 1e-2), points: 3))
    #expect(logAxis.count == 3 && logAxis[0] == .real(1e-4) && logAxis[2] == .real(1e-2))
    #expect(abs(logAxis[1].number - 1e-3) < 1e-15)
  }

  @Test func randomDrawsStayInRangeAndDependOnlyOnSeedAndNumber() {
    let sampler = RandomSampler(space: Synthetic.mixedSpace, seed: 9)
    for n in 0..<500 {
      let v = sampler.sample(number: n, history: [])!
      #expect((0..<3).contains(Int(v[0].number)))
      #expect(v[1].number >= 1e-5 && v[1].number <= 1e-1)
      #expect(v[2].number >= 1 && v[2].number <= 64)
    }
    #expect(
      sampler.sample(number: 7, history: [])
        == RandomSampler(space: Synthetic.mixedSpace, seed: 9).sample(number: 7, history: []))
    #expect(sampler.sample(number: 7, history: []) != sampler.sample(number: 8, history: []))
    // Log scale: about half the draws of lr fall below the geometric middle 1e-3.
    let below = (0..<2000).filter { sampler.sample(number: $0, history: [])![1].number < 1e-3 }.count
    #expect(below > 900 && below < 1100)
  }

  @Test func optunaGammaAndWeights() {
    #expect([0, 1, 10, 11, 100, 250, 300].map(TPESampler.gamma) == [0, 1, 1, 2, 10, 25, 25])
    #expect(TPESampler.weights(3) == [1, 1, 1])
    let w = TPESampler.weights(30)  // numpy.linspace(1/30, 1, 5) then 25 ones
    #expect(w.count == 30 && w[5...].allSatisfy { $0 == 1 })
    #expect(abs(w[0] - 1.0 / 30) < 1e-15 && abs(w[2] - (1.0 / 30 + 1) / 2) < 1e-15 && w[4] == 1)
  }

  /// Fixed seeds 0..<10: the best score after 30, 60 trials.
  @Test func quadraticBowl() throws {
    let seeds: [UInt64] = Array(0..<10)
    let random = try seeds.map {
      try Synthetic.best(.random, space: Synthetic.bowlSpace, seed: $0, trials: 60, f: Synthetic.bowl)
    }
    let tpe = try seeds.map {
      try Synthetic.best(.tpe, space: Synthetic.bowlSpace, seed: $0, trials: 60, f: Synthetic.bowl)
    }
    print(
      "bowl, 60 trials: random mean best \(random.reduce(0, +) / 10), TPE mean best \(tpe.reduce(0, +) / 10)")
    print("  random \(random)\n  tpe \(tpe)")
    // Near the optimum: f > -0.007 is within 0.084 of (0.3, -0.2) (measured: every seed above
    // -0.0061, mean -0.0017; random's mean -0.027, with 4 of 10 seeds below -0.02).
    #expect(tpe.allSatisfy { $0 > -0.007 })
    let tpeMean: Double = tpe.reduce(0, +) / 10
    let randomMean: Double = random.reduce(0, +) / 10
    #expect(tpeMean > 5 * randomMean)
    #expect(random.filter { $0 < -0.02 }.count >= 3)
  }

  @Test func categoricalLogAndIntegerMix() throws {
    let seeds: [UInt64] = Array(0..<10)
    let random = try seeds.map {
      try Synthetic.best(.random, space: Synthetic.mixedSpace, seed: $0, trials: 60, f: Synthetic.mixed)
    }
    let tpe = try seeds.map {
      try Synthetic.best(.tpe, space: Synthetic.mixedSpace, seed: $0, trials: 60, f: Synthetic.mixed)
    }
    print(
      "mixed, 60 trials: random mean best \(random.reduce(0, +) / 10), TPE mean best \(tpe.reduce(0, +) / 10)"
    )
    print("  random \(random)\n  tpe \(tpe)")
    // Measured: TPE's best above -0.024 on every seed (mean -0.0093), random's mean -0.147.
    #expect(tpe.allSatisfy { $0 > -0.025 })
    let tpeMean: Double = tpe.reduce(0, +) / 10
    let randomMean: Double = random.reduce(0, +) / 10
    #expect(tpeMean > 5 * randomMean)
  }

  @Test func tpeSplitRanksCompleteThenPrunedTrials() {
    func trial(_ n: Int, _ state: SweepTrial.State, _ scores: [Double]) -> SweepTrial {
      var t = SweepTrial(number: n, values: [.real(0)])
      t.state = state
      t.rungScores = scores
      return t
    }
    var history = (0..<9).map { trial($0, .complete, [Double($0)]) }
    history.append(trial(9, .pruned, [100]))
    history.append(trial(10, .pruned, [1, 50]))
    // 11 trials: gamma = 2, the two best complete ones (8 and 7), ordered by number.
    var split = TPESampler.split(history)
    #expect(split.below.map(\.number) == [7, 8])
    #expect(split.above.count == 9)
    // Only pruned trials beyond the complete ones: the one that reached the later rung first.
    history =
      [trial(0, .complete, [0]), trial(1, .pruned, [100]), trial(2, .pruned, [1, 50])]
      + (3..<14).map { trial($0, .failed, []) }
    split = TPESampler.split(
      history.filter { $0.state != .failed } + (3..<13).map { trial($0, .pruned, [-1]) })
    #expect(split.below.map(\.number) == [0, 2])
  }
}
