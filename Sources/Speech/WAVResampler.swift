import Foundation

/// Rational-ratio sample-rate conversion with a Kaiser-windowed sinc, in polyphase form.
///
/// Output sample `n` sits at input time `t = n * M / L` (`L / M` = output rate / input rate in
/// lowest terms). Its value is `sum_i x[i] h(i - t)` with
/// `h(x) = c * sinc(c * x) * kaiser(x / halfWidth)`, `c = min(1, L / M) * rolloff` (the cutoff as a
/// fraction of the input Nyquist rate, so downsampling low-passes below the new Nyquist rate).
/// `t`'s fractional part takes only `L` values, so the `L` filters are tabulated once
/// (Smith, "Digital Audio Resampling Home Page", 2002; the same design as libsoxr / resampy).
public struct Resampler: Sendable {
  public let inputRate: Int
  public let outputRate: Int
  /// Output-rate / input-rate = up / down in lowest terms.
  let up: Int
  let down: Int
  /// Taps either side of the centre.
  let halfTaps: Int
  /// `up` rows of `2 * halfTaps` coefficients; row p serves fractional position p / up.
  let table: [Float]

  /// - Parameters:
  ///   - zeroCrossings: sinc lobes kept each side (filter length ~ 2 * zeroCrossings / cutoff).
  ///   - rolloff: cutoff as a fraction of the lower Nyquist rate (0.945 keeps 7.56 kHz of 8 kHz).
  ///   - beta: Kaiser window shape (8.6: about 90 dB stop-band attenuation).
  public init(
    from inputRate: Int, to outputRate: Int, zeroCrossings: Int = 16, rolloff: Double = 0.945,
    beta: Double = 8.6
  ) {
    precondition(
      inputRate > 0 && outputRate > 0, "Resampler rates must be positive, got \(inputRate) -> \(outputRate)")
    func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
    let g = gcd(inputRate, outputRate)
    self.inputRate = inputRate
    self.outputRate = outputRate
    up = outputRate / g
    down = inputRate / g
    let cutoff = min(1, Double(up) / Double(down)) * rolloff
    let halfWidth = Double(zeroCrossings) / cutoff
    halfTaps = Int(halfWidth.rounded(.up))
    func besselI0(_ x: Double) -> Double {
      var sum = 1.0
      var term = 1.0
      var k = 1.0
      while term > 1e-12 * sum {
        term *= (x / (2 * k)) * (x / (2 * k))
        sum += term
        k += 1
      }
      return sum
    }
    let i0Beta = besselI0(beta)
    var table = [Float](repeating: 0, count: up * 2 * halfTaps)
    for p in 0..<up {
      let frac = Double(p) / Double(up)
      for j in 0..<(2 * halfTaps) {
        let x = Double(j - halfTaps + 1) - frac  // input index offset minus fractional position
        guard abs(x) < halfWidth else { continue }
        let arg = Double.pi * cutoff * x
        let sinc = x == 0 ? 1 : sin(arg) / arg
        let r = x / halfWidth
        let window = besselI0(beta * (1 - r * r).squareRoot()) / i0Beta
        table[p * 2 * halfTaps + j] = Float(cutoff * sinc * window)
      }
    }
    self.table = table
  }

  /// Resamples `input` (at `inputRate`) to `outputRate`; the output has
  /// `floor(count * up / down)` samples, treating samples outside the input as zero.
  public func callAsFunction(_ input: [Float]) -> [Float] {
    if up == down { return input }
    let outCount = input.count * up / down
    var output = [Float](repeating: 0, count: outCount)
    let width = 2 * halfTaps
    input.withUnsafeBufferPointer { x in
      table.withUnsafeBufferPointer { h in
        output.withUnsafeMutableBufferPointer { y in
          for n in 0..<outCount {
            let position = n * down
            let base = position / up
            let phase = position % up
            let row = phase * width
            let first = base - halfTaps + 1
            var acc: Float = 0
            if first >= 0 && first + width <= x.count {
              for j in 0..<width { acc += x[first + j] * h[row + j] }
            } else {
              for j in 0..<width where first + j >= 0 && first + j < x.count {
                acc += x[first + j] * h[row + j]
              }
            }
            y[n] = acc
          }
        }
      }
    }
    return output
  }
}

extension Waveform {
  /// This waveform at `rate` Hz (unchanged when already there).
  public func resampled(to rate: Int) -> Waveform {
    if rate == sampleRate { return self }
    return Waveform(samples: Resampler(from: sampleRate, to: rate)(samples), sampleRate: rate)
  }
}
