import Core
import Environments
import Foundation
import Reinforcement
import Tensors
import Testing

@testable import Reinforcement

/// The shaping as the vector runner applies it: shaped rewards per step, Phi(terminal) = 0 on
/// termination, gamma * Phi(final observation) on truncation, true returns in the episode records.
@Suite struct ShapingTransformTests {
  /// Corridor `S...G` (cells 0..4), deterministic, goal reward 1, actions left, down, right, up.
  func corridor(timeLimit: Int?) throws -> GridMap {
    try ShapingMaps.corridor(
      "S...G", "time_limit = \(timeLimit.map(String.init) ?? "none")\naction_order = left,down,right,up\n")
  }

  @Test func potentialShapingOnTerminationAndTruncation() throws {
    let gamma = 0.9
    let right = 2
    let left = 0
    // Terminating episode: four moves right. pbrs:bfs is -d / d_max with d_max = 4, so *4 gives
    // Phi = -distance: -4, -3, -2, -1, 0 (goal).
    let map = try corridor(timeLimit: 10)
    let shaping = try RewardShaping(name: "pbrs:bfs*4", environment: ShapingMaps.spec(map), gamma: gamma)
    let env = ShapingMaps.spec(map).makeVector(numEnvs: 1, transform: shaping)
    env.reset(seed: 1)
    var shaped: [Double] = []
    for _ in 0..<4 {
      env.step([right])
      shaped.append(Double(env.rewards[0]))
    }
    // Steps 1-3: 0 + 0.9 * Phi(s') - Phi(s); step 4 terminates: 1 + 0 - Phi(s) = 1 + 1.
    let expected: [Double] = [0.9 * -3 + 4, 0.9 * -2 + 3, 0.9 * -1 + 2, 1 + 1]
    for (got, want) in zip(shaped, expected) { #expect(abs(got - want) < 1e-6, "\(shaped) vs \(expected)") }
    let episode = try #require(env.finishedEpisodes.first)
    #expect(episode.return == 1)  // the true return
    #expect(abs(episode.shapedReturn - expected.reduce(0, +)) < 1e-6)

    // Truncated episode: time limit 2, moves right then left from the start (cells 1 then 0).
    // The last step is truncated, not terminal: Phi(s') stays, taken from the final observation
    // (cell 0, Phi -4), not from the reset observation (also cell 0 here, so move right twice).
    let short = try corridor(timeLimit: 2)
    let s2 = try RewardShaping(name: "pbrs:bfs*4", environment: ShapingMaps.spec(short), gamma: gamma)
    let env2 = ShapingMaps.spec(short).makeVector(numEnvs: 1, transform: s2)
    env2.reset(seed: 1)
    env2.step([right])
    #expect(abs(Double(env2.rewards[0]) - (0.9 * -3 + 4)) < 1e-6)
    env2.step([right])  // to cell 2, truncated: 0.9 * Phi(cell 2) - Phi(cell 1) = -1.8 + 3
    #expect(env2.truncated[0] && !env2.terminated[0])
    #expect(abs(Double(env2.rewards[0]) - (0.9 * -2 + 3)) < 1e-6, "reward \(env2.rewards[0])")
    // After autoreset the agent is back at the start and the transform starts a new episode.
    env2.step([left])  // stays in cell 0 (edge): 0.9 * -4 + 4
    #expect(abs(Double(env2.rewards[0]) - (0.9 * -4 + 4)) < 1e-6)
  }

  @Test func naiveAndAffineRewards() throws {
    let map = try corridor(timeLimit: nil)
    let spec = ShapingMaps.spec(map)
    let progress = try RewardShaping(name: "naive:progress*2", environment: spec, gamma: 0.99)
    #expect(progress.shapedReward(reward: 0, cell: 0, nextCell: 1, terminated: false) == 0.2)
    #expect(progress.shapedReward(reward: 0, cell: 1, nextCell: 0, terminated: false) == 0)  // no penalty
    let proximity = try RewardShaping(name: "naive:proximity", environment: spec, gamma: 0.99)
    // d_max = 4: closeness of cell 3 (d = 1) is 0.75.
    #expect(abs(proximity.shapedReward(reward: 0, cell: 2, nextCell: 3, terminated: false) - 0.075) < 1e-12)
    let penalty = try RewardShaping(name: "step-penalty:0.01", environment: spec, gamma: 0.99)
    #expect(penalty.shapedReward(reward: 1, cell: 3, nextCell: 4, terminated: true) == 0.99)
    let scale = try RewardShaping(name: "scale:0.1", environment: spec, gamma: 0.99)
    #expect(scale.shapedReward(reward: 1, cell: 3, nextCell: 4, terminated: true) == 0.1)
  }

  @Test func cartPoleUprightPotential() throws {
    // Phi = 1 - 0.5 (theta / 0.20944)^2 - 0.5 (x / 2.4)^2.
    var obs: [Float] = [1.2, 0.5, 0.1, -0.3]
    let phi = obs.withUnsafeBufferPointer { Potential.uprightness(observation: $0) }
    let theta = 0.1 / (12 * 2 * Double.pi / 360)
    let x = Double(Float(1.2)) / 2.4
    #expect(abs(phi - (1 - 0.5 * theta * theta - 0.5 * x * x)) < 1e-7)
    obs = [0, 0, 0, 0]
    #expect(obs.withUnsafeBufferPointer { Potential.uprightness(observation: $0) } == 1)

    let spec = try EnvironmentSpec.parse("cartpole")
    let shaping = try RewardShaping(name: "pbrs:upright", environment: spec, gamma: 0.98)
    let before: [Float] = [0.1, 0, 0.05, 0]
    let after: [Float] = [0.1, 0, 0.21, 0]
    let phiBefore = before.withUnsafeBufferPointer { Potential.uprightness(observation: $0) }
    let phiAfter = after.withUnsafeBufferPointer { Potential.uprightness(observation: $0) }
    func shaped(terminated: Bool, truncated: Bool) -> Double {
      before.withUnsafeBufferPointer { b in
        after.withUnsafeBufferPointer { a in
          shaping.transform(
            reward: 1, observation: b, action: 0, nextObservation: a, terminated: terminated,
            truncated: truncated)
        }
      }
    }
    #expect(abs(shaped(terminated: false, truncated: false) - (1 + 0.98 * phiAfter - phiBefore)) < 1e-12)
    #expect(abs(shaped(terminated: true, truncated: false) - (1 - phiBefore)) < 1e-12)
    #expect(abs(shaped(terminated: false, truncated: true) - (1 + 0.98 * phiAfter - phiBefore)) < 1e-12)
    #expect(abs(shaped(terminated: true, truncated: true) - (1 - phiBefore)) < 1e-12)
  }

  @Test func shapedTrainingKeepsTrueReturnsInEpisodeRecords() throws {
    // Random actions on Four Rooms with naive:proximity: every record's return is the true one
    // (0 or 1), while the shaped return carries the bonuses.
    let map = try ShapingMaps.load("fourrooms")
    let spec = ShapingMaps.spec(map)
    let shaping = try RewardShaping(name: "naive:proximity", environment: spec, gamma: 0.99)
    let env = spec.makeVector(numEnvs: 4, transform: shaping)
    env.reset(seed: 3)
    var rng = RandomGenerator(seed: 9)
    var records: [EpisodeRecord] = []
    for _ in 0..<2000 {
      env.step((0..<4).map { _ in rng.int(below: 4) })
      records += env.finishedEpisodes
    }
    #expect(records.count >= 10)
    for r in records {
      #expect(r.return == 0 || r.return == 1)
      #expect(r.shapedReturn > r.return)
    }
  }
}
