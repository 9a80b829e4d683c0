import BLEU
import Core
import Foundation
import NeuralNets
import Runs
import Tensors
import Translation

/// The training objective of `losslab mrt train`.
public enum MRTObjective: String, Codable, CaseIterable, Sendable {
  /// Token-level cross-entropy with teacher forcing (maximum likelihood).
  case mle
  /// Expected `1 - sentence BLEU` over sampled candidates (Shen et al. 2016).
  case risk
  /// Edunov et al. 2018's other sequence-level losses (`SequenceLoss`), on the same candidates.
  case sequenceNLL = "seq-nll"
  case maxMargin = "max-margin"
  case multiMargin = "multi-margin"
  case softmaxMargin = "softmax-margin"

  /// The sequence-level loss other than risk, or nil (mle, risk).
  public var sequenceLoss: SequenceLoss? { SequenceLoss(rawValue: rawValue) }
  /// Whether the objective trains on candidate sets (everything but mle).
  public var usesCandidates: Bool { self != .mle }
}

/// Where candidate sets come from: ancestral samples, or beam search's n-best list.
public enum MRTCandidateSource: String, Codable, CaseIterable, Sendable {
  case sample, beam
}

/// Everything a seq2seq training run needs; saved as the run's `config.json`.
public struct MRTConfiguration: Codable, Sendable, Equatable {
  /// Objective (default mle).
  public var objective: MRTObjective = .mle
  /// Parallel corpus folder (`train|dev|test.src|tgt`).
  public var data: String = "data/toy-mt"
  /// Run folder whose best weights and vocabularies start this run (required for risk).
  public var initFrom: String?
  /// Seed of initialisation, batch order and sampling (default 1).
  public var seed: UInt64 = 1
  /// Embedding width (default 64) and decoder state width (default 128); taken from `initFrom`.
  public var embeddingSize = 64
  public var hiddenSize = 128
  /// MLE: sentence pairs per step (default 64).
  public var batchSize = 64
  /// Risk: source sentences per step (default 8); each gets `samples` candidates.
  public var sourcesPerStep = 8
  /// Risk: candidates sampled per source, k (default 20).
  public var samples = 20
  /// Risk: sharpness of Q over the full sequence log-probability (default 0.005, Shen et al.).
  public var alpha = 0.005
  /// Risk: weight w of the token-level loss, `(1 - w) risk + w nll` (Edunov et al.; default 0).
  public var mleWeight = 0.0
  /// Risk: add the reference to each candidate set (default false).
  public var includeReference = false
  /// Sequence objectives: candidates from samples (nil, the default) or an n-best beam of width
  /// `samples`. Optional so that older `config.json` files still read.
  public var candidates: MRTCandidateSource?
  /// Risk: rescale costs per source to [0, 1] (nil = false; optional for older configs).
  public var normaliseCosts: Bool?
  /// Risk: drop repeated candidates (default false: Q then weights samples by frequency too).
  public var deduplicate = false
  /// Adam learning rate (default 1e-3 for mle; use ~1e-4 for risk).
  public var learningRate = 1e-3
  /// Upper bound on optimizer steps (default 10000).
  public var maxSteps = 10_000
  /// Dev BLEU every this many steps (default 500); the best dev checkpoint is kept.
  public var evalEvery = 500
  /// Stop after this many evaluations without a dev BLEU gain (default 4).
  public var patience = 4
  /// Global gradient-norm clip (default 1).
  public var clipNorm = 1.0
  /// Dev sentences scored at each evaluation (default 1000; fewer is faster).
  public var devSentences = 1000

  public init() {}

