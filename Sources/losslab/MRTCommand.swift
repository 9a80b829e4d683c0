import ArgumentParser
import BLEU
import Foundation
import NeuralNets
import Runs
import Tensors
import Training
import Translation

extension MRTObjective: ExpressibleByArgument {}

/// `losslab mrt data|train|eval|compare`: the toy translation task, MLE and minimum-risk training.
struct MRTCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mrt",
    abstract: "Seq2seq translation: toy corpus, MLE training, minimum-risk fine-tuning, BLEU eval.",
    subcommands: [Data.self, Train.self, Eval.self, Compare.self])

  struct Data: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write a parallel corpus (train/dev/test .src/.tgt): the synthetic one or Bible verses.")

    @Argument(help: "Corpus: toy (synthetic, default) or bible (es-en verses, SWORD modules).")
    var corpus = "toy"
    @Option(help: "Output folder.") var out: String
    @OptionGroup var bible: BibleDataOptions
    @Option(help: "Corpus seed (default 1).") var seed: UInt64 = 1
    @Option(help: "Training pairs (default 30000).") var train = 30_000
    @Option(help: "Dev pairs (default 1000).") var dev = 1_000
    @Option(help: "Test pairs (default 1000).") var test = 1_000
    @Option(help: "Probability that an unmarked noun phrase is indefinite (default 0.05).")
    var indefiniteRate = ToyTranslation.Options().indefiniteRate
    @Option(help: "Probability that a reference loses one random word (default 0.01).")
    var dropRate = ToyTranslation.Options().dropRate
    @Option(help: "Longest sentence in words, final '.' included (default 40).")
    var maxLength = ToyTranslation.Options().maxLength
    @Option(help: "Clauses per sentence at most (default 3).")
    var maxClauses = ToyTranslation.Options().maxClauses
    @Option(help: "Probability of each further clause (default 0.6).")
    var clauseRate = ToyTranslation.Options().clauseRate

    func validate() throws {
      guard ["toy", "bible"].contains(corpus) else {
        throw ValidationError("CORPUS '\(corpus)': allowed toy, bible")
      }
      try bible.validate(corpus: corpus)
      try Allowed.path("--out", out)
      for (flag, value) in [("--train", train), ("--dev", dev), ("--test", test)] {
        try Allowed.check(flag, value, 1...Limits.corpusPairs)
      }
      for (flag, value) in [
        ("--indefinite-rate", indefiniteRate), ("--drop-rate", dropRate), ("--clause-rate", clauseRate),
      ] {
        try Allowed.check(flag, value, 0...1)
      }
      try Allowed.check("--max-clauses", maxClauses, 1...Limits.clauses)
      try Allowed.check("--max-length", maxLength, ToyTranslation.Options().minLength...Limits.sentenceWords)
    }

    func run() throws {
      if corpus == "bible" { return try bible.write(to: out) }
      var options = ToyTranslation.Options()
      options.indefiniteRate = indefiniteRate
      options.dropRate = dropRate
      options.maxLength = maxLength
      options.maxClauses = maxClauses
      options.clauseRate = clauseRate
      try ParallelCorpus.writeToyCorpus(
        to: URL(fileURLWithPath: out), seed: seed, trainSize: train, devSize: dev, testSize: test,
        options: options)
      print("wrote \(out)/{train,dev,test}.{src,tgt}: \(train)/\(dev)/\(test) pairs (seed \(seed))")
    }
  }

  struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Train by maximum likelihood, or fine-tune by minimum risk (--objective risk --init).")

    @Option(help: "Parallel corpus folder (required for a new run).") var data: String?
    @OptionGroup var runFolder: RunFolderOptions
    @Option(help: "Objective: mle or risk (default mle).") var objective: MRTObjective = .mle
    @Option(name: .customLong("init"), help: "MLE run folder to start from (risk).") var initFrom: String?
    @Option(help: "Seed (default 1).") var seed: UInt64 = 1
    @Option(help: "Embedding width (default 64).") var embedding = 64
    @Option(help: "Decoder state width (default 128).") var hidden = 128
    @Option(help: "MLE sentence pairs per step (default 64).") var batchSize = 64
    @Option(help: "Risk: sources per step (default 8).") var sourcesPerStep = 8
    @Option(help: "Risk: candidates sampled per source (default 20).") var samples = 20
    @Option(help: "Risk: Q sharpness alpha (default 0.005).") var alpha = 0.005
    @Option(help: "Risk: token-level loss weight w in (1-w) risk + w nll (default 0).")
    var mleWeight = 0.0
    @Flag(help: "Risk: add the reference to each candidate set.") var includeReference = false
    @Flag(help: "Risk: drop repeated candidates.") var deduplicate = false
    @Option(help: "Adam learning rate (default 1e-3 mle, 1e-4 risk).") var lr: Double?
    @Option(
      help: "Maximum optimizer steps (default 10000 mle, 1500 risk; with --resume, the new total).")
    var maxSteps: Int?
    @Option(help: "Steps between dev evaluations (default 500 mle, 100 risk).") var evalEvery: Int?
    @Option(help: "Evaluations without dev gain before stopping (default 4).") var patience = 4
    @Option(help: "Dev sentences per evaluation (default 1000).") var devSentences = 1_000
    @Option(help: "BLAS threads (default 1).") var threads = 1
    @Flag(help: "No progress bar.") var quiet = false

    var configurationValue: MRTConfiguration {
      var c = MRTConfiguration()
      c.objective = objective
      c.data = data ?? ""
      c.initFrom = initFrom
      c.seed = seed
      c.embeddingSize = embedding
      c.hiddenSize = hidden
      c.batchSize = batchSize
      c.sourcesPerStep = sourcesPerStep
      c.samples = samples
      c.alpha = alpha
      c.mleWeight = mleWeight
      c.includeReference = includeReference
      c.deduplicate = deduplicate
      c.learningRate = lr ?? (objective == .mle ? 1e-3 : 1e-4)
      c.maxSteps = maxSteps ?? (objective == .mle ? 10_000 : 1_500)
      c.evalEvery = evalEvery ?? (objective == .mle ? 500 : 100)
      c.patience = patience
      c.devSentences = devSentences
      return c
    }

    func validate() throws {
      if runFolder.resume == nil && data == nil { throw ValidationError("--data is required for a new run") }
      try Allowed.path("--data", data)
      try Allowed.path("--init", initFrom)
      try Allowed.check("--embedding", embedding, 1...Limits.width)
      try Allowed.check("--hidden", hidden, 2...Limits.width, "even")
      if hidden % 2 != 0 {
        throw Allowed.error("--hidden", "\(hidden)", "even numbers in 2...\(Limits.width)", "")
      }
      try Allowed.check("--batch-size", batchSize, 1...Limits.batch)
      try Allowed.check("--sources-per-step", sourcesPerStep, 1...Limits.batch)
      try Allowed.check("--samples", samples, 1...Limits.samples)
      try Allowed.check("--alpha", alpha, above: 0, upTo: 1_000)
      try Allowed.check("--mle-weight", mleWeight, 0...1)
      try Allowed.check("--lr", lr, Double.leastNormalMagnitude...Limits.learningRate)
      try Allowed.check("--max-steps", maxSteps, 1...Limits.steps)
      try Allowed.check("--eval-every", evalEvery, 1...Limits.steps)
      try Allowed.check("--patience", patience, 0...Limits.steps)
      try Allowed.check("--dev-sentences", devSentences, 1...Limits.corpusPairs)
      try ThreadsOption.check(threads)
      if let message = configurationValue.validationError() { throw ValidationError(message) }
    }

    func run() throws {
      BLAS.threads = threads
      try TrainingCommandExit.run {
        let interrupt = InterruptHandler.install()
        defer { interrupt.uninstall() }
        let session = try TrainingSession(try runFolder.request(), interrupt: interrupt)
        let summary = try MRTTraining.train(
          configurationValue, session: session, requestedMaxSteps: session.isResuming ? maxSteps : nil,
          progress: !quiet, log: { FileHandle.standardError.write(Foundation.Data(($0 + "\n").utf8)) })
        let path = session.folder.url.path
        print(
          "\(path): best dev BLEU \(String(format: "%.2f", summary.bestDevBLEU)) at step \(summary.bestStep)"
            + (summary.interrupted
              ? " (interrupted at step \(summary.steps); continue with: losslab mrt train --resume \(path))"
              : ""))
        return summary.interrupted ? .interrupted : .finished
      }
    }
  }

  struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Corpus BLEU (sacrebleu signature) of a run's best weights, with examples.")

    @Argument(help: "Run folder.") var runFolder: String
    @Option(help: "Split: train, dev or test (default test).") var split = "test"
    @Option(help: "Beam width; 1 is greedy (default 1).") var beam = 1
    @Option(help: "Corpus folder (default: the run's).") var data: String?
    @Option(help: "Example translations to show (default 5).") var examples = 5
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
      guard ["train", "dev", "test"].contains(split) else {
        throw ValidationError("--split '\(split)': allowed train, dev, test")
      }
      try Allowed.path("RUN", runFolder)
      try Allowed.path("--data", data)
      try Allowed.check("--beam", beam, 1...Limits.beam)
      try Allowed.check("--examples", examples, 0...Limits.repeats)
    }

    func run() throws {
      let report = try MRTEvaluation.evaluate(
        run: RunFolder(url: URL(fileURLWithPath: runFolder)), data: data, split: split, beam: beam,
        examples: examples)
      if json {
        try printJSON(report, pretty: true)
      } else {
        print(report.text)
      }
    }
  }

  struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Paired comparison of MLE and MRT runs over seeds (corpus BLEU on a split).")

    @Option(help: "MLE run folders, one per seed.") var mle: [String]
    @Option(help: "MRT run folders, in the same seed order.") var mrt: [String]
    @Option(help: "Split (default test).") var split = "test"
    @Option(help: "Beam width; 1 is greedy (default 1).") var beam = 1

    func validate() throws {
      guard mle.count == mrt.count, mle.count >= 2 else {
        throw ValidationError("--mle and --mrt need the same number of runs, at least two")
      }
      for path in mle { try Allowed.path("--mle", path) }
      for path in mrt { try Allowed.path("--mrt", path) }
      guard ["train", "dev", "test"].contains(split) else {
        throw ValidationError("--split '\(split)': allowed train, dev, test")
      }
      try Allowed.check("--beam", beam, 1...Limits.beam)
    }

    func run() throws {
      func score(_ path: String) throws -> Double {
        try MRTEvaluation.evaluate(
          run: RunFolder(url: URL(fileURLWithPath: path)), split: split, beam: beam, examples: 0
        ).bleu
      }
      let comparison = MRTComparison(
        seeds: mrt.map { URL(fileURLWithPath: $0).lastPathComponent },
        mle: try mle.map(score), risk: try mrt.map(score))
      print(comparison.markdown)
    }
  }
}
