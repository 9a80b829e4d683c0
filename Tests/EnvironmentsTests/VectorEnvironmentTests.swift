import Core
import Environments
import Tensors
import Testing

@testable import Environments

/// Adds 10 to every reward and remembers how it was called.
struct PlusTen: RewardTransform {
  var resets = 0
  mutating func reset(observation: UnsafeBufferPointer<Float>) { resets += 1 }
  func transform(
    reward: Double, observation: UnsafeBufferPointer<Float>, action: Int,
    nextObservation: UnsafeBufferPointer<Float>,
    terminated: Bool, truncated: Bool
  ) -> Double { reward + 10 }
}

@Suite struct VectorEnvironmentTests {
  /// Corridor S . . G, deterministic, time limit 5: "right" thrice succeeds, "left" forever truncates.
  static func corridor() throws -> GridMap {
    try GridMap.parse(
      "time_limit = 5\naction_order = left,down,right,up\n---\nS..G\n", file: "c.map", name: "c")
  }

  @Test func autoresetFinalObservationAndEpisodeStatistics() throws {
    let map = try Self.corridor()
    let venv = SyncVectorEnv(
      TimeLimit(Gridworld(map: map), maxEpisodeSteps: 5), numEnvs: 2, transform: PlusTen())
    venv.reset(seed: 1)
    #expect(venv.observations == [1, 0, 0, 0, 1, 0, 0, 0])
    // Copy 0 walks right (success after 3 steps); copy 1 walks left (truncated after 5).
    var finished: [EpisodeRecord] = []
    for t in 1...5 {
      venv.step([2, 0])
      finished += venv.finishedEpisodes
      if t == 3 {
        #expect(venv.terminated == [true, false] && venv.truncated == [false, false])
        #expect(venv.rawRewards == [1, 0] && venv.rewards == [11, 10])
        #expect(Array(venv.finalObservations[0..<4]) == [0, 0, 0, 1], "final observation: at the goal")
        #expect(Array(venv.observations[0..<4]) == [1, 0, 0, 0], "autoreset to the start")
      }
    }
    #expect(venv.truncated[1] && !venv.terminated[1])
    #expect(Array(venv.finalObservations[4..<8]) == [1, 0, 0, 0])
    #expect(
      finished == [
        EpisodeRecord(
          envIndex: 0, return: 1, shapedReturn: 31, length: 3, terminated: true, truncated: false,
          success: true),
        EpisodeRecord(
          envIndex: 1, return: 0, shapedReturn: 50, length: 5, terminated: false, truncated: true,
          success: false),
      ])
    #expect(venv.transforms.map(\.resets) == [2, 2], "initial reset + one autoreset each")
    venv.withObservations { obs, finals in
      #expect(obs.count == 8 && finals.count == 8)
    }
  }

  /// Copy i uses stream i: copy 0 agrees with a single session reset with the same seed, and the
  /// same seed gives the same run twice.
  @Test func streamsAndDeterminism() throws {
    let spec = try EnvironmentSpec.parse("cartpole")
    func run() -> ([Float], [EpisodeRecord]) {
      let venv = spec.makeVector(numEnvs: 4)
      venv.reset(seed: 42)
      var rng = RandomGenerator(seed: 7)
      var records: [EpisodeRecord] = []
      for _ in 0..<300 {
        venv.step((0..<4).map { _ in rng.int(below: 2) })
        records += venv.finishedEpisodes
      }
      return (venv.observations, records)
    }
    let (a, ra) = run()
    let (b, rb) = run()
    #expect(a == b && ra == rb && !ra.isEmpty)
    #expect(ra.allSatisfy { $0.return == Double($0.length) && $0.terminated })

    let venv = SyncVectorEnv(TimeLimit(CartPole(), maxEpisodeSteps: 500), numEnvs: 3)
    venv.reset(seed: 11)
    var session = EnvironmentSession(TimeLimit(CartPole(), maxEpisodeSteps: 500))
    #expect(Array(venv.observations[0..<4]) == session.reset(seed: 11))
    #expect(Array(venv.observations[0..<4]) != Array(venv.observations[4..<8]))
    for t in 0..<30 {
      let action = t % 3 == 0 ? 1 : 0
      venv.step([action, 0, 1])
      let single = session.step(action)
      #expect(Array(venv.observations[0..<4]) == single.observation || single.terminated)
    }
  }

  @Test func cartPoleTruncationBootstrapsFromFinalObservation() throws {
    let spec = try EnvironmentSpec.parse("cartpole", options: ["time_limit": "20"])
    let venv = spec.makeVector(numEnvs: 1)
    venv.reset(seed: 0)
    var before: [Float] = []
    for t in 1...20 {
      before = venv.observations
      let o = venv.observations.map(Double.init)
      venv.step([Rendering.cartPoleController((o[0], o[1], o[2], o[3]))])
      if t < 20 { #expect(!venv.truncated[0]) }
    }
    #expect(venv.truncated[0] && !venv.terminated[0])
    #expect(venv.finishedEpisodes.first?.length == 20 && venv.finishedEpisodes.first?.return == 20)
    #expect(
      venv.finalObservations != venv.observations, "the final observation is kept apart from the reset one")
    #expect(venv.finalObservations != before)
  }

  @Test func episodeStatisticsWrapper() throws {
    var session = EnvironmentSession(
      EpisodeStatistics(TimeLimit(Gridworld(map: try Self.corridor()), maxEpisodeSteps: 5)))
    _ = session.reset(seed: 0)
    for _ in 0..<3 { _ = session.step(2) }
    #expect(session.environment.lastEpisode?.length == 3 && session.environment.lastEpisode?.success == true)
    #expect(session.environment.lastEpisode?.return == 1)
  }

  @Test func coordinateObservations() throws {
    var map = try Self.corridor()
    try map.apply(options: ["observation": "coordinates"])
    var session = EnvironmentSession(Gridworld(map: map))
    #expect(session.reset(seed: 0) == [0, 0])
    #expect(session.step(2).observation == [0, 1])
    let cell = session.observation.withUnsafeBufferPointer { session.environment.cell(fromObservation: $0) }
    #expect(cell == 1)
    #expect(session.environment.observationSpace == .box(low: [0, 0], high: [0, 3], shape: [2]))
  }
}
