import ArgumentParser
import CTC
import Core
import Foundation
import Runs
import Speech
import Training

/// `losslab ctc export RUN --onnx FILE`: the trained acoustic model as an ONNX model.
struct CTCExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract:
      "Export a trained CTC acoustic model as ONNX (IR 8, opset 17): log-mel features [batch, frames, bands] and lengths in; log-probabilities [batch, steps, classes] and output lengths out."
  )

  @Argument(help: "Run folder written by `losslab ctc train`.")
  var runFolder: String

  @Option(help: "ONNX model file to write.")
  var onnx: String?

  @Option(help: "Checkpoint step to load (default: the latest).")
  var checkpoint: Int?

  @Option(help: "Corpus folder whose utterances go into --reference-out (losslab ctc synth).")
  var data: String = "data/speech"

  @Option(help: "Split the reference utterances come from: train, dev or test (default test).")
  var split: String = "test"

  @Option(
    help: "Utterances (the first of --split) to run through LossLab's model for --reference-out (default 8).")
  var referenceUtterances: Int?

  @Option(
    help:
      "JSON file for the reference batch's features and LossLab's log-probabilities (for scripts/check_onnx_ctc.py)."
  )
  var referenceOut: String?

  static let maxReferenceUtterances = 1_000

  func validate() throws {
    try Allowed.path("RUN", runFolder)
    try Allowed.path("--onnx", onnx)
    try Allowed.path("--data", data)
    try Allowed.path("--reference-out", referenceOut)
    try Allowed.check("--checkpoint", checkpoint, 0...Limits.steps)
    try Allowed.check("--reference-utterances", referenceUtterances, 1...Self.maxReferenceUtterances)
    guard ["train", "dev", "test"].contains(split) else {
      throw ValidationError("--split '\(split)': allowed train, dev, test")
    }
    if onnx == nil {
      throw ValidationError("--onnx: allowed a file path for the model; it is required")
    }
    if referenceUtterances != nil && referenceOut == nil {
      throw ValidationError("--reference-out: allowed a file path; required with --reference-utterances")
    }
  }

  func run() throws {
    let folder = RunFolder(url: URL(fileURLWithPath: runFolder))
    var chosen: Checkpoint? = nil
    if let checkpoint {
      guard let found = folder.checkpoints().first(where: { $0.step == checkpoint }) else {
        let steps = folder.checkpoints().map { String($0.step) }.joined(separator: ", ")
        throw FileError(
          path: folder.url.path, reason: "no checkpoint at step \(checkpoint) (available: \(steps))")
      }
      chosen = found
    }
    let loaded: (model: AcousticModel, checkpoint: Checkpoint)
    do {
      let (model, _, checkpoint) = try CTCTraining.loadModel(from: folder, checkpoint: chosen)
      loaded = (model, checkpoint)
    } catch let error as CTCTrainingError {
      throw FileError(path: folder.url.path, reason: error.description)
    }
    let url = URL(fileURLWithPath: onnx ?? "model.onnx")
    try CTCExport.writeONNX(loaded.model, checkpoint: loaded.checkpoint, to: url)
    print("wrote \(url.path) (ONNX IR 8, opset 17; checkpoint at step \(loaded.checkpoint.step))")
    if let referenceOut {
      let manifest = URL(fileURLWithPath: data).appendingPathComponent("\(split).jsonl")
      let examples = Array(try SpeechExample.load(manifest: manifest).prefix(referenceUtterances ?? 8))
      let reference = URL(fileURLWithPath: referenceOut)
      try CTCExport.writeReference(model: loaded.model, examples: examples, to: reference)
      print("wrote \(reference.path) (\(examples.count) utterances of \(manifest.path))")
    }
  }
}
