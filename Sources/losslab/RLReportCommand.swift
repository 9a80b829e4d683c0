import ArgumentParser
import Environments
import Foundation
import Reports
import Training

/// `losslab rl report DIR`: aggregates whatever run folders are under DIR.
struct RLReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract:
      "Aggregate the rl train runs under a folder into report.md, summary.csv, curves.csv and SVG figures.",
    discussion: """
      Finds every run folder (config.json + metrics.csv) under DIR, groups runs by configuration \
      (the shaping, plus every preset key whose value differs between runs) and writes the report \
      into DIR (or --out), with rliable's aggregate metrics, performance profiles and probabilities \
      of improvement. Runs of several environments get one report per environment in a \
      sub-folder and, at the top, the aggregate metrics across environments on normalised \
      scores. Unfinished or failed runs are listed, not used; so are the runs of a Slurm job list \
      (DIR/slurm/jobs.tsv) that have not started yet, so the report can be written while an array \
      still runs.
      """)

  @Argument(
    help: "Folder holding run folders (e.g. the --out of rl compare, or runs copied from many machines).")
  var dir: String

  @Option(help: "Where to write the report (default: DIR).")
  var out: String?

  @Option(help: "Baseline shaping for the p-values.")
  var baseline: String = "none"

  @Option(help: "Comma-separated shaping order for the table (others follow).")
  var order: String?

  @Option(
    parsing: .unconditional,
    help:
      "Steps-to-threshold threshold (default: gridworlds 90% of the way from random to optimal; CartPole 475; Acrobot -100, MountainCar -150, MountainCarContinuous 80, Pendulum -250)."
  )
  var threshold: Double?

  func validate() throws {
    try Allowed.path("DIR", dir)
    try Allowed.path("--out", out)
    try Allowed.name("--baseline", baseline)
    try Allowed.name("--order", order, "a comma-separated list of shapings")
    try Allowed.check(
      "--threshold", threshold, -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
  }

  func run() throws {
    let root = URL(fileURLWithPath: dir)
    let waiting = notStarted(root)
    for label in waiting { print("not started yet: \(label)") }
    let scan: (runs: [ReportRun], problems: [String])
    let target = out.map { URL(fileURLWithPath: $0) } ?? root
    let command = (["losslab"] + CommandLine.arguments.dropFirst()).map(Shell.quote).joined(separator: " ")
    let orderList = order?.split(separator: ",").map(String.init) ?? []
    do {
      scan = try ReportRun.scan(root)
      guard !scan.runs.isEmpty else {
        throw CompareError("\(dir): no run folders (config.json + metrics.csv) under it")
      }
      if Set(scan.runs.map(\.config.env)).count > 1 {
        // Runs of several environments: a report per environment and the aggregate across them.
        if threshold != nil {
          throw ValidationError(
            "--threshold: allowed only for runs of one environment (these span several; each environment's report uses its own default)"
          )
        }
        let report = try MultiEnvironmentReport(
          runs: scan.runs, problems: scan.problems, order: orderList, baseline: baseline)
        try report.write(to: target, command: command)
        print(report.markdownTable())
        print("report: \(target.appendingPathComponent("report.md").path)")
        return
      }
      let report = try Report(
        runs: scan.runs, problems: scan.problems, order: orderList, baseline: baseline, threshold: threshold)
      try report.write(to: target, command: command)
      print(report.markdownTable())
    } catch let error as CompareError {
      throw ValidationError(error.message)
    }
    let unfinished = scan.runs.filter { !$0.isFinished }
    for r in unfinished { print("left out \(r.folder.path): \(r.status?.description ?? "no status")") }
    print("report: \(target.appendingPathComponent("report.md").path)")
  }

  /// The runs of `DIR/slurm/jobs.tsv` (an `rl compare --executor slurm` folder) whose run folder
  /// has no `status.json` yet.
  func notStarted(_ root: URL) -> [String] {
    let list = SlurmFiles(folder: root.appendingPathComponent("slurm")).jobList
    guard let text = try? String(contentsOf: list, encoding: .utf8) else { return [] }
    return SlurmScript.parseJobList(text).compactMap { entry in
      let candidates = [
        URL(fileURLWithPath: entry.folder),
        root.appendingPathComponent("runs").appendingPathComponent(entry.label),
      ]
      let started = candidates.contains {
        FileManager.default.fileExists(atPath: $0.appendingPathComponent("status.json").path)
      }
      return started ? nil : "\(entry.label) (array task \(entry.index))"
    }
  }
}
