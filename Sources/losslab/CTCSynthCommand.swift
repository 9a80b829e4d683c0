import ArgumentParser
import Foundation
import Speech

/// `losslab ctc synth`: writes a synthetic digit-string speech corpus (WAV + JSON-lines manifests).
struct CTCSynthCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "synth",
    abstract: "Synthesise a spoken-digits corpus: wav/<id>.wav, {train,dev,test,all}.jsonl, speakers.json.",
    discussion: """
      Transcripts are 2-5 digit words ("three one four"); CTC targets are their characters
      (a-z and space). The builtin engine is a formant synthesiser with per-speaker pitch and
      vocal-tract length; dev and test use held-out speakers. The espeak-ng engine uses
      espeak-ng voices and holds one voice out for test. audio_filepath is relative to --out.
      """)

  enum Engine: String, ExpressibleByArgument, CaseIterable {
    case builtin
    case espeakNG = "espeak-ng"
  }

  @Option(help: "Output folder.")
  var out: String = "data/speech"
  @Option(help: "Number of utterances (default 2000).")
  var utterances: Int = 2000
  @Option(help: "Random seed; the same seed gives byte-identical files (default 1).")
  var seed: UInt64 = 1
  @Option(help: "Speech engine: builtin or espeak-ng (default builtin).")
  var engine: Engine = .builtin
  @Option(help: "Fewest words per utterance (default 2).")
  var minWords: Int = 2
  @Option(help: "Most words per utterance (default 5).")
  var maxWords: Int = 5
  @Option(parsing: .unconditional, help: "Lowest signal-to-noise ratio in dB (default 20).")
  var snrMin: Double = 20
  @Option(parsing: .unconditional, help: "Highest signal-to-noise ratio in dB (default 30).")
  var snrMax: Double = 30
  @Option(help: "Fraction of utterances in dev (default 0.1).")
  var devFraction: Double = 0.1
  @Option(help: "Fraction of utterances in test (default 0.1).")
  var testFraction: Double = 0.1
  @Option(help: "builtin: number of speakers (default 48).")
  var speakers: Int = 48
  @Option(help: "builtin: speakers held out for dev and again for test (default 6 each).")
  var heldOutSpeakers: Int = 6
  @Option(help: "espeak-ng: voice held out for test (default \(EspeakEngine.defaultTestVoice)).")
  var testVoice: String = EspeakEngine.defaultTestVoice
  @Option(help: "espeak-ng: train speakers (speed, pitch) per voice (default 2).")
  var speakersPerVoice: Int = 2
  @Option(help: "espeak-ng: test speakers (speed, pitch) of the held-out voice (default 6).")
  var testSpeakers: Int = 6
  @Option(
    help:
      "Text file: each utterance speaks one line, drawn uniformly (normalised to a-z and spaces); default digit strings."
  )
  var text: String?
  @Option(help: "espeak-ng: slowest speed-perturbation factor (default 1).")
  var speedMin: Double = 1
  @Option(help: "espeak-ng: fastest speed-perturbation factor (default 1).")
  var speedMax: Double = 1
  @Option(help: "espeak-ng: per-utterance pitch change, uniform in -K...K of 0...99 (default 0).")
  var pitchJitter: Int = 0
  @Option(help: "espeak-ng: fraction of utterances band-limited to telephone band, 300-3780 Hz (default 0).")
  var telephoneFraction: Double = 0
  @Flag(help: "Print the summary as JSON.")
  var json = false

  func validate() throws {
    try Allowed.path("--out", out)
    try Allowed.check("--utterances", utterances, 1...Limits.utterances)
    try Allowed.check("--min-words", minWords, 1...Limits.words)
    try Allowed.check("--max-words", maxWords, minWords...Limits.words, "at least --min-words")
    try Allowed.check("--snr-min", snrMin, -100...100)
    try Allowed.check("--snr-max", snrMax, snrMin...100, "at least --snr-min")
    try Allowed.check("--dev-fraction", devFraction, 0...0.99)
    try Allowed.check("--test-fraction", testFraction, 0...0.99)
    if devFraction + testFraction >= 1 {
      throw Allowed.error(
        "--test-fraction", "\(testFraction)", "[0, \(1 - devFraction))",
        "--dev-fraction \(devFraction) + --test-fraction must stay below 1")
    }
    try Allowed.check("--held-out-speakers", heldOutSpeakers, 1...Limits.speakers)
    try Allowed.check(
      "--speakers", speakers, (2 * heldOutSpeakers + 1)...max(2 * heldOutSpeakers + 1, Limits.speakers),
      "more than 2 x --held-out-speakers")
    try Allowed.name("--test-voice", testVoice, "an espeak-ng voice name")
    try Allowed.check("--speakers-per-voice", speakersPerVoice, 1...Limits.speakers)
    try Allowed.check("--test-speakers", testSpeakers, 1...Limits.speakers)
    try Allowed.path("--text", text)
    try Allowed.check("--speed-min", speedMin, 0.5...2)
    try Allowed.check("--speed-max", speedMax, speedMin...2, "at least --speed-min")
    try Allowed.check("--pitch-jitter", pitchJitter, 0...50)
    try Allowed.check("--telephone-fraction", telephoneFraction, 0...1)
    if engine == .builtin && augmentation != nil {
      throw ValidationError(
        "--speed-min, --speed-max, --pitch-jitter and --telephone-fraction apply to --engine espeak-ng only")
    }
  }

  var augmentation: SpeechAugmentation? {
    let a = SpeechAugmentation(
      speed: speedMin...speedMax, pitchJitter: pitchJitter, telephoneProbability: telephoneFraction)
    return a == SpeechAugmentation() ? nil : a
  }

  /// The lines of --text, normalised; empty lines dropped.
  func sentences() throws -> [String]? {
    guard let text else { return nil }
    guard let data = FileManager.default.contents(atPath: text) else {
      throw ValidationError("--text: cannot read \(text)")
    }
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map {
      TranscriptNormalizer.normalize(String($0))
    }.filter { !$0.isEmpty }
    guard !lines.isEmpty else { throw ValidationError("--text: \(text) has no line with a word") }
    return lines
  }

  func run() throws {
    var config = SpeechCorpusConfig()
    config.utterances = utterances
    config.seed = seed
    config.minWords = minWords
    config.maxWords = maxWords
    config.snrDb = snrMin...snrMax
    config.devFraction = devFraction
    config.testFraction = testFraction
    config.sentences = try sentences()
    let folder = URL(fileURLWithPath: out)
    let showProgress = isatty(STDERR_FILENO) != 0
    let progress: @Sendable (Int, Int) -> Void = { done, total in
      guard showProgress, done == total || done % 20 == 0 else { return }
      let width = 30
      let filled = width * done / total
      let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
      FileHandle.standardError.write(Data("\rsynth [\(bar)] \(done)/\(total)".utf8))
      if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
    let summary: SpeechCorpusSummary
    switch engine {
    case .builtin:
      summary = try SpeechCorpusWriter.write(
        config, engine: BuiltinSpeechEngine(speakerCount: speakers, heldOut: heldOutSpeakers), to: folder,
        progress: progress)
    case .espeakNG:
      let scratch = folder.appendingPathComponent(".espeak-scratch")
      try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: scratch) }
      let espeak: EspeakEngine
      do {
        espeak = try EspeakEngine(
          testVoice: testVoice, speakersPerVoice: speakersPerVoice, testSpeakers: testSpeakers,
          scratchFolder: scratch,
          augmentation: augmentation)
      } catch let error as SpeechCorpusError {
        throw ValidationError(error.description)
      }
      summary = try SpeechCorpusWriter.write(config, engine: espeak, to: folder, progress: progress)
    }
    if json {
      try printJSON(summary)
    } else {
      for split in CorpusSplit.allCases.map(\.rawValue) {
        let n = summary.utterances[split] ?? 0
        let seconds = summary.seconds[split] ?? 0
        let spk = summary.speakers[split] ?? 0
        print("\(split): \(n) utterances, \(String(format: "%.1f", seconds / 60)) min audio, \(spk) speakers")
      }
      print(
        "wrote \(folder.path)/{wav,train.jsonl,dev.jsonl,test.jsonl,all.jsonl,speakers.json} "
          + "(\(summary.engine), \(String(format: "%.1f", summary.wallSeconds)) s)")
    }
  }
}
