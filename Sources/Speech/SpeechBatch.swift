import Core
import Foundation
import Tensors

/// One utterance ready for a CTC model: its log-mel features and character labels.
public struct SpeechExample: Sendable {
  /// `[frames, bands]` log-mel features.
  public var features: Tensor
  /// `SpeechAlphabet` labels of the transcript (1...27, no blanks).
  public var labels: [Int]
  public var text: String
  /// Audio length in seconds (for the real-time factor).
  public var duration: Double

  public init(features: Tensor, labels: [Int], text: String, duration: Double) {
    precondition(features.rank == 2, "SpeechExample features must be [frames, bands], got \(features.shape)")
    self.features = features
    self.labels = labels
    self.text = text
    self.duration = duration
  }

  public var frames: Int { features.shape[0] }

  /// The examples of one manifest, featurised in parallel with `logMel`.
  /// - Throws: ``SpeechCorpusError`` for a transcript outside `SpeechAlphabet`, or the
  ///   manifest / audio reader's error.
  public static func load(manifest url: URL, logMel: LogMel = LogMel()) throws -> [SpeechExample] {
    let entries = try Manifest.read(from: url)
    guard !entries.isEmpty else {
      throw SpeechCorpusError("\(url.path): the manifest lists no utterances; a split needs at least one")
    }
    let folder = url.deletingLastPathComponent()
    let features = try logMel.features(of: entries, manifestFolder: folder)
    return try zip(entries, features).enumerated().map { line, pair in
      let (entry, features) = pair
      guard let labels = SpeechAlphabet.encode(entry.text) else {
        throw SpeechCorpusError(
          "\(url.path) line \(line + 1): transcript '\(entry.text)' has characters outside a-z and space")
      }
      return SpeechExample(features: features, labels: labels, text: entry.text, duration: entry.duration)
    }
  }
}

/// The strided front-end's input: each output frame `t'` stacks the input frames
/// `stride * t' - context ..< stride * (t' + 1) + context` (zeros outside the utterance), so a
/// linear layer over the stack is a 1-D convolution of width `stride + 2 context` and stride
/// `stride` over time, and the recurrent layers see `stride` times fewer steps.
public struct FrameStacking: Sendable, Codable, Equatable {
  public var stride: Int
  public var context: Int

  public init(stride: Int = 3, context: Int = 1) {
    precondition(
      stride >= 1 && context >= 0, "FrameStacking needs stride >= 1, context >= 0; got \(stride), \(context)")
    self.stride = stride
    self.context = context
  }

  /// Frames stacked per output frame.
  public var window: Int { stride + 2 * context }

  /// Output frames for `frames` input frames: `ceil(frames / stride)`.
  public func outputFrames(_ frames: Int) -> Int { (frames + stride - 1) / stride }

  /// Writes the stacked frames of `features` `[frames, bands]` into rows `row(t')` of `out`, each
  /// `window * bands` wide (positions outside the utterance are left as they are: zero them first).
  @inline(__always)
  func stack(
    _ features: UnsafeBufferPointer<Float>, frames: Int, bands: Int, into out: UnsafeMutablePointer<Float>,
    rowStride: Int
  ) {
    for t in 0..<outputFrames(frames) {
      let row = out + t * rowStride
      let first = t * stride - context
      for k in 0..<window {
        let f = first + k
        guard f >= 0 && f < frames else { continue }
        (row + k * bands).update(from: features.baseAddress! + f * bands, count: bands)
      }
    }
  }
}

/// SpecAugment-style masking (Park et al. 2019, section 2) for training batches: `frequencyMasks`
/// bands of width 0...`frequencyWidth` and `timeMasks` spans of 0...`timeWidth` frames (at most
/// `maxTimeFraction` of the utterance each) are set to 0, the mean of normalised features.
public struct SpecAugment: Sendable, Codable, Equatable {
  public var frequencyMasks = 2
  public var frequencyWidth = 10
  public var timeMasks = 2
  public var timeWidth = 20
  public var maxTimeFraction = 0.2

  public init() {}

