import BLEU
import Core
import Dispatch
import Foundation
import Tensors

// `losslab bench bleu`: corpus BLEU of a 100,000-line pair and sentence BLEU over 10,000 pairs, the
// workloads of the sacrebleu anchors (ANCHORS.md: 18.7 s and 1.5 s), on generated pseudo-natural
// text. Times include reading and tokenising the files; the whole-process times run the CLI.

/// Measured figures of the BLEU benchmark.
public struct BLEUBenchmarkReport: Sendable {
  public var lines: Int
  public var hypothesisTokens: Int
  public var referenceTokens: Int
  public var corpusScore: Double
  public var corpusSeconds: Double
  public var corpusProcessSeconds: Double?
  public var corpusProcessCPUSeconds: Double?
  public var sentencePairs: Int
  public var sentenceMeanScore: Double
  public var sentenceSeconds: Double
  public var sentenceProcessSeconds: Double?
  public var sentenceProcessCPUSeconds: Double?
  /// Whole-process seconds with `OPENBLAS_NUM_THREADS=1` in the child's environment.
  public var corpusProcessSecondsOneBLASThread: Double?
  public var sentenceProcessSecondsOneBLASThread: Double?
  public var repeats: Int
  public var cores: Int

  /// sacrebleu 2.6.0 on the CI machine kind (ANCHORS.md).
  public static let sacrebleuCorpusSeconds = 18.7
  public static let sacrebleuSentenceSeconds = 1.5

  /// One JSON object (pretty-printed, stable key order).
  public var json: String {
    func n(_ x: Double) -> String { String(format: "%.4f", x) }
    func ratio(_ anchor: Double, _ t: Double?) -> String {
      t.map { String(format: "%.1f", anchor / $0) } ?? "null"
    }
    return """
      {
        "benchmark": "bleu",
        "cores": \(cores),
        "repeats": \(repeats),
        "corpus": {
          "lines": \(lines),
          "hyp_tokens": \(hypothesisTokens),
          "ref_tokens": \(referenceTokens),
          "score": \(corpusScore),
          "seconds_in_process": \(n(corpusSeconds)),
          "seconds_whole_process": \(corpusProcessSeconds.map(n) ?? "null"),
          "cpu_seconds_whole_process": \(corpusProcessCPUSeconds.map(n) ?? "null"),
          "seconds_whole_process_openblas_1_thread": \(corpusProcessSecondsOneBLASThread.map(n) ?? "null"),
          "sacrebleu_seconds": \(Self.sacrebleuCorpusSeconds),
          "speedup_whole_process": \(ratio(Self.sacrebleuCorpusSeconds, corpusProcessSeconds)),
          "speedup_in_process": \(ratio(Self.sacrebleuCorpusSeconds, corpusSeconds))
        },
        "sentence": {
          "pairs": \(sentencePairs),
          "mean_score": \(sentenceMeanScore),
          "seconds_in_process": \(n(sentenceSeconds)),
          "seconds_whole_process": \(sentenceProcessSeconds.map(n) ?? "null"),
          "cpu_seconds_whole_process": \(sentenceProcessCPUSeconds.map(n) ?? "null"),
          "seconds_whole_process_openblas_1_thread": \(sentenceProcessSecondsOneBLASThread.map(n) ?? "null"),
          "sacrebleu_seconds": \(Self.sacrebleuSentenceSeconds),
          "speedup_whole_process": \(ratio(Self.sacrebleuSentenceSeconds, sentenceProcessSeconds)),
          "speedup_in_process": \(ratio(Self.sacrebleuSentenceSeconds, sentenceSeconds))
        }
      }
      """
  }
}

