import ArgumentParser
import BLEU
import Benchmarks
import Foundation

/// `losslab bench bleu`: corpus BLEU of 100,000 lines and sentence BLEU of 10,000 pairs.
struct BenchBLEUCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bleu",
    abstract: "Time corpus BLEU (100,000 lines) and sentence BLEU (10,000 pairs) against sacrebleu's anchors."
  )

  @Option(help: "Lines of the generated corpus.")
  var lines = 100_000

  @Option(help: "Sentence pairs scored one by one.")
  var sentences = 10_000

  @Option(help: "Runs per measurement (the median is reported).")
  var repeats = 3

  @Option(help: "Seed of the generated text.")
  var seed: UInt64 = 2026

  @Flag(help: "Print the JSON report (the only output format; accepted for symmetry with other benchmarks).")
  var json = false

  @Option(help: "Write the generated files into this folder and keep them (default: a temporary folder).")
  var folder: String?

  @Flag(help: "Skip timing `losslab bleu` as separate processes.")
  var noProcess = false

  func validate() throws {
    try Allowed.check("--lines", lines, 1...Limits.corpusPairs)
    try Allowed.check("--sentences", sentences, 1...lines, "at most --lines")
    try Allowed.check("--repeats", repeats, 1...Limits.timedRepeats)
    try Allowed.path("--folder", folder)
  }

  func run() throws {
    let executable = noProcess ? nil : Bundle.main.executableURL
    let report = try BLEUBenchmark.run(
      lines: lines, sentencePairs: sentences, repeats: repeats, seed: seed, executable: executable,
      folder: folder.map { URL(fileURLWithPath: $0) })
    print(report.json)
  }
}
