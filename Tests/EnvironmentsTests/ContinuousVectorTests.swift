import Core
import Environments
import Testing

@testable import Environments

/// The vector runner with box action spaces: `step(continuous:)` on `[N, actionSize]` rows equals
/// stepping each copy by hand (stream `i` of the seed, autoreset on termination or truncation).
@Suite struct ContinuousVectorTests {
  static func check<E: Environment>(_ prototype: E, steps: Int, action: (Int, Int, [Float]) -> Float) {
    let n = 3
    let venv = SyncVectorEnv(prototype, numEnvs: n)
    #expect(venv.actionSize == 1 && venv.actionCount == 0 && !venv.actionSpace.isDiscrete)
    venv.reset(seed: 5)
    var copies = [E](repeating: prototype, count: n)
    var rngs = (0..<n).map { RandomGenerator(seed: 5, stream: UInt64($0)) }
    var observations = [[Float]](repeating: [Float](repeating: 0, count: prototype.observationSize), count: n)
    for i in 0..<n {
      observations[i].withUnsafeMutableBufferPointer { copies[i].reset(using: &rngs[i], observation: $0) }
    }
    #expect(venv.observations == observations.flatMap { $0 })
    var returns = [Double](repeating: 0, count: n)
    var ended = 0
    for t in 0..<steps {
      let actions = (0..<n).map { action(t, $0, observations[$0]) }
      venv.step(continuous: actions)
      var finished: [EpisodeRecord] = []
      for i in 0..<n {
        let outcome = observations[i].withUnsafeMutableBufferPointer { obs in
          [actions[i]].withUnsafeBufferPointer {
            copies[i].step(continuous: $0, using: &rngs[i], observation: obs)
          }
        }
        returns[i] += outcome.reward
        #expect(venv.rawRewards[i] == Float(outcome.reward) && venv.rewards[i] == Float(outcome.reward))
        #expect(venv.terminated[i] == outcome.terminated && venv.truncated[i] == outcome.truncated)
        if outcome.terminated || outcome.truncated {
          let d = prototype.observationSize
          #expect(Array(venv.finalObservations[(i * d)..<((i + 1) * d)]) == observations[i])
          finished.append(
            EpisodeRecord(
              envIndex: i, return: returns[i], shapedReturn: returns[i], length: 0,
              terminated: outcome.terminated,
              truncated: outcome.truncated, success: false))
          returns[i] = 0
          observations[i].withUnsafeMutableBufferPointer { copies[i].reset(using: &rngs[i], observation: $0) }
          ended += 1
        }
      }
      #expect(venv.observations == observations.flatMap { $0 }, "step \(t)")
      #expect(venv.finishedEpisodes.map(\.envIndex) == finished.map(\.envIndex))
      #expect(venv.finishedEpisodes.map(\.return) == finished.map(\.return))
    }
    #expect(ended >= n, "episodes ended and were reset")
  }

  @Test func pendulumMatchesCopiesSteppedByHand() {
    // Torques beyond the bounds (+-3) are clipped by each copy; 200-step truncation, autoreset.
    var rng = RandomGenerator(seed: 11)
    Self.check(TimeLimit(Pendulum(), maxEpisodeSteps: 200), steps: 450) { _, _, _ in Float(rng.uniform(-3, 3))
    }
  }

  @Test func mountainCarContinuousReachesTheGoalAndResets() {
    // Push with the velocity (copy 2 at 1.6, beyond the bound): every copy terminates at the flag.
    Self.check(TimeLimit(MountainCarContinuous(), maxEpisodeSteps: 999), steps: 400) { _, i, obs in
      (obs[1] >= 0 ? 1 : -1) * (i == 2 ? 1.6 : 0.8)
    }
  }

  /// Through the spec's type-erased factory, as training code makes it.
  @Test func specMakesAContinuousVectorRunner() throws {
    let venv = try EnvironmentSpec.parse("Pendulum-v1").makeVector(numEnvs: 4)
    venv.reset(seed: 1)
    #expect(venv.actionSize == 1 && venv.observationSize == 3)
    for _ in 0..<200 { venv.step(continuous: [Float](repeating: 2, count: 4)) }
    #expect(venv.truncated == [true, true, true, true] && venv.finishedEpisodes.count == 4)
  }
}
