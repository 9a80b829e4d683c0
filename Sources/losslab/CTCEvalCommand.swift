import ArgumentParser
import CTC
import Foundation
import Runs
import Training

extension CTCDecoding: ExpressibleByArgument {
  public init?(argument: String) { self.init(argument) }
}

extension CTCEvalDecoder: ExpressibleByArgument {
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
  @Option(
    help:
      "Decoder: greedy, beam:K (prefix beam, K >= 1), lexicon (needs --lexicon) or lexicon-free (default greedy)."
  )
  var decoder: CTCEvalDecoder = .simple(.greedy)
  @Option(help: "lexicon: word list, 'word w o r d |' lines over the tokens -, |, a-z.")
  var lexicon: String?
  @Option(help: "lexicon / lexicon-free: ARPA n-gram LM (words, or characters without a lexicon).")
  var lm: String?
  @Option(help: "lexicon / lexicon-free: hypotheses kept per frame (1...\(Limits.beam), default 50).")
  var beamSize: Int = 50
  @Option(help: "lexicon / lexicon-free: beam threshold (0...\(CTCDecodeLimits.score), default 25).")
  var beamThreshold: Double = 25
  @Option(help: "lexicon / lexicon-free: LM weight (default 2).")
  var lmWeight: Double = 2
  @Option(help: "lexicon / lexicon-free: score per word (default 0).")
  var wordScore: Double = 0
  @Option(help: "lexicon / lexicon-free: score per silence frame (default 0).")
  var silScore: Double = 0
  @Flag(
    help:
      "lexicon / lexicon-free: pick --lm-weight and --word-score on the dev split by a grid, then decode --split once."
  )
  var tune = false
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
    if case .simple(.beam(let width)) = decoder {
      try Allowed.check("--decoder", width, 1...Limits.beam, "beam:K")
    }
    try Allowed.path("--lexicon", lexicon)
    try Allowed.path("--lm", lm)
    try Allowed.check("--beam-size", beamSize, 1...Limits.beam)
    let s = CTCDecodeLimits.score
    try Allowed.check("--beam-threshold", beamThreshold, 0...s)
    try Allowed.check("--lm-weight", lmWeight, -s...s)
    try Allowed.check("--word-score", wordScore, -s...s)
    try Allowed.check("--sil-score", silScore, -s...s)
    switch decoder {
    case .simple:
      if lexicon != nil || lm != nil || tune {
        throw ValidationError("--lexicon, --lm and --tune need --decoder lexicon or lexicon-free")
      }
    case .lexicon:
      if lexicon == nil { throw ValidationError("--decoder lexicon needs --lexicon FILE") }
    case .lexiconFree:
      if lexicon != nil { throw ValidationError("--lexicon needs --decoder lexicon") }
    }
    if tune && split == "dev" {
      throw ValidationError("--tune picks the LM weight on dev; choose --split test (or train)")
    }
  }

  func run() throws {
    threads.apply()
    let report: CTCEvaluationReport
    do {
      let run = RunFolder(url: URL(fileURLWithPath: runFolder))
      switch decoder {
      case .simple(let decoding):
        report = try CTCTraining.evaluate(
          run: run, data: data, split: split, decoding: decoding, examples: examples)
      case .lexicon, .lexiconFree:
        var o = BeamDecoderOptions()
        o.beamSize = beamSize
        o.beamThreshold = beamThreshold
        o.lmWeight = lmWeight
        o.wordScore = wordScore
        o.silScore = silScore
        report = try CTCTraining.evaluateBeam(
          run: run, data: data, split: split, lexicon: lexicon, lm: lm, options: o, tune: tune,
          examples: examples)
      }
    } catch let error as CTCTrainingError {
      throw ValidationError(error.description)
    } catch let error as TextFileError {
      throw ValidationError(error.description)
    }
    if let grid = report.tuning, !json {
      print("dev grid (lm_weight, word_score: WER, CER):")
      for p in grid {
        print(
          String(
            format: "  %.2f, %+.1f: WER %.2f%%  CER %.2f%%", p.lmWeight, p.wordScore, 100 * p.wer, 100 * p.cer
          ))
      }
    }
    if json {
      try printJSON(report, pretty: true)
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
