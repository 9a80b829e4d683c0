import CTC
import Foundation
import Runs
import Speech

/// The result of decoding one split with a trained run (`losslab ctc eval`).
public struct CTCEvaluationReport: Sendable, Codable, Equatable {
  public struct Example: Sendable, Codable, Equatable {
    public var reference: String
    public var hypothesis: String
  }

  public var run: String
  public var checkpoint: String
  public var split: String
  public var decoder: String
  public var utterances: Int
  /// Character and word error rates: total edits / total reference length.
  public var cer: Double
  public var wer: Double
  public var characterEdits: Int
  public var referenceCharacters: Int
  public var wordEdits: Int
  public var referenceWords: Int
  /// Seconds of audio decoded.
  public var audioSeconds: Double
  /// Seconds in the model's forward passes and in the decoder.
  public var modelSeconds: Double
  public var decoderSeconds: Double
  /// Seconds computing log-mel features (not in the real-time factor).
  public var featureSeconds: Double
  /// (model + decoder seconds) / audio seconds: below 1 is faster than real time.
  public var realTimeFactor: Double
  /// The first few utterances of the split with their transcripts.
  public var examples: [Example]
  /// Utterances decoded with at least one error (up to a few).
  public var errors: [Example]
  /// With `--tune`: the dev error rates of every (lm_weight, word_score) tried.
  public var tuning: [CTCTuningPoint]? = nil
}

extension CTCTraining {
  /// Decodes `split` of the corpus at `data` with the run's latest (or the given) checkpoint.
  public static func evaluate(
    run: RunFolder, data: String, split: String, decoding: CTCDecoding, checkpoint: Checkpoint? = nil,
    batchSize: Int = 32, examples shown: Int = 5
  ) throws -> CTCEvaluationReport {
    let (model, _, chosen) = try loadModel(from: run, checkpoint: checkpoint)
    let manifest = URL(fileURLWithPath: data).appendingPathComponent("\(split).jsonl")
    let featureStart = Date()
    let examples = try SpeechExample.load(manifest: manifest)
    let featureSeconds = Date().timeIntervalSince(featureStart)
    let out = model.transcribe(examples, decoding: decoding, batchSize: batchSize)
    var score = TranscriptScore()
    var errors: [CTCEvaluationReport.Example] = []
    for (example, hypothesis) in zip(examples, out.texts) {
      score.add(hypothesis: hypothesis, reference: example.text)
      if errors.count < shown
        && ErrorRate.characters(hypothesis: hypothesis, reference: example.text).edits > 0
      {
        errors.append(.init(reference: example.text, hypothesis: hypothesis))
      }
    }
    let audio = examples.reduce(0) { $0 + $1.duration }
    return CTCEvaluationReport(
      run: run.url.path, checkpoint: chosen.weightsURL.lastPathComponent, split: split,
      decoder: decoding.description, utterances: examples.count, cer: score.cer, wer: score.wer,
      characterEdits: score.characters.edits, referenceCharacters: score.characters.referenceLength,
      wordEdits: score.words.edits, referenceWords: score.words.referenceLength, audioSeconds: audio,
      modelSeconds: out.modelSeconds, decoderSeconds: out.decoderSeconds, featureSeconds: featureSeconds,
      realTimeFactor: audio > 0 ? (out.modelSeconds + out.decoderSeconds) / audio : 0,
      examples: zip(examples, out.texts).prefix(shown).map { .init(reference: $0.text, hypothesis: $1) },
      errors: errors)
  }
}
