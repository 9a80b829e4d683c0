import Core
import Environments
import Foundation
import TestSupport

/// The classic-control reference file (`Tests/Fixtures/classic_control/FORMAT.md`), decoded with
/// Foundation: per Gymnasium id, six cases recorded from Gymnasium 1.4.0.
struct ClassicControlReference: Decodable {
  struct Step: Decodable {
    /// An integer (discrete) or the float32 action value (continuous), as a number.
    var action: Double
    var state: [Double]
    var obs: [Double]
    var reward: Double
    var terminated: Bool
    var truncated: Bool
  }
  struct Case: Decodable {
    var seed: Int
    var policy: String
    var initialState: [Double]
    var initialObs: [Double]
    var length: Int
    var `return`: Double
    var steps: [Step]
    enum CodingKeys: String, CodingKey {
      case seed, policy, length, steps
      case initialState = "initial_state"
      case initialObs = "initial_obs"
      case `return` = "return"
    }
  }
  struct Env: Decodable {
    var stateDtype: String
    var cases: [Case]
    enum CodingKeys: String, CodingKey {
      case cases
      case stateDtype = "state_dtype"
    }
  }
  var envs: [String: Env]

  static let file = "classic_control/classic_control_trajectories.json"

  static func load() throws -> ClassicControlReference {
    try JSONDecoder().decode(ClassicControlReference.self, from: Fixtures.data(file))
  }
}

/// A classic-control environment behind one interface for the reference tests: set the state,
/// step with the reference's action, read the state.
struct ReplayProbe {
  let env: ClassicControl
  var base: any ReplayableEnvironment
  var rng = RandomGenerator(seed: 0)
  var observation: [Float]

  init(_ env: ClassicControl) {
    self.env = env
    base = env.makeBase() as! any ReplayableEnvironment
    observation = [Float](repeating: 0, count: base.observationSize)
  }

  var state: [Double] { base.stateArray }

  mutating func set(_ s: [Double], afterReset: Bool) { base.setState(s, afterReset: afterReset) }

  mutating func step(_ action: Double) -> StepOutcome {
    let discrete = base.actionSpace.isDiscrete
    return observation.withUnsafeMutableBufferPointer { obs in
      if discrete { return base.step(Int(action), using: &rng, observation: obs) }
      return [Float(action)].withUnsafeBufferPointer {
        base.step(continuous: $0, using: &rng, observation: obs)
      }
    }
  }
}
