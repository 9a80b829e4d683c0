/// MountainCar-v0 on a grid, small enough to solve exactly with ``ValueIteration``: the states are
/// the points of an evenly spaced `positions x velocities` grid over Gymnasium's bounds
/// (`[-1.2, 0.6] x [-0.07, 0.07]`, both ends included), the transitions are deterministic: the
/// exact dynamics (``MountainCar/nextState(_:action:)``) from the grid point, snapped to the nearest
/// grid point. A step that reaches the flag (`x >= 0.5` and `v >= 0`, tested before snapping, as
/// the environment does) terminates with reward -1; grid points already at the flag are absorbing
/// (reward 0, terminal). Every other step pays -1. No time limit.
///
/// Snapping loses the slow start of a swing on coarse grids (a push from rest moves the car by
/// less than half a cell and is snapped back); from about 91 x 71 points on, every state reaches
/// the flag under the optimal policy.
public struct MountainCarGrid: Sendable {
  public let positions: [Double]
  public let velocities: [Double]
  public let table: TransitionTable

  /// State number of grid point `(i, j)` (position `i`, velocity `j`): `i * velocities.count + j`.
  public func state(positionIndex i: Int, velocityIndex j: Int) -> Int { i * velocities.count + j }

  /// The grid point nearest to `(x, v)` (outside the bounds: the nearest edge).
  public func state(position x: Double, velocity v: Double) -> Int {
    func nearest(_ value: Double, _ axis: [Double]) -> Int {
      let step = (axis[axis.count - 1] - axis[0]) / Double(axis.count - 1)
      let k = ((value - axis[0]) / step).rounded()
      if !(k > 0) { return 0 }
      return k >= Double(axis.count - 1) ? axis.count - 1 : Int(k)
    }
    return state(positionIndex: nearest(x, positions), velocityIndex: nearest(v, velocities))
  }

  /// `(position, velocity)` of a state.
  public func point(_ state: Int) -> (position: Double, velocity: Double) {
    (positions[state / velocities.count], velocities[state % velocities.count])
  }

  /// The observation the environment would emit in each state (`[Float(x), Float(v)]`).
  public var observations: [[Float]] {
    (0..<table.stateCount).map { s in
      let p = point(s)
      return [Float(p.position), Float(p.velocity)]
    }
  }

  /// Whether a grid point is at the flag (absorbing).
  public func isGoal(_ state: Int) -> Bool {
    let p = point(state)
    return p.position >= MountainCar.goalPosition && p.velocity >= 0
  }

  /// A grid of `positionCount x velocityCount` points (at least 2 each); the initial state is the
  /// point nearest to `start` (the middle of Gymnasium's reset range by default).
  public init(positionCount: Int, velocityCount: Int, start: (position: Double, velocity: Double) = (-0.5, 0))
  {
    precondition(positionCount >= 2 && velocityCount >= 2, "a grid needs at least 2 points per axis")
    func axis(_ low: Double, _ high: Double, _ n: Int) -> [Double] {
      (0..<n).map { k in k == n - 1 ? high : low + (high - low) * Double(k) / Double(n - 1) }
    }
    positions = axis(MountainCar.minPosition, MountainCar.maxPosition, positionCount)
    velocities = axis(-MountainCar.maxSpeed, MountainCar.maxSpeed, velocityCount)
    // A temporary value with an empty table, to use the snapping helpers while building.
    var rows: [[[TransitionTable.Outcome]]] = []
    let shell = MountainCarGrid(positions: positions, velocities: velocities)
    for s in 0..<(positionCount * velocityCount) {
      if shell.isGoal(s) {
        rows.append(
          Array(
            repeating: [
              TransitionTable.Outcome(probability: 1, next: s, reward: 0, terminated: true, success: false)
            ],
            count: 3))
        continue
      }
      let p = shell.point(s)
      rows.append(
        (0..<3).map { a in
          let (x, v) = MountainCar.nextState((p.position, p.velocity), action: a)
          let reached = x >= MountainCar.goalPosition && v >= 0
          return [
            TransitionTable.Outcome(
              probability: 1, next: shell.state(position: x, velocity: v), reward: -1, terminated: reached,
              success: reached)
          ]
        })
    }
    table = TransitionTable(
      stateCount: positionCount * velocityCount, actionCount: 3,
      initialState: shell.state(position: start.position, velocity: start.velocity), outcomes: rows)
  }

  private init(positions: [Double], velocities: [Double]) {
    self.positions = positions
    self.velocities = velocities
    table = TransitionTable(stateCount: 0, actionCount: 3, initialState: 0, outcomes: [])
  }
}
