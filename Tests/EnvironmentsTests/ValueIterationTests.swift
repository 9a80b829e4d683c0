import Environments
import Foundation
import Tensors
import TestSupport
import Testing

@testable import Environments

@Suite struct ValueIterationTests {
  static func map(_ name: String, _ options: [String: String] = [:]) throws -> GridMap {
    try #require(
      try EnvironmentSpec.parse("gridworld:\(name)", options: options, mapsDirectory: Fixtures.mapsDirectory)
        .gridMap)
  }

  /// Deterministic corridor S . . . G: the goal is 4 steps away, so V*(start) = gamma^3 with reward
  /// 1 at the goal, and -4 undiscounted with reward -1 per step.
  @Test func corridorClosedForm() throws {
    let map = try GridMap.parse("---\nS...G\n", file: "c.map", name: "c")
    let table = TransitionTable(map: map)
    let gamma = 0.9
    let solution = ValueIteration.solve(table, gamma: gamma)
    for k in 0..<4 { #expect(abs(solution.values[k] - Foundation.pow(gamma, Double(3 - k))) < 1e-12) }
    #expect(solution.policy[0..<4].allSatisfy { map.settings.actionOrder[$0] == .right })
    #expect(ValueIteration.finiteHorizon(table, horizon: 3, objective: .success).initialValue == 0)
    #expect(ValueIteration.finiteHorizon(table, horizon: 4, objective: .success).initialValue == 1)
    var costly = map
    try costly.apply(options: ["step_reward": "-1", "goal_reward": "-1", "time_limit": "none"])
    let undiscounted = ValueIteration.solve(TransitionTable(map: costly), gamma: 1)
    #expect(undiscounted.values[0] == -4)
    // Policy evaluation of "always left" never ends: with gamma 0.5, -1 / (1 - 0.5) = -2.
    let left = [Int](repeating: 0, count: 5)
    #expect(
      abs(ValueIteration.evaluate(TransitionTable(map: costly), policy: left, gamma: 0.5)[0] + 2) < 1e-11)
  }

  /// shared/ANCHORS.md: FrozenLake 8x8 slippery under the 100-step limit: 0.641 optimal (0.913 within
  /// 200 steps), 0.632 for the best stationary policy from gamma 0.99; 4x4: 0.744.
  @Test func frozenLakeCeilings() throws {
    let eight = GridworldCeiling(map: try Self.map("frozenlake-8x8"), gamma: 0.99)
    #expect(eight.horizon == 100)
    #expect(abs(eight.optimalSuccess - 0.641) < 5e-4)
    #expect(abs(eight.greedySuccess - 0.632) < 5e-4)
    #expect(eight.optimalReturn == eight.optimalSuccess)
    let long = GridworldCeiling(map: try Self.map("frozenlake-8x8", ["time_limit": "200"]))
    #expect(abs(long.optimalSuccess - 0.913) < 5e-4)
    let four = GridworldCeiling(map: try Self.map("frozenlake-4x4"))
    #expect(abs(four.optimalSuccess - 0.744) < 5e-4)
    // Deterministic 4x4: the goal is 6 steps away.
    let easy = GridworldCeiling(map: try Self.map("frozenlake-4x4", ["slippery": "false"]))
    #expect(easy.optimalSuccess == 1 && abs(easy.discounted.values[0] - Foundation.pow(0.99, 5)) < 1e-12)
  }

  /// Gamma = 1 makes every safe FrozenLake state worth 1 (ANCHORS note); the finite horizon does not.
  @Test func gammaOneTiesAreHarmlessForTheFiniteHorizon() throws {
    let table = TransitionTable(map: try Self.map("frozenlake-8x8"))
    let flat = ValueIteration.solve(table, gamma: 1, tolerance: 1e-10)
    #expect(flat.values[0] > 0.999)
    #expect(ValueIteration.finiteHorizon(table, horizon: 100).initialValue < 0.65)
  }

  @Test func cliffWalkingAndMazeAndFourRooms() throws {
    let cliff = GridworldCeiling(map: try Self.map("cliffwalking"))
    #expect(cliff.horizon == nil)
    #expect(abs(cliff.optimalReturn + 13) < 1e-9, "13 steps along the cliff edge")
    #expect(abs(cliff.greedyReturn + 13) < 1e-9)
    let maze = try Self.map("maze-21x21")
    let table = TransitionTable(map: maze)
    #expect(ValueIteration.finiteHorizon(table, horizon: 87, objective: .success).initialValue == 0)
    #expect(ValueIteration.finiteHorizon(table, horizon: 88, objective: .success).initialValue == 1)
    let rooms = GridworldCeiling(map: try Self.map("fourrooms"))
    #expect(rooms.optimalSuccess > 0.99 && rooms.optimalSuccess < 1)
  }

  /// Monte Carlo: the time-dependent optimal policy run in the environment succeeds at the rate
  /// finite-horizon value iteration predicts (4 standard errors).
  @Test func simulatedSuccessMatchesTheCeiling() throws {
    let map = try Self.map("frozenlake-4x4")
    let table = TransitionTable(map: map)
    let solution = ValueIteration.finiteHorizon(table, horizon: 100, objective: .success)
    let venv = SyncVectorEnv(TimeLimit(Gridworld(map: map), maxEpisodeSteps: 100), numEnvs: 16)
    venv.reset(seed: 3)
    var t = [Int](repeating: 0, count: 16)
    var actions = [Int](repeating: 0, count: 16)
    var successes = 0
    var episodes = 0
    while episodes < 20_000 {
      for i in 0..<16 {
        let cell = venv.observations[(i * 16)..<((i + 1) * 16)].firstIndex(of: 1)! - i * 16
        actions[i] = solution.policy[100 - t[i]][cell]
      }
      venv.step(actions)
      for i in 0..<16 { t[i] = (venv.terminated[i] || venv.truncated[i]) ? 0 : t[i] + 1 }
      for e in venv.finishedEpisodes {
        episodes += 1
        successes += e.success ? 1 : 0
      }
    }
    let p = solution.initialValue
    let rate = Double(successes) / Double(episodes)
    #expect(abs(rate - p) < 4 * (p * (1 - p) / Double(episodes)).squareRoot(), "\(rate) vs \(p)")
  }
}
