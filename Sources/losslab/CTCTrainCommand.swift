import ArgumentParser
import Foundation
import NeuralNets
import Runs
import Speech
import Tensors
import Training

/// `losslab ctc train`: trains a CTC acoustic model on a `ctc synth` corpus into a run folder.
struct CTCTrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a CTC acoustic model (strided front-end, bidirectional GRU, linear to 28 classes).",
    discussion: """
      Writes OUT/config.json, status.json, metrics.csv and metrics.jsonl (train/ctc_loss,
      dev/cer, dev/wer per epoch), curve.svg and checkpoints/step-N.safetensors (+ .json).
      Ctrl-C saves a checkpoint, marks the run interrupted and exits 130; --resume OUT continues \
      from the newest checkpoint with the saved config (--epochs may extend it). See docs/runs.md.
      """)

  @Option(help: "Corpus folder with train.jsonl and dev.jsonl (losslab ctc synth).")
  var data: String = "data/speech"
  @OptionGroup var runFolder: RunFolderOptions
  @Option(
    help: "Passes over the training set (default 20; with --resume, the new total, default the saved one).")
  var epochs: Int?
  @Option(help: "Utterances per update (default 32).")
  var batchSize: Int = 32
  @Option(help: "Adam learning rate at the start, cosine-annealed to --final-lr (default 0.003).")
  var lr: Float = 3e-3
  @Option(help: "Learning rate at the end (default 0.0001).")
  var finalLr: Float = 1e-4
  @Option(help: "Gradient-norm clipping threshold (default 5).")
  var clipNorm: Float = 5
  @Option(help: "Hidden units per GRU direction (default 128).")
  var hidden: Int = 128
  @Option(help: "Bidirectional GRU layers (default 1).")
  var layers: Int = 1
  @Option(help: "Front-end width (default 128).")
  var frontend: Int = 128
  @Option(help: "Front-end time stride in 10 ms frames (default 3).")
  var stride: Int = 3
  @Option(help: "Extra frames of context on each side of a stride window (default 1).")
  var context: Int = 1
  @Flag(help: "Train without SpecAugment masking.")
  var noSpecAugment = false
  @Option(help: "Random seed (default 1).")
  var seed: UInt64 = 1
  @Option(
    help: "Start from the weights of this run folder's latest checkpoint or checkpoint file (fine-tuning).")
  var initFrom: String?
  @OptionGroup var threads: ThreadsOption

  func validate() throws {
    try Allowed.path("--data", data)
    try Allowed.check("--epochs", epochs, 1...Limits.epochs)
    try Allowed.check("--batch-size", batchSize, 1...Limits.batch)
    try Allowed.check("--lr", Double(lr), above: 0, upTo: Limits.learningRate)
    try Allowed.check("--final-lr", finalLr, 0...Limits.learningRate)
    try Allowed.check("--clip-norm", Double(clipNorm), above: 0, upTo: 1e6)
    try Allowed.check("--hidden", hidden, 1...Limits.width)
    try Allowed.check("--frontend", frontend, 1...Limits.width)
    try Allowed.check("--layers", layers, 1...Limits.layers)
    try Allowed.check("--stride", stride, 1...Limits.frames)
    try Allowed.check("--context", context, 0...Limits.frames)
    try Allowed.path("--init-from", initFrom)
  }

  func run() throws {
    threads.apply()
    var config = CTCTrainingConfig(data: data)
    config.epochs = epochs ?? 20
    config.batchSize = batchSize
    config.learningRate = lr
    config.finalLearningRate = finalLr
    config.clipNorm = clipNorm
    config.seed = seed
    config.model.hidden = hidden
    config.model.layers = layers
    config.model.frontendWidth = frontend
    config.model.stacking = FrameStacking(stride: stride, context: context)
    config.specAugment = noSpecAugment ? nil : SpecAugment()
    config.initFrom = initFrom

    var bar: ProgressBar? = nil
    var observer = CTCTrainingObserver()
    observer.message = { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
    observer.started = { total, done in
      bar = ProgressBar(total: total, initial: done, label: "ctc train", rateUnit: "upd/s")
    }
    observer.updated = { done, loss in bar?.update(done, extras: [("ctc_loss", loss)]) }
    observer.epochFinished = { row in
      let line = String(
        format: "epoch %d: train/ctc_loss %.4f  dev/ctc_loss %.4f  dev/cer %.4f  dev/wer %.4f  (%.0f s)",
        Int(row[CTCMetric.epochs] ?? 0), row[CTCMetric.trainLoss] ?? .nan, row[CTCMetric.devLoss] ?? .nan,
        row[CTCMetric.devCER] ?? .nan, row[CTCMetric.devWER] ?? .nan, row[CTCMetric.timeElapsed] ?? .nan)
      // On a terminal, clear the progress bar's line first.
      let clear = isatty(STDERR_FILENO) == 1 ? "\r\u{1B}[K" : ""
      FileHandle.standardError.write(Data("\(clear)\(line)\n".utf8))
    }
    try TrainingCommandExit.run {
      let interrupt = InterruptHandler.install()
      defer { interrupt.uninstall() }
      let session = try TrainingSession(try runFolder.request(defaultOut: "runs/ctc"), interrupt: interrupt)
      let summary: CTCTrainingSummary
      do {
        summary = try CTCTraining.run(config, session: session, requestedEpochs: epochs, observer: observer)
      } catch let error as CTCTrainingError {
        throw ValidationError(error.description)
      }
      bar?.finish()
      let s = summary.state
      if summary.interrupted {
        print(
          "interrupted at epoch \(s.epoch), update \(s.updates); "
            + "continue with: losslab ctc train --resume \(session.folder.url.path)")
        return .interrupted
      }
      print(
        String(
          format: "trained %d epochs (%d updates, %d parameters) in %.1f s (+ %.1f s features); "
            + "dev CER %.4f, WER %.4f; run folder %@",
          s.epoch, s.updates, summary.parameters, s.trainSeconds, summary.featureSeconds, s.devCER ?? .nan,
          s.devWER ?? .nan, session.folder.url.path))
      return .finished
    }
  }
}
