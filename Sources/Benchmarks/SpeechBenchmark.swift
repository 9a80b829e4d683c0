import Foundation
import Speech
import Tensors

/// Times corpus synthesis and log-mel featurisation (the figures in BENCHMARKS.md).
public struct SpeechBenchmarkResult: Sendable, Codable {
  public var engine: String
  public var utterances: Int
  public var audioSeconds: Double
  public var synthSeconds: Double
  public var featureSeconds: Double
  public var frames: Int
  /// Audio seconds produced (or featurised) per wall-clock second.
  public var synthRealtimeFactor: Double
  public var featureRealtimeFactor: Double
  public var threads: Int
}

public enum SpeechBenchmark {
  /// Writes a corpus of `config.utterances` into `folder` with `engine`, then computes log-mel
  /// features of all of it.
  public static func run(_ config: SpeechCorpusConfig, engine: some SpeechEngine, folder: URL) throws
    -> SpeechBenchmarkResult
  {
    let summary = try SpeechCorpusWriter.write(config, engine: engine, to: folder)
    let entries = try Manifest.read(from: folder.appendingPathComponent("all.jsonl"))
    var features: [Tensor] = []
    let featureSeconds = try Timing.seconds {
      features = try LogMel().features(of: entries, manifestFolder: folder)
    }
    let audio = summary.seconds.values.reduce(0, +)
    return SpeechBenchmarkResult(
      engine: summary.engine, utterances: entries.count, audioSeconds: audio,
      synthSeconds: summary.wallSeconds,
      featureSeconds: featureSeconds, frames: features.reduce(0) { $0 + $1.shape[0] },
      synthRealtimeFactor: audio / summary.wallSeconds, featureRealtimeFactor: audio / featureSeconds,
      threads: ProcessInfo.processInfo.activeProcessorCount)
  }
}
