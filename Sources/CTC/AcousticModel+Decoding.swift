import Core
import Foundation
import Speech
import Tensors

/// How logits become text: best path or CTC prefix beam search (``CTCDecoder``).
public enum CTCDecoding: Sendable, Equatable, Codable, CustomStringConvertible {
  case greedy
  case beam(width: Int)

  /// Parses `greedy` or `beam:K` (K >= 1).
  public init?(_ text: String) {
    if text == "greedy" {
      self = .greedy
    } else if text.hasPrefix("beam:"), let k = Int(text.dropFirst("beam:".count)), k >= 1 {
      self = .beam(width: k)
    } else {
      return nil
    }
  }

  public var description: String {
    switch self {
    case .greedy: return "greedy"
    case .beam(let k): return "beam:\(k)"
    }
  }

  /// The labels decoded from one item's logits `[frames, classes]` (row-major).
  public func decode(_ scores: [Float], frames: Int, classes: Int, blank: Int = SpeechAlphabet.blank) -> [Int]
  {
    switch self {
    case .greedy:
      return CTCDecoder.greedy(scores, frames: frames, classes: classes, blank: blank).labels
    case .beam(let k):
      return CTCDecoder.beamSearch(scores, frames: frames, classes: classes, blank: blank, beamWidth: k)
        .first?.labels ?? []
    }
  }

  public init(from decoder: Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let value = CTCDecoding(text) else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: decoder.codingPath, debugDescription: "decoder '\(text)' is not greedy or beam:K"))
    }
    self = value
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}

extension Tensor {
  /// Item `b`'s first `frames` rows of time-major logits `[T, B, C]`, as `[frames, C]` row-major.
  public func timeMajorItem(_ b: Int, frames: Int) -> [Float] {
    let (batch, classes) = (shape[1], shape[2])
    var out = [Float](repeating: 0, count: frames * classes)
    data.withUnsafeBufferPointer { x in
      out.withUnsafeMutableBufferPointer { o in
        for t in 0..<frames {
          (o.baseAddress! + t * classes).update(
            from: x.baseAddress! + (t * batch + b) * classes, count: classes)
        }
      }
    }
    return out
  }
}

/// Transcripts of a set of examples, with the time spent in the model and the decoder.
public struct Transcription: Sendable {
  /// One transcript per example, in the examples' order.
  public var texts: [String]
  /// Seconds in the model's forward passes (batch stacking included).
  public var modelSeconds: Double
  /// Seconds in the decoder.
  public var decoderSeconds: Double
}

extension AcousticModel {
  /// Decodes every example, `batchSize` at a time (sorted by length, so little padding).
  public func transcribe(
    _ examples: [SpeechExample], decoding: CTCDecoding = .greedy, batchSize: Int = 32
  ) -> Transcription {
    var none: RandomGenerator? = nil
    let batches = SpeechBatching.batches(
      lengths: examples.map(\.frames), batchSize: batchSize, using: &none)
    var texts = [String](repeating: "", count: examples.count)
    var (modelSeconds, decoderSeconds) = (0.0, 0.0)
    let classes = config.classes
    for indices in batches {
      let start = DispatchTime.now().uptimeNanoseconds
      let batch = SpeechBatch(examples, indices: indices, stacking: config.stacking)
      let logits = self.logits(batch)
      let mid = DispatchTime.now().uptimeNanoseconds
      for (b, i) in indices.enumerated() {
        let frames = batch.lengths[b]
        let labels = decoding.decode(
          logits.timeMajorItem(b, frames: frames), frames: frames, classes: classes)
        texts[i] = SpeechAlphabet.decode(labels)
      }
      let end = DispatchTime.now().uptimeNanoseconds
      modelSeconds += Double(mid - start) / 1e9
      decoderSeconds += Double(end - mid) / 1e9
    }
    return Transcription(texts: texts, modelSeconds: modelSeconds, decoderSeconds: decoderSeconds)
  }
}
