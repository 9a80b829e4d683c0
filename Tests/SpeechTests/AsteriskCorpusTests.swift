import Core
import Foundation
import Speech
import TestSupport
import Testing

/// `TranscriptNormalizer`, `AsteriskCorpus` on the tiny fixture in `Tests/Fixtures/asterisk`, and
/// on the real Debian packages when they are installed.
@Suite struct AsteriskCorpusTests {
  @Test(arguments: [
    ("Hello, world.", "hello world"),
    ("Please press 1 to mute, 2 to lock.", "please press one to mute two to lock"),
    ("dial 1234 then #", "dial one two three four then pound"),
    ("3D Call-Forward on Busy", "three d call forward on busy"),
    ("That's the party's line; don't", "thats the partys line dont"),
    ("[this is a simple beep tone]", ""),
    ("<beep ascending>", ""),
    ("The time (silence) is", "the time is"),
    ("press * or & for Caf\u{E9}", "press star or and for caf"),
  ])
  func normalisesToTheModelAlphabet(written: String, spoken: String) {
    let text = TranscriptNormalizer.normalize(written)
    #expect(text == spoken)
    #expect(SpeechAlphabet.encode(text) != nil)
  }

  @Test func parsesNameTextLinesAndNamesBadLines() throws {
    let prompts = try AsteriskCorpus.parseTranscripts(
      "; comment\n\nvm-intro: Leave a message.\ndigits/7: seven\n", file: "t.txt")
    #expect(prompts.map(\.name) == ["vm-intro", "digits/7"])
    #expect(prompts.map(\.text) == ["leave a message", "seven"])
    #expect(prompts.map(\.line) == [3, 4])
    #expect(throws: SpeechCorpusError.self) {
      try AsteriskCorpus.parseTranscripts("ok: yes\nno colon\n", file: "t.txt")
    }
    do {
      _ = try AsteriskCorpus.parseTranscripts("ok: yes\nno colon\n", file: "t.txt")
    } catch let error as SpeechCorpusError {
      #expect(error.description.hasPrefix("t.txt:2:"))
    }
    #expect(throws: SpeechCorpusError.self) { try AsteriskCorpus.parseTranscripts("../x: up\n", file: "t") }
  }

  @Test func writesTheFixtureCorpus() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let out = scratch.appendingPathComponent("asterisk")
    let summary = try AsteriskCorpus.write(
      sounds: Fixtures.url("asterisk/sounds"), transcripts: Fixtures.url("asterisk/core-sounds-en.txt"),
      to: out)
    #expect(summary.withoutText == ["beep"])
    #expect(summary.withoutAudio == ["missing"])
    let dev = try Manifest.read(from: out.appendingPathComponent("dev.jsonl"))
    let test = try Manifest.read(from: out.appendingPathComponent("test.jsonl"))
    // The split is fixed by the FNV-1a hash of the name.
    #expect(dev.map(\.text) == ["press one then pound"])
    #expect(test.map(\.text) == ["hello world", "seven"])
    #expect(test.map(\.audioFilepath) == ["wav/hello.wav", "wav/digits_7.wav"])
    #expect(try Data(contentsOf: out.appendingPathComponent("train.jsonl")) == Manifest.encode(dev))
    // 400 samples at 8 kHz -> 800 at 16 kHz.
    let wave = try WAV.read(from: out.appendingPathComponent("wav/hello.wav"))
    #expect(wave.sampleRate == 16000 && wave.samples.count == 800)
    #expect(abs(test[0].duration - 0.05) < 1e-9)
    let tokens = try readText(out.appendingPathComponent("tokens.txt")).split(separator: "\n")
    #expect(tokens.count == 28 && tokens[0] == "-" && tokens[1] == "|" && tokens[27] == "z")
    let lexicon = try readText(out.appendingPathComponent("lexicon.txt"))
    #expect(lexicon.hasPrefix("hello\th e l l o |\none\to n e |\npound\tp o u n d |\n"))
    #expect(summary.words == 7)
    #expect(try readText(out.appendingPathComponent("dev-text.txt")) == "press one then pound\n")
  }

  @Test func missingPackagesAreNamed() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    do {
      _ = try AsteriskCorpus.write(
        sounds: scratch.appendingPathComponent("none"),
        transcripts: Fixtures.url("asterisk/core-sounds-en.txt"),
        to: scratch.appendingPathComponent("out"))
      Issue.record("no error for a missing sounds folder")
    } catch let error as SpeechCorpusError {
      #expect(
        error.description.contains("apt-get install -y asterisk-core-sounds-en-wav asterisk-core-sounds-en"))
    }
  }

  @Test(
    .enabled(
      if: AsteriskCorpus.installed,
      "skipped: the Debian packages asterisk-core-sounds-en-wav and asterisk-core-sounds-en are not installed"
    ))
  func installedPromptsAllHaveAudioAndSpeakableText() throws {
    let text = try AsteriskCorpus.readTranscripts(URL(fileURLWithPath: AsteriskCorpus.defaultTranscripts))
    let prompts = try AsteriskCorpus.parseTranscripts(text, file: AsteriskCorpus.defaultTranscripts)
    let speakable = prompts.filter { !$0.text.isEmpty }
    #expect(speakable.count > 500)
    let withAudio = speakable.filter {
      FileManager.default.fileExists(atPath: AsteriskCorpus.defaultSounds + "/" + $0.name + ".wav")
    }
    #expect(withAudio.count > 500)
    #expect(speakable.allSatisfy { SpeechAlphabet.encode($0.text) != nil })
    let dev = withAudio.filter { AsteriskCorpus.split(of: $0.name) == .dev }.count
    #expect(dev > withAudio.count / 3 && dev < 2 * withAudio.count / 3)
  }
}

