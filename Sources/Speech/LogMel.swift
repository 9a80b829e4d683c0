import Foundation
import Tensors

/// Log-mel filterbank features, the input of the CTC acoustic model.
///
/// Per frame (Kaldi-style framing without padding: frame `t` covers samples
/// `t * hop ..< t * hop + window`, `1 + (n - window) / hop` frames):
/// 1. multiply by a periodic Hann window (`torch.hann_window(400)`), zero-pad to `fftSize`;
/// 2. power spectrum `|X[k]|^2`, `k = 0 ... fftSize / 2` (`RealFFT`);
/// 3. mel energies `E[m] = sum_k fb[k, m] |X[k]|^2` with HTK-scale triangles
///    (`torchaudio.functional.melscale_fbanks(..., norm=None, mel_scale="htk")`);
/// 4. `log(max(E, logFloor))`;
/// 5. per-utterance normalisation of each band: `(x - mean) / (std + 1e-5)` over the frames.
/// No pre-emphasis and no dither, so features are a pure function of the samples.
public struct LogMel: Sendable {
  public struct Config: Sendable, Equatable, Codable {
    public var sampleRate = 16000
    /// Window length in samples (400 = 25 ms at 16 kHz).
    public var window = 400
    /// Hop in samples (160 = 10 ms at 16 kHz).
    public var hop = 160
    public var fftSize = 512
    public var melBands = 80
    public var lowHz = 0.0
    /// Upper edge of the top band; nil means the Nyquist frequency.
    public var highHz: Double? = nil
    public var logFloor: Float = 1e-10
    /// Per-utterance mean/variance normalisation of each band.
    public var normalize = true
    public init() {}
  }

  public let config: Config
  public let fft: RealFFT
  /// Periodic Hann window, `config.window` values.
  public let hann: [Float]
  /// Mel filterbank, row-major `[fftSize / 2 + 1, melBands]` like torchaudio's `melscale_fbanks`.
  public let filterbank: [Float]

