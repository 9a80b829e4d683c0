import Environments
import Foundation
import Reinforcement
import Testing

@testable import Reinforcement

/// Locates the repository's `environments/gridworld` maps from this file's path.
enum ShapingMaps {
  static let root: URL = {
    var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while url.path != "/" {
      if FileManager.default.fileExists(atPath: url.appendingPathComponent("environments/gridworld").path) {
        return url
      }
      url = url.deletingLastPathComponent()
    }
    fatalError("environments/gridworld not found above \(#filePath)")
  }()

  static func load(_ name: String) throws -> GridMap {
    try GridMap.load(contentsOf: root.appendingPathComponent("environments/gridworld/\(name).map"))
  }

  static func spec(_ map: GridMap) -> EnvironmentSpec {
    EnvironmentSpec(name: "gridworld:\(map.name)", kind: .gridworld(map))
  }

  static func corridor(_ row: String, _ header: String = "") throws -> GridMap {
    try GridMap.parse(header + "---\n" + row + "\n", file: "corridor.map", name: "corridor")
  }
}

/// Ng, Harada and Russell (1999), theorem 1: potential-based shaping leaves the optimal policy
/// unchanged; the shaped optimal Q-values are `Q*(s, a) - Phi(s)`. Shown with value iteration on
/// the shaped MDP. Naive shapings change the optimal policy on constructed cases.
@Suite struct ShapingInvarianceTests {
  static let maps = ["fourrooms", "maze-21x21", "frozenlake-8x8", "cliffwalking", "frozenlake-4x4"]
  static let shapings = ["pbrs:bfs", "pbrs:manhattan", "pbrs:optimal", "pbrs:bfs*0.5", "pbrs:manhattan*3"]
  let gamma = 0.99