  /// Problems a user's values can cause, or nil.
  public func validationError() -> String? {
    if objective.usesCandidates && initFrom == nil {
      return "--objective \(objective.rawValue) needs --init (an MLE run)"
    }
    if samples < 1 { return "--samples must be at least 1, got \(samples)" }
    if !(alpha > 0) { return "--alpha must be positive, got \(alpha)" }
    if !(0...1).contains(mleWeight) { return "--mle-weight must be in [0, 1], got \(mleWeight)" }
    if batchSize < 1 || sourcesPerStep < 1 { return "batch sizes must be at least 1" }
    if evalEvery < 1 || maxSteps < 1 { return "--eval-every and --max-steps must be at least 1" }
    if hiddenSize < 2 || hiddenSize % 2 != 0 { return "--hidden must be even, got \(hiddenSize)" }
    if embeddingSize < 1 { return "--embedding must be at least 1, got \(embeddingSize)" }
    if devSentences < 1 { return "--dev-sentences must be at least 1, got \(devSentences)" }
    if patience < 0 { return "--patience must be at least 0, got \(patience)" }
    if !(learningRate > 0) || !learningRate.isFinite { return "--lr must be positive, got \(learningRate)" }
    return nil
  }
}

/// Source and target vocabularies of a run (`vocab.json`).
public struct MRTVocabularies: Codable, Sendable, Equatable {
  public var source: Vocabulary
  public var target: Vocabulary
}

/// What a finished (or stopped) run reports; also `summary.json`.
public struct MRTTrainingSummary: Codable, Sendable, Equatable {
  public var bestStep: Int
  public var bestDevBLEU: Double
  public var steps: Int
  public var interrupted: Bool
}

/// Resumable state beside each checkpoint.
struct MRTSidecar: Codable {
  var step: Int
  var bestStep: Int
  var bestDevBLEU: Double
  var evaluationsWithoutGain: Int
}

/// Trains a `Seq2Seq` model by maximum likelihood or minimum risk in a run folder:
/// `config.json`, `vocab.json`, `metrics.csv/.jsonl` (`train/nll`, `train/risk`, `dev/bleu`, ...),
/// `checkpoints/` (model + Adam, resumable), `best.safetensors` (best dev BLEU), `summary.json`.
public enum MRTTraining {
  public static let metricKeys = [
    MetricsLogger.stepKey, "train/nll", "train/risk", "train/cost_mean", "train/candidates",
    "train/grad_norm", "dev/bleu", "dev/length_ratio", "train/sequence_loss", "train/oracle_cost",
  ]
  static let modelPrefix = "model"

