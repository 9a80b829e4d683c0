import Core
import Foundation
import Reinforcement
import Testing

@testable import Reinforcement

/// A checkpoint's state is input like any other: values no run can write are refused on load.
@Suite struct CheckpointStateTests {
  static func state(iterations: Int = 1, actions: [UInt8] = [0, 1, 1, 0]) -> PPOState {
    PPOState(
      numTimesteps: actions.count, iterations: iterations, nUpdates: 10, seed: 0, totalTimesteps: 100,
      normalizer: nil, actions: Data(actions))
  }

  @Test func validStateIsAccepted() throws {
    try Self.state().validate(actionCount: 2, observationSize: 4)
  }

  @Test func negativeCounterIsRefused() {
    do {
      try Self.state(iterations: -1).validate(actionCount: 2, observationSize: 4)
      Issue.record("accepted")
    } catch {
      #expect("\(error)" == "checkpoint state: iterations is -1; allowed 0 or more")
    }
  }

  @Test func actionOutsideTheSpaceIsRefused() {
    do {
      try Self.state(actions: [0, 1, 0xFF, 0]).validate(actionCount: 2, observationSize: 4)
      Issue.record("accepted")
    } catch {
      #expect("\(error)" == "checkpoint state: action 255 at index 2 is outside the action space 0..<2")
    }
  }

  @Test func nonFiniteNormaliserIsRefused() {
    var state = Self.state()
    state.normalizer = .init(mean: [0, 0, .nan, 0], variance: [1, 1, 1, 1], count: 4, clip: 10)
    #expect(throws: ConfigError.self) { try state.validate(actionCount: 2, observationSize: 4) }
    state.normalizer = .init(mean: [0, 0, 0], variance: [1, 1, 1], count: 4, clip: 10)
    #expect(throws: ConfigError.self) { try state.validate(actionCount: 2, observationSize: 4) }
  }
}