  @Test(arguments: maps)
  func potentialBasedShapingKeepsTheOptimalPolicy(_ name: String) throws {
    let map = try ShapingMaps.load(name)
    let table = TransitionTable(map: map)
    let truth = ValueIteration.solve(table, gamma: gamma, tolerance: 1e-12)
    var checked = 0
    for shapingName in Self.shapings {
      let shaping = try RewardShaping(name: shapingName, environment: ShapingMaps.spec(map), gamma: gamma)
      guard case .potential(let phi, _, let factor) = shaping.rule, let values = phi.gridValues else {
        Issue.record("\(shapingName) is not potential-based")
        continue
      }
      let shaped = ValueIteration.solve(shaping.shapedTable(table), gamma: gamma, tolerance: 1e-12)
      for s in 0..<table.stateCount where map.cells[s] != .wall && !map.cells[s].isTerminal {
        // Theorem 1's identity Q'(s, a) = Q*(s, a) - Phi(s), to 1e-7 (value iteration stops at 1e-12
        // per sweep; the error bound is 1e-12 / (1 - gamma) = 1e-10, far below).
        for a in 0..<4 {
          let expected = truth.qValues[s * 4 + a] - factor * values[s]
          #expect(
            abs(shaped.qValues[s * 4 + a] - expected) < 1e-7,
            "\(name) \(shapingName): Q'(\(s), \(a)) = \(shaped.qValues[s * 4 + a]), expected \(expected)")
        }
        // The shaped greedy action is optimal in the true MDP (ties may break differently).
        let a = shaped.policy[s]
        #expect(
          truth.qValues[s * 4 + a] >= truth.values[s] - 1e-9,
          "\(name) \(shapingName): shaped policy picks \(a) in state \(s), Q* \(truth.qValues[s * 4 + a]) < V* \(truth.values[s])"
        )
        checked += 1
      }
    }
    #expect(checked > 0)
  }

  @Test func optimalPotentialIsTheValueFunction() throws {
    // With Phi = V*, the shaped optimal values are V*(s) - V*(s) = 0 and Q' = Q* - V* <= 0, with
    // equality on optimal actions (the ideal potential).
    let map = try ShapingMaps.load("fourrooms")
    let table = TransitionTable(map: map)
    let shaping = try RewardShaping(name: "pbrs:optimal", environment: ShapingMaps.spec(map), gamma: gamma)
    let shaped = ValueIteration.solve(shaping.shapedTable(table), gamma: gamma, tolerance: 1e-12)
    for s in 0..<table.stateCount where map.cells[s] != .wall && !map.cells[s].isTerminal {
      #expect(abs(shaped.values[s]) < 1e-7, "V'(\(s)) = \(shaped.values[s])")
    }
  }

  /// The start-state true value of the policy that is optimal for `shapingName`'s shaped MDP.
  func trueValueOfShapedOptimum(_ map: GridMap, _ shapingName: String) throws -> (
    shaped: Double, best: Double
  ) {
    let table = TransitionTable(map: map)
    let shaping = try RewardShaping(name: shapingName, environment: ShapingMaps.spec(map), gamma: gamma)
    let shapedPolicy = ValueIteration.solve(shaping.shapedTable(table), gamma: gamma).policy
    let value = ValueIteration.evaluate(table, policy: shapedPolicy, gamma: gamma)[map.start]
    return (value, ValueIteration.solve(table, gamma: gamma).values[map.start])
  }

  @Test func naiveProgressBonusIsFarmedInLoops() throws {
    // Corridor S....G: the true optimum walks right (5 moves, V* = 0.99^4 = 0.961). A bonus of 0.1 for each
    // move closer and nothing for moving away pays 0.1 every two steps forever:
    // 0.1 / (1 - 0.99^2) = 5.03 > 1, so the shaped optimum oscillates and never reaches the goal.
    let map = try ShapingMaps.corridor("S....G", "time_limit = none\n")
    let (shaped, best) = try trueValueOfShapedOptimum(map, "naive:progress")
    #expect(abs(best - pow(0.99, 4)) < 1e-9)
    #expect(shaped < 1e-9, "the shaped-optimal policy should never finish, true value \(shaped)")
    // The same map and bonus size as a potential (pbrs:bfs*0.1) keep the optimum.
    let (pbrs, _) = try trueValueOfShapedOptimum(map, "pbrs:bfs*0.1")
    #expect(abs(pbrs - best) < 1e-9)
  }

  @Test func naiveProximityBonusMakesDawdlingPay() throws {
    // In Four Rooms the proximity bonus near the goal (0.1 * (1 - 1 / d_max) per step) is worth
    // about 10 discounted, ten times the goal reward: the shaped optimum avoids finishing, so
    // its true value falls below V* (on deterministic moves it never finishes at all).
    var map = try ShapingMaps.load("fourrooms")
    let (slippery, best) = try trueValueOfShapedOptimum(map, "naive:proximity")
    #expect(slippery < best - 0.1, "true value \(slippery) of the shaped optimum vs V* \(best)")
    try map.apply(options: ["slippery": "false"])
    let (deterministic, _) = try trueValueOfShapedOptimum(map, "naive:proximity")
    #expect(deterministic < 1e-9, "true value \(deterministic)")
  }

  @Test func stepPenaltyAndScaleKeepTheOptimumOnGoalMaps() throws {
    // Not potential-based in general, but on a goal-reward map with gamma < 1 a constant penalty
    // only shortens paths further, and scaling by a positive constant changes nothing.
    let map = try ShapingMaps.load("maze-21x21")
    for name in ["step-penalty:0.01", "scale:0.1"] {
      let (shaped, best) = try trueValueOfShapedOptimum(map, name)
      #expect(abs(shaped - best) < 1e-9, "\(name): \(shaped) vs \(best)")
    }
  }

  @Test func shortestPathDistancesGoThroughCorridors() throws {
    let maze = try ShapingMaps.load("maze-21x21")
    let bfs = GridPotentials.shortestPathDistances(maze)
    let manhattan = GridPotentials.manhattanDistances(maze)
    // The map's header: "The shortest path takes 88 steps".
    #expect(bfs[maze.start] == 88)
    #expect(manhattan[maze.start] == 36)  // (1,1) to (19,19)
    for g in maze.goals { #expect(bfs[g] == 0) }
    for s in 0..<maze.cellCount where maze.cells[s] == .wall { #expect(bfs[s] == nil) }
    // BFS distance never undercuts the Manhattan lower bound.
    for s in 0..<maze.cellCount { if let d = bfs[s] { #expect(d >= manhattan[s]) } }
    // The potentials are normalised to [-1, 0]: -d / d_max and -m / m_max.
    let phi = try GridPotentials.negativeShortestPath(maze).gridValues!
    let dMax = Double(bfs.compactMap { $0 }.max()!)
    #expect(abs(phi[maze.start] - -88 / dMax) < 1e-15)
    #expect(phi.min()! >= -1 - 1 / dMax && phi.max()! == 0)
    let phiM = try GridPotentials.negativeManhattan(maze).gridValues!
    #expect(phiM[maze.goals[0]] == 0 && abs(phiM[maze.start] - -36.0 / 36.0) < 1e-15)
    // Holes are not entered: in FrozenLake 4x4 the start is 6 moves from the goal.
    let lake = try ShapingMaps.load("frozenlake-4x4")
    #expect(GridPotentials.shortestPathDistances(lake)[lake.start] == 6)
  }
}
