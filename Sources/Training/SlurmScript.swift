import Core
import Foundation

/// A failure of the Slurm executor (a command that failed, a folder Slurm cannot use).
public struct SlurmError: Error, CustomStringConvertible, Sendable, Equatable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// The files of a Slurm job array in an experiment folder's `slurm/`:
///
/// ```
/// slurm/
///   jobs.tsv          the job list: one line per array task (index, label, run folder, argv)
///   submit.sh         the sbatch script of the latest submission
///   submissions.json  every submission: Slurm job id and array indices
///   logs/task-<i>.out the output of array task i (appended on each resubmission)
///   markers/task-<i>.<jobid>  written by task i when it starts: the node sees the folder
/// ```
///
/// Array task `i` runs job `i` of the job list whatever subset is submitted, so a resubmission
/// (`--array=1,3`) maps to the same run folders.
public struct SlurmFiles: Sendable, Equatable {
  public let folder: URL
  public init(folder: URL) { self.folder = folder }
  public var jobList: URL { folder.appendingPathComponent("jobs.tsv") }
  public var script: URL { folder.appendingPathComponent("submit.sh") }
  public var submissions: URL { folder.appendingPathComponent("submissions.json") }
  public var logs: URL { folder.appendingPathComponent("logs", isDirectory: true) }
  public var markers: URL { folder.appendingPathComponent("markers", isDirectory: true) }
  public func log(task: Int) -> URL { logs.appendingPathComponent("task-\(task).out") }
  public func marker(task: Int, job: Int) -> URL { markers.appendingPathComponent("task-\(task).\(job)") }
}

