import ArgumentParser
import Benchmarks

/// `losslab bench ctc [--threads K] --json`: CTC loss forward+backward from logits.
struct BenchCTCCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ctc",
    abstract: "Time the CTC loss (log-softmax + forward + backward) on the issue-6 shapes; print JSON.")

  @Option(help: "Worker threads (default: measure 1 and 2).")
  var threads: Int?

  @Option(help: "Timed calls per shape after one warm-up; the median is reported.")
  var repeats: Int = 9

  @Flag(help: "Print JSON (the only output format; accepted for scripts).")
  var json = false

  func validate() throws {
    try Allowed.check("--threads", threads, 1...Limits.workers)
    try Allowed.check("--repeats", repeats, 1...Limits.timedRepeats)
  }

  func run() throws {
    let counts = threads.map { [$0] } ?? [1, 2]
    var results: [CTCBenchmark.Measurement] = []
    for shape in CTCBenchmark.standardShapes {
      for k in counts { results.append(try CTCBenchmark.measure(shape, threads: k, repeats: repeats)) }
    }
    print(CTCBenchmark.json(results))
  }
}
