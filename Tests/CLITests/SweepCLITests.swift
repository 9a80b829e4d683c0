import Foundation
import Reinforcement
import Testing
import Training

/// `losslab sweep` end to end on a 4x4 gridworld with tiny budgets: trials.csv with pruned trials
/// kept, best.yaml loadable by `rl train --preset`, report.md, a rerun that trains nothing, and
/// the refusals.
@Suite(.serialized) struct SweepCLITests {
  static let space = """
    parameters:
      learning_rate: {type: loguniform, low: 1.0e-4, high: 3.0e-2}
      n_epochs: {type: int, low: 2, high: 6, step: 2}
      shaping: {type: choice, values: [none, "pbrs:bfs"]}
    """

  static func arguments(_ folder: URL, extra: [String] = []) -> [String] {
    [
      "sweep", "--space", folder.appendingPathComponent("space.yaml").path, "--env",
      "gridworld:frozenlake-4x4",
      "--set", "n_steps=64", "--set", "batch_size=64", "--sampler", "tpe", "--trials", "6", "--seeds", "2",
      "--steps", "576", "--min-steps", "64", "--eta", "3", "--pruner", "asha", "--eval-freq", "64",
      "--eval-episodes", "5", "--jobs", "2", "--out", folder.appendingPathComponent("sweep").path,
    ] + extra
  }

  @Test func sweepWritesTrialsBestPresetAndReportAndResumes() throws {
    let folder = try CLI.temporaryFolder("sweep-cli")
    try Self.space.write(to: folder.appendingPathComponent("space.yaml"), atomically: true, encoding: .utf8)
    let out = folder.appendingPathComponent("sweep")
    let r = try CLI.run(Self.arguments(folder))
    #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
    #expect(r.stdout.contains("rungs 64, 192, 576 steps"))
    let csv = try String(contentsOf: out.appendingPathComponent("trials.csv"), encoding: .utf8)
    let rows = csv.split(separator: "\n").map {
      $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
    #expect(
      rows[0] == [
        "trial", "learning_rate", "n_epochs", "shaping", "state", "score", "rung", "seeds", "steps", "reason",
      ])
    #expect(rows.count == 7)
    for row in rows.dropFirst() {
      #expect(["complete", "pruned"].contains(row[4]), "\(row)")
      #expect(Double(row[5]) != nil && row[7] == "2")
      if row[4] == "complete" { #expect(row[6] == "2" && row[8] == "576") }
      if row[4] == "pruned" { #expect(["0", "1"].contains(row[6]) && ["64", "192"].contains(row[8])) }
    }
    #expect(rows.contains { $0[4] == "pruned" })
    // Every trial's seeds are ordinary run folders; pruned ones stop at their rung.
    for seed in 0..<2 {
      let status = try String(
        contentsOf: out.appendingPathComponent("trials/trial-0000/seed-\(seed)/status.json"), encoding: .utf8)
      #expect(status.contains("finished"))
    }
    let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
    #expect(report.contains("## Trials") && report.contains("## Parameter importance"))
    #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("top-curves.svg").path))
    let best = try PPOPreset.load(contentsOf: out.appendingPathComponent("best.yaml"))
    #expect(best.environment == "gridworld:frozenlake-4x4")
    #expect(best.config.nSteps == 64 && best.config.nTimesteps == 576)
    let train = try CLI.run([
      "rl", "train", "--preset", out.appendingPathComponent("best.yaml").path, "--steps", "64",
      "--no-progress",
      "--out", folder.appendingPathComponent("best-run").path,
    ])
    #expect(train.status == 0, "\(train.stderr)")

    // A rerun trains nothing and writes the same trials.
    let before = try Data(contentsOf: out.appendingPathComponent("trials.json"))
    let log = out.appendingPathComponent("trials/trial-0000/seed-0/train.log")
    let logBefore = try Data(contentsOf: log)
    let again = try CLI.run(Self.arguments(folder))
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stdout.contains("continuing") && !again.stdout.contains("rung 0"))
    #expect(try Data(contentsOf: out.appendingPathComponent("trials.json")) == before)
    #expect(try Data(contentsOf: log) == logBefore)

    // More trials continue the same sweep; other settings are refused.
    let changed = try CLI.run(Self.arguments(folder, extra: ["--seed", "5"]))
    #expect(changed.status == 2 && changed.stderr.contains("--seed"), "\(changed.stderr)")
  }

  @Test func dryRunAndBadSpaceFile() throws {
    let folder = try CLI.temporaryFolder("sweep-cli-dry")
    try Self.space.write(to: folder.appendingPathComponent("space.yaml"), atomically: true, encoding: .utf8)
    let dry = try CLI.run(Self.arguments(folder, extra: ["--dry-run", "--sampler", "random"]))
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(dry.stdout.contains("# rung budgets: 64, 192, 576 steps"))
    #expect(dry.stdout.split(separator: "\n").filter { $0.contains(" rl train ") }.count == 12)
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("sweep").path))
    let bad = "parameters:\n  learning_rate: {type: loguniform, low: 0.1, high: 0.01}\n"
    try bad.write(to: folder.appendingPathComponent("space.yaml"), atomically: true, encoding: .utf8)
    let r = try CLI.run(Self.arguments(folder))
    #expect(r.status == 2)
    #expect(r.stderr.contains("space.yaml:2:") && r.stderr.contains("must be above"), "\(r.stderr)")
  }
}