  /// Runs (or resumes) the training of `session`; `progress` draws a progress bar on stderr. A
  /// new run trains `requested`; a resumed one its saved config, with `requestedMaxSteps`
  /// (`--max-steps`) under the session's budget rules.
  public static func train(
    _ requested: MRTConfiguration, session: TrainingSession, requestedMaxSteps: Int? = nil,
    progress: Bool = true, log: (String) -> Void = { _ in }
  ) throws -> MRTTrainingSummary {
    let run = session.folder
    var config = requested
    var sidecar = MRTSidecar(step: 0, bestStep: 0, bestDevBLEU: -1, evaluationsWithoutGain: 0)
    if let checkpoint = session.resumeCheckpoint {
      config = try session.savedConfig(MRTConfiguration.self)
      sidecar = try checkpoint.readSidecar(MRTSidecar.self)
      config.maxSteps = try session.budget(
        saved: config.maxSteps, requested: requestedMaxSteps, done: sidecar.step, flag: "--max-steps",
        unit: "steps",
        finished: sidecar.step >= config.maxSteps || sidecar.evaluationsWithoutGain >= config.patience)
    }
    let dataURL = URL(fileURLWithPath: config.data)
    let train = try ParallelCorpus.read(dataURL, split: "train")
    let dev = try ParallelCorpus.read(dataURL, split: "dev")

    // Vocabularies and sizes: the run's own when resuming, the initial run's when fine-tuning.
    let vocabularies: MRTVocabularies
    var initialWeights: URL?
    if session.isResuming {
      vocabularies = try readVocabularies(run)
    } else if let initFrom = config.initFrom {
      let initRun = RunFolder(url: URL(fileURLWithPath: initFrom))
      let initConfig = try initRun.readConfig(MRTConfiguration.self)
      config.embeddingSize = initConfig.embeddingSize
      config.hiddenSize = initConfig.hiddenSize
      vocabularies = try readVocabularies(initRun)
      initialWeights = bestWeightsURL(initRun)
    } else {
      vocabularies = MRTVocabularies(
        source: Vocabulary(sentences: train.sources), target: Vocabulary(sentences: train.targets))
    }
    let model = makeModel(config, vocabularies: vocabularies)
    let adam = Adam(parameters: model.parameters, learningRate: Float(config.learningRate))

    if let checkpoint = session.resumeCheckpoint {
      let file = try SafeTensors.load(from: checkpoint.weightsURL)
      try model.load(from: file, prefix: modelPrefix)
      try adam.restore(from: file)
      log("resuming \(run.name) at step \(sidecar.step)")
    } else if let initialWeights {
      try model.load(from: try SafeTensors.load(from: initialWeights), prefix: modelPrefix)
    }
    session.step = sidecar.step
    let metrics = try session.begin(config: config, metricKeys: metricKeys)
    defer { try? metrics.close() }
    if !session.isResuming {
      try AtomicFile.write(try jsonData(vocabularies), to: vocabularyURL(run))
    }

    let trainSources = train.sources.map(vocabularies.source.encode)
    let trainTargets = train.targets.map(vocabularies.target.encode)
    let devCount = min(config.devSentences, dev.sources.count)
    let devSources = dev.sources.prefix(devCount).map(vocabularies.source.encode)
    let format = try ParallelCorpus.format(dataURL)
    let devReferences = dev.targets.prefix(devCount).map {
      ParallelCorpus.words($0, format: format).joined(separator: " ")
    }
    let trainReferences: [BLEUReference] =
      config.objective.usesCandidates ? try trainTargets.map { try BLEUReference(tokens: [$0]) } : []

    func evaluate(step: Int) throws -> Bool {
      let hypotheses = MRTEvaluation.translate(model, sources: devSources, beam: 1)
        .map { ParallelCorpus.words(vocabularies.target.decode($0), format: format).joined(separator: " ") }
      let score = try BLEU().corpusScore(hypotheses: hypotheses, references: [devReferences])
      try session.check([("dev/bleu", score.score)], step: step)
      try metrics.log([
        MetricsLogger.stepKey: Double(step), "dev/bleu": score.score, "dev/length_ratio": score.ratio,
      ])
      log(
        "step \(step): dev BLEU \(String(format: "%.2f", score.score)) ratio \(String(format: "%.3f", score.ratio))"
      )
      guard score.score > sidecar.bestDevBLEU else {
        sidecar.evaluationsWithoutGain += 1
        return false
      }
      sidecar.bestDevBLEU = score.score
      sidecar.bestStep = step
      sidecar.evaluationsWithoutGain = 0
      try SafeTensors.save(model.namedTensors(prefix: modelPrefix), to: bestWeightsURL(run))
      return true
    }

    func checkpoint(step: Int) throws {
      sidecar.step = step
      try session.saveCheckpoint(step: step, sidecar: sidecar) { url in
        try SafeTensors.save(
          model.namedTensors(prefix: modelPrefix) + adam.stateTensors(),
          metadata: adam.stateMetadata(), to: url)
      }
    }

    return try session.run {
      // The starting point is evaluation 0, so fine-tuning can only keep or beat it on dev.
      if !session.isResuming {
        _ = try evaluate(step: 0)
        try checkpoint(step: 0)
      }
      let bar = progress ? ProgressBar(total: config.maxSteps, initial: sidecar.step, label: run.name) : nil
      var step = sidecar.step
      var interrupted = false
      var lastLoss = 0.0
      while step < config.maxSteps && sidecar.evaluationsWithoutGain < config.patience {
        var row: [String: Double]
        switch config.objective {
        case .mle:
          let items = batchIndices(
            step: step, size: config.batchSize, count: trainSources.count, seed: config.seed)
          let batch = Seq2SeqBatch(
            sources: items.map { trainSources[$0] }, targets: items.map { trainTargets[$0] })
          let tape = Tape()
          let loss = model.negativeLogLikelihood(batch, on: tape)
          tape.backward(loss)
          row = ["train/nll": Double(loss.value.scalar)]
        case .risk, .sequenceNLL, .maxMargin, .multiMargin, .softmaxMargin:
          let items = batchIndices(
            step: step, size: config.sourcesPerStep, count: trainSources.count, seed: config.seed)
          row = riskStep(
            model: model, config: config, sources: items.map { trainSources[$0] },
            references: items.map { trainTargets[$0] },
            bleuReferences: items.map { trainReferences[$0] }, step: step)
        }
        row["train/grad_norm"] = Double(clipGradNorm(model.parameters, maxNorm: Float(config.clipNorm)))
        step += 1
        try session.check(row, step: step)
        adam.step()
        adam.zeroGrad()
        session.step = step
        row[MetricsLogger.stepKey] = Double(step)
        try metrics.log(row)
        lastLoss = row["train/sequence_loss"] ?? row["train/risk"] ?? row["train/nll"] ?? 0
        bar?.update(step, extras: [(config.objective == .mle ? "nll" : config.objective.rawValue, lastLoss)])
        if step % config.evalEvery == 0 || step == config.maxSteps {
          _ = try evaluate(step: step)
          try checkpoint(step: step)
        }
        if session.shouldStop {
          try checkpoint(step: step)
          interrupted = true
          break
        }
      }
      bar?.finish(done: step, extras: [("best_dev_bleu", sidecar.bestDevBLEU)])
      let summary = MRTTrainingSummary(
        bestStep: sidecar.bestStep, bestDevBLEU: sidecar.bestDevBLEU, steps: step,
        interrupted: interrupted)
      if !interrupted {
        try AtomicFile.write(try jsonData(summary), to: run.url.appendingPathComponent("summary.json"))
      }
      return (interrupted ? .interrupted : .finished, summary)
    }
  }

