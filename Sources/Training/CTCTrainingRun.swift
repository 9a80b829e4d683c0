import CTC
import Core
import Foundation
import NeuralNets
import Reports
import Runs
import Speech
import Tensors

/// Callbacks through which a training run reports progress (the CLI draws a progress bar; tests
/// stop a run early). All are called on the training thread.
public struct CTCTrainingObserver {
  /// Once, after the corpus is loaded: total updates of the run and updates already done.
  public var started: (_ totalUpdates: Int, _ doneUpdates: Int) -> Void = { _, _ in }
  /// After every update, with the epoch's running mean loss.
  public var updated: (_ doneUpdates: Int, _ meanLoss: Double) -> Void = { _, _ in }
  /// After every epoch's dev evaluation, with the logged metrics row.
  public var epochFinished: (_ row: [String: Double]) -> Void = { _ in }
  /// Informational lines (corpus sizes, resume point, dropped utterances).
  public var message: (String) -> Void = { _ in }
  /// Polled after every update; true saves a checkpoint, marks the run interrupted and returns.
  public var shouldStop: () -> Bool = { false }

  public init() {}
}

/// Trains an ``AcousticModel`` with the CTC loss into a ``RunFolder``:
///
/// - features of the train and dev splits are computed once, up front (in parallel);
/// - each epoch draws length-bucketed batches, masks them (SpecAugment), and for each batch runs
///   the model, `CTCLoss(reduction: .mean, zeroInfinity: true)`, backward, gradient clipping and
///   an Adam step under a cosine learning-rate schedule;
/// - after each epoch the dev split is decoded greedily (`dev/cer`, `dev/wer`, `dev/ctc_loss`),
///   a metrics row is logged (`metrics.csv`, `metrics.jsonl`), `curve.svg` is redrawn and a
///   checkpoint saved (model and Adam state in safetensors, counters in the JSON sidecar);
/// - a non-finite loss or gradient norm stops the run as `failed` (NumericGuard) before the
///   update is applied; `observer.shouldStop` (Ctrl-C) saves a mid-epoch checkpoint and marks the
///   run `interrupted`; `resume` continues from the latest checkpoint with the same draws.
public enum CTCTraining {
  /// Runs (or resumes) the training of `session`. A new run trains `requested`; a resumed one
  /// its saved config, with `requestedEpochs` (`--epochs`) under the session's budget rules.
  public static func run(
    _ requested: CTCTrainingConfig, session: TrainingSession, requestedEpochs: Int? = nil,
    observer: CTCTrainingObserver = CTCTrainingObserver()
  ) throws -> CTCTrainingSummary {
    var config = requested
    var state = CTCTrainingState()
    if let latest = session.resumeCheckpoint {
      config = try session.savedConfig(CTCTrainingConfig.self)
      state = try latest.readSidecar(CTCTrainingState.self)
      config.epochs = try session.budget(
        saved: config.epochs, requested: requestedEpochs, done: state.epoch, flag: "--epochs", unit: "epochs",
        finished: state.epoch >= config.epochs)
      observer.message("resuming \(session.folder.url.path) at epoch \(state.epoch), update \(state.updates)")
    }
    try config.validate()
    // Input errors before the run folder is made: both manifests must exist and parse.
    for split in ["train", "dev"] {
      _ = try Manifest.read(from: URL(fileURLWithPath: config.data).appendingPathComponent("\(split).jsonl"))
    }
    session.step = state.samples
    let logger = try session.begin(config: config, metricKeys: CTCMetric.all)
    defer { try? logger.close() }
    return try session.run {
      let summary = try train(
        config, session: session, logger: logger, state: state, checkpoint: session.resumeCheckpoint,
        observer: observer)
      return (summary.interrupted ? .interrupted : .finished, summary)
    }
  }

