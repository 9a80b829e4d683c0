import Core
import Environments
import Foundation
import Reinforcement
import Testing

@testable import Reinforcement

/// MountainCar's shapings: the potentials' values, the rewards the vector runner hands PPO, and
/// policy invariance on a discretised MountainCar solved exactly (Ng, Harada and Russell 1999,
/// theorem 1): PBRS shifts every optimal action value by `-Phi(s)` and keeps the greedy policy,
/// the naive velocity bonus does not.
@Suite struct MountainCarShapingTests {
  let physics = MountainCarPotentials.physics(.mountainCar)!
  let gamma = 0.99

  @Test func potentialsAreZeroInTheValleyAndOneAtTheFlag() {
    let valley = -Double.pi / 6
    #expect(abs(MountainCarPotentials.height(position: valley, physics: physics)) < 1e-15)
    #expect(abs(MountainCarPotentials.energy(position: valley, velocity: 0, physics: physics)) < 1e-12)
    #expect(abs(MountainCarPotentials.height(position: 0.5, physics: physics) - 1) < 1e-15)
    #expect(abs(MountainCarPotentials.energy(position: 0.5, velocity: 0, physics: physics) - 1) < 1e-12)
    // E = 0.5 v^2 + g sin(3x) / 3: at the flag with top speed, (0.00245 + g sin(1.8) / 3 + g / 3) / (g (sin(1.5) + 1) / 3).
    let g = 0.0025
    let top = (0.5 * 0.07 * 0.07 + g * sin(1.8) / 3 + g / 3) / (g * (sin(1.5) + 1) / 3)
    #expect(abs(MountainCarPotentials.energy(position: 0.6, velocity: 0.07, physics: physics) - top) < 1e-12)
    // The continuous variant's flag is at 0.45.
    let continuous = MountainCarPotentials.physics(.mountainCarContinuous)!
    #expect(abs(MountainCarPotentials.height(position: 0.45, physics: continuous) - 1) < 1e-15)
    #expect(MountainCarPotentials.physics(.pendulum) == nil && MountainCarPotentials.physics(.acrobot) == nil)
  }

  /// Without a push the dynamics (nearly) conserve `E`: over a free swing of 200 steps the energy
  /// drifts by less than 3% of the valley-to-flag range, while pushing with the motion gains it.
  @Test func energyIsWhatTheDynamicsConserve() {
    var s = (-0.9, 0.0)
    var lowest = Double.infinity
    var highest = -Double.infinity
    for _ in 0..<200 {
      s = MountainCar.nextState(s, action: 1)
      let e = MountainCarPotentials.energy(position: s.0, velocity: s.1, physics: physics)
      lowest = min(lowest, e)
      highest = max(highest, e)
    }
    #expect(highest - lowest < 0.03, "free swing energy \(lowest)...\(highest)")
    var pushed = (-0.5, 0.0)
    for _ in 0..<60 { pushed = MountainCar.nextState(pushed, action: pushed.1 >= 0 ? 2 : 0) }
    #expect(MountainCarPotentials.energy(position: pushed.0, velocity: pushed.1, physics: physics) > 0.4)
  }

  /// The shaped rewards the vector runner produces, recomputed from the observations.
  @Test func vectorRunnerRewards() throws {
    let spec = try EnvironmentSpec.parse("MountainCar-v0")
    for name in ["pbrs:height", "pbrs:energy*0.5", "naive:velocity", "naive:velocity*2"] {
      let shaping = try RewardShaping(name: name, environment: spec, gamma: gamma)
      let env = spec.makeVector(numEnvs: 2, transform: shaping)
      env.reset(seed: 3)
      for t in 0..<40 {
        let before = env.observations
        env.step([2, t % 3])
        let after = env.observations
        for i in 0..<2 {
          let (x0, v0) = (Double(before[2 * i]), Double(before[2 * i + 1]))
          let (x1, v1) = (Double(after[2 * i]), Double(after[2 * i + 1]))
          let want: Double
          switch name {
          case "pbrs:height":
            want =
              -1 + 10
              * (gamma * MountainCarPotentials.height(position: x1, physics: physics)
                - MountainCarPotentials.height(position: x0, physics: physics))
          case "pbrs:energy*0.5":
            want =
              -1 + 5
              * (gamma * MountainCarPotentials.energy(position: x1, velocity: v1, physics: physics)
                - MountainCarPotentials.energy(position: x0, velocity: v0, physics: physics))
          case "naive:velocity": want = -1 + abs(v1) / 0.07
          default: want = -1 + 2 * abs(v1) / 0.07
          }
          #expect(abs(Double(env.rewards[i]) - want) < 1e-5, "\(name) step \(t) env \(i)")
        }
      }
    }
  }

