import Core

/// A gridworld built from a ``GridMap``: steps sample its ``TransitionTable`` (inverse CDF over the
/// outcomes in table order, as Gymnasium's `categorical_sample`). The time limit is ``TimeLimit``'s.
public struct Gridworld: Environment {
  public let map: GridMap
  public let table: TransitionTable
  /// The cell the agent is in (Gymnasium's state number).
  public private(set) var cell: Int

  public init(map: GridMap) {
    self.map = map
    table = TransitionTable(map: map)
    cell = map.start
  }

  public var observationSpace: Space {
    switch map.settings.observation {
    case .onehot:
      return .box(
        low: [Float](repeating: 0, count: map.cellCount), high: [Float](repeating: 1, count: map.cellCount),
        shape: [map.cellCount])
    case .coordinates:
      return .box(low: [0, 0], high: [Float(map.rows - 1), Float(map.cols - 1)], shape: [2])
    }
  }
  public var actionSpace: Space { .discrete(4) }
  public var observationSize: Int { map.settings.observation == .onehot ? map.cellCount : 2 }
  public var actionCount: Int { 4 }

  /// Writes the observation of `cell`.
  public func encode(cell: Int, into observation: UnsafeMutableBufferPointer<Float>) {
    switch map.settings.observation {
    case .onehot:
      observation.update(repeating: 0)
      observation[cell] = 1
    case .coordinates:
      observation[0] = Float(cell / map.cols)
      observation[1] = Float(cell % map.cols)
    }
  }

  /// The cell an observation encodes (for shaping potentials and evaluation).
  public func cell(fromObservation observation: UnsafeBufferPointer<Float>) -> Int {
    map.cell(fromObservation: observation)
  }

  public mutating func reset(using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>)
  {
    cell = map.start
    encode(cell: cell, into: observation)
  }

  public mutating func step(
    _ action: Int, using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>
  ) -> StepOutcome {
    let k = cell * 4 + action
    let outcome = table.outcomes.withUnsafeBufferPointer { outcomes in
      table.offsets.withUnsafeBufferPointer { offsets in
        let lo = offsets[k]
        let hi = offsets[k + 1]
        if hi - lo == 1 { return outcomes[lo] }
        let u = rng.uniform()
        var cumulative = 0.0
        for i in lo..<(hi - 1) {
          cumulative += outcomes[i].probability
          if u < cumulative { return outcomes[i] }
        }
        return outcomes[hi - 1]
      }
    }
    cell = outcome.next
    encode(cell: cell, into: observation)
    return StepOutcome(
      reward: outcome.reward, terminated: outcome.terminated, truncated: false, success: outcome.success)
  }
}
