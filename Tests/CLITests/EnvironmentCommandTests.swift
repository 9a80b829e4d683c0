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

/// `losslab env replay`, `env info` and Gymnasium ids for the classic-control environments.
@Suite struct ClassicControlCommandTests {
  /// The replay of each env of the classic-control reference file equals the library's replay
  /// (checked against Gymnasium in EnvironmentsTests), named by short name and by Gymnasium id.
  @Test func replayEveryClassicEnvironment() throws {
    let folder = try makeScratchFolder()
    let fixture = Fixtures.url("classic_control/classic_control_trajectories.json")
    let document = try JSONValue.parse(readText(fixture))
    for env in ClassicControl.allCases {
      for name in [env.name, env.gymnasiumID] {
        let out = folder.appendingPathComponent("\(name).json")
        let (status, message) = try EnvironmentCommandTests.losslab([
          "env", "replay", name, "--trajectories", fixture.path, "--output", out.path,
        ])
        #expect(status == 0 && message.contains("replayed 6 cases"), "\(message)")
        let expected =
          try EnvironmentReplay.replay(document, spec: EnvironmentSpec.parse(env.name)).text + "\n"
        #expect(try readText(out) == expected, "\(name)")
      }
    }
    let (bad, message) = try EnvironmentCommandTests.losslab([
      "env", "replay", "gridworld:frozenlake-4x4", "--trajectories", fixture.path, "--output",
      folder.appendingPathComponent("x.json").path,
    ])
    #expect(bad != 0, "\(message)")
    #expect(message.contains("env replay supports cartpole, acrobot"), "\(message)")
  }

  @Test func infoListsSpacesLimitsAndResets() throws {
    let (status, text) = try EnvironmentCommandTests.losslab(["env", "info", "Pendulum-v1"])
    #expect(status == 0, "\(text)")
    for line in [
      "name              pendulum", "gymnasium id      Pendulum-v1",
      "observation       Box([-1, -1, -8], [1, 1, 8], (3,))",
      "action            Box(-2, 2, (1,))", "time limit        200 steps",
      "reset             theta uniform in [-pi, pi)",
    ] {
      #expect(text.contains(line), "\(line) in:\n\(text)")
    }
    let (ok, acrobot) = try EnvironmentCommandTests.losslab([
      "env", "info", "acrobot", "--env-option", "time_limit=100",
    ])
    #expect(ok == 0 && acrobot.contains("Discrete(3)") && acrobot.contains("100 steps"), "\(acrobot)")
    let (bad, message) = try EnvironmentCommandTests.losslab(["env", "info", "Pendulum-v0"])
    #expect(bad != 0 && message.contains("Pendulum-v1"), "\(message)")
    let (listed, list) = try EnvironmentCommandTests.losslab(["env", "list"])
    #expect(listed == 0 && list.contains("mountaincar-continuous  (MountainCarContinuous-v0)"), "\(list)")
  }

  /// `env info` lists the shapings that fit; `rl train` rejects one that does not (exit 2, naming
  /// --shaping and what fits).
  @Test func infoListsShapingsAndTrainRejectsMisfits() throws {
    let (ok, car) = try EnvironmentCommandTests.losslab(["env", "info", "MountainCar-v0"])
    #expect(ok == 0, "\(car)")
    #expect(
      car.contains(
        "shapings          none, pbrs:height, pbrs:energy, naive:velocity, step-penalty:C, scale:K"),
      "\(car)")
    let (_, pendulum) = try EnvironmentCommandTests.losslab(["env", "info", "pendulum"])
    #expect(pendulum.contains("shapings          none, step-penalty:C, scale:K"), "\(pendulum)")
    let folder = try makeScratchFolder()
    let (bad, message) = try EnvironmentCommandTests.losslab([
      "rl", "train", "--env", "cartpole", "--shaping", "pbrs:height", "--steps", "100", "--no-progress",
      "--out", folder.appendingPathComponent("run").path,
    ])
    #expect(bad == 2, "\(message)")
    #expect(
      message.contains("--shaping: shaping 'pbrs:height' needs mountaincar or mountaincar-continuous")
        && message.contains("pbrs:upright"), "\(message)")
  }

  @Test func renderAcceptsGymnasiumIDs() throws {
    for (name, goal) in [
      ("MountainCar-v0", "terminated"), ("mountaincar-continuous", "terminated"),
      ("Acrobot-v1", "terminated"),
    ] {
      let (status, text) = try EnvironmentCommandTests.losslab([
        "env", "render", name, "--policy", "optimal", "--final",
      ])
      #expect(status == 0 && text.contains(goal), "\(name): \(text)")
    }
  }
}
