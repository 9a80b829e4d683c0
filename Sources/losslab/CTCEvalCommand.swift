import ArgumentParser
import CTC
import Foundation
import Runs
import Training

extension CTCDecoding: ExpressibleByArgument {
  public init?(argument: String) { self.init(argument) }
}

/// `losslab ctc eval RUN`: CER/WER, examples and real-time factor of a trained run on one split.
struct CTCEvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Decode a corpus split with a trained run: CER, WER, example transcripts, real-time factor.")

  @Argument(help: "Run folder written by `losslab ctc train`.")
  var runFolder: String
  @Option(help: "Corpus folder (losslab ctc synth).")
  var data: String = "data/speech"
  @Option(help: "Split to decode: train, dev or test (default test).")
  var split: String = "test"
  @Option(help: "Decoder: greedy or beam:K with K >= 1 (default greedy).")
  var decoder: CTCDecoding = .greedy
  @Option(help: "Example transcripts to print (default 5).")
  var examples: Int = 5
  @Flag(help: "Print the report as JSON.")
  var json = false
  @OptionGroup var threads: ThreadsOption

  func validate() throws {
    guard ["train", "dev", "test"].contains(split) else {
      throw ValidationError("--split '\(split)': allowed train, dev, test")
    }
    try Allowed.path("RUN", runFolder)
    try Allowed.path("--data", data)
    try Allowed.check("--examples", examples, 0...Limits.repeats)
    if case .beam(let width) = decoder { try Allowed.check("--decoder", width, 1...Limits.beam, "beam:K") }
  }

  func run() throws {
    threads.apply()
    let report: CTCEvaluationReport
    do {
      report = try CTCTraining.evaluate(
        run: RunFolder(url: URL(fileURLWithPath: runFolder)), data: data, split: split, decoding: decoder,
        examples: examples)
    } catch let error as CTCTrainingError {
      throw ValidationError(error.description)
    }
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
      print(String(decoding: try encoder.encode(report), as: UTF8.self))
      return
    }
    print(
      "\(report.split): \(report.utterances) utterances, \(String(format: "%.1f", report.audioSeconds / 60)) min audio, "
        + "decoder \(report.decoder), checkpoint \(report.checkpoint)")
    print(
      String(
        format: "CER %.2f%% (%d/%d characters)  WER %.2f%% (%d/%d words)", 100 * report.cer,
        report.characterEdits,
        report.referenceCharacters, 100 * report.wer, report.wordEdits, report.referenceWords))
    print(
      String(
        format: "real-time factor %.5f (model %.3f s + decoder %.3f s for %.1f s of audio; features %.2f s)",
        report.realTimeFactor, report.modelSeconds, report.decoderSeconds, report.audioSeconds,
        report.featureSeconds))
    for e in report.examples {
      print("  ref: \(e.reference)\n  hyp: \(e.hypothesis)")
    }
    if !report.errors.isEmpty {
      print("errors:")
      for e in report.errors { print("  ref: \(e.reference)\n  hyp: \(e.hypothesis)") }
    }
  }
}
