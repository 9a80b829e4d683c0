import ArgumentParser
import Foundation
import Speech

/// `losslab ctc corpus ...`: real speech corpora as manifests for the acoustic model.
struct CTCCorpusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "corpus",
    abstract: "Build a manifest corpus from real recordings installed on this machine.",
    subcommands: [CTCCorpusAsteriskCommand.self])
}

/// `losslab ctc corpus asterisk --out data/asterisk`: the Asterisk English prompts.
struct CTCCorpusAsteriskCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "asterisk",
    abstract: "Asterisk's English prompts (one speaker, 8 kHz) as a dev/test corpus at 16 kHz.",
    discussion: """
      Needs the Debian packages \(AsteriskCorpus.packages) (apt-get install -y ...).
      Writes wav/, dev.jsonl, test.jsonl (fixed split by name), train.jsonl (= dev.jsonl, for
      speaker-dependent fine-tuning), all.jsonl, tokens.txt, lexicon.txt and dev-text.txt.
      Transcripts are normalised to a-z and spaces (digits spoken one by one, '#' -> pound).
      """)

  @Option(help: "Output folder.")
  var out: String = "data/asterisk"
  @Option(help: "Folder of the prompt WAV files (default \(AsteriskCorpus.defaultSounds)).")
  var sounds: String = AsteriskCorpus.defaultSounds
  @Option(
    help: "Transcript file, 'name: text' lines, .gz allowed (default \(AsteriskCorpus.defaultTranscripts)).")
  var transcripts: String = AsteriskCorpus.defaultTranscripts
  @Flag(help: "Print the summary as JSON.")
  var json = false

  func validate() throws {
    try Allowed.path("--out", out)
    try Allowed.path("--sounds", sounds)
    try Allowed.path("--transcripts", transcripts)
  }

  func run() throws {
    let summary: AsteriskCorpusSummary
    do {
      summary = try AsteriskCorpus.write(
        sounds: URL(fileURLWithPath: sounds), transcripts: URL(fileURLWithPath: transcripts),
        to: URL(fileURLWithPath: out))
    } catch let error as SpeechCorpusError {
      throw ValidationError(error.description)
    }
    if json {
      try printJSON(summary)
      return
    }
    for split in ["dev", "test"] {
      print(
        "\(split): \(summary.utterances[split] ?? 0) prompts, "
          + String(format: "%.1f min audio", (summary.seconds[split] ?? 0) / 60))
    }
    print(
      "\(summary.words) distinct words; left out \(summary.withoutText.count) prompts without speakable text, "
        + "\(summary.withoutAudio.count) without audio")
    print("wrote \(out)/{wav,dev.jsonl,test.jsonl,train.jsonl,all.jsonl,tokens.txt,lexicon.txt,dev-text.txt}")
  }
}