public enum BLEUBenchmark {
  /// Writes a hypothesis/reference pair of `lines` lines of generated text into `folder`
  /// (`hyp.txt`, `ref.txt`), about 15 13a tokens per hypothesis line, BLEU around 50.
  public static func writeCorpus(lines: Int, seed: UInt64, to folder: URL) throws -> (hyp: URL, ref: URL) {
    var rng = RandomGenerator(seed: seed)
    // A Zipfian vocabulary of syllable words.
    let syllables = [
      "ka", "lo", "mi", "ne", "ra", "to", "su", "ve", "an", "or", "el", "is", "un", "pre", "con", "ter",
      "ber",
      "sch", "ing", "ed", "ly", "st", "qu", "ph",
    ]
    let vocabularySize = 20_000
    var vocabulary: [String] = []
    for _ in 0..<vocabularySize {
      var word = ""
      for _ in 0..<(1 + rng.int(below: 3)) { word += syllables[rng.int(below: syllables.count)] }
      vocabulary.append(word)
    }
    var cdf: [Double] = []
    var acc = 0.0
    for r in 1...vocabularySize {
      acc += 1 / Double(r)
      cdf.append(acc)
    }
    func word(_ rng: inout RandomGenerator) -> String {
      let u = rng.uniform() * acc
      var lo = 0
      var hi = cdf.count - 1
      while lo < hi {
        let mid = (lo + hi) / 2
        if cdf[mid] < u { lo = mid + 1 } else { hi = mid }
      }
      return vocabulary[lo]
    }
    var hyp = ""
    var ref = ""
    hyp.reserveCapacity(lines * 80)
    ref.reserveCapacity(lines * 80)
    for _ in 0..<lines {
      let length = 4 + rng.int(below: 19)
      var refWords: [String] = []
      for k in 0..<length {
        var w = word(&rng)
        if k == 0 { w = w.prefix(1).uppercased() + w.dropFirst() }
        if rng.uniform() < 0.03 { w = String(rng.int(below: 10_000)) + "," + String(rng.int(below: 1000)) }
        refWords.append(w)
        if rng.uniform() < 0.08 { refWords.append(rng.uniform() < 0.7 ? "," : ";") }
      }
      var hypWords: [String] = []
      for w in refWords {
        let u = rng.uniform()
        if u < 0.06 { continue }  // deletion
        hypWords.append(u < 0.20 ? word(&rng) : w)  // substitution
        if rng.uniform() < 0.04 { hypWords.append(word(&rng)) }  // insertion
      }
      ref += refWords.joined(separator: " ") + ".\n"
      hyp += hypWords.joined(separator: " ") + ".\n"
    }
    let hypURL = folder.appendingPathComponent("hyp.txt")
    let refURL = folder.appendingPathComponent("ref.txt")
    try Data(hyp.utf8).write(to: hypURL, options: .atomic)
    try Data(ref.utf8).write(to: refURL, options: .atomic)
    return (hypURL, refURL)
  }

