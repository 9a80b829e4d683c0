import Foundation
import TestSupport
import Testing

/// End to end: `losslab rl train` and `losslab rl eval` as a user runs them.
@Suite struct PPOCommandLineTests {
  func scratch(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("losslab-rl-\(name)-\(getpid())")
  }

  @Test func trainThenEvaluateCartPole() throws {
    let run = scratch("cartpole")
    defer { try? FileManager.default.removeItem(at: run) }
    let (status, stdout, _) = try LossLabProcess.run([
      "rl", "train", "--env", "cartpole", "--seed", "1", "--steps", "2048", "--out", run.path,
      "--no-progress",
      "--eval-freq", "1024", "--eval-episodes", "2", "--set", "n_epochs=2",
    ])
    #expect(status == 0)
    #expect(stdout.contains("cartpole seed 1: 2048 timesteps"))
    for file in [
      "config.json", "metrics.csv", "metrics.jsonl", "curve.svg", "status.json", "checkpoints/latest",
    ] {
      #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(file).path), "\(file)")
    }
    let config = try JSONSerialization.jsonObject(
      with: Data(contentsOf: run.appendingPathComponent("config.json")))
    let ppo = try #require((config as? [String: Any])?["ppo"] as? [String: Any])
    #expect(ppo["n_epochs"] as? Int == 2 && ppo["n_envs"] as? Int == 8)
    let (evalStatus, json, _) = try LossLabProcess.run(["rl", "eval", run.path, "--episodes", "3", "--json"])
    #expect(evalStatus == 0)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    #expect(object["episodes"] as? Int == 3)
    for key in ["mean_return", "std_return", "mean_length"] {
      #expect(object[key] is Double || object[key] is Int, "\(key)")
    }
  }

  @Test func gridworldEvaluationReportsTheOptimum() throws {
    let run = scratch("cliff")
    defer { try? FileManager.default.removeItem(at: run) }
    let (status, _, _) = try LossLabProcess.run([
      "rl", "train", "--env", "gridworld:cliffwalking", "--steps", "512", "--out", run.path, "--no-progress",
      "--eval-freq", "0", "--eval-episodes", "1",
    ])
    #expect(status == 0)
    let (evalStatus, json, _) = try LossLabProcess.run(["rl", "eval", run.path, "--episodes", "2", "--json"])
    #expect(evalStatus == 0)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    #expect(object["optimal_return"] as? Double == -13)
    #expect(object["optimal_success_rate"] as? Double == 1)
    #expect(object["success_rate"] != nil)
  }

  @Test func badHyperparameterNamesTheAllowedOnes() throws {
    let (status, _, stderr) = try LossLabProcess.run([
      "rl", "train", "--env", "cartpole", "--out", scratch("bad").path, "--set", "gama=0.9",
    ])
    #expect(status != 0)
    #expect(stderr.contains("gama") && stderr.contains("gae_lambda"))
  }
}
