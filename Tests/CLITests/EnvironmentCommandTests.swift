import Core
import Environments
import Foundation
import TestSupport
import Testing

/// End to end: `losslab env ...` as a user runs it.
@Suite struct EnvironmentCommandTests {
  /// Runs `losslab`; returns (exit status, stdout + stderr).
  static func losslab(_ arguments: [String]) throws -> (Int32, String) {
    let result = try LossLabProcess.result(arguments)
    return (result.status, result.stdout + result.stderr)
  }

  /// `losslab env replay cartpole --trajectories FIXTURE --output OUT` writes exactly what the
  /// library's replay (checked against Gymnasium in EnvironmentsTests) produces.
  @Test func replayCommandLine() throws {
    let folder = try makeScratchFolder()
    let out = folder.appendingPathComponent("replay.json")
    let fixture = Fixtures.url("cartpole/cartpole_v1_trajectories.json")
    let (status, message) = try Self.losslab([
      "env", "replay", "cartpole", "--trajectories", fixture.path, "--output", out.path,
    ])
    #expect(status == 0, "\(message)")
    let expected = try CartPoleReplay.replay(JSONValue.parse(readText(fixture))).text + "\n"
    #expect(try readText(out) == expected)
  }

  /// End to end: `env table --json` with an override reproduces Gymnasium's deterministic table,
  /// `env solve` prints the ceiling, and a bad option names the allowed keys.
  @Test func tableSolveAndOptionsCommandLine() throws {
    let (status, text) = try Self.losslab([
      "env", "table", "gridworld:frozenlake-4x4", "--env-option", "slippery=false", "--json",
    ])
    #expect(status == 0)
    let table = try JSONValue.parse(text)
    let gymnasium = try JSONValue.parse(readText(Fixtures.url("gridworld/frozenlake_4x4_deterministic.json")))
    #expect(table["nS"] == gymnasium["nS"] && table["nA"] == gymnasium["nA"])
    #expect(table["P"] != nil && table["P"] == gymnasium["P"], "\(text.prefix(200))")
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
