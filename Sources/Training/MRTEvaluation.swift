import BLEU
import Core
import Foundation
import Runs
import Statistics
import Translation

/// Corpus BLEU of a trained run on a split, with sacrebleu's signature and example translations.
public struct MRTEvaluationReport: Codable, Sendable {
  public var run: String
  public var split: String
  public var beam: Int
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
    var lines = ["\(run) \(split) (\(beam == 1 ? "greedy" : "beam \(beam)")): \(scoreLine)"]
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
    var out: [[Int]] = []
    out.reserveCapacity(sources.count)
    var start = 0
    while start < sources.count {
      let chunk = Array(sources[start..<min(start + 128, sources.count)])
      out += beam == 1 ? model.greedy(chunk) : model.beamSearch(chunk, width: beam)
      start += chunk.count
    }
    return out
  }

  /// Evaluates `run`'s best weights on `split` of the corpus at `data` (default: the run's own).
  /// Writes the hypotheses to `<run>/<split>.<greedy|beamN>.hyp`.
  public static func evaluate(
    run: RunFolder, data: String? = nil, split: String, beam: Int, examples: Int = 5
  ) throws -> MRTEvaluationReport {
    precondition(beam >= 1, "beam must be at least 1, got \(beam)")
    let config = try run.readConfig(MRTConfiguration.self)
    let (model, vocabularies) = try MRTTraining.loadModel(run)
    let folder = URL(fileURLWithPath: data ?? config.data)
    let corpus = try ParallelCorpus.read(folder, split: split)
    let format = try ParallelCorpus.format(folder)
    let hypotheses = translate(
      model, sources: corpus.sources.map(vocabularies.source.encode), beam: beam
    ).map { ParallelCorpus.words(vocabularies.target.decode($0), format: format).joined(separator: " ") }
    let references = corpus.targets.map { ParallelCorpus.words($0, format: format).joined(separator: " ") }
    let bleu = BLEU()
    let score = try bleu.corpusScore(hypotheses: hypotheses, references: [references])
    let name = "\(split).\(beam == 1 ? "greedy" : "beam\(beam)").hyp"
    try AtomicFile.write(
      hypotheses.map { $0 + "\n" }.joined(), to: run.url.appendingPathComponent(name))
    let shown = (0..<min(max(examples, 0), hypotheses.count)).map {
      MRTEvaluationReport.Example(
        source: ParallelCorpus.words(corpus.sources[$0], format: format).joined(separator: " "),
        reference: references[$0],
        hypothesis: hypotheses[$0])
    }
    return MRTEvaluationReport(
      run: run.name, split: split, beam: beam, bleu: score.score, scoreLine: score.formatted(),
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