  /// ``run(_:session:requestedEpochs:observer:)`` for a new run in `folder` or, with `resume`,
  /// the continuation of the run in it (then `requested.epochs` is the new budget).
  public static func run(
    _ requested: CTCTrainingConfig, folder: RunFolder, resume: Bool = false,
    observer: CTCTrainingObserver = CTCTrainingObserver()
  ) throws -> CTCTrainingSummary {
    let session = try TrainingSession(RunRequest(folder: folder, start: resume ? .resume : .new))
    return try run(
      requested, session: session, requestedEpochs: resume ? requested.epochs : nil, observer: observer)
  }

  private static func train(
    _ config: CTCTrainingConfig, session: TrainingSession, logger: MetricsLogger,
    state initial: CTCTrainingState,
    checkpoint: Checkpoint?, observer: CTCTrainingObserver
  ) throws -> CTCTrainingSummary {
    var state = initial
    // Features once per run.
    let featureStart = Date()
    let corpus = URL(fileURLWithPath: config.data)
    let allTrain = try SpeechExample.load(manifest: corpus.appendingPathComponent("train.jsonl"))
    let dev = try SpeechExample.load(manifest: corpus.appendingPathComponent("dev.jsonl"))
    let featureSeconds = Date().timeIntervalSince(featureStart)
    guard !allTrain.isEmpty else { throw CTCTrainingError("\(config.data)/train.jsonl has no utterances") }
    if let bands = allTrain.first?.features.shape[1], bands != config.model.bands {
      throw CTCTrainingError(
        "the corpus features have \(bands) bands, the model expects \(config.model.bands)")
    }
    // CTC needs one frame per label plus one between repeated labels.
    let train = allTrain.filter { feasible($0, stacking: config.model.stacking) }
    if train.count < allTrain.count {
      observer.message(
        "dropped \(allTrain.count - train.count) training utterances too short for their transcripts "
          + "at stride \(config.model.stacking.stride)")
    }
    observer.message(
      String(
        format: "features: %d train, %d dev utterances in %.1f s", allTrain.count, dev.count, featureSeconds))

    var initRNG = RandomGenerator(seed: config.seed, stream: 0)
    let model = AcousticModel(config.model, using: &initRNG)
    let adam = Adam(parameters: model.parameters, learningRate: config.learningRate)
    if let checkpoint {
      let file = try SafeTensors.load(from: checkpoint.weightsURL)
      try model.load(from: file, prefix: "model")
      try adam.restore(from: file)
    } else if let source = config.initFrom {
      try initialise(model, from: source)
      observer.message("initial weights from \(source)")
    }

    let ctc = CTCLoss(
      blank: SpeechAlphabet.blank, reduction: .mean, zeroInfinity: true, threads: config.lossThreads)
    let schedule = Schedule.cosine(
      initial: Double(config.learningRate), final: Double(config.finalLearningRate))
    let lengths = train.map(\.frames)
    let perEpoch = (train.count + config.batchSize - 1) / config.batchSize
    let totalUpdates = perEpoch * config.epochs
    observer.started(totalUpdates, min(state.updates, totalUpdates))
    let sessionStart = Date()
    let parameters = model.parameters
    let summary = {
      CTCTrainingSummary(
        state: state, interrupted: false, featureSeconds: featureSeconds, trainUtterances: train.count,
        devUtterances: dev.count, parameters: model.parameterCount)
    }

    while state.epoch < config.epochs {
      var orderRNG: RandomGenerator? = RandomGenerator(seed: config.seed, stream: 1000 + UInt64(state.epoch))
      let batches = SpeechBatching.batches(lengths: lengths, batchSize: config.batchSize, using: &orderRNG)
      while state.batch < batches.count {
        var maskRNG = RandomGenerator(
          seed: config.seed, stream: (UInt64(state.epoch) + 1) << 20 + UInt64(state.batch))
        let batch = SpeechBatch(
          train, indices: batches[state.batch], stacking: config.model.stacking, augment: config.specAugment,
          using: &maskRNG)
        adam.learningRate = schedule(progress: Double(state.updates) / Double(totalUpdates))
        let tape = Tape()
        let logits = model(tape.constant(batch.input), lengths: batch.lengths)
        if !logits.value.isFinite {  // the loss would be NaN: stop before the kernel rejects it
          try session.check([(CTCMetric.trainLoss, Double.nan)], step: state.samples)
        }
        let loss = try ctc(logits: logits, targets: batch.labels, inputLengths: batch.lengths)
        let lossValue = Double(loss.value.scalar)
        try session.check([(CTCMetric.trainLoss, lossValue)], step: state.samples)
        tape.backward(loss)
        let gradNorm = Double(clipGradNorm(parameters, maxNorm: config.clipNorm))
        try session.check([(CTCMetric.gradNorm, gradNorm)], step: state.samples)
        adam.step()
        adam.zeroGrad()

        state.batch += 1
        state.updates += 1
        state.samples += batch.indices.count
        state.lossSum += lossValue
        state.gradNormSum += gradNorm
        state.trainSeconds = initial.trainSeconds + Date().timeIntervalSince(sessionStart)
        session.step = state.samples
        observer.updated(state.updates, state.lossSum / Double(state.batch))
        if observer.shouldStop() || session.shouldStop {
          try save(session: session, model: model, adam: adam, state: state)
          var s = summary()
          s.state = state
          s.interrupted = true
          return s
        }
      }
      // End of epoch: dev evaluation, metrics row, curve, checkpoint.
      let devResult = try evaluate(model, on: dev, loss: ctc, batchSize: config.batchSize)
      state.trainSeconds = initial.trainSeconds + Date().timeIntervalSince(sessionStart)
      let updates = Double(max(state.batch, 1))
      state.devCER = devResult.score.cer
      state.devWER = devResult.score.wer
      let row: [String: Double] = [
        CTCMetric.samples: Double(state.samples),
        CTCMetric.epochs: Double(state.epoch + 1),
        CTCMetric.timeElapsed: state.trainSeconds,
        CTCMetric.trainLoss: state.lossSum / updates,
        CTCMetric.gradNorm: state.gradNormSum / updates,
        // The rate of the epoch's last update, from the schedule (a run resumed right after
        // that update has not set Adam's rate yet).
        CTCMetric.learningRate: Double(
          schedule(progress: Double(Swift.max(state.updates - 1, 0)) / Double(totalUpdates))),
        CTCMetric.devLoss: devResult.loss,
        CTCMetric.devCER: devResult.score.cer,
        CTCMetric.devWER: devResult.score.wer,
      ]
      try session.check([(CTCMetric.devLoss, devResult.loss)], step: state.samples)
      try logger.log(row)
      state.epoch += 1
      state.batch = 0
      state.lossSum = 0
      state.gradNormSum = 0
      try save(session: session, model: model, adam: adam, state: state)
      try writeCurve(run: session.folder)
      observer.epochFinished(row)
    }
    var s = summary()
    s.state = state
    return s
  }

