import ArgumentParser
import BLEU
import Foundation

extension BLEUTokenizer: ExpressibleByArgument {}
extension BLEUSmoothingMethod: ExpressibleByArgument {}

/// `losslab bleu REF [REF...] -i HYP`: sacrebleu's BLEU with sacrebleu's flag names.
struct BLEUCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bleu",
    abstract: "Corpus or sentence BLEU, exactly as sacrebleu 2.x computes it.",
    discussion: """
      Reads the hypotheses from -i (or standard input) and one reference file per argument, one \
      segment per line. Prints `BLEU = ...` like sacrebleu's score string, or a JSON object with \
      sacrebleu's keys (--json / -f json). --sentence-level scores each line (effective order on, \
      as sacrebleu does).
      """)

  enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    case text, json
  }

  @Argument(help: "Reference files (one segment per line; several files: several references).")
  var references: [String]

  @Option(
    name: [.customShort("i"), .customLong("input")], help: "Hypothesis file (default: standard input).")
  var input: String?

  @Option(
    name: [.customLong("tok", withSingleDash: true), .customLong("tokenize")],
    help: "Tokenizer: \(BLEUTokenizer.allCases.map(\.rawValue).joined(separator: ", ")).")
  var tokenize: BLEUTokenizer = .thirteenA

  @Flag(
    name: [.customLong("lc", withSingleDash: true), .customLong("lowercase")],
    help: "Lowercase the text (Python's str.lower()).")
  var lowercase = false

  @Option(
    name: [.customShort("s"), .customLong("smooth-method")],
    help: "Smoothing: \(BLEUSmoothingMethod.allCases.map(\.rawValue).joined(separator: ", ")).")
  var smoothMethod: BLEUSmoothingMethod = .exp

  @Option(
    name: [.customLong("sv", withSingleDash: true), .customLong("smooth-value")],
    help: "Smoothing value for floor (default 0.1) and add-k (default 1).")
  var smoothValue: Double?

  @Flag(
    name: .customLong("effective-order"),
    help: "Average precisions only up to the highest order with n-grams.")
  var effectiveOrder = false

  @Flag(name: .customLong("sentence-level"), help: "Score every line (one result per line).")
  var sentenceLevel = false

  @Flag(help: "Print JSON (same as -f json).")
  var json = false

  @Option(name: [.customShort("f"), .customLong("format")], help: "Output format: text (default) or json.")
  var format: OutputFormat?

  @Flag(name: [.customShort("b"), .customLong("score-only")], help: "Print only the score.")
  var scoreOnly = false

  @Option(
    name: [.customShort("w"), .customLong("width")], help: "Decimals of the printed score (text output).")
  var width = 2

  func validate() throws {
    guard !references.isEmpty else { throw ValidationError("Give at least one reference file.") }
    for path in references { try Allowed.path("REFERENCES", path) }
    try Allowed.path("--input", input)
    try Allowed.check("--width", width, 0...17)
    try Allowed.check("--smooth-value", smoothValue, 0...1_000_000)
    if json && format == .text { throw ValidationError("--json and -f text contradict each other.") }
  }

  func run() throws {
    let hypotheses: BLEUSegments
    if let input {
      hypotheses = try Self.read(input)
    } else {
      let data = FileHandle.standardInput.readDataToEndOfFile()
      hypotheses = BLEUSegments(utf8: [UInt8](data), name: "standard input")
    }
    let refs = try references.map(Self.read)
    let isJSON = json || format == .json
    var settings = BLEUSettings(
      tokenizer: tokenize, lowercase: lowercase, smoothing: BLEUSmoothing(smoothMethod, value: smoothValue),
      effectiveOrder: effectiveOrder || sentenceLevel)
    if sentenceLevel { settings.effectiveOrder = true }  // sacrebleu forces it for sentence BLEU
    let bleu = BLEU(settings)
    let signature = bleu.signature(referenceCount: refs.count)

    let width = self.width
    if sentenceLevel {
      let render: @Sendable (BLEUScore) -> String
      if scoreOnly {
        render = { BLEUScore.fixed($0.score, width) }
      } else if isJSON {
        let formatter = BLEUJSONFormatter(signature: signature, pretty: false)
        render = { formatter.format($0) }
      } else {
        render = { $0.formatted(width: width) }
      }
      let out = try bleu.sentenceLines(hypotheses: hypotheses, references: refs, render: render)
      FileHandle.standardOutput.write(Data(out.utf8))
    } else {
      let score = try bleu.corpusScore(hypotheses: hypotheses, references: refs)
      if scoreOnly {
        print(BLEUScore.fixed(score.score, width))
      } else if isJSON {
        print(score.json(signature: signature, pretty: true))
      } else {
        print(score.formatted(width: width))
      }
    }
  }

  private static func read(_ path: String) throws -> BLEUSegments {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
      throw ReadError(path: path, reason: "is a directory, not a file")
    }
    do {
      return try BLEUSegments(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw ReadError(path: path, reason: error.plainReason)
    }
  }

  struct ReadError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "cannot read \(path): \(reason)" }
  }
}
