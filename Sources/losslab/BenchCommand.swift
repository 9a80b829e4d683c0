import ArgumentParser

/// `losslab bench ...`: benchmarks that print JSON. Each group registers its subcommand here.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Benchmarks (print one JSON object; see BENCHMARKS.md for recorded figures).",
    subcommands: [
      BenchEnvCommand.self, BenchSpeechCommand.self, BenchCTCCommand.self, BenchBLEUCommand.self,
      BenchTensorCommand.self, BenchPPOCommand.self, BenchCTCDecodeCommand.self, BenchMRTCommand.self,
    ])
}
