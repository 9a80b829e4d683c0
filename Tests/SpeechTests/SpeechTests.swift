import Core
import Foundation
import Speech
import Tensors
import Testing

@testable import Speech

@Suite struct SpeechTests {
  func temporaryFolder(_ name: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("losslab-\(name)-\(getpid())")
    try? FileManager.default.removeItem(at: url)
    return url
  }

  func smallConfig(seed: UInt64 = 7, utterances: Int = 24) -> SpeechCorpusConfig {
    var c = SpeechCorpusConfig()
    c.utterances = utterances
    c.seed = seed
    c.devFraction = 0.25
    c.testFraction = 0.25
    return c
  }

  func files(_ folder: URL) throws -> [String: Data] {
    var out: [String: Data] = [:]
    let fm = FileManager.default
    for name in try fm.contentsOfDirectory(atPath: folder.path) where !name.hasPrefix(".") && name != "wav" {
      out[name] = try Data(contentsOf: folder.appendingPathComponent(name))
    }
    for name in try fm.contentsOfDirectory(atPath: folder.appendingPathComponent("wav").path) {
      out["wav/" + name] = try Data(contentsOf: folder.appendingPathComponent("wav/" + name))
    }
    return out
  }

  /// Same seed: byte-identical WAVs, manifests and speakers.json; another seed: different audio.
  /// Each WAV also equals its utterance rendered alone from its own stream, so the output does
  /// not depend on thread count or order.
  @Test func corpusIsDeterministic() throws {
    let a = temporaryFolder("det-a")
    let b = temporaryFolder("det-b")
    let c = temporaryFolder("det-c")
    defer { for u in [a, b, c] { try? FileManager.default.removeItem(at: u) } }
    let engine = BuiltinSpeechEngine(speakerCount: 9, heldOut: 2)
    _ = try SpeechCorpusWriter.write(smallConfig(), engine: engine, to: a)
    _ = try SpeechCorpusWriter.write(smallConfig(), engine: engine, to: b)
    _ = try SpeechCorpusWriter.write(smallConfig(seed: 8), engine: engine, to: c)
    let fa = try files(a)
    #expect(fa.count == 24 + 5)
    #expect(fa == (try files(b)))
    #expect(fa["wav/utt-000003.wav"] != (try files(c))["wav/utt-000003.wav"])

    var rng = RandomGenerator(seed: 7, stream: 0)
    let speakers = try engine.speakers(using: &rng)
    let plan = SpeechCorpus.plan(smallConfig(), speakers: speakers)
    var r = SpeechCorpus.renderGenerator(seed: 7, index: 17)
    let alone = try engine.render(plan[17], speaker: speakers[plan[17].speaker], sampleRate: 16000, using: &r)
    #expect(WAV.encode(alone) == fa["wav/\(plan[17].id).wav"])
  }

