import ArgumentParser
import Benchmarks
import Foundation
import Speech

/// `losslab bench speech`: time synthesising a corpus and featurising it; prints JSON.
struct BenchSpeechCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "speech", abstract: "Time `ctc synth` corpus generation and log-mel featurisation (JSON).")

  @Option(help: "Utterances to synthesise (default 2000).")
  var utterances: Int = 2000
  @Option(help: "Engine: builtin or espeak-ng (default builtin).")
  var engine: CTCSynthCommand.Engine = .builtin
  @Option(help: "Scratch folder for the corpus (default: a temporary folder, removed afterwards).")
  var out: String?

  func validate() throws {
    try Allowed.check("--utterances", utterances, 1...Limits.utterances)
    try Allowed.path("--out", out)
  }

  func run() throws {
    let folder =
      out.map { URL(fileURLWithPath: $0) }
      ?? FileManager.default.temporaryDirectory.appendingPathComponent("losslab-bench-speech-\(getpid())")
    defer { if out == nil { try? FileManager.default.removeItem(at: folder) } }
    var config = SpeechCorpusConfig()
    config.utterances = utterances
    let result: SpeechBenchmarkResult
    switch engine {
    case .builtin:
      result = try SpeechBenchmark.run(config, engine: BuiltinSpeechEngine(), folder: folder)
    case .espeakNG:
      let scratch = folder.appendingPathComponent(".espeak-scratch")
      try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
      result = try SpeechBenchmark.run(
        config, engine: try EspeakEngine(scratchFolder: scratch), folder: folder)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try encoder.encode(result), as: UTF8.self))
  }
}