  /// Whether CTC can align `example`'s labels within its output frames.
  static func feasible(_ example: SpeechExample, stacking: FrameStacking) -> Bool {
    let labels = example.labels
    let repeats = zip(labels, labels.dropFirst()).filter { $0 == $1 }.count
    return labels.count + repeats <= stacking.outputFrames(example.frames)
  }

  /// Dev-set loss (`mean` reduction, averaged over utterances) and greedy CER/WER.
  static func evaluate(
    _ model: AcousticModel, on examples: [SpeechExample], loss ctc: CTCLoss, batchSize: Int
  ) throws -> (loss: Double, score: TranscriptScore) {
    var none: RandomGenerator? = nil
    var score = TranscriptScore()
    var lossSum = 0.0
    let classes = model.config.classes
    for indices in SpeechBatching.batches(lengths: examples.map(\.frames), batchSize: batchSize, using: &none)
    {
      let batch = SpeechBatch(examples, indices: indices, stacking: model.config.stacking)
      let logits = model.logits(batch)
      let out = try ctc(logits: logits, targets: batch.labels, inputLengths: batch.lengths)
      lossSum += out.loss * Double(indices.count)
      for (b, i) in indices.enumerated() {
        let frames = batch.lengths[b]
        let labels = CTCDecoding.greedy.decode(
          logits.timeMajorItem(b, frames: frames), frames: frames, classes: classes)
        score.add(hypothesis: SpeechAlphabet.decode(labels), reference: examples[i].text)
      }
    }
    return (examples.isEmpty ? 0 : lossSum / Double(examples.count), score)
  }

