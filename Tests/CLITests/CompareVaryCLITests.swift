import Foundation
import TestSupport
import Testing

/// `rl compare --vary` (ablations on the comparison machinery) and the rliable section of the
/// report it writes.
@Suite struct CompareVaryCLITests {
  @Test func dryRunListsOneFolderPerVariantAndSeed() throws {
    let out = try CLI.temporaryFolder("vary-dry-run")
    let r = try CLI.run([
      "rl", "compare", "--env", "cartpole", "--vary", "learning_rate=1e-3,0.0003", "--seeds", "2",
      "--out", out.path, "--dry-run",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n")
    #expect(lines.count == 4)
    #expect(lines[0].contains("--set learning_rate=0.001 --shaping none --seed 0"))
    #expect(lines[0].contains("/runs/learning_rate-0.001/seed-0"))
    #expect(lines[3].contains("/runs/learning_rate-0.0003/seed-1"))
  }

  @Test func anAblationRunsAndReportsItsVariants() throws {
    let out = try CLI.temporaryFolder("vary-run")
    let r = try CLI.run([
      "rl", "compare", "--env", "gridworld:cliffwalking", "--vary", "learning_rate=0.001,0.0003", "--seeds",
      "2",
      "--steps", "2048", "--set", "n_steps=64", "--set", "batch_size=64", "--eval-freq", "512",
      "--eval-episodes", "2", "--jobs", "2", "--no-progress", "--out", out.path,
    ])
    #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
    let report = try readText(out.appendingPathComponent("report.md"))
    #expect(report.contains("learning_rate=0.001") && report.contains("learning_rate=0.0003"))
    #expect(report.contains("## Aggregate metrics (rliable)"))
    #expect(report.contains("R*, finite-horizon value iteration"))
    for file in ["profile.svg", "improvement.svg", "aggregates.csv"] {
      #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file)")
    }
    // rl report over the same folder groups the runs the same way.
    let again = try CLI.run(["rl", "report", out.path, "--out", out.appendingPathComponent("again").path])
    #expect(again.status == 0, "\(again.stderr)")
    let csv = try readText(out.appendingPathComponent("again/aggregates.csv"))
    #expect(csv.contains("\"learning_rate=0.001\"") || csv.contains("learning_rate=0.001,"))
  }
}
