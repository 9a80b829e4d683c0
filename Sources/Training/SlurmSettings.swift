import Foundation

/// The `sbatch` settings of a Slurm job array (`--slurm-*` options). Each `check…` function
/// returns `nil` for a value Slurm accepts, else what is allowed (for the command line's
/// `--flag VALUE: allowed …` message), so a bad value is refused before anything is submitted.
public struct SlurmSettings: Sendable, Equatable {
  /// `--partition` (a name or a comma-separated list); nil: the cluster's default partition.
  public var partition: String?
  /// `--time` in a Slurm time format (`MM`, `HH:MM:SS`, `D-HH`, …); nil: the partition's default.
  public var time: String?
  /// `--cpus-per-task`: also the BLAS threads of each run.
  public var cpusPerTask = 1
  /// `--mem` (`4G`, `500M`); nil: the partition's default.
  public var memory: String?
  /// Further `sbatch` options, one `#SBATCH` line each (`--account=abc`, `--qos=short`).
  public var extra: [String] = []
  /// The array's `%MAX`: at most this many tasks at once; nil: as many as Slurm allows.
  public var maxParallel: Int?
  /// `--job-name`.
  public var jobName = "losslab"
  /// On Ctrl-C, `scancel` the array instead of leaving it running.
  public var cancelOnInterrupt = false
  /// Seconds between `squeue` polls while watching.
  public var pollSeconds = 5.0

  public init() {}

  /// Options that `--slurm-extra` may not set: losslab writes them itself, or they have their
  /// own `--slurm-*` flag.
  public static let reservedOptions: [String: String] = [
    "--array": "losslab writes the array from the job list",
    "--output": "the logs go to the comparison folder's slurm/logs",
    "--error": "the logs go to the comparison folder's slurm/logs",
    "--open-mode": "losslab appends to the task logs",
    "--chdir": "the tasks run in the submitting folder",
    "--wrap": "losslab writes the batch script",
    "--parsable": "losslab reads the job id itself",
    "--job-name": "losslab names the array",
    "--partition": "use --slurm-partition",
    "--time": "use --slurm-time",
    "--cpus-per-task": "use --slurm-cpus-per-task",
    "--mem": "use --slurm-mem",
  ]

  /// A partition name or a comma-separated list of names (letters, digits, `_`, `.`, `-`).
  public static func checkPartition(_ text: String) -> String? {
    let allowed = "a partition name or comma-separated names of letters, digits, '_', '.', '-'"
    let names = text.split(separator: ",", omittingEmptySubsequences: false)
    guard text.count <= 256, !names.isEmpty else { return allowed }
    for name in names {
      if name.isEmpty
        || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) })
      {
        return allowed
      }
    }
    return nil
  }

  /// Slurm's time formats: `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`, or
  /// `UNLIMITED`/`INFINITE`; not zero.
  public static func checkTime(_ text: String) -> String? {
    let allowed = "MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS or UNLIMITED (not zero)"
    if text == "UNLIMITED" || text == "INFINITE" { return nil }
    func numbers(_ part: Substring, counts: ClosedRange<Int>) -> [Int]? {
      let fields = part.split(separator: ":", omittingEmptySubsequences: false)
      guard counts.contains(fields.count) else { return nil }
      var values: [Int] = []
      for field in fields {
        guard (1...7).contains(field.count), field.allSatisfy({ $0.isASCII && $0.isNumber }),
          let n = Int(field)
        else { return nil }
        values.append(n)
      }
      return values
    }
    let dayParts = text.split(separator: "-", omittingEmptySubsequences: false)
    let values: [Int]
    switch dayParts.count {
    case 1:
      guard let v = numbers(dayParts[0], counts: 1...3) else { return allowed }
      values = v
    case 2:
      guard let days = numbers(dayParts[0], counts: 1...1), let rest = numbers(dayParts[1], counts: 1...3)
      else {
        return allowed
      }
      values = days + rest
    default:
      return allowed
    }
    return values.allSatisfy({ $0 == 0 }) ? allowed : nil
  }

  /// A memory size: a positive integer with an optional unit `K`, `M`, `G` or `T` (`4G`, `500M`).
  public static func checkMemory(_ text: String) -> String? {
    let allowed = "a positive size in megabytes, or with a unit K, M, G or T (4G, 500M)"
    var digits = Substring(text)
    if let last = text.last, "KMGTkmgt".contains(last) { digits = digits.dropLast() }
    guard (1...12).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }),
      let n = Int(digits),
      n > 0
    else { return allowed }
    return nil
  }

  /// One `sbatch` long option, `--name` or `--name=value`, with no spaces, quotes or control
  /// characters (it becomes an `#SBATCH` line), and none of ``reservedOptions``.
  public static func checkExtra(_ text: String) -> String? {
    let allowed = "an sbatch long option --NAME or --NAME=VALUE without spaces or quotes (e.g. --account=abc)"
    guard text.hasPrefix("--"), text.count <= 512 else { return allowed }
    let name = String(text.prefix { $0 != "=" })
    guard name.count > 2,
      name.dropFirst(2).allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
    else { return allowed }
    guard
      text.unicodeScalars.allSatisfy({
        $0.value > 0x20 && $0.value < 0x7F && $0 != "'" && $0 != "\"" && $0 != "\\"
      })
    else { return allowed }
    if let why = reservedOptions[name] { return "any sbatch option but \(name) (\(why))" }
    return nil
  }

  /// The `#SBATCH` options of the array script (without `--array`), in a fixed order.
  public func sbatchOptions(logFolder: URL, workingFolder: URL) -> [String] {
    var options = [
      "--job-name=\(jobName)",
      "--output=\(logFolder.appendingPathComponent("task-%a.out").path)",
      "--open-mode=append",
      "--chdir=\(workingFolder.path)",
      "--cpus-per-task=\(cpusPerTask)",
    ]
    if let partition { options.append("--partition=\(partition)") }
    if let time { options.append("--time=\(time)") }
    if let memory { options.append("--mem=\(memory)") }
    return options + extra
  }
}
