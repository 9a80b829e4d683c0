import CTC
import Foundation
import NeuralNets
import Runs
import Speech
import Tensors

/// Everything that defines a CTC training run; written to the run's `config.json`.
public struct CTCTrainingConfig: Sendable, Codable, Equatable {
  /// Corpus folder holding `train.jsonl` and `dev.jsonl` (`losslab ctc synth`).
  public var data: String
  /// Passes over the training set.
  public var epochs = 20
  /// Utterances per update (bucketed by length).
  public var batchSize = 32
  /// Adam's learning rate at the start; cosine-annealed to `finalLearningRate`.
  public var learningRate: Float = 3e-3
  public var finalLearningRate: Float = 1e-4
  /// Global gradient-norm clipping threshold (PyTorch `clip_grad_norm_`).
  public var clipNorm: Float = 5
  /// Seeds the initial weights (stream 0), each epoch's batches (stream 1000 + epoch) and each
  /// batch's masks (stream 2^20 * (epoch + 1) + batch), so a resumed run repeats the same draws.
  public var seed: UInt64 = 1
  public var model = AcousticModelConfig()
  /// Feature masking of training batches; nil for none.
  public var specAugment: SpecAugment? = SpecAugment()
  /// Worker threads of the CTC loss.
  public var lossThreads = ProcessInfo.processInfo.activeProcessorCount
  /// A run folder (its latest checkpoint) or checkpoint file whose weights start a new run
  /// (fine-tuning); nil for random initial weights.
  public var initFrom: String? = nil

  public init(data: String) { self.data = data }

  /// Throws a message naming the field for values that cannot train.
  public func validate() throws {
    func fail(_ text: String) -> CTCTrainingError { CTCTrainingError(text) }
    if epochs < 1 { throw fail("epochs must be >= 1, got \(epochs)") }
    if batchSize < 1 { throw fail("batch size must be >= 1, got \(batchSize)") }
    if !(learningRate > 0) || !(finalLearningRate >= 0) {
      throw fail("learning rates must be positive, got \(learningRate) and \(finalLearningRate)")
    }
    if !(clipNorm > 0) { throw fail("clip norm must be positive, got \(clipNorm)") }
    if model.stacking.stride < 1 || model.stacking.context < 0 {
      throw fail(
        "stride must be >= 1 and context >= 0, got \(model.stacking.stride), \(model.stacking.context)")
    }
    if model.hidden < 1 || model.frontendWidth < 1 || model.layers < 1 {
      throw fail("hidden, front-end width and layers must be >= 1")
    }
    if lossThreads < 1 { throw fail("loss threads must be >= 1, got \(lossThreads)") }
  }
}

/// A training input or run-folder state that prevents training; the message says what to do.
public struct CTCTrainingError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// Metric names of CTC runs (columns of `metrics.csv`), in the SB3 `group/name` style.
public enum CTCMetric {
  /// Utterances seen so far (the step column).
  public static let samples = MetricName.totalTimesteps
  public static let epochs = "time/epochs"
  public static let timeElapsed = MetricName.timeElapsed
  /// Mean over the epoch's updates of PyTorch's `CTCLoss(reduction="mean")` (per target character).
  public static let trainLoss = "train/ctc_loss"
  public static let gradNorm = "train/grad_norm"
  public static let learningRate = MetricName.learningRate
  /// The same loss on the dev split.
  public static let devLoss = "dev/ctc_loss"
  /// Greedy-decoding character and word error rates on the dev split.
  public static let devCER = "dev/cer"
  public static let devWER = "dev/wer"

  public static let all = [
    samples, epochs, timeElapsed, trainLoss, gradNorm, learningRate, devLoss, devCER, devWER,
  ]
}

/// The resumable state saved next to each checkpoint (`checkpoints/step-N.json`).
public struct CTCTrainingState: Sendable, Codable, Equatable {
  /// Epochs completed.
  public var epoch = 0
  /// Updates done in the current (incomplete) epoch; nonzero only after an interruption.
  public var batch = 0
  /// Utterances seen.
  public var samples = 0
  /// Updates done.
  public var updates = 0
  /// Training seconds so far (summed over resumed sessions; feature extraction excluded).
  public var trainSeconds = 0.0
  /// Running sums over the current epoch's updates.
  public var lossSum = 0.0
  public var gradNormSum = 0.0
  /// The last dev evaluation.
  public var devCER: Double?
  public var devWER: Double?

  public init() {}
}

/// What a finished (or interrupted) call of ``CTCTraining/run(_:session:requestedEpochs:observer:)`` did.
public struct CTCTrainingSummary: Sendable, Codable, Equatable {
  public var state: CTCTrainingState
  public var interrupted: Bool
  /// Seconds spent featurising the corpus in this session.
  public var featureSeconds: Double
  public var trainUtterances: Int
  public var devUtterances: Int
  public var parameters: Int
}
