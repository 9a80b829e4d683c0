import ArgumentParser
import BLEU
import Foundation
import NeuralNets
import Runs
import Tensors
import Training
import Translation

extension MRTObjective: ExpressibleByArgument {}
extension MRTCandidateSource: ExpressibleByArgument {}
extension MRTDecodingMethod: ExpressibleByArgument {}

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
    @Option(help: "Mode-vs-consensus phrases per sentence, 4 target words each (default 0).")
    var ambiguousPhrases = 0
    @Option(help: "pA: probability that an ambiguous phrase is the idiom (default 0.3).")
    var idiomRate = ToyTranslation.Options().idiomRate
    @Option(help: "k: names the other rendering of an ambiguous phrase draws from (default 10).")
    var alternatives = ToyTranslation.Options().alternatives
    @Option(help: "q: probability of the optional word at the end of each clause (default 0: none).")
    var optionalRate = ToyTranslation.Options().optionalRate
    @Option(help: "Monte Carlo reference sets for the Bayes ceiling (default 20).")
    var ceilingDraws = 20

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
        ("--idiom-rate", idiomRate), ("--optional-rate", optionalRate),
      ] {
        try Allowed.check(flag, value, 0...1)
      }
      try Allowed.check("--max-clauses", maxClauses, 1...Limits.clauses)
      try Allowed.check("--max-length", maxLength, ToyTranslation.Options().minLength...Limits.sentenceWords)
      // The shortest clause is 4 target words (optional word included: 5); each phrase adds 4.
      try Allowed.check(
        "--ambiguous-phrases", ambiguousPhrases, 0...max((maxLength - 5) / 4, 0),
        "4 words each within --max-length \(maxLength)")
      try Allowed.check("--alternatives", alternatives, 1...Limits.samples)
      try Allowed.check("--ceiling-draws", ceilingDraws, 1...Limits.seeds)
    }

    func run() throws {
      if corpus == "bible" { return try bible.write(to: out) }
      var options = ToyTranslation.Options()
      options.indefiniteRate = indefiniteRate
      options.dropRate = dropRate
      options.maxLength = maxLength
      options.maxClauses = maxClauses
      options.clauseRate = clauseRate
      options.ambiguousPhrases = ambiguousPhrases
      options.idiomRate = idiomRate
      options.alternatives = alternatives
      options.optionalRate = optionalRate
      let ceilings = try ParallelCorpus.writeToyCorpus(
        to: URL(fileURLWithPath: out), seed: seed, trainSize: train, devSize: dev, testSize: test,
        options: options, ceilingDraws: ceilingDraws)
      print("wrote \(out)/{train,dev,test}.{src,tgt}: \(train)/\(dev)/\(test) pairs (seed \(seed))")
      for (split, c) in ceilings { print(c.summary(split: split)) }
      print("ceilings: \(out)/ceilings.json; Bayes outputs: \(out)/<split>.bayes.tgt")
    }
  }

  struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Train by maximum likelihood, or fine-tune by minimum risk (--objective risk --init).")

    @Option(help: "Parallel corpus folder (required for a new run).") var data: String?
    @OptionGroup var runFolder: RunFolderOptions
    @Option(
      help: "Objective: mle, risk, seq-nll, max-margin, multi-margin or softmax-margin (default mle).")
    var objective: MRTObjective = .mle
    @Option(name: .customLong("init"), help: "MLE run folder to start from (all but mle).") var initFrom:
      String?
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
    @Option(
      help: "Sequence objectives: candidates from sample or beam (n-best of width --samples; default sample)."
    )
    var candidates: MRTCandidateSource = .sample
    @Flag(help: "Risk: rescale costs per source to [0, 1].") var normaliseCosts = false
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
      c.candidates = candidates == .sample ? nil : candidates
      c.normaliseCosts = normaliseCosts ? true : nil
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
    @Option(help: "Decoding: greedy, beam, sample or mbr (default: greedy, or beam when --beam > 1).")
    var decode: MRTDecodingMethod?
    @Option(help: "MBR: candidates per source (default 20).") var mbrSamples = 20
    @Option(help: "MBR: candidates from sample or beam (an n-best list; default sample).")
    var mbrCandidates: MRTCandidateSource = .sample
    @Option(help: "Sampling seed (sample, mbr; default 1).") var seed: UInt64 = 1
    @Option(help: "Corpus folder (default: the run's).") var data: String?
    @Option(help: "Example translations to show (default 5).") var examples = 5
    @Flag(help: "Print JSON.") var json = false

    var decoding: MRTDecoding {
      let method = decode ?? (beam > 1 ? .beam : .greedy)
      return MRTDecoding(
        method: method, beam: beam, mbrSamples: mbrSamples, mbrCandidates: mbrCandidates, seed: seed)
    }

    func validate() throws {
      guard ["train", "dev", "test"].contains(split) else {
        throw ValidationError("--split '\(split)': allowed train, dev, test")
      }
      try Allowed.path("RUN", runFolder)
      try Allowed.path("--data", data)
      try Allowed.check("--beam", beam, 1...Limits.beam)
      try Allowed.check("--mbr-samples", mbrSamples, 1...Limits.samples)
      try Allowed.check("--examples", examples, 0...Limits.repeats)
    }

    func run() throws {
      let report = try MRTEvaluation.evaluate(
        run: RunFolder(url: URL(fileURLWithPath: runFolder)), data: data, split: split, decoding: decoding,
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
      abstract: "Paired comparison of any number of methods against MLE over seeds (corpus BLEU on a split).")

    @Option(help: "MLE run folders, one per seed (the baseline).") var mle: [String]
    @Option(help: "MRT run folders, in the same seed order (label MRT).") var mrt: [String] = []
    @Option(
      help: ArgumentHelp(
        "LABEL[:DECODE]=RUN,RUN,...: another method's runs in the same seed order (repeatable).",
        discussion: "DECODE: greedy, beamN, sample, mbrN or mbrNbeam (default: --beam's).",
        valueName: "method"))
    var method: [String] = []
    @Option(help: "Split (default test).") var split = "test"
    @Option(help: "Beam width; 1 is greedy (default 1).") var beam = 1
    @Option(help: "Sampling seed for sample and MBR decodings (default 1).") var seed: UInt64 = 1
    @Flag(help: "Print JSON.") var json = false

    /// (label, decoding, runs) per compared method, MLE first.
    func methods() throws -> [(label: String, decoding: MRTDecoding, runs: [String])] {
      var out = [("MLE", MRTDecoding.beam(beam), mle)]
      if !mrt.isEmpty { out.append(("MRT", MRTDecoding.beam(beam), mrt)) }
      for spec in method {
        guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else {
          throw ValidationError("--method '\(spec)': allowed LABEL[:DECODE]=RUN,RUN,...")
        }
        let head = spec[..<eq].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let runs = spec[spec.index(after: eq)...].split(separator: ",").map(String.init)
        var decoding = MRTDecoding.beam(beam)
        if head.count == 2 {
          guard let parsed = Self.decoding(String(head[1]), seed: seed) else {
            throw ValidationError(
              "--method '\(spec)': decoding '\(head[1])' not allowed (greedy, beamN, sample, mbrN, mbrNbeam)")
          }
          decoding = parsed
        }
        guard !head[0].isEmpty else { throw ValidationError("--method '\(spec)': allowed a non-empty LABEL") }
        out.append((String(head[0]), decoding, runs))
      }
      return out
    }

    /// `greedy`, `beamN`, `sample`, `mbrN`, `mbrNbeam` (N in 1...1000).
    static func decoding(_ text: String, seed: UInt64) -> MRTDecoding? {
      func width(_ digits: Substring) -> Int? {
        guard let n = Int(digits), (1...Limits.beam).contains(n) else { return nil }
        return n
      }
      if text == "greedy" { return MRTDecoding() }
      if text == "sample" { return MRTDecoding(method: .sample, seed: seed) }
      if text.hasPrefix("beam"), let n = width(text.dropFirst(4)) {
        return MRTDecoding(method: .beam, beam: n)
      }
      if text.hasPrefix("mbr") {
        var rest = text.dropFirst(3)
        let fromBeam = rest.hasSuffix("beam")
        if fromBeam { rest = rest.dropLast(4) }
        guard let n = width(rest) else { return nil }
        return MRTDecoding(method: .mbr, mbrSamples: n, mbrCandidates: fromBeam ? .beam : .sample, seed: seed)
      }
      return nil
    }

    func validate() throws {
      let all = try methods()
      guard mle.count >= 2, all.count >= 2, all.allSatisfy({ $0.runs.count == mle.count }) else {
        throw ValidationError(
          "--mle and --mrt/--method need the same number of runs, at least two, and at least one method besides MLE"
        )
      }
      for path in mle { try Allowed.path("--mle", path) }
      for path in mrt { try Allowed.path("--mrt", path) }
      for m in all { for path in m.runs { try Allowed.path("--method", path) } }
      guard ["train", "dev", "test"].contains(split) else {
        throw ValidationError("--split '\(split)': allowed train, dev, test")
      }
      try Allowed.check("--beam", beam, 1...Limits.beam)
    }

    func run() throws {
      let all = try methods()
      let scores = try all.map { m in
        try m.runs.map { path in
          try MRTEvaluation.evaluate(
            run: RunFolder(url: URL(fileURLWithPath: path)), split: split, decoding: m.decoding, examples: 0
          ).bleu
        }
      }
      let comparison = MRTMethodComparison(
        seeds: mle.map { URL(fileURLWithPath: $0).lastPathComponent }, labels: all.map(\.label),
        scores: scores)
      if json {
        try printJSON(comparison, pretty: true)
      } else {
        print(comparison.markdown)
      }
    }
  }
}
