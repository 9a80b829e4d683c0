import Core
import Foundation

/// One prompt of the Asterisk core sounds: its name (the WAV's path without `.wav`, e.g.
/// "vm-password" or "digits/7"), the transcript as written and as spoken in the model's alphabet.
public struct AsteriskPrompt: Sendable, Equatable {
  public var name: String
  public var written: String
  public var text: String
  /// 1-based line of the transcript file.
  public var line: Int
}

/// What `AsteriskCorpus.write` produced.
public struct AsteriskCorpusSummary: Sendable, Codable, Equatable {
  public var utterances: [String: Int]
  public var seconds: [String: Double]
  /// Prompts left out: no speakable text ("[beep tone]") or no WAV file.
  public var withoutText: [String]
  public var withoutAudio: [String]
  public var words: Int
}

/// The English prompts of Asterisk's core sounds (Debian `asterisk-core-sounds-en-wav`: 8 kHz
/// 16-bit mono WAV, one professional speaker; transcripts in `asterisk-core-sounds-en`'s
/// `core-sounds-en.txt.gz`, `name: text` lines) as a speech corpus for the acoustic model.
///
/// Output folder:
/// ```
/// wav/<name>.wav                    resampled to the model's rate ("/" in names becomes "_")
/// dev.jsonl, test.jsonl, all.jsonl  manifests (speaker "allison"); train.jsonl = dev.jsonl, so
///                                   that `ctc train --data` fine-tunes on dev (speaker-dependent)
/// tokens.txt                        "-" (blank), "|" (space), a-z: the model's classes in order
/// lexicon.txt                       every word of every prompt, spelled "w o r d |"
/// dev-text.txt                      dev transcripts, one per line (LM and synthetic-text input)
/// ```
/// The split is fixed: a prompt is in dev when the FNV-1a hash of its name is even, else in test.
public enum AsteriskCorpus {
  public static let packages = "asterisk-core-sounds-en-wav asterisk-core-sounds-en"
  public static let defaultSounds = "/usr/share/asterisk/sounds/en"
  public static let defaultTranscripts = "/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz"

  /// True when both Debian packages' files are present at the default paths.
  public static var installed: Bool {
    FileManager.default.fileExists(atPath: defaultTranscripts)
      && FileManager.default.fileExists(atPath: defaultSounds + "/vm-password.wav")
  }

  /// dev or test, fixed by the name.
  public static func split(of name: String) -> CorpusSplit {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in name.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    return hash % 2 == 0 ? .dev : .test
  }