  /// Runs `executable arguments`, output discarded, and returns its wall-clock and CPU seconds
  /// (the CPU time shows the work when the shared machine is busy). Spawned with `posix_spawn`
  /// and reaped with `waitpid`: Foundation's `Process.waitUntilExit` polls its run loop and added
  /// about 30 ms to every measurement.
  static func timeProcess(_ executable: URL, _ arguments: [String], environment: [String: String] = [:])
    throws
    -> (wall: Double, cpu: Double)
  {
    let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
    let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for p in argv + envp { free(p) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    let cpu0 = Timing.childCPUSeconds()
    let wall = try Timing.seconds {
      var pid = pid_t()
      let spawned = posix_spawn(&pid, executable.path, &actions, nil, argv, envp)
      guard spawned == 0 else {
        throw BLEUBenchmarkError(
          message: "cannot start \(executable.path): \(String(cString: strerror(spawned)))")
      }
      var status: Int32 = 0
      while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
      // Exited normally with status 0 (WIFEXITED && WEXITSTATUS == 0).
      guard status & 0x7f == 0 && (status >> 8) & 0xff == 0 else {
        throw BLEUBenchmarkError(
          message: "\(executable.path) \(arguments) failed (wait status \(status))")
      }
    }
    return (wall, Timing.childCPUSeconds() - cpu0)
  }

  /// Generates the data in a temporary folder, then times corpus BLEU over `lines` lines and
  /// sentence BLEU (`sacrebleu.sentence_bleu` settings) over the first `sentencePairs` pairs, in
  /// process and, given the `losslab` executable, as whole `losslab bleu` processes. Medians of
  /// `repeats` runs. `keep`: write the files there and leave them (default: a temporary folder).
  public static func run(
    lines: Int = 100_000, sentencePairs: Int = 10_000, repeats: Int = 3, seed: UInt64 = 2026,
    executable: URL?, folder keep: URL? = nil
  ) throws -> BLEUBenchmarkReport {
    precondition(lines >= sentencePairs && sentencePairs > 0 && repeats > 0, "BLEUBenchmark: bad sizes")
    let folder =
      keep
      ?? FileManager.default.temporaryDirectory
      .appendingPathComponent("losslab-bench-bleu-\(ProcessInfo.processInfo.processIdentifier)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { if keep == nil { try? FileManager.default.removeItem(at: folder) } }
    let (hypURL, refURL) = try writeCorpus(lines: lines, seed: seed, to: folder)
    // The sentence workload: the first `sentencePairs` lines as their own files.
    let sentenceFolder = folder.appendingPathComponent("sentences")
    try FileManager.default.createDirectory(at: sentenceFolder, withIntermediateDirectories: true)
    let hypSentURL = sentenceFolder.appendingPathComponent("hyp.txt")
    let refSentURL = sentenceFolder.appendingPathComponent("ref.txt")
    for (source, target) in [(hypURL, hypSentURL), (refURL, refSentURL)] {
      let data = try Data(contentsOf: source)
      var newlines = 0
      var end = data.count
      for (k, byte) in data.enumerated() where byte == 0x0A {
        newlines += 1
        if newlines == sentencePairs {
          end = k + 1
          break
        }
      }
      try data.prefix(end).write(to: target, options: .atomic)
    }

    let bleu = BLEU()
    var corpusScore: BLEUScore? = nil
    var corpusTimes: [Double] = []
    for _ in 0..<repeats {
      corpusTimes.append(
        try Timing.seconds {
          let hyps = try BLEUSegments(contentsOf: hypURL)
          let refs = try BLEUSegments(contentsOf: refURL)
          corpusScore = try bleu.corpusScore(hypotheses: hyps, references: [refs])
        })
    }
    let sentenceBLEU = BLEU(BLEUSettings(effectiveOrder: true))
    var sentenceMean = 0.0
    var sentenceTimes: [Double] = []
    for _ in 0..<repeats {
      sentenceTimes.append(
        try Timing.seconds {
          let hyps = try BLEUSegments(contentsOf: hypSentURL)
          let refs = try BLEUSegments(contentsOf: refSentURL)
          let stats = try sentenceBLEU.segmentStatistics(hypotheses: hyps, references: [refs])
          var sum = 0.0
          for s in stats {
            sum += s.score(smoothing: sentenceBLEU.settings.smoothing, effectiveOrder: true).score
          }
          sentenceMean = sum / Double(stats.count)
        })
    }
    var corpusProcess: (wall: Double, cpu: Double)?
    var sentenceProcess: (wall: Double, cpu: Double)?
    var sentenceProcessOneBLASThread: Double?
    var corpusProcessOneBLASThread: Double?
    if let executable {
      let corpusRuns = try (0..<repeats).map { _ in
        try timeProcess(executable, ["bleu", refURL.path, "-i", hypURL.path])
      }
      corpusProcess = (Timing.median(corpusRuns.map(\.wall)), Timing.median(corpusRuns.map(\.cpu)))
      let sentenceRuns = try (0..<repeats).map { _ in
        try timeProcess(executable, ["bleu", refSentURL.path, "-i", hypSentURL.path, "--sentence-level"])
      }
      sentenceProcess = (Timing.median(sentenceRuns.map(\.wall)), Timing.median(sentenceRuns.map(\.cpu)))
      // The same with OpenBLAS limited to one thread: the losslab binary links OpenBLAS, whose
      // worker threads spin for ~0.1 s after start-up and compete for the cores.
      let quietRuns = try (0..<repeats).map { _ in
        try timeProcess(
          executable, ["bleu", refSentURL.path, "-i", hypSentURL.path, "--sentence-level"],
          environment: ["OPENBLAS_NUM_THREADS": "1"])
      }
      sentenceProcessOneBLASThread = Timing.median(quietRuns.map(\.wall))
      let quietCorpusRuns = try (0..<repeats).map { _ in
        try timeProcess(
          executable, ["bleu", refURL.path, "-i", hypURL.path], environment: ["OPENBLAS_NUM_THREADS": "1"])
      }
      corpusProcessOneBLASThread = Timing.median(quietCorpusRuns.map(\.wall))
    }
    guard let corpusScore else { throw BLEUBenchmarkError(message: "repeats must be at least 1") }
    return BLEUBenchmarkReport(
      lines: lines, hypothesisTokens: corpusScore.sysLen, referenceTokens: corpusScore.refLen,
      corpusScore: corpusScore.score, corpusSeconds: Timing.median(corpusTimes),
      corpusProcessSeconds: corpusProcess?.wall, corpusProcessCPUSeconds: corpusProcess?.cpu,
      sentencePairs: sentencePairs, sentenceMeanScore: sentenceMean,
      sentenceSeconds: Timing.median(sentenceTimes),
      sentenceProcessSeconds: sentenceProcess?.wall, sentenceProcessCPUSeconds: sentenceProcess?.cpu,
      corpusProcessSecondsOneBLASThread: corpusProcessOneBLASThread,
      sentenceProcessSecondsOneBLASThread: sentenceProcessOneBLASThread, repeats: repeats,
      cores: ProcessInfo.processInfo.activeProcessorCount)
  }
}

struct BLEUBenchmarkError: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}