  /// One sequence-level update's gradients (accumulated into the parameters) and metrics:
  /// k candidates per source without a tape (samples, or a beam's n-best list), scored against the
  /// references with sentence BLEU, then the objective (risk or a `SequenceLoss`) differentiated
  /// through a batched teacher-forced pass over all candidates (one encoder pass per source,
  /// repeated per candidate), mixed with token-level NLL by `mleWeight`.
  public static func riskStep(
    model: Seq2Seq, config: MRTConfiguration, sources: [[Int]], references: [[Int]],
    bleuReferences: [BLEUReference], step: Int
  ) -> [String: Double] {
    let lists: [[[Int]]]
    if config.candidates == .beam {
      lists = model.nBest(sources, width: config.samples)
    } else {
      var rng = RandomGenerator(seed: config.seed, stream: 0x5A3F_0000 + UInt64(step))
      let samples = model.sample(sources, count: config.samples, using: &rng)
      lists = sources.indices.map { Array(samples[($0 * config.samples)..<(($0 + 1) * config.samples)]) }
    }
    let candidates = MinimumRisk.candidates(
      lists: lists, references: bleuReferences, referenceTokens: references,
      includeReference: config.includeReference, deduplicate: config.deduplicate)
    let tape = Tape()
    let encoded = model.encode(Seq2SeqBatch(sources: sources, targets: references), on: tape)
    let logp = model.sequenceLogProbabilities(
      model.repeated(encoded, counts: candidates.counts), target: TargetBatch(candidates.tokens),
      on: tape)
    let objective: Variable
    var row: [String: Double] = [:]
    if let loss = config.objective.sequenceLoss {
      objective = loss.loss(logProbabilities: logp, costs: candidates.costs, groups: candidates.groups)
      row["train/sequence_loss"] = Double(objective.value.scalar)
    } else {
      let costs =
        config.normaliseCosts == true
        ? SequenceLoss.normalisedCosts(candidates.costs, groups: candidates.groups) : candidates.costs
      objective = MinimumRisk.risk(
        logProbabilities: logp, costs: costs, groups: candidates.groups, alpha: config.alpha)
      row["train/risk"] = Double(objective.value.scalar)
    }
    let nll = model.negativeLogLikelihood(encoded, target: TargetBatch(references), on: tape)
    let w = Float(config.mleWeight)
    tape.backward(w == 0 ? objective : objective * (1 - w) + nll * w)
    let oracle = candidates.groups.map {
      candidates.costs[SequenceLoss.oracle(costs: candidates.costs, group: $0)]
    }
    row["train/nll"] = Double(nll.value.scalar)
    row["train/cost_mean"] = candidates.costs.reduce(0, +) / Double(max(candidates.costs.count, 1))
    row["train/oracle_cost"] = oracle.reduce(0, +) / Double(max(oracle.count, 1))
    row["train/candidates"] = Double(candidates.costs.count) / Double(sources.count)
    return row
  }