  /// Greedy action of `s` if it beats the others by more than `margin`, else nil (a tie).
  static func uniqueGreedy(_ q: [Double], _ s: Int, margin: Double = 1e-6) -> Int? {
    let row = Array(q[(3 * s)..<(3 * s + 3)])
    let best = row.indices.max { row[$0] < row[$1] }!
    let second = row.indices.filter { $0 != best }.map { row[$0] }.max()!
    return row[best] - second > margin ? best : nil
  }

  /// Steps the greedy policy of `policy` needs from the grid's start to the flag (nil: never).
  static func stepsToFlag(_ grid: MountainCarGrid, policy: [Int]) -> Int? {
    var s = grid.table.initialState
    for k in 1...2000 {
      let o = grid.table.outcomes(state: s, action: policy[s]).first!
      if o.terminated { return k }
      s = o.next
    }
    return nil
  }

  @Test func pbrsKeepsTheOptimalPolicyAndNaiveVelocityChangesIt() throws {
    let grid = MountainCarGrid(positionCount: 121, velocityCount: 101)
    let spec = try EnvironmentSpec.parse("mountaincar")
    let observations = grid.observations
    let base = ValueIteration.solve(grid.table, gamma: gamma, tolerance: 1e-11)
    // Every grid state reaches the flag (V* > -1 / (1 - gamma) = -100).
    #expect(base.values.allSatisfy { $0 > -99 }, "min V* \(base.values.min()!)")
    let baseSteps = try #require(Self.stepsToFlag(grid, policy: base.policy))
    let unique = (0..<grid.table.stateCount).filter { Self.uniqueGreedy(base.qValues, $0) != nil }
    #expect(unique.count > grid.table.stateCount / 10)

    for name in ["pbrs:height", "pbrs:energy", "pbrs:energy*3"] {
      let shaping = try RewardShaping(name: name, environment: spec, gamma: gamma)
      guard case .potential(let phi, _, let factor) = shaping.rule else {
        Issue.record("\(name) is not potential-based")
        continue
      }
      let shaped = ValueIteration.solve(
        shaping.shapedTable(grid.table, observations: observations), gamma: gamma, tolerance: 1e-11)
      var worst = 0.0
      for s in 0..<grid.table.stateCount {
        let phiS = observations[s].withUnsafeBufferPointer { factor * phi.value(observation: $0, map: nil) }
        for a in 0..<3 {
          worst = max(worst, abs(shaped.qValues[3 * s + a] - (base.qValues[3 * s + a] - phiS)))
        }
      }
      // Theorem 1: Q'(s, a) = Q*(s, a) - Phi(s).
      #expect(worst < 1e-7, "\(name): max |Q' - (Q* - Phi)| = \(worst)")
      let changed = unique.filter { Self.uniqueGreedy(shaped.qValues, $0) != base.policy[$0] }
      #expect(changed.isEmpty, "\(name) changed the optimal action in \(changed.count) states")
      #expect(Self.stepsToFlag(grid, policy: shaped.policy) == baseSteps)
    }

    let naive = try RewardShaping(name: "naive:velocity", environment: spec, gamma: gamma)
    let shaped = ValueIteration.solve(
      naive.shapedTable(grid.table, observations: observations), gamma: gamma, tolerance: 1e-11)
    let changed = unique.filter { s in
      Self.uniqueGreedy(shaped.qValues, s).map { $0 != base.policy[s] } ?? false
    }
    #expect(changed.count >= 20, "naive:velocity changed \(changed.count) unique optimal actions")
    // From the start the velocity bonus makes the shaped-optimal car take a longer, faster path.
    let naiveSteps = try #require(Self.stepsToFlag(grid, policy: shaped.policy))
    #expect(naiveSteps > baseSteps, "naive \(naiveSteps) vs optimal \(baseSteps) steps")
    // The figures docs/shaping.md quotes (a NumPy prototype of the same grid: 96, 103, 136).
    #expect(
      baseSteps == 96 && naiveSteps == 103 && changed.count == 140,
      "\(baseSteps) \(naiveSteps) \(changed.count)")
  }
}
