import Core
import Foundation
import Tensors

/// Train, dev or test.
public enum CorpusSplit: String, Sendable, Codable, CaseIterable {
  case train, dev, test
}

/// What a synthetic digit-string corpus contains. Every draw comes from
/// `RandomGenerator(seed: seed, stream: s)`: stream 0 draws the speakers, stream 1 the
/// transcripts and speaker assignment, stream `16 + i` renders utterance `i`, so the corpus is
/// the same whatever the thread count.
public struct SpeechCorpusConfig: Sendable, Equatable {
  public var utterances = 2000
  public var seed: UInt64 = 1
  /// Words per utterance, uniform in `minWords...maxWords`.
  public var minWords = 2
  public var maxWords = 5
  /// Signal-to-noise ratio per utterance, uniform in this range (dB).
  public var snrDb: ClosedRange<Double> = 20...30
  public var devFraction = 0.1
  public var testFraction = 0.1
  public var sampleRate = 16000
  /// Transcripts to draw from (each utterance one line, uniformly; a-z and single spaces); nil
  /// for digit strings of `minWords...maxWords` words.
  public var sentences: [String]? = nil

  public init() {}
}

/// A speaker of the corpus with the split that uses it. Exactly one of `builtin` / `espeak`
/// holds the engine's settings.
public struct CorpusSpeaker: Sendable, Codable, Equatable {
  public var id: String
  public var split: CorpusSplit
  public var builtin: SyntheticSpeaker?
  public var espeak: EspeakSpeaker?

  public init(id: String, split: CorpusSplit, builtin: SyntheticSpeaker? = nil, espeak: EspeakSpeaker? = nil)
  {
    self.id = id
    self.split = split
    self.builtin = builtin
    self.espeak = espeak
  }
}

/// One utterance to render.
public struct PlannedUtterance: Sendable, Equatable {
  public var index: Int
  public var id: String
  public var split: CorpusSplit
  /// Index into the corpus speakers.
  public var speaker: Int
  public var words: [String]
  public var snrDb: Double
  public var text: String { words.joined(separator: " ") }
}

/// A speech generator the corpus writer can drive.
public protocol SpeechEngine: Sendable {
  /// Name recorded in `speakers.json` ("builtin", "espeak-ng").
  var name: String { get }
  /// The corpus speakers, each assigned to a split; dev and test speakers never appear in train.
  func speakers(using rng: inout RandomGenerator) throws -> [CorpusSpeaker]
  /// Renders one utterance at `sampleRate`.
  func render(
    _ utterance: PlannedUtterance, speaker: CorpusSpeaker, sampleRate: Int, using rng: inout RandomGenerator
  )
    throws -> Waveform
}

public enum SpeechCorpus {
  /// Splits `config.utterances` into train, dev and test (in that index order; dev and test get
  /// `round(fraction * utterances)` each), draws each transcript and a speaker of the split.
  public static func plan(_ config: SpeechCorpusConfig, speakers: [CorpusSpeaker]) -> [PlannedUtterance] {
    precondition(
      config.minWords >= 1 && config.minWords <= config.maxWords,
      "SpeechCorpusConfig needs 1 <= minWords (\(config.minWords)) <= maxWords (\(config.maxWords))")
    var rng = RandomGenerator(seed: config.seed, stream: 1)
    let n = config.utterances
    let nTest = Int((Double(n) * config.testFraction).rounded())
    let nDev = Int((Double(n) * config.devFraction).rounded())
    let nTrain = max(0, n - nTest - nDev)
    var bySplit: [CorpusSplit: [Int]] = [:]
    for (i, s) in speakers.enumerated() { bySplit[s.split, default: []].append(i) }
    var plan: [PlannedUtterance] = []
    plan.reserveCapacity(n)
    for i in 0..<n {
      let split: CorpusSplit = i < nTrain ? .train : (i < nTrain + nDev ? .dev : .test)
      guard let pool = bySplit[split], !pool.isEmpty else {
        preconditionFailure("SpeechCorpus.plan: no speakers for the \(split) split")
      }
      let speaker = pool[rng.int(below: pool.count)]
      let words: [String]
      if let sentences = config.sentences, !sentences.isEmpty {
        words = sentences[rng.int(below: sentences.count)].split(separator: " ").map(String.init)
      } else {
        let count = config.minWords + rng.int(below: config.maxWords - config.minWords + 1)
        words = (0..<count).map { _ in SpeechUnits.digitWords[rng.int(below: SpeechUnits.digitWords.count)] }
      }
      let snr = rng.uniform(config.snrDb.lowerBound, config.snrDb.upperBound)
      plan.append(
        PlannedUtterance(
          index: i, id: String(format: "utt-%06d", i), split: split, speaker: speaker, words: words,
          snrDb: snr))
    }
    return plan
  }

