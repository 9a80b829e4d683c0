import CTC
import Core
import Foundation
import Runs
import Speech

/// The decoder of `losslab ctc eval`: best path, prefix beam, or the flashlight-style lexicon
/// or lexicon-free beam search with an optional n-gram LM (``BeamDecoderSetup``).
public enum CTCEvalDecoder: Sendable, Equatable, CustomStringConvertible {
  case simple(CTCDecoding)
  case lexicon
  case lexiconFree

  /// Parses `greedy`, `beam:K`, `lexicon` or `lexicon-free`.
  public init?(_ text: String) {
    switch text {
    case "lexicon": self = .lexicon
    case "lexicon-free": self = .lexiconFree
    default:
      guard let d = CTCDecoding(text) else { return nil }
      self = .simple(d)
    }
  }

  public var description: String {
    switch self {
    case .simple(let d): return d.description
    case .lexicon: return "lexicon"
    case .lexiconFree: return "lexicon-free"
    }
  }
}

/// One point of the `--tune` grid and its dev error rates.
public struct CTCTuningPoint: Sendable, Codable, Equatable {
  public var lmWeight: Double
  public var wordScore: Double
  public var cer: Double
  public var wer: Double
}

/// Log-probabilities of a split's utterances under a model, computed once and decoded many times.
public struct CTCSplitEmissions: Sendable {
  /// Per utterance, `[frames, classes]` row-major log-softmax of the logits.
  public var logProbabilities: [[Float]]
  public var frames: [Int]
  public var references: [String]
  public var audioSeconds: Double
  public var modelSeconds: Double
  public var featureSeconds: Double
  public var classes: Int
}

extension CTCTraining {
  /// The model's classes as decoder tokens: "-" (blank), "|" (space, the silence token), a-z.
  public static var modelTokens: [String] {
    ["-", "|"] + "abcdefghijklmnopqrstuvwxyz".map { String($0) }
  }

  /// The grid of `--tune`: LM weights x word scores.
  public static let tuningLMWeights: [Double] = [0, 0.25, 0.5, 1, 1.5, 2, 3]
  public static let tuningWordScores: [Double] = [-2, -1, 0, 1, 2]

  /// Runs the model over `split` of `data` and keeps every utterance's log-probabilities.
  public static func emissions(
    model: AcousticModel, data: String, split: String, batchSize: Int = 32
  ) throws -> CTCSplitEmissions {
    let manifest = URL(fileURLWithPath: data).appendingPathComponent("\(split).jsonl")
    let featureStart = Date()
    let examples = try SpeechExample.load(manifest: manifest)
    let featureSeconds = Date().timeIntervalSince(featureStart)
    var none: RandomGenerator? = nil
    let batches = SpeechBatching.batches(lengths: examples.map(\.frames), batchSize: batchSize, using: &none)
    let classes = model.config.classes
    var rows = [[Float]](repeating: [], count: examples.count)
    var frames = [Int](repeating: 0, count: examples.count)
    let start = Date()
    for indices in batches {
      let batch = SpeechBatch(examples, indices: indices, stacking: model.config.stacking)
      let logits = model.logits(batch)
      for (b, i) in indices.enumerated() {
        var item = logits.timeMajorItem(b, frames: batch.lengths[b])
        for t in 0..<batch.lengths[b] {
          let row = t * classes
          var peak = -Float.infinity
          for c in 0..<classes { peak = max(peak, item[row + c]) }
          var sum: Float = 0
          for c in 0..<classes { sum += expf(item[row + c] - peak) }
          let shift = peak + logf(sum)
          for c in 0..<classes { item[row + c] -= shift }
        }
        rows[i] = item
        frames[i] = batch.lengths[b]
      }
    }
    return CTCSplitEmissions(
      logProbabilities: rows, frames: frames, references: examples.map(\.text),
      audioSeconds: examples.reduce(0) { $0 + $1.duration }, modelSeconds: Date().timeIntervalSince(start),
      featureSeconds: featureSeconds, classes: classes)
  }

