import Core
import Foundation
import NeuralNets
import Tensors
import Testing

@testable import NeuralNets
@testable import Tensors

/// End-to-end runs of the built `losslab` executable: real command lines, whole outputs checked.
@Suite struct CLITests {
  @Test func helpListsTheCommandGroups() throws {
    let r = try CLI.run(["--help"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("OVERVIEW: A workbench for the losses that drive modern learning"))
    #expect(r.stdout.contains("USAGE: losslab <subcommand>"))
    for group in ["bench", "env", "ctc", "bleu", "demo"] {
      #expect(
        r.stdout.split(separator: "\n").contains { $0.hasPrefix("  \(group) ") },
        "--help does not list '\(group)':\n\(r.stdout)")
    }
  }

  @Test func versionPrintsTheLibraryVersion() throws {
    let r = try CLI.run(["--version"])
    #expect(r.status == 0)
    #expect(r.stdout == LossLabVersion.string + "\n")
    #expect(r.stderr.isEmpty)
  }

  @Test func unknownMapNamesTheAllowedMaps() throws {
    let r = try CLI.run(["env", "render", "gridworld:nope"])
    #expect(r.status == 2, "a bad command-line value")
    #expect(r.stdout.isEmpty)
    #expect(
      r.stderr.hasPrefix(
        "Error: unknown map 'nope' (allowed: cliffwalking, fourrooms, frozenlake-4x4, frozenlake-8x8, "
          + "maze-21x21, or a path to a .map file)\nUsage: losslab env render <env> "), "\(r.stderr)")
  }

  @Test func badThreadsNamesTheFlagAndRange() throws {
    let r = try CLI.run(["bench", "tensor", "--threads", "0"])
    #expect(r.status == 2)
    #expect(r.stdout.isEmpty)
    #expect(
      r.stderr.hasPrefix(
        "Error: --threads 0: allowed 1...\(min(64, ProcessInfo.processInfo.activeProcessorCount))"),
      "\(r.stderr)")
  }

  @Test func badPolicyNamesTheFlagAndChoices() throws {
    let r = try CLI.run(["env", "render", "gridworld:frozenlake-4x4", "--policy", "greedy"])
    #expect(r.status == 2)
    #expect(
      r.stderr.hasPrefix(
        "Error: The value 'greedy' is invalid for '--policy <policy>'. Please provide one of 'random' and 'optimal'.\n"
      ),
      "\(r.stderr)")
  }

  @Test func badEnvOptionNamesTheAllowedKeys() throws {
    let r = try CLI.run(["env", "render", "cartpole", "--env-option", "gravity=3"])
    #expect(r.status == 2)
    #expect(
      r.stderr.hasPrefix(
        "Error: unknown option 'gravity' for cartpole (allowed: sutton_barto_reward, time_limit)\n"
          + "Usage: losslab env render <env> "),
      "\(r.stderr)")
  }

  /// Both policies, gridworld and CartPole; whole outputs (seeded, so exact).
  @Test func renderFinalFramesForBothPolicies() throws {
    let grid = try CLI.run([
      "env", "render", "gridworld:frozenlake-4x4", "--policy", "optimal", "--final", "--plain", "--seed", "3",
    ])
    #expect(grid.status == 0, "\(grid.stderr)")
    #expect(
      grid.stdout
        == "S...\n.H.H\n...H\nH..@\nstep 14  action down  reward 1.0  terminated\n\n"
        + "gridworld:frozenlake-4x4: 14 steps, return 1.0, terminated, reached the goal\n")

    let balanced = try CLI.run(["env", "render", "cartpole", "--policy", "optimal", "--final", "--plain"])
    #expect(balanced.status == 0, "\(balanced.stderr)")
    let lines = balanced.stdout.split(separator: "\n")
    #expect(lines.count == 2, "\(balanced.stdout)")
    #expect(
      lines.first?.hasPrefix("|") == true
        && lines.first?.hasSuffix("step 500  action right  reward 1.0  truncated") == true)
    #expect(lines.last == "cartpole: 500 steps, return 500.0, truncated")

    let random = try CLI.run(["env", "render", "cartpole", "--final", "--plain", "--seed", "1"])
    #expect(random.status == 0, "\(random.stderr)")
    #expect(
      random.stdout
        == "|----------------------[/]------------------------| x=-0.076 x_dot=-0.607 theta=+0.2116 "
        + "theta_dot=+1.416  step 21  action left  reward 1.0  terminated\ncartpole: 21 steps, return 21.0, terminated\n"
    )

    // Every step (not --final): the reset frame, one frame per step, then the summary.
    let steps = try CLI.run(["env", "render", "cartpole", "--plain", "--seed", "1"])
    #expect(steps.stdout.split(separator: "\n").count == 1 + 21 + 1)
  }

  @Test func regressionDemoWritesALoadableCheckpoint() throws {
    let folder = try CLI.temporaryFolder("demo")
    defer { try? FileManager.default.removeItem(at: folder) }
    let r = try CLI.run(["demo", "regression", "--out", folder.path, "--steps", "200", "--threads", "1"])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first?.hasPrefix("MLP 2-") == true, "\(r.stdout)")
    #expect(lines.contains { $0.hasPrefix("step   200/200  train loss ") }, "\(r.stdout)")
    let final = try #require(lines.dropLast().last)
    #expect(final.hasPrefix("final held-out MSE ") && final.contains(" after 200 steps in "), "\(final)")
    let checkpoint = folder.appendingPathComponent("model.safetensors")
    #expect(lines.last == "checkpoint: \(checkpoint.path)")
    let mse = try #require(Double(final.split(separator: " ")[3]))
    #expect(mse.isFinite && mse > 0 && mse < 1, "held-out MSE \(mse)")

    let loaded = try SafeTensors.load(from: checkpoint)
    #expect(loaded.metadata["activation"] == "tanh" && loaded.metadata["seed"] == "0")
    #expect(loaded.names.contains { $0.hasPrefix("model.") }, "\(loaded.names)")
    for (name, tensor) in loaded.tensors where name.hasPrefix("model.") {
      #expect(tensor.count > 0 && tensor.data.allSatisfy(\.isFinite), "\(name)")
    }
  }

  @Test func quickTensorBenchmarkPrintsMatmulRecords() throws {
    let r = try CLI.run(["bench", "tensor", "--json", "--quick", "--threads", "1"])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let matmul = try #require(object["matmul"] as? [[String: Any]])
    #expect(!matmul.isEmpty)
    for record in matmul {
      #expect(Set(record.keys).isSuperset(of: ["n", "tensor_gflops", "raw_gflops", "ratio"]), "\(record)")
      let n = try #require(record["n"] as? Int)
      let tensor = try #require(record["tensor_gflops"] as? Double)
      let raw = try #require(record["raw_gflops"] as? Double)
      let ratio = try #require(record["ratio"] as? Double)
      #expect(n > 0 && tensor > 0 && raw > 0)
      #expect(abs(ratio - tensor / raw) <= 0.01 * ratio + 1e-3, "ratio \(ratio) vs \(tensor)/\(raw)")
    }
  }

  /// `env table --json` equals Gymnasium's table (outcomes merged per next state, as FORMAT.md says).
  @Test func frozenLakeTableMatchesGymnasium() throws {
    let r = try CLI.run(["env", "table", "gridworld:frozenlake-4x4", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let ours = try Self.mergedTable(Data(r.stdout.utf8))
    let theirs = try Self.mergedTable(Data(contentsOf: CLI.fixture("gridworld/frozenlake_4x4_slippery.json")))
    #expect(ours.nS == 16 && ours.nA == 4)
    #expect(ours.nS == theirs.nS && ours.nA == theirs.nA)
    #expect(ours.outcomes.count == theirs.outcomes.count)
    for (key, expected) in theirs.outcomes {
      let mine = try #require(ours.outcomes[key], "missing P\(key)")
      #expect(Set(mine.keys) == Set(expected.keys), "P\(key) next states")
      for (next, e) in expected {
        guard let o = mine[next] else { continue }
        #expect(abs(o.probability - e.probability) <= 1e-12, "P\(key) -> \(next)")
        #expect(o.reward == e.reward && o.terminated == e.terminated, "P\(key) -> \(next)")
      }
    }
  }

  @Test func frozenLake8x8SolvePrintsTheCeiling() throws {
    let r = try CLI.run(["env", "solve", "gridworld:frozenlake-8x8"])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first?.hasPrefix("gridworld:frozenlake-8x8: value iteration, gamma 0.99, ") == true)
    let line = try #require(
      lines.first { $0.hasPrefix("optimal success probability within the 100-step limit: ") }, "\(r.stdout)")
    let p = try #require(Double(line.split(separator: " ").last!))
    // shared/ANCHORS.md: 0.641 (value iteration on Gymnasium's table, 100-step limit).
    #expect(abs(p - 0.641) < 5e-4, "\(line)")
  }

  struct Outcome {
    var probability: Double
    var reward: Double
    var terminated: Bool
  }

  /// `{nS, nA, P}` with `P[s][a]` merged per next state (probabilities summed).
  static func mergedTable(_ data: Data) throws -> (nS: Int, nA: Int, outcomes: [String: [Int: Outcome]]) {
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let nS = try #require(object["nS"] as? Int)
    let nA = try #require(object["nA"] as? Int)
    let table = try #require(object["P"] as? [String: [String: [[Any]]]])
    var merged: [String: [Int: Outcome]] = [:]
    for (s, actions) in table {
      for (a, list) in actions {
        var byNext: [Int: Outcome] = [:]
        for outcome in list {
          let p = try #require((outcome[0] as? NSNumber)?.doubleValue)
          let next = try #require((outcome[1] as? NSNumber)?.intValue)
          let reward = try #require((outcome[2] as? NSNumber)?.doubleValue)
          let terminated = try #require(outcome[3] as? Bool)
          if var o = byNext[next] {
            #expect(o.reward == reward && o.terminated == terminated, "P[\(s)][\(a)] -> \(next) inconsistent")
            o.probability += p
            byNext[next] = o
          } else {
            byNext[next] = Outcome(probability: p, reward: reward, terminated: terminated)
          }
        }
        merged["[\(s)][\(a)]"] = byNext
      }
    }
    return (nS, nA, merged)
  }
}
