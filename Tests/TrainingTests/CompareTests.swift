import Foundation
import Reports
import Runs
import TestSupport
import Testing
import Training

@testable import Training

@Suite struct CompareTests {
  @Test func slugsAndRunFolders() throws {
    #expect(ComparePlan.slug("pbrs:bfs") == "pbrs-bfs")
    #expect(ComparePlan.slug("pbrs:bfs*0.5") == "pbrs-bfs-x0.5")
    #expect(ComparePlan.slug("pbrs:file=pots/my pot.txt") == "pbrs-file-pots-my-pot.txt")
    var plan = ComparePlan(
      env: "gridworld:fourrooms", shapings: ["none", "pbrs:bfs*0.5"], seeds: 2,
      out: URL(fileURLWithPath: "reports/four-rooms"))
    plan.steps = 200_000
    plan.envOptions = ["slippery=false"]
    let runs = try plan.runs()
    #expect(runs.count == 4)
    #expect(runs.map(\.seed) == [0, 1, 0, 1])
    #expect(runs[3].folder.relativePath == "reports/four-rooms/runs/pbrs-bfs-x0.5/seed-1")
    #expect(
      runs[3].shellCommand(executable: "losslab", threads: 1)
        == "OPENBLAS_NUM_THREADS=1 losslab rl train --env gridworld:fourrooms --env-option slippery=false --shaping 'pbrs:bfs*0.5' --seed 1 --steps 200000 --eval-freq 5000 --eval-episodes 20 --threads 1 --no-progress --out reports/four-rooms/runs/pbrs-bfs-x0.5/seed-1"
    )
    let jobs = try plan.jobs(stepsPerRun: 2048)
    #expect(
      jobs.map(\.label) == ["none/seed-0", "none/seed-1", "pbrs-bfs-x0.5/seed-0", "pbrs-bfs-x0.5/seed-1"])
    #expect(jobs[3].folder == runs[3].folder && jobs[3].steps == 2048)
    #expect(jobs[3].resumeArguments.prefix(4) == ["rl", "train", "--resume", runs[3].folder.relativePath])
    plan.shapings = ["pbrs:a b", "pbrs:a/b"]
    #expect(throws: CompareError.self) { try plan.runs() }
  }

  @Test func varyMakesTheCrossProductOfNamedVariants() throws {
    var plan = ComparePlan(
      env: "cartpole", shapings: ["none"], seeds: 2, out: URL(fileURLWithPath: "ablation"))
    plan.overrides = ["n_steps=256"]
    plan.variations = [("learning_rate", ["0.001", "0.0003"]), ("ent_coef", ["0", "0.01"])]
    let variants = plan.variants()
    #expect(
      variants.map(\.name) == [
        "learning_rate=0.001, ent_coef=0", "learning_rate=0.001, ent_coef=0.01",
        "learning_rate=0.0003, ent_coef=0", "learning_rate=0.0003, ent_coef=0.01",
      ])
    let runs = try plan.runs()
    #expect(runs.count == 8)
    #expect(runs[2].variant == "learning_rate=0.001, ent_coef=0.01" && runs[2].shaping == "none")
    #expect(runs[2].folder.relativePath == "ablation/runs/learning_rate-0.001-ent_coef-0.01/seed-0")
    #expect(
      runs[2].arguments.joined(separator: " ").contains(
        "--set n_steps=256 --set learning_rate=0.001 --set ent_coef=0.01 --shaping none"))
    let request = try plan.request(variant: variants[3], seed: 0)
    #expect(request.overrides == ["n_steps=256", "learning_rate=0.0003", "ent_coef=0.01"])
    // With several shapings the shaping leads the name; without --vary the name is the shaping.
    plan.shapings = ["none", "pbrs:bfs"]
    plan.variations = [("gamma", ["0.9", "0.99"])]
    #expect(
      plan.variants().map(\.name) == [
        "none, gamma=0.9", "none, gamma=0.99", "pbrs:bfs, gamma=0.9", "pbrs:bfs, gamma=0.99",
      ])
    plan.variations = []
    #expect(plan.variants().map(\.name) == ["none", "pbrs:bfs"])
    #expect(try plan.runs().allSatisfy { $0.variantName == nil })
  }

  @Test func threadsPerJobAvoidsOversubscription() {
    #expect(ComparePlan.threadsPerJob(cores: 2, jobs: 2) == 1)
    #expect(ComparePlan.threadsPerJob(cores: 16, jobs: 4) == 4)
    #expect(ComparePlan.threadsPerJob(cores: 2, jobs: 8) == 1)
  }

  @Test func shellQuoting() {
    #expect(Shell.quote("pbrs:bfs") == "pbrs:bfs")
    #expect(Shell.quote("a b") == "'a b'")
    #expect(Shell.quote("it's") == "'it'\\''s'")
    #expect(Shell.quote("") == "''")
  }

  /// A fake `rl train`: `/bin/sh -c SCRIPT` writing `status.json` like a real run, or failing.
  func fakeRun(_ root: URL, _ name: String, fail: Bool) -> TrainingJob {
    let folder = root.appendingPathComponent("runs/\(name)")
    let status = #"{"status": "finished", "updated": "2026-01-01T00:00:00Z"}"#
    let script =
      fail
      ? "echo 'Error: something broke' >&2; exit 3"
      : "echo started; printf '%s' '\(status)' > '\(folder.path)/status.json'; echo \"$OPENBLAS_NUM_THREADS\" > '\(folder.path)/threads'"
    return TrainingJob(label: name, folder: folder, arguments: ["-c", script], steps: 10)
  }

  @Test func runnerRunsSkipsFinishedAndReportsFailures() throws {
    let root = try makeScratchFolder()
    let runs = [
      fakeRun(root, "a", fail: false), fakeRun(root, "b", fail: true), fakeRun(root, "c", fail: false),
    ]
    let sh = URL(fileURLWithPath: "/bin/sh")
    let first = try LocalExecutor(executable: sh, jobs: 2, threads: 3).run(
      runs, progress: nil, interrupt: nil)
    #expect(first.finished.map(\.label).sorted() == ["a", "c"])
    #expect(first.failed.map(\.job.label) == ["b"])
    #expect(first.failed[0].reason.contains("exit status 3"))
    #expect(first.failed[0].reason.contains("something broke"))
    #expect(try readText(root.appendingPathComponent("runs/a/threads")) == "3\n")
    #expect(try readText(root.appendingPathComponent("runs/a/train.log")) == "started\n")
    // Rerunning skips the finished runs and retries the failed one.
    let second = try LocalExecutor(executable: sh, jobs: 2, threads: 1).run(
      runs, progress: nil, interrupt: nil)
    #expect(second.skipped.map(\.label) == ["a", "c"])
    #expect(second.failed.map(\.job.label) == ["b"])
    #expect(second.finished.isEmpty)
  }

  /// Unfinished runs go through the session's resume path (`rl train --resume DIR`) when they have
  /// a checkpoint, whatever their status says (interrupted, killed while `running`, failed);
  /// a run without one starts over with `--overwrite`.
  @Test func runnerResumesThroughTheSessionPath() throws {
    let root = try makeScratchFolder()
    func run(_ name: String, checkpoint: Bool) throws -> TrainingJob {
      let folder = RunFolder(url: root.appendingPathComponent("runs/\(name)"))
      try folder.writeConfig(["seed": 0])
      try folder.writeStatus(.running)
      if checkpoint { try folder.saveCheckpoint(step: 5, sidecar: ["s": 1], weights: Data()) }
      return TrainingJob(
        label: name, folder: folder.url, arguments: ["-c", "echo \"new $0\""],
        resumeArguments: ["-c", "echo resumed"])
    }
    let runs = [try run("killed", checkpoint: true), try run("early", checkpoint: false)]
    #expect(runs.map { $0.launch() } == [.resume, .restart])
    _ = try LocalExecutor(executable: URL(fileURLWithPath: "/bin/sh"), jobs: 1, threads: 1).run(
      runs, progress: nil, interrupt: nil)
    #expect(try readText(root.appendingPathComponent("runs/killed/train.log")) == "resumed\n")
    #expect(try readText(root.appendingPathComponent("runs/early/train.log")) == "new --overwrite\n")
  }
}