  /// Transcripts of every utterance with `setup`, and the decoder seconds.
  public static func decode(_ emissions: CTCSplitEmissions, with setup: BeamDecoderSetup) -> (
    texts: [String], seconds: Double
  ) {
    let start = Date()
    let texts = emissions.logProbabilities.indices.map { i -> String in
      let results = setup.decode(emissions.logProbabilities[i][...], frames: emissions.frames[i])
      guard let best = results.first else { return "" }
      return setup.words(of: best).joined(separator: " ")
    }
    return (texts, Date().timeIntervalSince(start))
  }

  /// Decodes `split` with the lexicon / lexicon-free beam search. With `tune`, first decodes the
  /// dev split at every point of the grid (`tuningLMWeights` x `tuningWordScores`), keeps the
  /// lowest dev WER (then CER, then grid order), and decodes `split` once with it.
  public static func evaluateBeam(
    run: RunFolder, data: String, split: String, lexicon lexiconPath: String?, lm lmPath: String?,
    options: BeamDecoderOptions, tune: Bool, examples shown: Int = 5
  ) throws -> CTCEvaluationReport {
    let (model, _, chosen) = try loadModel(from: run)
    let tokens = try TokenDictionary(modelTokens)
    let lexicon = try lexiconPath.map { try Lexicon.load(path: $0, tokens: tokens) }
    let lm = try lmPath.map { try ARPALanguageModel.load(path: $0) }
    var options = options
    var grid: [CTCTuningPoint]? = nil
    if tune {
      let dev = try emissions(model: model, data: data, split: "dev")
      var points: [CTCTuningPoint] = []
      for weight in tuningLMWeights {
        for wordScore in tuningWordScores {
          var o = options
          o.lmWeight = weight
          o.wordScore = wordScore
          let setup = try BeamDecoderSetup(tokens: tokens, lexicon: lexicon, model: lm, options: o)
          var score = TranscriptScore()
          for (h, r) in zip(decode(dev, with: setup).texts, dev.references) {
            score.add(hypothesis: h, reference: r)
          }
          points.append(
            CTCTuningPoint(lmWeight: weight, wordScore: wordScore, cer: score.cer, wer: score.wer))
        }
      }
      if let best = points.min(by: { ($0.wer, $0.cer) < ($1.wer, $1.cer) }) {
        options.lmWeight = best.lmWeight
        options.wordScore = best.wordScore
      }
      grid = points
    }
    let setup = try BeamDecoderSetup(tokens: tokens, lexicon: lexicon, model: lm, options: options)
    let e = try emissions(model: model, data: data, split: split)
    let (texts, decoderSeconds) = decode(e, with: setup)
    var score = TranscriptScore()
    var errors: [CTCEvaluationReport.Example] = []
    for (hypothesis, reference) in zip(texts, e.references) {
      score.add(hypothesis: hypothesis, reference: reference)
      if errors.count < shown && ErrorRate.characters(hypothesis: hypothesis, reference: reference).edits > 0
      {
        errors.append(.init(reference: reference, hypothesis: hypothesis))
      }
    }
    let name = lexicon == nil ? "lexicon-free" : "lexicon"
    var report = CTCEvaluationReport(
      run: run.url.path, checkpoint: chosen.weightsURL.lastPathComponent, split: split,
      decoder: "\(name)(beam \(options.beamSize), lm \(lmPath == nil ? "none" : "n-gram"), lm_weight "
        + "\(options.lmWeight), word_score \(options.wordScore))",
      utterances: texts.count, cer: score.cer, wer: score.wer, characterEdits: score.characters.edits,
      referenceCharacters: score.characters.referenceLength, wordEdits: score.words.edits,
      referenceWords: score.words.referenceLength, audioSeconds: e.audioSeconds, modelSeconds: e.modelSeconds,
      decoderSeconds: decoderSeconds, featureSeconds: e.featureSeconds,
      realTimeFactor: e.audioSeconds > 0 ? (e.modelSeconds + decoderSeconds) / e.audioSeconds : 0,
      examples: zip(e.references, texts).prefix(shown).map { .init(reference: $0, hypothesis: $1) },
      errors: errors)
    report.tuning = grid
    return report
  }
}
