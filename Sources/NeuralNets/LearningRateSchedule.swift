import Foundation
import Tensors

/// A learning rate as a function of training progress in [0, 1] (0 at the first update, 1 at the
/// end). Apply it before each update: `optimizer.learningRate = schedule(progress: p)`.
///
/// `linear(initial:final:)` with `final` 0 is Stable-Baselines3's `linear_schedule` and CleanRL's
/// `anneal_lr`: `lr = initial * (1 - progress)`. CleanRL computes `frac = 1 - (update - 1) / numUpdates`
/// for 1-based `update`, i.e. `progress = (update - 1) / numUpdates`; SB3 uses
/// `progress = 1 - progress_remaining`.
public enum LearningRateSchedule: Sendable, Equatable {
  case constant(Float)
  /// `initial + (final - initial) * progress`.
  case linear(initial: Float, final: Float)
  /// Cosine annealing (Loshchilov & Hutter 2017) without restarts:
  /// `final + (initial - final) * (1 + cos(pi * progress)) / 2`.
  case cosine(initial: Float, final: Float)

  /// The rate at `progress` (clamped to [0, 1]).
  public func callAsFunction(progress: Double) -> Float {
    let p = Swift.min(Swift.max(progress, 0), 1)
    switch self {
    case .constant(let lr):
      return lr
    case .linear(let initial, let final):
      return Float(Double(initial) + (Double(final) - Double(initial)) * p)
    case .cosine(let initial, let final):
      return Float(
        Double(final) + (Double(initial) - Double(final)) * (1 + Foundation.cos(Double.pi * p)) / 2)
    }
  }

  /// The rate at the start of training.
  public var initial: Float { self(progress: 0) }
}
