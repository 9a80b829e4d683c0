import BLEU
import Core
import Foundation
import Runs
import Statistics
import Translation

/// How `mrt eval` turns a model into translations.
public enum MRTDecodingMethod: String, Codable, CaseIterable, Sendable {
  /// The most probable token at each step.
  case greedy
  /// Beam search of width `beam`.
  case beam
  /// One ancestral sample per source.
  case sample
  /// Minimum Bayes risk over `mbrSamples` samples (or an n-best beam of that width).
  case mbr
}

public struct MRTDecoding: Codable, Sendable, Equatable {
  public var method: MRTDecodingMethod = .greedy
  /// Beam width (method beam).
  public var beam = 1
  /// Candidates per source for MBR (default 20).
  public var mbrSamples = 20
  /// MBR candidates: ancestral samples (default) or beam search's n-best list.
  public var mbrCandidates: MRTCandidateSource = .sample
  /// Seed of sampling (sample, MBR over samples).
  public var seed: UInt64 = 1

  public init(
    method: MRTDecodingMethod = .greedy, beam: Int = 1, mbrSamples: Int = 20,
    mbrCandidates: MRTCandidateSource = .sample, seed: UInt64 = 1
  ) {
    self.method = method
    self.beam = beam
    self.mbrSamples = mbrSamples
    self.mbrCandidates = mbrCandidates
    self.seed = seed
  }

  /// Greedy for width 1, else beam search (what `--beam` alone asks for).
  public static func beam(_ width: Int) -> MRTDecoding {
    MRTDecoding(method: width == 1 ? .greedy : .beam, beam: width)
  }

  /// File-name tag: `greedy`, `beam5`, `sample-s1`, `mbr20-s1`, `mbr20beam`.
  public var tag: String {
    switch method {
    case .greedy: return "greedy"
    case .beam: return "beam\(beam)"
    case .sample: return "sample-s\(seed)"
    case .mbr: return mbrCandidates == .beam ? "mbr\(mbrSamples)beam" : "mbr\(mbrSamples)-s\(seed)"
    }
  }

  /// Human-readable: `greedy`, `beam 5`, `sample, seed 1`, `MBR over 20 samples, seed 1`.
  public var description: String {
    switch method {
    case .greedy: return "greedy"
    case .beam: return "beam \(beam)"
    case .sample: return "sample, seed \(seed)"
    case .mbr:
      return mbrCandidates == .beam
        ? "MBR over a \(mbrSamples)-best beam" : "MBR over \(mbrSamples) samples, seed \(seed)"
    }
  }
}

/// Corpus BLEU of a trained run on a split, with sacrebleu's signature and example translations.
public struct MRTEvaluationReport: Codable, Sendable {
  public var run: String
  public var split: String
  public var beam: Int
  public var decoding: String
  /// Sentences per second of decoding (translation only, BLEU excluded).
  public var sentencesPerSecond: Double
  public var bleu: Double
  /// sacrebleu's score line: `BLEU = 71.79 90.8/77.8/68.8/61.1 (BP = ... ratio = ...)`.
  public var scoreLine: String
  public var signature: String
  public var lengthRatio: Double
  public var examples: [Example]

  public struct Example: Codable, Sendable {
    public var source: String
    public var reference: String
    public var hypothesis: String
  }

  /// Human-readable report.
  public var text: String {
    var lines = ["\(run) \(split) (\(decoding)): \(scoreLine)"]
    lines.append("signature: \(signature)")
    for example in examples {
      lines += ["", "src: \(example.source)", "ref: \(example.reference)", "hyp: \(example.hypothesis)"]
    }
    return lines.joined(separator: "\n")
  }
}

public enum MRTEvaluation {
  /// Translations (token ids, no `<eos>`) of `sources`, in chunks of 128 sentences; `beam` 1 is
  /// greedy decoding.
  public static func translate(_ model: Seq2Seq, sources: [[Int]], beam: Int) -> [[Int]] {
    translate(model, sources: sources, decoding: .beam(beam))
  }

  /// Translations of `sources` by `decoding`, in chunks of 128 sentences (MBR: the candidates of a
  /// chunk are one batched sampling or beam run).
  public static func translate(_ model: Seq2Seq, sources: [[Int]], decoding: MRTDecoding) -> [[Int]] {
    var out: [[Int]] = []
    out.reserveCapacity(sources.count)
    var rng = RandomGenerator(seed: decoding.seed, stream: 0xDEC0)
    var start = 0
    while start < sources.count {
      let chunk = Array(sources[start..<min(start + 128, sources.count)])
      switch decoding.method {
      case .greedy: out += model.greedy(chunk)
      case .beam:
        out += decoding.beam == 1 ? model.greedy(chunk) : model.beamSearch(chunk, width: decoding.beam)
      case .sample: out += model.sample(chunk, count: 1, using: &rng)
      case .mbr:
        let n = decoding.mbrSamples
        let lists: [[[Int]]]
        if decoding.mbrCandidates == .beam {
          lists = model.nBest(chunk, width: n)
        } else {
          let samples = model.sample(chunk, count: n, using: &rng)
          lists = chunk.indices.map { Array(samples[($0 * n)..<(($0 + 1) * n)]) }
        }
        out += lists.map { $0[MinimumBayesRisk.select($0)] }
      }
      start += chunk.count
    }
    return out
  }

