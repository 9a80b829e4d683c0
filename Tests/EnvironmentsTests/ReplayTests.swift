import Core
import Environments
import Foundation
import TestSupport
import Testing

@testable import Environments

@Suite struct ReplayTests {
  static func check(_ output: JSONValue, against reference: CartPoleReference) throws {
    let cases = try #require(output["cases"]?.array)
    #expect(cases.count == reference.cases.count)
    for (c, ref) in zip(cases, reference.cases) {
      guard case .object(let pairs) = c else {
        Issue.record("case is not an object")
        continue
      }
      #expect(pairs.map(\.0) == ["seed", "policy", "sutton_barto_reward", "initial_state", "steps"])
      let steps = try #require(c["steps"]?.array)
      #expect(steps.count == ref.steps.count, "seed \(ref.seed): ours ends where the reference does")
      var previous = ref.initialState
      for (t, (step, r)) in zip(steps, ref.steps).enumerated() {
        guard case .object(let keys) = step else { continue }
        #expect(
          keys.map(\.0) == ["action", "state", "obs", "reward", "terminated", "truncated", "state_one_step"])
        let oneStep = try #require(step["state_one_step"]?.array).map { $0.number! }
        #expect(CartPoleTests.close(oneStep, r.state, 1e-15), "seed \(ref.seed) step \(t)")
        let expectOne = CartPole.nextState(
          (previous[0], previous[1], previous[2], previous[3]), action: r.action)
        #expect(oneStep == [expectOne.0, expectOne.1, expectOne.2, expectOne.3])
        if t < 200 {
          let state = try #require(step["state"]?.array).map { $0.number! }
          #expect(CartPoleTests.close(state, r.state, 1e-9), "seed \(ref.seed) step \(t)")
          #expect(step["reward"]?.number == r.reward && step["terminated"]?.bool == r.terminated)
          #expect(step["truncated"]?.bool == r.truncated)
        }
        previous = r.state
      }
    }
  }

  @Test func replayLibraryOnTheFixture() throws {
    let text = try String(contentsOf: Fixtures.url("cartpole/cartpole_v1_trajectories.json"), encoding: .utf8)
    let input = try JSONValue.parse(text)
    let output = try CartPoleReplay.replay(input)
    #expect(output["env"] == input["env"] && output["note"] == input["note"])
    try Self.check(try JSONValue.parse(output.text), against: try CartPoleReference.load())
  }

  @Test func jsonRoundTrip() throws {
    let text = #"{"b": [1, 2.5, -0.0, 1e-05, true, null], "a": {"s": "q\"\\\n\u00e9"}, "c": -7}"#
    let value = try JSONValue.parse(text)
    #expect(try JSONValue.parse(value.text) == value)
    #expect(value.text.hasPrefix(#"{"b": [1, 2.5, -0.0, 1e-05, true, null], "a""#))
    #expect(throws: JSONError.self) { try JSONValue.parse("{\"a\": }") }
  }
}
