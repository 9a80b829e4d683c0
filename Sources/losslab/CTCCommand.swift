import ArgumentParser
import CTC
import Core
import Foundation

/// `losslab ctc ...`: CTC tools.
struct CTCCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ctc",
    abstract:
      "Connectionist temporal classification: loss reference cases, synthetic speech, training, decoding.",
    subcommands: [
      CTCCasesCommand.self, CTCSynthCommand.self, CTCTrainCommand.self, CTCEvalCommand.self,
      CTCExportCommand.self,
      CTCDecodeCommand.self, CTCCorpusCommand.self,
    ])
}

/// `losslab ctc cases IN.json OUT.json`: recompute a reference-case file with LossLab's CTC.
struct CTCCasesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cases",
    abstract:
      "Read CTC reference cases (FORMAT.md) and write the same file with LossLab's losses and gradients.")

  @Argument(help: "Input JSON in the CTC reference-case format.")
  var input: String

  @Argument(
    help: "Output JSON (same structure, our `losses`, `loss_mean`, `loss_sum`, `loss`, `grad_logits`).")
  var output: String

  @Option(help: "Worker threads.")
  var threads: Int = ProcessInfo.processInfo.activeProcessorCount

  func validate() throws {
    try Allowed.path("INPUT", input)
    try Allowed.path("OUTPUT", output)
    try Allowed.check("--threads", threads, 1...Limits.workers)
  }

  func run() throws {
    guard let data = FileManager.default.contents(atPath: input) else {
      throw ValidationError("cannot read the input file \(input)")
    }
    let original: CTCReferenceFile
    do {
      original = try CTCReferenceFile.decode(data)
    } catch {
      throw ValidationError("\(input) is not in the CTC reference-case format (FORMAT.md): \(error)")
    }
    let filled = try original.filled(threads: threads)
    try AtomicFile.write(filled.encoded(), to: URL(fileURLWithPath: output))
    let d = filled.differences(from: original)
    print(
      "wrote \(output): \(filled.cases.count) cases; against \(input): loss max relative difference "
        + "\(d.loss), gradient max absolute difference \(d.gradient)")
  }
}
