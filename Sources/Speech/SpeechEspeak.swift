import Core
import Foundation
import Tensors

/// The settings of one espeak-ng speaker: a voice (`language+variant`), speed and pitch.
public struct EspeakSpeaker: Sendable, Codable, Equatable {
  /// espeak-ng `-v` argument, e.g. "en-gb-scotland+m3".
  public var voice: String
  /// Words per minute (`-s`).
  public var speed: Int
  /// Pitch 0...99 (`-p`).
  public var pitch: Int
}

/// The espeak-ng speech synthesiser as a corpus engine (Debian package `espeak-ng`).
///
/// Voices are `language+variant` pairs from `languages` x `variants`; the test split uses only
/// `testVoice`, whose variant never occurs in train or dev (its language does, so the accent is
/// known but the voice is not). Each training voice gets `speakersPerVoice` train speakers and
/// one dev speaker with their own speed (140...200 wpm) and pitch (25...75); the test voice gets
/// `testSpeakers` test speakers. espeak-ng writes 22050 Hz WAV, which is resampled with
/// `Resampler`, then noise is added as for the built-in engine.
public struct EspeakEngine: SpeechEngine {
  public var executable: URL
  public var languages: [String]
  public var variants: [String]
  public var testVoice: String
  public var speakersPerVoice: Int
  /// Speed/pitch settings of the held-out test voice.
  public var testSpeakers: Int
  /// Where espeak-ng's raw output goes for the moment it takes to read it back.
  public var scratchFolder: URL
  /// Speed, pitch and telephone-band augmentation of every utterance; nil for none.
  public var augmentation: SpeechAugmentation?
  public var name: String { "espeak-ng" }

  public static let defaultLanguages = [
    "en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbcwmd",
  ]
  public static let defaultVariants = ["m1", "m2", "m3", "m5", "f1", "f2", "f4"]
  public static let defaultTestVoice = "en-us+f3"

  /// Finds `espeak-ng` on `PATH`; the error says how to install it.
  public init(
    languages: [String] = defaultLanguages, variants: [String] = defaultVariants,
    testVoice: String = defaultTestVoice,
    speakersPerVoice: Int = 2, testSpeakers: Int = 6, scratchFolder: URL,
    augmentation: SpeechAugmentation? = nil
  ) throws {
    guard let exe = EspeakEngine.locate() else {
      throw SpeechCorpusError(
        "espeak-ng not found on PATH; install it with `sudo apt-get install -y espeak-ng` (Debian/Ubuntu)")
    }
    guard speakersPerVoice >= 1 && testSpeakers >= 1 else {
      throw SpeechCorpusError(
        "EspeakEngine needs speakersPerVoice (\(speakersPerVoice)) and testSpeakers (\(testSpeakers)) >= 1")
    }
    guard let language = testVoice.split(separator: "+").first, !language.isEmpty else {
      throw SpeechCorpusError(
        "the held-out test voice is empty; give a voice such as \(EspeakEngine.defaultTestVoice)")
    }
    self.executable = exe
    self.languages = languages
    self.variants = variants
    self.testVoice = testVoice
    self.speakersPerVoice = speakersPerVoice
    self.testSpeakers = testSpeakers
    self.scratchFolder = scratchFolder
    self.augmentation = augmentation
    try validateVoices()
  }