/// Speed perturbation, telephone band-limiting, and sentence transcripts in the corpus plan.
@Suite struct SpeechAugmentationTests {
  func sine(_ hz: Double, count: Int = 16000) -> Waveform {
    Waveform(
      samples: (0..<count).map { Float(0.5 * sin(2 * Double.pi * hz * Double($0) / 16000)) },
      sampleRate: 16000)
  }

  func power(_ x: [Float]) -> Double {
    x.reduce(0) { $0 + Double($1) * Double($1) } / Double(max(1, x.count))
  }

  @Test func speedPerturbationChangesTheLength() {
    let w = sine(440)
    #expect(SpeechAugmentation.speedPerturbed(w, factor: 1.1).samples.count == 16000 * 100 / 110)
    #expect(SpeechAugmentation.speedPerturbed(w, factor: 0.9).samples.count == 16000 * 100 / 90)
    #expect(SpeechAugmentation.speedPerturbed(w, factor: 1.0) == w)
  }

  @Test func telephoneBandKeepsVoiceAndDropsHighAndLowFrequencies() {
    // Middle half only, away from the filters' edges.
    func kept(_ hz: Double) -> Double {
      let out = SpeechAugmentation.telephoneBand(sine(hz)).samples
      #expect(out.count == 16000)
      return power(Array(out[4000..<12000])) / power(Array(sine(hz).samples[4000..<12000]))
    }
    #expect(kept(1000) > 0.9)
    #expect(kept(6000) < 1e-4)
    #expect(kept(50) < 0.05)
  }

  @Test func drawsAreSeeded() {
    let a = SpeechAugmentation(speed: 0.9...1.1, pitchJitter: 5, telephoneProbability: 0.5)
    var r1 = RandomGenerator(seed: 3, stream: 7)
    var r2 = RandomGenerator(seed: 3, stream: 7)
    let d1 = (0..<20).map { _ in a.draw(using: &r1) }
    let d2 = (0..<20).map { _ in a.draw(using: &r2) }
    #expect(d1.map(\.speed) == d2.map(\.speed) && d1.map(\.telephone) == d2.map(\.telephone))
    #expect(
      d1.allSatisfy {
        (0.9...1.1).contains($0.speed) && abs(($0.speed * 100).rounded() - $0.speed * 100) < 1e-9
      })
    #expect(d1.contains { $0.telephone } && d1.contains { !$0.telephone })
  }

  @Test func planDrawsSentences() throws {
    var config = SpeechCorpusConfig()
    config.utterances = 30
    config.sentences = ["please hold", "thank you for calling"]
    var rng = RandomGenerator(seed: 1)
    let speakers = try BuiltinSpeechEngine(speakerCount: 5, heldOut: 1).speakers(using: &rng)
    let plan = SpeechCorpus.plan(config, speakers: speakers)
    #expect(Set(plan.map(\.text)) == Set(config.sentences!))
    config.sentences = nil
    #expect(SpeechCorpus.plan(config, speakers: speakers).allSatisfy { $0.words.count <= 5 })
  }
}