/// The job list file and the `sbatch` script of a job array.
public enum SlurmScript {
  /// The job list: line `i` is `i TAB label TAB folder TAB steps TAB start-argv TAB resume-argv`,
  /// `steps` the job's budget (0 when unknown) and the argv shell-quoted (the script `eval`s them
  /// into `"$@"`).
  /// - Throws: ``SlurmError`` when a label, folder or argument holds a tab, newline or other
  ///   control character (it would break the line format).
  public static func jobList(_ jobs: [TrainingJob]) throws -> String {
    var text = ""
    for (index, job) in jobs.enumerated() {
      let fields = [job.label, job.folder.relativePath] + job.arguments + job.resumeArguments
      for field in fields
      where field.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
        throw SlurmError(
          "job \(index) (\(job.label)): '\(field)' holds a control character; the job list cannot hold it")
      }
      let start = job.arguments.map(Shell.quote).joined(separator: " ")
      let resume = job.resumeArguments.map(Shell.quote).joined(separator: " ")
      text +=
        "\(index)\t\(job.label)\t\(job.folder.relativePath)\t\(max(job.steps, 0))\t\(start)\t\(resume)\n"
    }
    return text
  }

  /// The (index, label, run folder) of each line of a job list (malformed lines are skipped).
  public static func parseJobList(_ text: String) -> [(index: Int, label: String, folder: String)] {
    var result: [(index: Int, label: String, folder: String)] = []
    for line in text.split(separator: "\n") {
      let f = line.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false)
      guard f.count >= 3, let index = Int(f[0]) else { continue }
      result.append((index, String(f[1]), String(f[2])))
    }
    return result
  }

  /// Sorted indices as Slurm's `--array` list (`0-3`, `1,3,5-7`), with `%max` when given.
  public static func arraySpec(_ indices: [Int], maxParallel: Int? = nil) -> String {
    let sorted = Array(Set(indices)).sorted()
    var parts: [String] = []
    var i = 0
    while i < sorted.count {
      var j = i
      while j + 1 < sorted.count && sorted[j + 1] == sorted[j] + 1 { j += 1 }
      parts.append(i == j ? "\(sorted[i])" : "\(sorted[i])-\(sorted[j])")
      i = j + 1
    }
    return parts.joined(separator: ",") + (maxParallel.map { "%\($0)" } ?? "")
  }

  /// Characters a path may hold to appear unquoted on an `#SBATCH` line.
  static func checkPlainPath(_ url: URL, _ what: String) throws {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+@,=:")
    guard url.path.allSatisfy({ safe.contains($0) }) else {
      throw SlurmError(
        "\(what) \(url.path): a Slurm job array needs a path without spaces, quotes or other special characters"
      )
    }
  }

  /// The batch script: `#SBATCH` lines, then the mapping from `SLURM_ARRAY_TASK_ID` to a line of
  /// the job list, the shared-file-system check (the job list must be readable from the node;
  /// the task leaves a marker), and the session's launch rule (``TrainingJob/launch()``: a
  /// finished run exits at once, a checkpoint is resumed, a run without one starts over).
  ///
  /// - Parameters:
  ///   - indices: the array tasks to submit (indices into the job list).
  ///   - files: the `slurm/` folder (absolute).
  ///   - executable: the `losslab` binary (an absolute path the compute nodes see).
  ///   - workingFolder: where the tasks run (run folders in the job list are relative to it).
  public static func text(
    indices: [Int], settings: SlurmSettings, files: SlurmFiles, executable: URL, workingFolder: URL,
    title: String = "losslab"
  ) throws -> String {
    try checkPlainPath(files.folder, "the Slurm folder")
    try checkPlainPath(workingFolder, "the working folder")
    var lines = [
      "#!/bin/bash",
      "# \(title): one array task per run, written by losslab. Rerunning the same losslab command",
      "# resubmits only the tasks whose run folder is not finished.",
      "#SBATCH --array=\(arraySpec(indices, maxParallel: settings.maxParallel))",
    ]
    lines += settings.sbatchOptions(logFolder: files.logs, workingFolder: workingFolder).map {
      "#SBATCH \($0)"
    }
    lines += [
      "set -u",
      "slurm_folder=\(Shell.quote(files.folder.path))",
      "losslab=\(Shell.quote(executable.path))",
      "task=${SLURM_ARRAY_TASK_ID:?losslab: not run as a Slurm array task}",
      "job=${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-0}}",
      "if ! cd \(Shell.quote(workingFolder.path)) 2>/dev/null || [ ! -r \"$slurm_folder/jobs.tsv\" ]; then",
      "  echo \"losslab: node $(hostname) cannot see $slurm_folder/jobs.tsv: the experiment folder must be on a file system shared by the submitting machine and the compute nodes (docs/cluster.md)\" >&2",
      "  exit 3",
      "fi",
      "mkdir -p \"$slurm_folder/markers\" && echo \"$(hostname) $(date -u +%Y-%m-%dT%H:%M:%SZ)\" > \"$slurm_folder/markers/task-$task.$job\"",
      "line=$(awk -F '\\t' -v i=\"$task\" '$1 == i { print; exit }' \"$slurm_folder/jobs.tsv\")",
      "if [ -z \"$line\" ]; then echo \"losslab: array task $task is not in $slurm_folder/jobs.tsv\" >&2; exit 3; fi",
      "IFS=$'\\t' read -r index label folder steps start resume <<< \"$line\"",
      "if [ -f \"$folder/status.json\" ] && grep -Eq '\"status\" *: *\"finished\"' \"$folder/status.json\"; then",
      "  # A finished run given a larger budget (a sweep trial promoted to its next rung) continues.",
      "  done=$(tr -d ' \\n' < \"$folder/status.json\" | sed -n 's/.*\"step\":\\([0-9]*\\).*/\\1/p')",
      "  if [ -z \"${resume:-}\" ] || [ -z \"$done\" ] || [ \"$done\" -ge \"${steps:-0}\" ]; then",
      "    echo \"losslab: $label is already finished\"",
      "    exit 0",
      "  fi",
      "fi",
      "argv=$start",
      "if [ -f \"$folder/config.json\" ] || [ -f \"$folder/status.json\" ]; then",
      "  argv=\"$start --overwrite\"",
      "  for weights in \"$folder\"/checkpoints/step-*.safetensors; do",
      "    if [ -n \"${resume:-}\" ] && [ -f \"${weights%.safetensors}.json\" ]; then argv=$resume; break; fi",
      "  done",
      "fi",
      "eval \"set -- $argv\"",
      "export OPENBLAS_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}",
      "echo \"losslab: array task $task ($label) on $(hostname), job $job: losslab $argv\"",
      "exec \"$losslab\" \"$@\"",
    ]
    return lines.joined(separator: "\n") + "\n"
  }
}