  /// The generator of utterance `index`.
  public static func renderGenerator(seed: UInt64, index: Int) -> RandomGenerator {
    RandomGenerator(seed: seed, stream: 16 + UInt64(index))
  }
}

/// The built-in formant synthesiser as a corpus engine: `speakers` speakers drawn by
/// `SyntheticSpeaker.draw`, of which `heldOut` go to dev and another `heldOut` to test.
public struct BuiltinSpeechEngine: SpeechEngine {
  public var speakerCount: Int
  public var heldOut: Int
  public var name: String { "builtin" }

  public init(speakerCount: Int = 48, heldOut: Int = 6) {
    precondition(
      heldOut >= 1 && speakerCount >= 2 * heldOut + 1,
      "BuiltinSpeechEngine needs heldOut >= 1 and speakers (\(speakerCount)) > 2 * heldOut (\(heldOut))")
    self.speakerCount = speakerCount
    self.heldOut = heldOut
  }

  public func speakers(using rng: inout RandomGenerator) throws -> [CorpusSpeaker] {
    (0..<speakerCount).map { i in
      let id = String(format: "spk-%03d", i)
      let split: CorpusSplit =
        i < speakerCount - 2 * heldOut ? .train : (i < speakerCount - heldOut ? .dev : .test)
      return CorpusSpeaker(id: id, split: split, builtin: SyntheticSpeaker.draw(id: id, using: &rng))
    }
  }

  public func render(
    _ utterance: PlannedUtterance, speaker: CorpusSpeaker, sampleRate: Int, using rng: inout RandomGenerator
  ) throws -> Waveform {
    guard let settings = speaker.builtin else {
      preconditionFailure("BuiltinSpeechEngine: speaker \(speaker.id) has no builtin settings")
    }
    return SpeechSynthesizer(sampleRate: sampleRate).render(
      words: utterance.words, speaker: settings, snrDb: utterance.snrDb, using: &rng
    ).waveform
  }
}

/// Noise at a given SNR and a random peak level, shared by the engines.
enum SpeechNoise {
  /// Adds white Gaussian noise at `snrDb`: clean power over `speechSpan` / noise power. Without
  /// a span, the speech is the stretch from the first to the last sample above 1% of the peak
  /// (leading and trailing silence excluded). Then scales to a peak drawn in -12...-2 dBFS.
  static func addNoise(
    _ samples: inout [Float], snrDb: Double, speechSpan: Range<Int>? = nil, using rng: inout RandomGenerator
  ) {
    guard !samples.isEmpty else { return }
    var peak: Float = 0
    for x in samples { peak = max(peak, abs(x)) }
    let threshold = 0.01 * peak
    let first = samples.firstIndex { abs($0) > threshold } ?? 0
    let last = samples.lastIndex { abs($0) > threshold } ?? 0
    let span = speechSpan ?? first..<(last + 1)
    var power = 0.0
    for i in span { power += Double(samples[i]) * Double(samples[i]) }
    power /= Double(max(1, span.count))
    let noiseStd = Float((power / pow(10, snrDb / 10)).squareRoot())
    peak = 0
    for i in 0..<samples.count {
      samples[i] += noiseStd * Float(rng.normal())
      peak = max(peak, abs(samples[i]))
    }
    let gain = Float(pow(10, rng.uniform(-12, -2) / 20)) / max(peak, 1e-9)
    for i in 0..<samples.count { samples[i] *= gain }
  }
}
