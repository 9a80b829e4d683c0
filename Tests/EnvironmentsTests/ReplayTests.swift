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

  /// Runs the `losslab` built next to the test bundle; returns (exit status, stdout + stderr).
  static func losslab(_ arguments: [String]) throws -> (Int32, String) {
    let result = try LossLabProcess.result(arguments)
    return (result.status, result.stdout + result.stderr)
  }

  /// End to end: `losslab env replay cartpole --trajectories FIXTURE --output OUT`.
  @Test func replayCommandLine() throws {
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(getpid()).json")
    defer { try? FileManager.default.removeItem(at: out) }
    let (status, _) = try Self.losslab([
      "env", "replay", "cartpole", "--trajectories",
      Fixtures.url("cartpole/cartpole_v1_trajectories.json").path,
      "--output", out.path,
    ])
    #expect(status == 0)
    let output = try JSONValue.parse(try String(contentsOf: out, encoding: .utf8))
    try Self.check(output, against: try CartPoleReference.load())
  }

  @Test func jsonRoundTrip() throws {
    let text = #"{"b": [1, 2.5, -0.0, 1e-05, true, null], "a": {"s": "q\"\\\n\u00e9"}, "c": -7}"#
    let value = try JSONValue.parse(text)
    #expect(try JSONValue.parse(value.text) == value)
    #expect(value.text.hasPrefix(#"{"b": [1, 2.5, -0.0, 1e-05, true, null], "a""#))
    #expect(throws: JSONError.self) { try JSONValue.parse("{\"a\": }") }
  }

  /// End to end: `env table --json` with an override reproduces Gymnasium's deterministic table,
  /// `env solve` prints the ceiling, and a bad option names the allowed keys.
  @Test func tableSolveAndOptionsCommandLine() throws {
    let (status, text) = try Self.losslab([
      "env", "table", "gridworld:frozenlake-4x4", "--env-option", "slippery=false", "--json",
    ])
    #expect(status == 0)
    let ours = try JSONDecoder().decode(GymnasiumTable.Tables.self, from: Data(text.utf8))
    let theirs = try GymnasiumTable.load("frozenlake_4x4_deterministic.json")
    for s in 0..<16 {
      for a in 0..<4 {
        let x = try #require(ours.transitions["\(s)"]?["\(a)"]).map { (o: [GymnasiumTable.Outcome]) in
          [o[0].number, o[1].number, o[2].number]
        }
        let y = try #require(theirs.transitions["\(s)"]?["\(a)"]).map { (o: [GymnasiumTable.Outcome]) in
          [o[0].number, o[1].number, o[2].number]
        }
        #expect(x == y, "P[\(s)][\(a)]")
      }
    }
    let (solved, output) = try Self.losslab(["env", "solve", "gridworld:frozenlake-8x8"])
    #expect(solved == 0 && output.contains("optimal success probability within the 100-step limit: 0.640719"))
    for command in [["env", "list"], ["env", "render", "gridworld:frozenlake-4x4"]] {
      let (bad, message) = try Self.losslab(command + ["--env-option", "slipery=false"])
      #expect(
        bad != 0 && message.contains("unknown setting 'slipery'") && message.contains("slippery,"),
        "\(message)")
    }
    let (listed, list) = try Self.losslab(["env", "list", "--env-option", "slippery=false"])
    #expect(listed == 0 && list.contains("gridworld:frozenlake-8x8") && !list.contains("slippery=true"))
  }
}
