import Foundation
import TestSupport

/// The CartPole reference file (`shared/reference/cartpole/FORMAT.md`), decoded with Foundation.
struct CartPoleReference: Decodable {
  struct Step: Decodable {
    var action: Int
    var state: [Double]
    var obs: [Double]
    var reward: Double
    var terminated: Bool
    var truncated: Bool
  }
  struct Case: Decodable {
    var seed: Int
    var suttonBartoReward: Bool
    var initialState: [Double]
    var steps: [Step]
    enum CodingKeys: String, CodingKey {
      case seed, steps
      case suttonBartoReward = "sutton_barto_reward"
      case initialState = "initial_state"
    }
  }
  var cases: [Case]

  static func load() throws -> CartPoleReference {
    try JSONDecoder().decode(
      CartPoleReference.self, from: Fixtures.data("cartpole/cartpole_v1_trajectories.json"))
  }
}
