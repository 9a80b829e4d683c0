import ArgumentParser
import Benchmarks

/// `losslab bench mrt`: MLE and minimum-risk training steps and decoding throughput.
struct BenchMRTCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mrt",
    abstract: "Time mrt training (MLE, risk) and decoding (greedy, beam 5, MBR) on the toy task; print JSON.")

  @Option(help: "Timed training steps of each objective (default 20).") var steps = 20
  @Option(help: "Risk candidates and MBR samples per source (default 20).") var samples = 20
  @Option(help: "Test sentences decoded (default 200).") var sentences = 200
  @Option(help: "BLAS threads (default 1).") var threads = 1
  @Flag(help: "Print JSON (the only output format; accepted for scripts).") var json = false

  func validate() throws {
    try Allowed.check("--steps", steps, 1...Limits.timedRepeats)
    try Allowed.check("--samples", samples, 1...Limits.samples)
    try Allowed.check("--sentences", sentences, 1...Limits.corpusPairs)
    try ThreadsOption.check(threads)
  }

  func run() throws {
    try printJSON(
      MRTBenchmark.measure(steps: steps, samples: samples, evalSentences: sentences, threads: threads))
  }
}