  /// Evaluates `run`'s best weights on `split` of the corpus at `data` (default: the run's own).
  /// Writes the hypotheses to `<run>/<split>.<greedy|beamN>.hyp`.
  public static func evaluate(
    run: RunFolder, data: String? = nil, split: String, beam: Int, examples: Int = 5
  ) throws -> MRTEvaluationReport {
    try evaluate(run: run, data: data, split: split, decoding: .beam(beam), examples: examples)
  }

  /// Evaluates with any decoding; writes `<run>/<split>.<tag>.hyp` (`MRTDecoding.tag`).
  public static func evaluate(
    run: RunFolder, data: String? = nil, split: String, decoding: MRTDecoding, examples: Int = 5
  ) throws -> MRTEvaluationReport {
    precondition(decoding.beam >= 1 && decoding.mbrSamples >= 1, "decoding widths must be at least 1")
    let beam = decoding.beam
    let config = try run.readConfig(MRTConfiguration.self)
    let (model, vocabularies) = try MRTTraining.loadModel(run)
    let folder = URL(fileURLWithPath: data ?? config.data)
    let corpus = try ParallelCorpus.read(folder, split: split)
    let format = try ParallelCorpus.format(folder)
    let started = Date()
    let hypotheses = translate(
      model, sources: corpus.sources.map(vocabularies.source.encode), decoding: decoding
    ).map { ParallelCorpus.words(vocabularies.target.decode($0), format: format).joined(separator: " ") }
    let seconds = Date().timeIntervalSince(started)
    let references = corpus.targets.map { ParallelCorpus.words($0, format: format).joined(separator: " ") }
    let bleu = BLEU()
    let score = try bleu.corpusScore(hypotheses: hypotheses, references: [references])
    let name = "\(split).\(decoding.tag).hyp"
    try AtomicFile.write(
      hypotheses.map { $0 + "\n" }.joined(), to: run.url.appendingPathComponent(name))
    let shown = (0..<min(max(examples, 0), hypotheses.count)).map {
      MRTEvaluationReport.Example(
        source: ParallelCorpus.words(corpus.sources[$0], format: format).joined(separator: " "),
        reference: references[$0],
        hypothesis: hypotheses[$0])
    }
    return MRTEvaluationReport(
      run: run.name, split: split, beam: beam, decoding: decoding.description,
      sentencesPerSecond: Double(hypotheses.count) / max(seconds, 1e-9), bleu: score.score,
      scoreLine: score.formatted(),
      signature: bleu.signature(referenceCount: 1), lengthRatio: score.ratio, examples: shown)
  }
}

/// MLE versus minimum-risk test BLEU over seeds: per-seed numbers, means and a paired t-test.
public struct MRTComparison: Codable, Sendable {
  public var seeds: [String]
  public var mle: [Double]
  public var risk: [Double]
  public var differences: [Double]
  public var meanMLE: Double
  public var meanRisk: Double
  public var meanDifference: Double
  public var pairedTest: PairedTestResult

  public init(seeds: [String], mle: [Double], risk: [Double]) {
    self.seeds = seeds
    self.mle = mle
    self.risk = risk
    differences = zip(risk, mle).map { $0 - $1 }
    meanMLE = Statistics.mean(mle)
    meanRisk = Statistics.mean(risk)
    meanDifference = Statistics.mean(differences)
    pairedTest = HypothesisTests.pairedTTest(risk, mle)
  }

  /// A Markdown table with one row per seed and a mean row.
  public var markdown: String {
    func f(_ x: Double) -> String { String(format: "%.2f", x) }
    var lines = ["| seed | MLE | MRT | MRT - MLE |", "|---|---|---|---|"]
    for i in seeds.indices {
      lines.append("| \(seeds[i]) | \(f(mle[i])) | \(f(risk[i])) | \(f(differences[i])) |")
    }
    lines.append("| mean | \(f(meanMLE)) | \(f(meanRisk)) | \(f(meanDifference)) |")
    lines.append("")
    lines.append(
      "paired t-test (MRT vs MLE, n = \(seeds.count)): t = \(String(format: "%.3f", pairedTest.t)), "
        + "df = \(Int(pairedTest.degreesOfFreedom)), p = \(String(format: "%.4f", pairedTest.pValue))")
    return lines.joined(separator: "\n")
  }
}