  /// espeak-ng falls back to its default voice, with exit status 0, when a voice or variant does
  /// not exist; check the names against `--voices` and `--voices=variant` instead.
  func validateVoices() throws {
    func column(_ arguments: [String], _ index: Int) throws -> Set<String> {
      let process = Process()
      process.executableURL = executable
      process.arguments = arguments
      let pipe = Pipe()
      process.standardOutput = pipe
      process.standardError = FileHandle.nullDevice
      try process.run()
      let data = pipe.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      return Set(
        String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst().compactMap { line in
          let fields = line.split(separator: " ", omittingEmptySubsequences: true)
          return fields.count > index ? String(fields[index]) : nil
        })
    }
    let knownLanguages = try column(["--voices"], 1)
    let knownVariants = Set(
      try column(["--voices=variant"], 4).map { $0.replacingOccurrences(of: "!v/", with: "") })
    let testParts = testVoice.split(separator: "+", maxSplits: 1).map(String.init)
    for language in languages + testParts.prefix(1) where !knownLanguages.contains(language) {
      throw SpeechCorpusError(
        "espeak-ng has no voice '\(language)'; available: \(knownLanguages.sorted().joined(separator: ", "))")
    }
    for variant in variants + testParts.dropFirst() where !knownVariants.contains(variant) {
      throw SpeechCorpusError(
        "espeak-ng has no variant '\(variant)' (see `espeak-ng --voices=variant`), e.g. m1...m7, f1...f5")
    }
  }

  /// The espeak-ng executable on `PATH`, if any.
  public static func locate() -> URL? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for dir in path.split(separator: ":") {
      let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent("espeak-ng")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
  }

  /// Training voices: every `language+variant` except the test voice and its variant.
  public var trainingVoices: [String] {
    let heldVariant = testVoice.split(separator: "+").dropFirst().first.map(String.init)
    return languages.flatMap { l in
      variants.filter { $0 != heldVariant }.map { "\(l)+\($0)" }
    }.filter { $0 != testVoice }
  }

  public func speakers(using rng: inout RandomGenerator) throws -> [CorpusSpeaker] {
    var result: [CorpusSpeaker] = []
    func add(_ voice: String, _ split: CorpusSplit) {
      let s = EspeakSpeaker(voice: voice, speed: 140 + rng.int(below: 61), pitch: 25 + rng.int(below: 51))
      result.append(CorpusSpeaker(id: "\(voice)#\(result.count)", split: split, espeak: s))
    }
    for voice in trainingVoices {
      for _ in 0..<speakersPerVoice { add(voice, .train) }
      add(voice, .dev)
    }
    for _ in 0..<testSpeakers { add(testVoice, .test) }
    return result
  }

  public func render(
    _ utterance: PlannedUtterance, speaker: CorpusSpeaker, sampleRate: Int, using rng: inout RandomGenerator
  ) throws -> Waveform {
    guard let s = speaker.espeak else {
      preconditionFailure("EspeakEngine: speaker \(speaker.id) has no espeak-ng settings")
    }
    var pitch = s.pitch
    var perturbation: (speed: Double, telephone: Bool) = (1, false)
    if let augmentation {
      perturbation = augmentation.draw(using: &rng)
      if augmentation.pitchJitter > 0 {
        pitch = min(
          99, max(0, pitch + rng.int(below: 2 * augmentation.pitchJitter + 1) - augmentation.pitchJitter))
      }
    }
    let out = scratchFolder.appendingPathComponent("\(utterance.id).espeak.wav")
    defer { try? FileManager.default.removeItem(at: out) }
    let process = Process()
    process.executableURL = executable
    process.arguments = [
      "-v", s.voice, "-s", String(s.speed), "-p", String(pitch), "-w", out.path, utterance.text,
    ]
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    do { try process.run() } catch {
      throw SpeechCorpusError("cannot run \(executable.path): \(error.plainReason)")
    }
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw SpeechCorpusError(
        "espeak-ng -v \(s.voice) failed (status \(process.terminationStatus)): "
          + String(decoding: message, as: UTF8.self))
    }
    var wave = try WAV.read(from: out).resampled(to: sampleRate)
    wave = SpeechAugmentation.speedPerturbed(wave, factor: perturbation.speed)
    SpeechNoise.addNoise(&wave.samples, snrDb: utterance.snrDb, using: &rng)
    if perturbation.telephone { wave = SpeechAugmentation.telephoneBand(wave) }
    return wave
  }
}
