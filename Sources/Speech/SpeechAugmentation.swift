import Core
import Foundation

/// Augmentation of synthetic training speech toward real recordings, drawn per utterance from
/// the utterance's own random stream (so a corpus stays byte-identical for a seed).
///
/// - speed perturbation (Ko et al. 2015, Kaldi's `speed` perturbation): the waveform is
///   resampled as if recorded at `factor x rate`, so it plays `factor` times faster and its pitch
///   and formants rise by `factor`; the factor is uniform in `speed`, rounded to 0.01;
/// - pitch perturbation: the espeak-ng engine moves each utterance's pitch setting (0...99) by a
///   uniform integer in `-pitchJitter...pitchJitter`;
/// - additive white noise at an SNR uniform in the corpus's `snrDb` range (`SpeechNoise`);
/// - telephone band-limiting with probability `telephoneProbability`: after the noise, a
///   second-order Butterworth high-pass at 300 Hz, then down to 8 kHz and back (the resampler's
///   low-pass keeps 0...3.78 kHz), the band of the 8 kHz prompts of `AsteriskCorpus`.
public struct SpeechAugmentation: Sendable, Equatable, Codable {
  public var speed: ClosedRange<Double> = 1...1
  public var pitchJitter = 0
  public var telephoneProbability = 0.0

  public init(speed: ClosedRange<Double> = 1...1, pitchJitter: Int = 0, telephoneProbability: Double = 0) {
    self.speed = speed
    self.pitchJitter = pitchJitter
    self.telephoneProbability = telephoneProbability
  }

  /// Draws the speed factor (rounded to 0.01) and whether to band-limit, in that order.
  public func draw(using rng: inout RandomGenerator) -> (speed: Double, telephone: Bool) {
    let factor = (rng.uniform(speed.lowerBound, speed.upperBound) * 100).rounded() / 100
    let telephone = rng.uniform() < telephoneProbability
    return (factor, telephone)
  }

  /// `wave` played `factor` times faster (and higher), at the same sample rate.
  public static func speedPerturbed(_ wave: Waveform, factor: Double) -> Waveform {
    let hundredths = Int((factor * 100).rounded())
    guard hundredths > 0, hundredths != 100 else { return wave }
    let resampler = Resampler(from: wave.sampleRate * hundredths, to: wave.sampleRate * 100)
    return Waveform(samples: resampler(wave.samples), sampleRate: wave.sampleRate)
  }

  /// `wave` through a 300 Hz high-pass and an 8 kHz round trip (telephone band, 300-3780 Hz).
  public static func telephoneBand(_ wave: Waveform) -> Waveform {
    guard wave.sampleRate > 8000 else { return wave }
    var x = wave.samples
    // RBJ cookbook high-pass biquad, Q = 1/sqrt(2) (Butterworth).
    let w0 = 2 * Double.pi * 300 / Double(wave.sampleRate)
    let alpha = sin(w0) / (2 * 0.5.squareRoot())
    let a0 = 1 + alpha
    let b0 = (1 + cos(w0)) / 2 / a0
    let b1 = -(1 + cos(w0)) / a0
    let b2 = b0
    let a1 = -2 * cos(w0) / a0
    let a2 = (1 - alpha) / a0
    var (x1, x2, y1, y2) = (0.0, 0.0, 0.0, 0.0)
    for i in 0..<x.count {
      let x0 = Double(x[i])
      let y0 = b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
      (x2, x1, y2, y1) = (x1, x0, y1, y0)
      x[i] = Float(y0)
    }
    let narrow = Resampler(from: wave.sampleRate, to: 8000)(x)
    var back = Resampler(from: 8000, to: wave.sampleRate)(narrow)
    // Keep the length (the round trip can lose a sample to rounding).
    if back.count < x.count { back += [Float](repeating: 0, count: x.count - back.count) }
    return Waveform(samples: Array(back.prefix(x.count)), sampleRate: wave.sampleRate)
  }
}