  /// Parses `name: text` lines; `;` comment lines and blank lines are skipped. A line without
  /// `": "` is an error naming `file:line`.
  public static func parseTranscripts(_ text: String, file: String) throws -> [AsteriskPrompt] {
    var prompts: [AsteriskPrompt] = []
    for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty || line.hasPrefix(";") { continue }
      guard let colon = line.range(of: ":") else {
        throw SpeechCorpusError("\(file):\(i + 1): expected 'name: transcript'")
      }
      let name = line[..<colon.lowerBound].trimmingCharacters(in: .whitespaces)
      guard !name.isEmpty, !name.contains(".."), !name.hasPrefix("/") else {
        throw SpeechCorpusError("\(file):\(i + 1): expected a prompt name before ':'")
      }
      let written = line[colon.upperBound...].trimmingCharacters(in: .whitespaces)
      prompts.append(
        AsteriskPrompt(
          name: name, written: written, text: TranscriptNormalizer.normalize(written), line: i + 1))
    }
    return prompts
  }

  /// The transcript file's text; `.gz` files are decompressed with `gzip -dc`.
  public static func readTranscripts(_ url: URL) throws -> String {
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw SpeechCorpusError(
        "no transcript file at \(url.path); install the prompts with `sudo apt-get install -y \(packages)`")
    }
    guard url.pathExtension == "gz" else {
      do { return try String(decoding: Data(contentsOf: url), as: UTF8.self) } catch {
        throw SpeechCorpusError("cannot read \(url.path): \(error.plainReason)")
      }
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["gzip", "-dc", url.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch {
      throw SpeechCorpusError("cannot run gzip to read \(url.path): \(error.plainReason)")
    }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw SpeechCorpusError("gzip -dc \(url.path) failed (status \(process.terminationStatus))")
    }
    return String(decoding: data, as: UTF8.self)
  }

  /// Builds the corpus folder from `sounds` (the WAV folder) and `transcripts`.
  public static func write(
    sounds: URL, transcripts: URL, to folder: URL, sampleRate: Int = 16000
  ) throws -> AsteriskCorpusSummary {
    guard FileManager.default.fileExists(atPath: sounds.path) else {
      throw SpeechCorpusError(
        "no prompt audio at \(sounds.path); install it with `sudo apt-get install -y \(packages)`")
    }
    let prompts = try parseTranscripts(readTranscripts(transcripts), file: transcripts.path)
    let wavFolder = folder.appendingPathComponent("wav")
    do { try FileManager.default.createDirectory(at: wavFolder, withIntermediateDirectories: true) } catch {
      throw SpeechCorpusError("cannot create \(wavFolder.path): \(error.plainReason)")
    }
    var entries: [CorpusSplit: [ManifestEntry]] = [:]
    var seconds: [String: Double] = [:]
    var withoutText: [String] = []
    var withoutAudio: [String] = []
    var seen = Set<String>()
    for prompt in prompts where seen.insert(prompt.name).inserted {
      if prompt.text.isEmpty {
        withoutText.append(prompt.name)
        continue
      }
      let source = sounds.appendingPathComponent(prompt.name + ".wav")
      guard FileManager.default.fileExists(atPath: source.path) else {
        withoutAudio.append(prompt.name)
        continue
      }
      let wave: Waveform
      do { wave = try WAV.read(from: source).resampled(to: sampleRate) } catch {
        throw SpeechCorpusError("\(source.path): \(error)")
      }
      let file = prompt.name.replacingOccurrences(of: "/", with: "_") + ".wav"
      try WAV.write(wave, to: wavFolder.appendingPathComponent(file))
      let duration = Double(wave.samples.count) / Double(sampleRate)
      let split = split(of: prompt.name)
      entries[split, default: []].append(
        ManifestEntry(audioFilepath: "wav/\(file)", duration: duration, text: prompt.text, speaker: "allison")
      )
      seconds[split.rawValue, default: 0] += duration
    }
    let dev = entries[.dev] ?? []
    let test = entries[.test] ?? []
    try Manifest.write(dev, to: folder.appendingPathComponent("dev.jsonl"))
    try Manifest.write(dev, to: folder.appendingPathComponent("train.jsonl"))
    try Manifest.write(test, to: folder.appendingPathComponent("test.jsonl"))
    try Manifest.write(dev + test, to: folder.appendingPathComponent("all.jsonl"))
    let tokens = ["-", "|"] + "abcdefghijklmnopqrstuvwxyz".map { String($0) }
    try AtomicFile.write(
      Data(tokens.map { $0 + "\n" }.joined().utf8), to: folder.appendingPathComponent("tokens.txt"))
    let words = Set((dev + test).flatMap { $0.text.split(separator: " ").map(String.init) }).sorted()
    let lexicon = words.map { w in w + "\t" + w.map { String($0) }.joined(separator: " ") + " |\n" }.joined()
    try AtomicFile.write(Data(lexicon.utf8), to: folder.appendingPathComponent("lexicon.txt"))
    try AtomicFile.write(
      Data(dev.map { $0.text + "\n" }.joined().utf8), to: folder.appendingPathComponent("dev-text.txt"))
    return AsteriskCorpusSummary(
      utterances: ["dev": dev.count, "test": test.count], seconds: seconds, withoutText: withoutText,
      withoutAudio: withoutAudio, words: words.count)
  }
}