  static func save(session: TrainingSession, model: AcousticModel, adam: Adam, state: CTCTrainingState) throws
  {
    try session.saveCheckpoint(step: state.samples, sidecar: state) { url in
      try SafeTensors.save(
        model.namedTensors(prefix: "model") + adam.stateTensors(), metadata: adam.stateMetadata(), to: url)
    }
  }

  /// `curve.svg`: training loss and dev CER against utterances seen.
  static func writeCurve(run: RunFolder) throws {
    let chart = curveChart(table: try MetricsTable.read(run.metricsCSVURL), runName: run.name)
    try run.writeCurve(chart.svg())
  }

  /// The chart of `curve.svg`.
  public static func curveChart(table: MetricsTable, runName: String) -> LineChart {
    var series: [PlotSeries] = []
    for (key, name) in [(CTCMetric.trainLoss, "train CTC loss"), (CTCMetric.devCER, "dev CER")] {
      guard let curve = table.curve(x: CTCMetric.samples, y: key) else { continue }
      series.append(PlotSeries(name: name, x: curve.steps, y: curve.values))
    }
    return LineChart(
      title: "CTC training (\(runName))", xLabel: "utterances seen", yLabel: "loss per character / CER",
      series: series)
  }
}

/// Loads a trained model from a run folder's `config.json` and a checkpoint.
extension CTCTraining {
  /// Loads the `model.*` tensors of `source` (a run folder's latest checkpoint, or a checkpoint
  /// file) into `model`: the start of a fine-tuning run (Adam starts afresh).
  static func initialise(_ model: AcousticModel, from source: String) throws {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: source, isDirectory: &isFolder) else {
      throw CTCTrainingError("--init-from: no run folder or checkpoint at \(source)")
    }
    let weights: URL
    if isFolder.boolValue {
      guard let latest = RunFolder(url: URL(fileURLWithPath: source)).latestCheckpoint() else {
        throw CTCTrainingError("--init-from: \(source) holds no checkpoint")
      }
      weights = latest.weightsURL
    } else {
      weights = URL(fileURLWithPath: source)
    }
    do {
      try model.load(from: SafeTensors.load(from: weights), prefix: "model")
    } catch {
      throw CTCTrainingError(
        "--init-from: cannot load \(weights.path) into this model shape (give the same --hidden, --layers, "
          + "--frontend, --stride, --context): \(error)")
    }
  }

  public static func loadModel(from run: RunFolder, checkpoint: Checkpoint? = nil) throws -> (
    model: AcousticModel, config: CTCTrainingConfig, checkpoint: Checkpoint
  ) {
    guard run.exists else { throw CTCTrainingError("no run folder at \(run.url.path)") }
    let config = try run.readConfig(CTCTrainingConfig.self)
    guard let chosen = checkpoint ?? run.latestCheckpoint() else {
      throw CTCTrainingError("\(run.url.path) holds no checkpoint (train first)")
    }
    var rng = RandomGenerator(seed: 0)
    let model = AcousticModel(config.model, using: &rng)
    try model.load(from: SafeTensors.load(from: chosen.weightsURL), prefix: "model", strict: false)
    return (model, config, chosen)
  }
}