  /// Masks `features` `[frames, bands]` in place.
  public func apply(_ features: inout Tensor, using rng: inout RandomGenerator) {
    let (frames, bands) = (features.shape[0], features.shape[1])
    guard frames > 0 else { return }
    features.data.withUnsafeMutableBufferPointer { x in
      for _ in 0..<frequencyMasks {
        let width = rng.int(below: Swift.min(frequencyWidth, bands) + 1)
        let start = rng.int(below: bands - width + 1)
        for t in 0..<frames { for f in start..<(start + width) { x[t * bands + f] = 0 } }
      }
      let limit = Swift.min(timeWidth, Int(maxTimeFraction * Double(frames)))
      for _ in 0..<timeMasks {
        let width = rng.int(below: limit + 1)
        let start = rng.int(below: frames - width + 1)
        for t in start..<(start + width) { for f in 0..<bands { x[t * bands + f] = 0 } }
      }
    }
  }
}

/// A padded, time-major batch of stacked features with per-item lengths.
public struct SpeechBatch: Sendable {
  /// `[T', B, window * bands]` stacked features (zero after each item's length).
  public var input: Tensor
  /// Valid output frames of each item (`FrameStacking.outputFrames`).
  public var lengths: [Int]
  /// Labels of each item.
  public var labels: [[Int]]
  /// Positions of the items in the example array.
  public var indices: [Int]

  /// Stacks `examples[indices]`; with `augment`, each item is masked first (its own draws from `rng`).
  public init(
    _ examples: [SpeechExample], indices: [Int], stacking: FrameStacking, augment: SpecAugment? = nil,
    using rng: inout RandomGenerator
  ) {
    precondition(!indices.isEmpty, "SpeechBatch needs at least one item")
    let bands = examples[indices[0]].features.shape[1]
    let batch = indices.count
    let lengths = indices.map { stacking.outputFrames(examples[$0].frames) }
    let steps = lengths.max()!
    let width = stacking.window * bands
    var data = [Float](repeating: 0, count: steps * batch * width)
    data.withUnsafeMutableBufferPointer { out in
      for (b, i) in indices.enumerated() {
        var features = examples[i].features
        precondition(
          features.shape[1] == bands, "SpeechBatch: item \(i) has \(features.shape[1]) bands, not \(bands)")
        if let augment { augment.apply(&features, using: &rng) }
        features.data.withUnsafeBufferPointer { f in
          stacking.stack(
            f, frames: examples[i].frames, bands: bands, into: out.baseAddress! + b * width,
            rowStride: batch * width)
        }
      }
    }
    input = Tensor(shape: [steps, batch, width], data: data)
    self.lengths = lengths
    labels = indices.map { examples[$0].labels }
    self.indices = indices
  }

  /// A batch without augmentation (evaluation).
  public init(_ examples: [SpeechExample], indices: [Int], stacking: FrameStacking) {
    var unused = RandomGenerator(seed: 0)
    self.init(examples, indices: indices, stacking: stacking, augment: nil, using: &unused)
  }
}

/// Length-bucketed batching: similar lengths share a batch, so little compute goes to padding.
public enum SpeechBatching {
  /// Batches of up to `batchSize` indices for items of the given `lengths`.
  ///
  /// With `rng` (training): items are sorted by their length times a random factor in
  /// `1 +- jitter`, so batch membership changes every epoch, then the batch order is shuffled.
  /// Without (evaluation): sorted by length, in order.
  public static func batches(
    lengths: [Int], batchSize: Int, jitter: Double = 0.15, using rng: inout RandomGenerator?
  ) -> [[Int]] {
    precondition(batchSize >= 1, "batchSize must be >= 1, got \(batchSize)")
    var keys = lengths.map(Double.init)
    if rng != nil {
      for i in keys.indices { keys[i] *= 1 + rng!.uniform(-jitter, jitter) }
    }
    let order = keys.indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
    var batches = stride(from: 0, to: order.count, by: batchSize).map {
      Array(order[$0..<Swift.min($0 + batchSize, order.count)])
    }
    if rng != nil { rng!.shuffle(&batches) }
    return batches
  }
}
