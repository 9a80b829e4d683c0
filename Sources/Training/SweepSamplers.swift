import Core
import Foundation

/// Chooses the values of the next trial. A sampler is a pure function of its seed, the trial's
/// number and the trials it is shown, so a sweep resumed from `trials.json` samples exactly what
/// an uninterrupted one would have.
public protocol SweepSampler: Sendable {
  /// The values of trial `number`, given the finished trials of earlier batches (`history`);
  /// nil when the sampler has nothing left (a grid that is used up).
  func sample(number: Int, history: [SweepTrial]) -> [SweepValue]?
  /// How many trials the sampler can produce (nil: unbounded).
  var capacity: Int? { get }
}

/// The samplers `--sampler` names.
public enum SweepSamplerKind: String, Sendable, CaseIterable, Codable {
  case grid, random, tpe

  public func make(space: SweepSpace, seed: UInt64) -> any SweepSampler {
    switch self {
    case .grid: return GridSampler(space: space, seed: seed)
    case .random: return RandomSampler(space: space, seed: seed)
    case .tpe: return TPESampler(space: space, seed: seed)
    }
  }
}

/// Every combination of the parameters' grid values (choices; integer steps; evenly spaced
/// points of a range, in log space for log-scale ones), visited in an order shuffled by the seed
/// (so a sweep with fewer trials than grid points covers the grid evenly).
public struct GridSampler: SweepSampler {
  public let space: SweepSpace
  /// The grid values of each parameter.
  public let axes: [[SweepValue]]
  /// Most grid points a sweep may have.
  public static let maximumPoints = 1_000_000
  let order: [Int]

  public init(space: SweepSpace, seed: UInt64) {
    self.space = space
    axes = space.parameters.map(GridSampler.axis)
    var count = 1
    for a in axes {
      let (p, overflow) = count.multipliedReportingOverflow(by: a.count)
      count = overflow ? GridSampler.maximumPoints : Swift.min(p, GridSampler.maximumPoints)
    }
    var rng = RandomGenerator(seed: seed, stream: 0x67_72_69_64)
    order = rng.permutation(count)
  }

  public var capacity: Int? { order.count }

  public func sample(number: Int, history: [SweepTrial]) -> [SweepValue]? {
    guard number >= 0, number < order.count else { return nil }
    var index = order[number]
    var values: [SweepValue] = []
    for a in axes.reversed() {
      values.append(a[index % a.count])
      index /= a.count
    }
    return values.reversed()
  }

  /// The grid values of one parameter.
  public static func axis(_ p: SweepParameter) -> [SweepValue] {
    switch p.kind {
    case .choice(let values): return values.indices.map(SweepValue.choice)
    case .uniform(let low, let high):
      let n = p.points ?? 5
      if n == 1 { return [.real((low + high) / 2)] }
      return (0..<n).map { .real(low + (high - low) * Double($0) / Double(n - 1)) }
    case .logUniform(let low, let high):
      let n = p.points ?? 5
      let (a, b) = (Foundation.log(low), Foundation.log(high))
      if n == 1 { return [.real(Foundation.exp((a + b) / 2))] }
      return (0..<n).map { k in
        // The ends exactly as written in the file.
        k == 0
          ? .real(low)
          : k == n - 1 ? .real(high) : .real(Foundation.exp(a + (b - a) * Double(k) / Double(n - 1)))
      }
    case .int(let low, let high, let step, let log):
      let count = (high - low) / step + 1
      let n = Swift.min(p.points ?? (count <= 10 ? count : 5), count)
      if n == count { return (0..<count).map { .integer(low + $0 * step) } }
      if n == 1 { return [.integer(low + (count - 1) / 2 * step)] }
      var result: [SweepValue] = []
      for k in 0..<n {
        let f = Double(k) / Double(n - 1)
        let value: Int
        if log {
          value = Int(
            (Foundation.exp(
              Foundation.log(Double(low)) + (Foundation.log(Double(high)) - Foundation.log(Double(low))) * f))
              .rounded())
        } else {
          value = low + Int((Double(count - 1) * f).rounded()) * step
        }
        let clamped = Swift.min(Swift.max(value, low), high)
        if result.last != .integer(clamped) { result.append(.integer(clamped)) }
      }
      return result
    }
  }
}

