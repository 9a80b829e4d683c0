import Core
import Foundation
import Tensors

/// What `SpeechCorpusWriter.write` produced.
public struct SpeechCorpusSummary: Sendable, Codable, Equatable {
  public var engine: String
  public var utterances: [String: Int]
  /// Audio seconds per split.
  public var seconds: [String: Double]
  public var speakers: [String: Int]
  public var wallSeconds: Double
}

/// Writes a corpus folder:
/// ```
/// <out>/wav/<id>.wav                16-bit PCM mono WAV at config.sampleRate
/// <out>/{train,dev,test,all}.jsonl  manifests; audio_filepath relative to <out> ("wav/<id>.wav")
/// <out>/speakers.json               engine, seed, speakers with their split and settings
/// ```
/// Utterances render in parallel (`DispatchQueue.concurrentPerform`), each from its own random
/// stream, so the bytes do not depend on the number of threads.
public enum SpeechCorpusWriter {
  /// `progress(done, total)` is called after each utterance, serialised, in completion order.
  public static func write(
    _ config: SpeechCorpusConfig, engine: some SpeechEngine, to folder: URL,
    progress: @Sendable (Int, Int) -> Void = { _, _ in }
  ) throws -> SpeechCorpusSummary {
    let start = Date()
    let fm = FileManager.default
    let wavFolder = folder.appendingPathComponent("wav")
    do {
      try fm.createDirectory(at: wavFolder, withIntermediateDirectories: true)
    } catch {
      throw SpeechCorpusError("cannot create \(wavFolder.path): \(error.plainReason)")
    }
    var speakerRNG = RandomGenerator(seed: config.seed, stream: 0)
    let speakers = try engine.speakers(using: &speakerRNG)
    let plan = SpeechCorpus.plan(config, speakers: speakers)

    let results = RenderResults(count: plan.count)
    DispatchQueue.concurrentPerform(iterations: plan.count) { i in
      if results.failed { return }
      let u = plan[i]
      var rng = SpeechCorpus.renderGenerator(seed: config.seed, index: u.index)
      do {
        let wave = try engine.render(
          u, speaker: speakers[u.speaker], sampleRate: config.sampleRate, using: &rng)
        try WAV.write(wave, to: wavFolder.appendingPathComponent("\(u.id).wav"))
        results.finish(i, samples: wave.samples.count, total: plan.count, progress: progress)
      } catch {
        results.fail(error)
      }
    }
    if let error = results.error { throw error }

    var entries: [CorpusSplit: [ManifestEntry]] = [:]
    var all: [ManifestEntry] = []
    var seconds: [String: Double] = [:]
    for u in plan {
      let duration = Double(results.samples[u.index]) / Double(config.sampleRate)
      let entry = ManifestEntry(
        audioFilepath: "wav/\(u.id).wav", duration: duration, text: u.text, speaker: speakers[u.speaker].id)
      entries[u.split, default: []].append(entry)
      all.append(entry)
      seconds[u.split.rawValue, default: 0] += duration
    }
    for split in CorpusSplit.allCases {
      try Manifest.write(entries[split] ?? [], to: folder.appendingPathComponent("\(split.rawValue).jsonl"))
    }
    try Manifest.write(all, to: folder.appendingPathComponent("all.jsonl"))

    let file = SpeakersFile(
      engine: engine.name, seed: config.seed, sampleRate: config.sampleRate,
      snrDb: [config.snrDb.lowerBound, config.snrDb.upperBound],
      heldOut: speakers.filter { $0.split != .train }.map(\.id), speakers: speakers)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try AtomicFile.write(encoder.encode(file), to: folder.appendingPathComponent("speakers.json"))

    var counts: [String: Int] = [:]
    var speakerCounts: [String: Int] = [:]
    for split in CorpusSplit.allCases {
      counts[split.rawValue] = entries[split]?.count ?? 0
      speakerCounts[split.rawValue] = speakers.filter { $0.split == split }.count
    }
    return SpeechCorpusSummary(
      engine: engine.name, utterances: counts, seconds: seconds, speakers: speakerCounts,
      wallSeconds: Date().timeIntervalSince(start))
  }

  /// The `speakers.json` document.
  public struct SpeakersFile: Codable, Sendable {
    public var engine: String
    public var seed: UInt64
    public var sampleRate: Int
    public var snrDb: [Double]
    /// Ids of the speakers (or voices) kept out of the training split.
    public var heldOut: [String]
    public var speakers: [CorpusSpeaker]
  }

  /// Per-utterance sample counts and the first error, filled from many threads.
  final class RenderResults: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var samples: [Int]
    private(set) var error: Error?
    private var done = 0

    init(count: Int) { samples = [Int](repeating: 0, count: count) }

    var failed: Bool { lock.withLock { error != nil } }

    func finish(_ i: Int, samples n: Int, total: Int, progress: (Int, Int) -> Void) {
      lock.withLock {
        samples[i] = n
        done += 1
        progress(done, total)
      }
    }

    func fail(_ e: Error) { lock.withLock { if error == nil { error = e } } }
  }
}

/// Why a corpus could not be written.
public struct SpeechCorpusError: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}