  /// Manifests: one JSON object per line with audio_filepath (relative to the folder),
  /// duration (= WAV length) and text (digit words); all.jsonl = train + dev + test.
  @Test func manifestsDescribeTheAudio() throws {
    let folder = temporaryFolder("manifest")
    defer { try? FileManager.default.removeItem(at: folder) }
    let summary = try SpeechCorpusWriter.write(
      smallConfig(), engine: BuiltinSpeechEngine(speakerCount: 9, heldOut: 2), to: folder)
    #expect(summary.utterances == ["train": 12, "dev": 6, "test": 6])
    var total: [ManifestEntry] = []
    for split in ["train", "dev", "test"] {
      let url = folder.appendingPathComponent("\(split).jsonl")
      let text = try String(contentsOf: url, encoding: .utf8)
      for line in text.split(separator: "\n") {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["audio_filepath", "duration", "text", "speaker"])
        #expect(line.hasPrefix("{\"audio_filepath\": \"wav/"))
      }
      let entries = try Manifest.read(from: url)
      for e in entries {
        let wave = try WAV.read(from: Manifest.audioURL(e, manifestFolder: folder))
        #expect(wave.sampleRate == 16000)
        #expect(abs(wave.duration - e.duration) < 1e-9)
        #expect(e.duration > 0.4 && e.duration < 4)
        let words = e.text.split(separator: " ").map(String.init)
        #expect(words.count >= 2 && words.count <= 5 && words.allSatisfy(SpeechUnits.digitWords.contains))
        #expect(SpeechAlphabet.encode(e.text) != nil)
      }
      total += entries
    }
    #expect(try Manifest.read(from: folder.appendingPathComponent("all.jsonl")) == total)
    let lm = LogMel()
    let features = try lm.features(of: total, manifestFolder: folder)
    for (e, f) in zip(total, features) {
      #expect(f.shape == [lm.frameCount(Int((e.duration * 16000).rounded())), 80])
    }
  }

  @Test func manifestRoundTripAndErrors() throws {
    let entries = [
      ManifestEntry(audioFilepath: "/abs/a \"b\".wav", duration: 1.25, text: "one two", speaker: "x\\y"),
      ManifestEntry(audioFilepath: "wav/b.wav", duration: 0.0000625, text: "nine"),
    ]
    let data = Manifest.encode(entries)
    #expect(try Manifest.decode(data) == entries)
    #expect(
      String(decoding: data, as: UTF8.self).hasPrefix(
        "{\"audio_filepath\": \"/abs/a \\\"b\\\".wav\", \"duration\": 1.25"))
    #expect(
      Manifest.audioURL(entries[0], manifestFolder: URL(fileURLWithPath: "/m")).path == "/abs/a \"b\".wav")
    #expect(Manifest.audioURL(entries[1], manifestFolder: URL(fileURLWithPath: "/m")).path == "/m/wav/b.wav")
    do {
      _ = try Manifest.decode(
        Data("{\"audio_filepath\": \"a.wav\", \"duration\": 1, \"text\": \"x\"}\n{\"text\": 3}\n".utf8))
      Issue.record("accepted a malformed manifest")
    } catch {
      #expect("\(error)".contains("line 2"))
    }
  }

  /// Dev and test speakers never occur in train, in the manifests or in speakers.json, and
  /// their settings differ from every training speaker's.
  @Test func heldOutSpeakersStayOutOfTrain() throws {
    let folder = temporaryFolder("split")
    defer { try? FileManager.default.removeItem(at: folder) }
    _ = try SpeechCorpusWriter.write(
      smallConfig(utterances: 60), engine: BuiltinSpeechEngine(speakerCount: 12, heldOut: 3), to: folder)
    func speakers(_ split: String) throws -> Set<String> {
      Set(try Manifest.read(from: folder.appendingPathComponent("\(split).jsonl")).compactMap(\.speaker))
    }
    let train = try speakers("train")
    let dev = try speakers("dev")
    let test = try speakers("test")
    #expect(!train.isEmpty && !dev.isEmpty && !test.isEmpty)
    #expect(train.isDisjoint(with: dev) && train.isDisjoint(with: test) && dev.isDisjoint(with: test))
    let file = try JSONDecoder().decode(
      SpeechCorpusWriter.SpeakersFile.self,
      from: Data(contentsOf: folder.appendingPathComponent("speakers.json")))
    #expect(file.speakers.count == 12 && file.heldOut.count == 6)
    #expect(Set(file.heldOut).isDisjoint(with: train))
    #expect(test.isSubset(of: Set(file.speakers.filter { $0.split == .test }.map(\.id))))
    let trainSettings = file.speakers.filter { $0.split == .train }.compactMap(\.builtin)
    for s in file.speakers where s.split == .test {
      let t = try #require(s.builtin)
      #expect(trainSettings.allSatisfy { $0.f0 != t.f0 && $0.formantScale != t.formantScale })
    }
  }

  /// `addNoise` gives the requested SNR: with noisy = g (clean + n), the least-squares gain
  /// recovers g and the residual power gives the SNR within 0.3 dB (16000 noise samples).
  @Test(arguments: [10.0, 20.0, 30.0])
  func noiseMeetsTheRequestedSNR(snr: Double) {
    let clean = (0..<16000).map { Float(0.4 * sin(Double($0) * 0.07) + 0.2 * sin(Double($0) * 0.31)) }
    var noisy = clean
    var rng = RandomGenerator(seed: 11)
    SpeechNoise.addNoise(&noisy, snrDb: snr, speechSpan: 0..<16000, using: &rng)
    var dot = 0.0
    var cc = 0.0
    for i in 0..<16000 {
      dot += Double(noisy[i]) * Double(clean[i])
      cc += Double(clean[i]) * Double(clean[i])
    }
    let g = dot / cc
    var residual = 0.0
    for i in 0..<16000 {
      let r = Double(noisy[i]) / g - Double(clean[i])
      residual += r * r
    }
    let measured = 10 * log10(cc / residual)
    #expect(abs(measured - snr) < 0.3, "asked \(snr) dB, measured \(measured) dB")
    let peak = noisy.map(abs).max()!
    #expect(peak >= pow(10, -12.0 / 20) * 0.999 && peak <= pow(10, -2.0 / 20) * 1.001)
  }

  /// Each digit word is acoustically distinct and consistent across speakers: a coarse
  /// spectro-temporal profile (mean unnormalised log-mel spectrum in four time quarters of the
  /// loud frames) of each word from speaker B has as nearest neighbour, among speaker A's ten
  /// words, the same word, for at least 9 of the 10 words.
  @Test func wordsAreDistinctAcrossSpeakers() {
    let synth = SpeechSynthesizer()
    let a = SyntheticSpeaker(
      id: "a", f0: 120, formantScale: 1.0, rate: 1, breathiness: 0.1, tilt: 0.2, jitter: 0.005)
    let b = SyntheticSpeaker(
      id: "b", f0: 140, formantScale: 1.06, rate: 1.1, breathiness: 0.2, tilt: 0.3, jitter: 0.008)
    func profile(_ word: String, _ s: SyntheticSpeaker, _ seed: UInt64) -> [Float] {
      var rng = RandomGenerator(seed: seed)
      let wave = synth.render(words: [word], speaker: s, snrDb: 30, using: &rng).waveform
      var config = LogMel.Config()
      config.normalize = false
      let f = LogMel(config)(wave.samples)
      // Mean over the loudest half of the frames, in 4 time quarters of those frames: a coarse
      // spectro-temporal shape.
      let frames = f.shape[0]
      let energy = (0..<frames).map { t in (0..<80).reduce(Float(0)) { $0 + f.data[t * 80 + $1] } }
      let threshold = energy.sorted()[frames / 2]
      let active = (0..<frames).filter { energy[$0] >= threshold }
      var out = [Float](repeating: 0, count: 4 * 80)
      for (j, t) in active.enumerated() {
        let q = min(3, 4 * j / active.count)
        for m in 0..<80 { out[q * 80 + m] += f.data[t * 80 + m] / Float(active.count) }
      }
      let mean = out.reduce(0, +) / Float(out.count)
      return out.map { $0 - mean }
    }
    let words = SpeechUnits.digitWords
    let refs = words.enumerated().map { profile($1, a, UInt64($0)) }
    var correct = 0
    for (i, w) in words.enumerated() {
      let p = profile(w, b, UInt64(100 + i))
      let distances = refs.map { r in zip(r, p).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
      if distances.firstIndex(of: distances.min()!) == i { correct += 1 }
    }
    #expect(correct >= 9, "only \(correct) of 10 words matched across speakers")
  }

  @Test func alphabetEncodesCharacters() {
    #expect(SpeechAlphabet.count == 28)
    #expect(SpeechAlphabet.encode("one two") == [16, 15, 6, 1, 21, 24, 16])
    #expect(SpeechAlphabet.decode([0, 16, 15, 6, 1, 0, 21, 24, 16]) == "one two")
    #expect(SpeechAlphabet.encode("One") == nil)
    #expect(SpeechAlphabet.encode("4") == nil)
  }

  /// The espeak-ng engine (skipped where espeak-ng is not installed): 16 kHz audio, the test
  /// voice only in the test split and its variant nowhere in training.
  @Test(.enabled(if: EspeakEngine.locate() != nil))
  func espeakEngineHoldsOutAVoice() throws {
    let folder = temporaryFolder("espeak")
    defer { try? FileManager.default.removeItem(at: folder) }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let engine = try EspeakEngine(
      languages: ["en-us", "en-gb"], variants: ["m1", "f2", "f3"], testVoice: "en-us+f3", speakersPerVoice: 1,
      testSpeakers: 2,
      scratchFolder: folder)
    #expect(engine.trainingVoices == ["en-us+m1", "en-us+f2", "en-gb+m1", "en-gb+f2"])
    // espeak-ng itself would silently fall back to its default voice.
    #expect(throws: SpeechCorpusError.self) {
      try EspeakEngine(languages: ["en-zz"], variants: ["m1"], testVoice: "en-us+f3", scratchFolder: folder)
    }
    #expect(throws: SpeechCorpusError.self) {
      try EspeakEngine(languages: ["en-us"], variants: ["m1"], testVoice: "en-us+zz9", scratchFolder: folder)
    }
    var config = smallConfig(utterances: 8)
    config.devFraction = 0.25
    config.testFraction = 0.25
    let out = folder.appendingPathComponent("corpus")
    _ = try SpeechCorpusWriter.write(config, engine: engine, to: out)
    let file = try JSONDecoder().decode(
      SpeechCorpusWriter.SpeakersFile.self,
      from: Data(contentsOf: out.appendingPathComponent("speakers.json")))
    for s in file.speakers {
      let voice = try #require(s.espeak).voice
      #expect((voice == "en-us+f3") == (s.split == .test))
      #expect(s.split == .test || !voice.hasSuffix("+f3"))
    }
    for e in try Manifest.read(from: out.appendingPathComponent("all.jsonl")) {
      let wave = try WAV.read(from: Manifest.audioURL(e, manifestFolder: out))
      #expect(wave.sampleRate == 16000 && e.duration > 0.5)
    }
  }
}