  /// Batch `step` of an epoch-wise shuffled pass over `count` items (resumable: a pure function
  /// of the step and seed).
  static func batchIndices(step: Int, size: Int, count: Int, seed: UInt64) -> [Int] {
    let perEpoch = max(count / size, 1)
    let epoch = step / perEpoch
    var rng = RandomGenerator(seed: seed, stream: 0xE90C_0000 + UInt64(epoch))
    let order = rng.permutation(count)
    let start = (step % perEpoch) * size
    return Array(order[start..<min(start + size, count)])
  }

  static func makeModel(_ config: MRTConfiguration, vocabularies: MRTVocabularies) -> Seq2Seq {
    var rng = RandomGenerator(seed: config.seed, stream: 0x1417)
    return Seq2Seq(
      Seq2SeqConfiguration(
        sourceVocabularySize: vocabularies.source.count,
        targetVocabularySize: vocabularies.target.count, embeddingSize: config.embeddingSize,
        hiddenSize: config.hiddenSize), using: &rng)
  }

  public static func vocabularyURL(_ run: RunFolder) -> URL {
    run.url.appendingPathComponent("vocab.json")
  }

  public static func bestWeightsURL(_ run: RunFolder) -> URL {
    run.url.appendingPathComponent("best.safetensors")
  }

  public static func readVocabularies(_ run: RunFolder) throws -> MRTVocabularies {
    let url = vocabularyURL(run)
    guard let data = try? Data(contentsOf: url) else {
      throw FileError(path: url.path, reason: "cannot read the vocabularies (is this a run folder?)")
    }
    do { return try JSONDecoder().decode(MRTVocabularies.self, from: data) } catch {
      throw FileError(path: url.path, reason: "invalid vocabularies: \(error.plainReason)")
    }
  }

  public static func readSummary(_ run: RunFolder) throws -> MRTTrainingSummary {
    let url = run.url.appendingPathComponent("summary.json")
    guard let data = try? Data(contentsOf: url),
      let summary = try? JSONDecoder().decode(MRTTrainingSummary.self, from: data)
    else { throw FileError(path: url.path, reason: "cannot read the run summary") }
    return summary
  }

  /// A trained model and its vocabularies from a run folder's best weights.
  public static func loadModel(_ run: RunFolder) throws -> (Seq2Seq, MRTVocabularies) {
    let config = try run.readConfig(MRTConfiguration.self)
    let vocabularies = try readVocabularies(run)
    let model = makeModel(config, vocabularies: vocabularies)
    try model.load(from: try SafeTensors.load(from: bestWeightsURL(run)), prefix: modelPrefix)
    return (model, vocabularies)
  }

  static func jsonData<T: Encodable>(_ value: T) throws -> Data {
    try JSONText.data(value, pretty: true)
  }
}