  public init(_ config: Config = Config()) {
    precondition(
      config.window > 0 && config.window <= config.fftSize && config.hop > 0,
      "LogMel needs 0 < window (\(config.window)) <= fftSize (\(config.fftSize)) and hop (\(config.hop)) > 0")
    self.config = config
    fft = RealFFT(count: config.fftSize)
    hann = (0..<config.window).map {
      Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(config.window)))
    }
    filterbank = LogMel.melFilterbank(
      bins: config.fftSize / 2 + 1, bands: config.melBands, sampleRate: config.sampleRate,
      lowHz: config.lowHz, highHz: config.highHz ?? Double(config.sampleRate) / 2)
  }

  /// HTK mel scale: `2595 log10(1 + f / 700)`.
  public static func hzToMel(_ hz: Double) -> Double { 2595 * log10(1 + hz / 700) }
  public static func melToHz(_ mel: Double) -> Double { 700 * (pow(10, mel / 2595) - 1) }

  /// Triangular filters with corners at `bands + 2` points equally spaced in mel between `lowHz`
  /// and `highHz`, evaluated at the FFT bin frequencies `k * sampleRate / (2 (bins - 1))`;
  /// peak 1, no area normalisation. Row-major `[bins, bands]`.
  public static func melFilterbank(bins: Int, bands: Int, sampleRate: Int, lowHz: Double, highHz: Double)
    -> [Float]
  {
    let lowMel = hzToMel(lowHz)
    let highMel = hzToMel(highHz)
    let corners = (0..<(bands + 2)).map {
      melToHz(lowMel + (highMel - lowMel) * Double($0) / Double(bands + 1))
    }
    var fb = [Float](repeating: 0, count: bins * bands)
    for k in 0..<bins {
      let f = Double(k) * Double(sampleRate) / Double(2 * (bins - 1))
      for m in 0..<bands {
        let down = (f - corners[m]) / (corners[m + 1] - corners[m])
        let up = (corners[m + 2] - f) / (corners[m + 2] - corners[m + 1])
        fb[k * bands + m] = Float(max(0, min(down, up)))
      }
    }
    return fb
  }

  /// Number of frames for `sampleCount` samples.
  public func frameCount(_ sampleCount: Int) -> Int {
    sampleCount < config.window ? 0 : 1 + (sampleCount - config.window) / config.hop
  }

  /// Power spectra of every frame, row-major `[frames, fftSize / 2 + 1]`.
  public func powerSpectrogram(_ samples: [Float]) -> Tensor {
    let frames = frameCount(samples.count)
    let bins = fft.bins
    var power = [Float](repeating: 0, count: frames * bins)
    var frame = [Float](repeating: 0, count: config.fftSize)
    var re = [Float](repeating: 0, count: bins)
    var im = [Float](repeating: 0, count: bins)
    var scratch = [Float](repeating: 0, count: config.fftSize)
    samples.withUnsafeBufferPointer { x in
      hann.withUnsafeBufferPointer { w in
        power.withUnsafeMutableBufferPointer { p in
          frame.withUnsafeMutableBufferPointer { fr in
            re.withUnsafeMutableBufferPointer { re in
              im.withUnsafeMutableBufferPointer { im in
                scratch.withUnsafeMutableBufferPointer { s in
                  for t in 0..<frames {
                    let start = t * config.hop
                    for i in 0..<config.window { fr[i] = x[start + i] * w[i] }
                    fft.transform(
                      fr.baseAddress!, real: re.baseAddress!, imag: im.baseAddress!, scratch: s.baseAddress!)
                    for k in 0..<bins { p[t * bins + k] = re[k] * re[k] + im[k] * im[k] }
                  }
                }
              }
            }
          }
        }
      }
    }
    return Tensor(shape: [frames, bins], data: power)
  }

  /// Log-mel features `[frames, melBands]` of `samples` (which must be at `config.sampleRate`).
  public func callAsFunction(_ samples: [Float]) -> Tensor {
    let power = powerSpectrogram(samples)
    let frames = power.shape[0]
    let bins = fft.bins
    let bands = config.melBands
    var mel = [Float](repeating: 0, count: frames * bands)
    if frames > 0 {
      power.data.withUnsafeBufferPointer { p in
        filterbank.withUnsafeBufferPointer { fb in
          mel.withUnsafeMutableBufferPointer { e in
            // E[frames, bands] = P[frames, bins] * FB[bins, bands]
            BLAS.sgemm(
              transA: false, transB: false, m: frames, n: bands, k: bins, a: p.baseAddress!, lda: bins,
              b: fb.baseAddress!, ldb: bands, c: e.baseAddress!, ldc: bands)
          }
        }
      }
    }
    let floor = config.logFloor
    for i in 0..<mel.count { mel[i] = Foundation.log(max(mel[i], floor)) }
    if config.normalize && frames > 0 { LogMel.normalizeBands(&mel, frames: frames, bands: bands) }
    return Tensor(shape: [frames, bands], data: mel)
  }

  /// Features of a waveform, resampled to `config.sampleRate` first when needed.
  public func callAsFunction(_ waveform: Waveform) -> Tensor {
    self(waveform.resampled(to: config.sampleRate).samples)
  }

  /// `x[:, m] = (x[:, m] - mean_m) / (std_m + 1e-5)`, statistics over frames in Double.
  static func normalizeBands(_ x: inout [Float], frames: Int, bands: Int) {
    var mean = [Double](repeating: 0, count: bands)
    var sq = [Double](repeating: 0, count: bands)
    for t in 0..<frames {
      for m in 0..<bands {
        let v = Double(x[t * bands + m])
        mean[m] += v
        sq[m] += v * v
      }
    }
    var scale = [Float](repeating: 0, count: bands)
    var shift = [Float](repeating: 0, count: bands)
    for m in 0..<bands {
      let mu = mean[m] / Double(frames)
      let variance = max(0, sq[m] / Double(frames) - mu * mu)
      scale[m] = Float(1 / (variance.squareRoot() + 1e-5))
      shift[m] = Float(mu)
    }
    for t in 0..<frames {
      for m in 0..<bands { x[t * bands + m] = (x[t * bands + m] - shift[m]) * scale[m] }
    }
  }
}
