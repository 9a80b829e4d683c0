import BLEU
import Core
import Foundation
import NeuralNets
import Tensors
import Training
import Translation

/// Throughput of sequence training and decoding on the toy translation task with a freshly
/// initialised model (the cost of a step does not depend on what the model has learned, apart
/// from output lengths): MLE steps (sentence pairs per second), minimum-risk steps (sources and
/// candidates per second: sampling, sentence BLEU, the batched teacher-forced pass and its
/// backward pass, Adam), and decoding (greedy, beam 5, MBR over sampled candidates).
public enum MRTBenchmark {
  public struct Report: Codable, Sendable {
    public var embedding: Int
    public var hidden: Int
    public var threads: Int
    /// MLE: pairs per step, steps timed, pairs per second.
    public var mleBatch: Int
    public var mleSteps: Int
    public var mleSentencesPerSecond: Double
    /// Risk: sources per step, candidates per source, steps timed, sources and candidates per second.
    public var riskSources: Int
    public var riskSamples: Int
    public var riskSteps: Int
    public var riskSentencesPerSecond: Double
    public var riskCandidatesPerSecond: Double
    /// MLE pairs per second over risk sources per second (MRT's cost per training sentence).
    public var riskCostOverMLE: Double
    /// Decoding of `evalSentences` test sources.
    public var evalSentences: Int
    public var greedySentencesPerSecond: Double
    public var beam5SentencesPerSecond: Double
    public var mbrSamples: Int
    public var mbrSentencesPerSecond: Double
    public var mbrCandidatesPerSecond: Double
  }

  public static func measure(
    embedding: Int = 64, hidden: Int = 128, steps: Int = 20, samples: Int = 20, evalSentences: Int = 200,
    threads: Int = 1, seed: UInt64 = 19
  ) -> Report {
    BLAS.threads = threads
    let corpus = ToyTranslation().corpus(seed: seed, trainSize: 2_000, devSize: 1, testSize: evalSentences)
    let source = Vocabulary(sentences: corpus.train.map(\.source))
    let target = Vocabulary(sentences: corpus.train.map(\.target))
    var rng = RandomGenerator(seed: seed, stream: 0xBE)
    let model = Seq2Seq(
      Seq2SeqConfiguration(
        sourceVocabularySize: source.count, targetVocabularySize: target.count, embeddingSize: embedding,
        hiddenSize: hidden), using: &rng)
    let adam = Adam(parameters: model.parameters, learningRate: 1e-4)
    let sources = corpus.train.map { source.encode($0.source) }
    let targets = corpus.train.map { target.encode($0.target) }
    func rows(_ step: Int, _ size: Int) -> [Int] { (0..<size).map { (step * size + $0) % sources.count } }

    let mleBatch = 64
    let mleTime = Timing.seconds {
      for step in 0..<steps {
        let items = rows(step, mleBatch)
        let tape = Tape()
        let loss = model.negativeLogLikelihood(
          Seq2SeqBatch(sources: items.map { sources[$0] }, targets: items.map { targets[$0] }), on: tape)
        tape.backward(loss)
        adam.step()
        adam.zeroGrad()
      }
    }

    var config = MRTConfiguration()
    config.objective = .risk
    config.samples = samples
    let riskSources = config.sourcesPerStep
    let references = targets.map { (try? BLEUReference(tokens: [$0]))! }
    var candidates = 0.0
    let riskTime = Timing.seconds {
      for step in 0..<steps {
        let items = rows(step, riskSources)
        let row = MRTTraining.riskStep(
          model: model, config: config, sources: items.map { sources[$0] },
          references: items.map { targets[$0] },
          bleuReferences: items.map { references[$0] }, step: step)
        candidates += (row["train/candidates"] ?? 0) * Double(riskSources)
        adam.step()
        adam.zeroGrad()
      }
    }

    let test = corpus.test.map { source.encode($0.source) }
    let n = Double(test.count)
    let greedy = Timing.seconds { _ = MRTEvaluation.translate(model, sources: test, decoding: .beam(1)) }
    let beam = Timing.seconds { _ = MRTEvaluation.translate(model, sources: test, decoding: .beam(5)) }
    let mbr = Timing.seconds {
      _ = MRTEvaluation.translate(
        model, sources: test, decoding: MRTDecoding(method: .mbr, mbrSamples: samples))
    }
    let mleRate = Double(steps * mleBatch) / mleTime
    let riskRate = Double(steps * riskSources) / riskTime
    func r(_ x: Double) -> Double { (x * 100).rounded() / 100 }
    return Report(
      embedding: embedding, hidden: hidden, threads: threads, mleBatch: mleBatch, mleSteps: steps,
      mleSentencesPerSecond: r(mleRate), riskSources: riskSources, riskSamples: samples, riskSteps: steps,
      riskSentencesPerSecond: r(riskRate), riskCandidatesPerSecond: r(candidates / riskTime),
      riskCostOverMLE: r(mleRate / riskRate), evalSentences: test.count,
      greedySentencesPerSecond: r(n / greedy), beam5SentencesPerSecond: r(n / beam), mbrSamples: samples,
      mbrSentencesPerSecond: r(n / mbr), mbrCandidatesPerSecond: r(n * Double(samples) / mbr))
  }
}
