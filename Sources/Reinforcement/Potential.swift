import Environments

/// A shaping potential `Phi(s)` (Ng, Harada and Russell 1999): a number per state whose
/// discounted difference `F(s, s') = gamma * Phi(s') - Phi(s)` is added to the reward.
///
/// Gridworld potentials are tables over cells (Gymnasium's state numbers); CartPole's and
/// MountainCar's are formulas in the observation. Terminal states get `Phi = 0` from ``RewardShaping``, not from here.
public enum Potential: Sendable, Equatable {
  /// `values[cell]` for every cell of `map` (wall cells are never occupied; their value is unused).
  case grid(values: [Double], map: GridMapKey)
  /// ``Potential/uprightness(observation:)``: 1 upright and centred, 0 at the failure bounds.
  case cartPoleUpright
  /// ``MountainCarPotentials/scale`` times ``MountainCarPotentials/height(position:physics:)``.
  case mountainCarHeight(MountainCarPotentials.Physics)
  /// ``MountainCarPotentials/scale`` times ``MountainCarPotentials/energy(position:velocity:physics:)``.
  case mountainCarEnergy(MountainCarPotentials.Physics)

  /// Phi of an observation (the cell it encodes, or CartPole's state).
  @inline(__always)
  public func value(observation: UnsafeBufferPointer<Float>, map: GridMap?) -> Double {
    switch self {
    case .grid(let values, _):
      return values[map!.cell(fromObservation: observation)]
    case .cartPoleUpright:
      return Potential.uprightness(observation: observation)
    case .mountainCarHeight(let physics):
      return MountainCarPotentials.scale
        * MountainCarPotentials.height(position: Double(observation[0]), physics: physics)
    case .mountainCarEnergy(let physics):
      return MountainCarPotentials.scale
        * MountainCarPotentials.energy(
          position: Double(observation[0]), velocity: Double(observation[1]), physics: physics)
    }
  }

  /// The cell table, for gridworld potentials.
  public var gridValues: [Double]? {
    if case .grid(let values, _) = self { return values }
    return nil
  }

  /// CartPole's uprightness potential over the observation `[x, x_dot, theta, theta_dot]`:
  ///
  /// `Phi(s) = 1 - 0.5 * (theta / theta_max)^2 - 0.5 * (x / x_max)^2`
  ///
  /// with `theta_max` = 12 degrees (0.2095 rad) and `x_max` = 2.4, the termination bounds, so
  /// Phi is 1 for a centred upright pole and 0 at the corner of the failure region. Velocities do
  /// not enter: the potential rewards moving towards upright and centred, whatever the speed.
  @inline(__always)
  public static func uprightness(observation: UnsafeBufferPointer<Float>) -> Double {
    let x = Double(observation[0]) / CartPole.xThreshold
    let theta = Double(observation[2]) / CartPole.thetaThresholdRadians
    return 1 - 0.5 * theta * theta - 0.5 * x * x
  }
}

/// Identifies the map a grid potential was built for (name and size), so a potential is not
/// silently applied to another map.
public struct GridMapKey: Sendable, Equatable {
  public var name: String
  public var rows: Int
  public var cols: Int

  public init(_ map: GridMap) {
    name = map.name
    rows = map.rows
    cols = map.cols
  }
}

/// Distances and potentials over a gridworld's cells.
public enum GridPotentials {
  /// Shortest-path distance (in moves) from every cell to the nearest goal, through walls:
  /// breadth-first search backwards from the goals over deterministic moves (edges and walls keep
  /// the agent in place; holes and cliffs are not entered, goals and holes are not left).
  /// `nil` for walls and for cells from which no goal can be reached.
  public static func shortestPathDistances(_ map: GridMap) -> [Int?] {
    // predecessors[v]: cells with a move landing in v.
    var predecessors = [[Int]](repeating: [], count: map.cellCount)
    for u in 0..<map.cellCount {
      let cell = map.cells[u]
      if cell == .wall || cell.isTerminal || cell == .cliff { continue }
      for direction in Direction.allCases {
        let v = map.target(from: u, direction)
        if v != u && map.cells[v] != .hole && map.cells[v] != .cliff { predecessors[v].append(u) }
      }
    }
    var distance = [Int?](repeating: nil, count: map.cellCount)
    var queue = map.goals
    for g in queue { distance[g] = 0 }
    var head = 0
    while head < queue.count {
      let v = queue[head]
      head += 1
      for u in predecessors[v] where distance[u] == nil {
        distance[u] = distance[v]! + 1
        queue.append(u)
      }
    }
    return distance
  }

  /// Manhattan distance from every cell to the nearest goal, ignoring walls (so it points through
  /// walls and misleads in Four Rooms and mazes).
  public static func manhattanDistances(_ map: GridMap) -> [Int] {
    let goals = map.goals
    return (0..<map.cellCount).map { s in
      goals.map { abs(map.row(of: s) - map.row(of: $0)) + abs(map.col(of: s) - map.col(of: $0)) }.min()
        ?? 0
    }
  }

  /// `Phi(s) = -d(s) / d_max`: minus the BFS distance to the goal in units of the longest
  /// shortest path `d_max`, so Phi runs from -1 (the farthest cell) to 0 (the goal), the scale of
  /// the goal reward 1 (`pbrs:bfs*K` rescales). Unscaled distances (Ng et al.'s `-d`) make the
  /// shaped rewards and the critic's targets ~`d_max` times the true ones, and the critic's loss
  /// then dominates PPO's global gradient-norm clip. Cells that cannot reach a goal (and walls) get
  /// `-(d_max + 1) / d_max`.
  public static func negativeShortestPath(_ map: GridMap) throws -> Potential {
    let d = shortestPathDistances(map)
    guard !map.goals.isEmpty else {
      throw ShapingError("map '\(map.name)' has no goal: no distance potential")
    }
    let dMax = max(d.compactMap { $0 }.max() ?? 1, 1)
    return .grid(values: d.map { -Double($0 ?? dMax + 1) / Double(dMax) }, map: GridMapKey(map))
  }

  /// `Phi(s) = -m(s) / m_max`, `m(s) = |row(s) - row(g)| + |col(s) - col(g)|` for the nearest
  /// goal `g` and `m_max` its largest value over the map's cells: -1 to 0, as ``negativeShortestPath(_:)``.
  public static func negativeManhattan(_ map: GridMap) throws -> Potential {
    guard !map.goals.isEmpty else {
      throw ShapingError("map '\(map.name)' has no goal: no distance potential")
    }
    let m = manhattanDistances(map)
    var mMax = 1
    for s in 0..<map.cellCount where map.cells[s] != .wall { mMax = max(mMax, m[s]) }
    return .grid(values: m.map { -Double($0) / Double(mMax) }, map: GridMapKey(map))
  }

  /// `Phi(s) = V*(s)`, the optimal value of the unshaped MDP by value iteration with the agent's
  /// discount: the ideal potential (the shaped optimal values become 0 and every optimal action's
  /// shaped advantage 0; Ng et al. 1999, section 3).
  public static func optimalValue(_ map: GridMap, gamma: Double) -> Potential {
    let solution = ValueIteration.solve(TransitionTable(map: map), gamma: gamma, tolerance: 1e-10)
    return .grid(values: solution.values, map: GridMapKey(map))
  }
}
