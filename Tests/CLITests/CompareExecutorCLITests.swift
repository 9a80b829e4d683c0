import Foundation
import Runs
import TestSupport
import Testing

/// `rl compare --executor`: the Slurm dry run (job list + sbatch script, nothing written),
/// options that belong to the other executor, and the comparison folder's run lock. A real
/// Slurm runs in `make test-slurm` (scripts/test_slurm.sh).
@Suite struct CompareExecutorCLITests {
  let base = ["rl", "compare", "--env", "gridworld:fourrooms", "--shapings", "none,pbrs:bfs", "--seeds", "2"]

  @Test func slurmDryRunPrintsTheJobListAndTheScript() throws {
    let folder = try CLI.temporaryFolder("slurm-dry-run").appendingPathComponent("cmp")
    let r = try CLI.run(
      base + [
        "--steps", "4096", "--out", folder.path, "--executor", "slurm", "--slurm-max-parallel", "2",
        "--slurm-time", "30", "--slurm-mem", "1G", "--slurm-cpus-per-task", "2",
        "--slurm-extra=--account=abc",
        "--dry-run",
      ])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n").map(String.init)
    #expect(lines.filter { $0.hasPrefix("3\tpbrs-bfs/seed-1\t") }.count == 1, "\(r.stdout)")
    for option in [
      "--array=0-3%2", "--job-name=losslab-compare", "--cpus-per-task=2", "--time=30", "--mem=1G",
      "--account=abc",
    ] {
      #expect(lines.contains("#SBATCH \(option)"), "\(option)")
    }
    #expect(r.stdout.contains("--threads 2"))
    #expect(!FileManager.default.fileExists(atPath: folder.path), "a dry run writes nothing")
  }

  @Test func optionsOfTheOtherExecutorAreRefused() throws {
    let out = try CLI.temporaryFolder("slurm-options").appendingPathComponent("cmp").path
    for (extra, flag) in [
      (["--executor", "slurm", "--jobs", "2"], "--jobs"), (["--slurm-time", "5"], "--slurm-time"),
      (["--cancel-on-interrupt"], "--cancel-on-interrupt"),
      (["--executor", "slurm", "--slurm-extra=--array=0-3"], "--slurm-extra"),
    ] {
      let r = try CLI.run(base + ["--out", out] + extra)
      #expect(r.status == 2 && r.stderr.contains(flag), "\(extra): \(r.stderr)")
    }
  }

  @Test func aSecondComparisonOnOneFolderIsRefused() throws {
    let folder = try CLI.temporaryFolder("compare-lock")
    let lock = try RunLock(folder: folder)
    defer { withExtendedLifetime(lock) {} }
    let r = try CLI.run(base + ["--steps", "512", "--out", folder.path, "--no-progress"])
    #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
    #expect(r.stderr.contains("in use by another losslab process"), "\(r.stderr)")
  }

  @Test func reportListsArrayTasksNotStartedYet() throws {
    let folder = try CLI.temporaryFolder("report-not-started")
    let slurm = folder.appendingPathComponent("slurm")
    try FileManager.default.createDirectory(at: slurm, withIntermediateDirectories: true)
    let list = [
      "0\tnone/seed-0\t\(folder.path)/runs/none/seed-0\t4096\trl train --out x\trl train --resume x",
      "1\tnone/seed-1\t\(folder.path)/runs/none/seed-1\t4096\trl train --out y\trl train --resume y",
    ]
    try (list.joined(separator: "\n") + "\n").write(
      to: slurm.appendingPathComponent("jobs.tsv"), atomically: true, encoding: .utf8)
    let r = try CLI.run(["rl", "report", folder.path])
    #expect(r.stdout.contains("not started yet: none/seed-0 (array task 0)"), "\(r.stdout)")
    #expect(r.stdout.contains("not started yet: none/seed-1 (array task 1)"), "\(r.stdout)")
    #expect(r.status == 2 && r.stderr.contains("no run folders"), "\(r.stderr)")
  }
}
