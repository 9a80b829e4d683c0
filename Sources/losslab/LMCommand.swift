import ArgumentParser
import CTC
import Core
import Foundation

/// `losslab lm ...`: n-gram language models.
struct LMCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lm", abstract: "N-gram language models (ARPA).", subcommands: [LMBuildCommand.self])
}

/// `losslab lm build TEXT --order N --out lm.arpa`: interpolated modified Kneser-Ney.
struct LMBuildCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "build",
    abstract:
      "Estimate an interpolated modified Kneser-Ney n-gram (Chen & Goodman 1998, as KenLM's lmplz) from text, one sentence per line, and write it as ARPA."
  )

  @Argument(help: "Text file, one sentence per line, words separated by whitespace.")
  var text: String
  @Option(help: "N-gram order (1...\(LMLimits.order), default 3).")
  var order: Int = 3
  @Option(help: "ARPA file to write.")
  var out: String

  func validate() throws {
    try Allowed.path("TEXT", text)
    try Allowed.check("--order", order, 1...LMLimits.order)
    try Allowed.path("--out", out)
  }

  func run() throws {
    guard let data = FileManager.default.contents(atPath: text),
      let body = String(data: data, encoding: .utf8)
    else {
      throw ValidationError("cannot read the text file \(text) as UTF-8")
    }
    let sentences = KneserNeyEstimation.sentences(body)
    guard !sentences.isEmpty else { throw ValidationError("\(text) holds no sentences") }
    let model = KneserNeyEstimation.estimate(sentences: sentences, order: order)
    try AtomicFile.write(KneserNeyEstimation.arpa(model), to: URL(fileURLWithPath: out))
    let counts = model.probabilities.map(\.count).map(String.init).joined(separator: ", ")
    print("wrote \(out): order \(order), \(sentences.count) sentences, n-grams per order \(counts)")
  }
}

enum LMLimits {
  static let order = 10
}