/// Independent uniform draws (Optuna's `RandomSampler`): choices and integer steps uniformly,
/// reals uniformly in their scale (log scale for `loguniform` and `int` with `log: true`).
/// Trial `n` draws from `RandomGenerator(seed:, stream: n + 1)`, so it does not depend on history.
public struct RandomSampler: SweepSampler {
  public let space: SweepSpace
  public let seed: UInt64

  public init(space: SweepSpace, seed: UInt64) {
    self.space = space
    self.seed = seed
  }

  public var capacity: Int? { nil }

  public func sample(number: Int, history: [SweepTrial]) -> [SweepValue]? {
    var rng = RandomSampler.generator(seed: seed, number: number)
    return space.parameters.map { RandomSampler.draw($0, &rng) }
  }

  static func generator(seed: UInt64, number: Int) -> RandomGenerator {
    RandomGenerator(seed: seed, stream: UInt64(truncatingIfNeeded: number) &+ 1)
  }

  /// One uniform draw of `p` in its own scale.
  static func draw(_ p: SweepParameter, _ rng: inout RandomGenerator) -> SweepValue {
    switch p.kind {
    case .choice(let values): return .choice(rng.int(below: values.count))
    case .int(let low, _, let step, false):
      return .integer(low + rng.int(below: p.cardinality ?? 1) * step)
    default:
      let scale = NumericScale(p)
      return scale.value(fromInternal: rng.uniform(scale.adaptedLow, scale.adaptedHigh))
    }
  }
}

/// A numeric parameter as Optuna's TPE and random samplers see it: reals continuous in
/// [low, high], integers discrete with their step (a log-scale integer has step 1), and the
/// sampler's space widened by half a step at each end and taken in log space for log-scale
/// parameters (`adaptedLow ... adaptedHigh`, Optuna's `adapted_low`/`adapted_high`).
struct NumericScale {
  /// The parameter's own ends.
  var low: Double
  var high: Double
  /// The grid step of an integer parameter (nil: continuous).
  var step: Double?
  var isLog: Bool
  var parameter: SweepParameter

  init(_ p: SweepParameter) {
    parameter = p
    switch p.kind {
    case .uniform(let lo, let hi): (low, high, step, isLog) = (lo, hi, nil, false)
    case .logUniform(let lo, let hi): (low, high, step, isLog) = (lo, hi, nil, true)
    case .int(let lo, let hi, let s, let log):
      (low, high, step, isLog) = (Double(lo), Double(hi), Double(s), log)
    case .choice: (low, high, step, isLog) = (0, 0, nil, false)
    }
  }

  var adaptedLow: Double { transform(low - (step ?? 0) / 2) }
  var adaptedHigh: Double { transform(high + (step ?? 0) / 2) }

  /// A raw number in the sampler's space (log for log-scale parameters).
  func transform(_ x: Double) -> Double { isLog ? Foundation.log(x) : x }

  /// The internal coordinate of a value.
  func internalValue(_ v: SweepValue) -> Double { transform(v.number) }

  /// The value at an internal coordinate (rounded to the parameter's grid, clamped to its range).
  func value(fromInternal x: Double) -> SweepValue {
    let raw = isLog ? Foundation.exp(x) : x
    switch parameter.kind {
    case .int(let lo, let hi, let s, _):
      let k = ((raw - Double(lo)) / Double(s)).rounded()
      let n = Swift.min(Swift.max(k.isFinite ? k : 0, 0), Double((hi - lo) / s))
      return .integer(lo + Int(n) * s)
    case .uniform(let lo, let hi), .logUniform(let lo, let hi):
      return .real(Swift.min(Swift.max(raw, lo), hi))
    case .choice: return .choice(0)
    }
  }
}
