import Core
import Environments
import Foundation
import TestSupport
import Testing

@testable import Environments

/// ``EnvironmentReplay`` on the classic-control file: both layouts, every env, the fields the
/// CartPole replay writes, and `state_one_step` equal to the reference's next state.
@Suite struct ClassicReplayTests {
  static func document() throws -> JSONValue {
    try JSONValue.parse(String(contentsOf: Fixtures.url(ClassicControlReference.file), encoding: .utf8))
  }

  @Test(arguments: ClassicControl.allCases)
  func replaysEachEnvironmentOfTheEnvsFile(_ env: ClassicControl) throws {
    let reference = try #require(try ClassicControlReference.load().envs[env.gymnasiumID])
    let output = try EnvironmentReplay.replay(try Self.document(), spec: EnvironmentSpec.parse(env.name))
    guard case .object(let envs)? = output["envs"] else {
      Issue.record("no envs object")
      return
    }
    #expect(envs.map(\.0) == [env.gymnasiumID], "only the selected env is written")
    #expect(output["gymnasium_version"]?.text == "\"1.4.0\"")
    let cases = try #require(envs[0].1["cases"]?.array)
    #expect(cases.count == reference.cases.count)
    for (c, ref) in zip(cases, reference.cases) {
      let steps = try #require(c["steps"]?.array)
      #expect(steps.count == ref.steps.count, "\(env) seed \(ref.seed): ours ends where Gymnasium's does")
      for (t, (step, r)) in zip(steps, ref.steps).enumerated() {
        guard case .object(let keys) = step else { continue }
        #expect(
          keys.map(\.0) == ["action", "state", "obs", "reward", "terminated", "truncated", "state_one_step"])
        let oneStep = try #require(step["state_one_step"]?.array).map { $0.number! }
        #expect(ClassicControlTests.close(oneStep, r.state, 1e-12), "\(env) seed \(ref.seed) step \(t)")
        if t < 200 {
          let state = try #require(step["state"]?.array).map { $0.number! }
          #expect(ClassicControlTests.close(state, r.state, 1e-12), "\(env) seed \(ref.seed) step \(t)")
          #expect(abs(step["reward"]!.number! - r.reward) <= 1e-12 * max(1, abs(r.reward)))
          #expect(step["terminated"]?.bool == r.terminated && step["truncated"]?.bool == r.truncated)
        }
      }
    }
  }

  /// A single-env file in CartPole's layout (top-level `cases`) replays the same way, whether the
  /// env is named by LossLab's name or Gymnasium's id.
  @Test func singleEnvLayoutAndGymnasiumIDs() throws {
    let document = try Self.document()
    guard case .object(let envs)? = document["envs"] else { return }
    for env in ClassicControl.allCases {
      let entry = try #require(envs.first { $0.0 == env.gymnasiumID }?.1)
      let single = JSONValue.object([("env", .string(env.gymnasiumID)), ("cases", entry["cases"]!)])
      let byID = try EnvironmentReplay.replay(single, spec: EnvironmentSpec.parse(env.gymnasiumID))
      let byName = try EnvironmentReplay.replay(document, spec: EnvironmentSpec.parse(env.name))
      guard case .object(let pairs)? = byName["envs"] else { continue }
      #expect(byID["cases"] == pairs[0].1["cases"], "\(env)")
    }
  }

  @Test func badFilesAreReportedNotTrapped() throws {
    let spec = try EnvironmentSpec.parse("pendulum")
    let bad: [String] = [
      #"[1, 2]"#, #"{"envs": {"Acrobot-v1": {"cases": []}}}"#, #"{"cases": [1]}"#,
      #"{"cases": [{"initial_state": [0, 0], "steps": [7]}]}"#,
      #"{"cases": [{"initial_state": [0], "steps": []}]}"#,
      #"{"cases": [{"initial_state": [0, 0], "steps": [{"action": "x"}]}]}"#,
    ]
    for text in bad {
      #expect(throws: EnvironmentError.self, "\(text)") {
        try EnvironmentReplay.replay(JSONValue.parse(text), spec: spec)
      }
    }
    let acrobot = try EnvironmentSpec.parse("acrobot")
    let outOfRange = #"{"cases": [{"initial_state": [0, 0, 0, 0], "steps": [{"action": 3}]}]}"#
    #expect(throws: EnvironmentError.self) {
      try EnvironmentReplay.replay(JSONValue.parse(outOfRange), spec: acrobot)
    }
  }
}
