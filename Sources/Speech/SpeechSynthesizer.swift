import Core
import Foundation
import Tensors

/// The settings of one synthetic speaker (drawn once, shared by all of the speaker's utterances).
public struct SyntheticSpeaker: Sendable, Codable, Equatable {
  public var id: String
  /// Mean fundamental frequency, Hz.
  public var f0: Double
  /// Formant scale: reference vocal tract length / this speaker's (1 = adult male, ~1.17 adult female).
  public var formantScale: Double
  /// Duration multiplier (> 1 speaks slower).
  public var rate: Double
  /// Aspiration noise mixed into voicing, relative to the voicing amplitude.
  public var breathiness: Double
  /// One-pole low-pass coefficient on the glottal source (spectral tilt; larger is softer).
  public var tilt: Double
  /// Cycle-to-cycle relative standard deviation of the pitch period.
  public var jitter: Double

  /// Draws a speaker: `f0` log-uniform in 85...255 Hz, `formantScale` rising with `f0` from
  /// ~0.9 to ~1.2 (+-0.05, so pitch and tract length are correlated but not tied), `rate`
  /// 0.85...1.2, `breathiness` 0...0.3, `tilt` 0...0.35, `jitter` 0.002...0.012.
  public static func draw(id: String, using rng: inout RandomGenerator) -> SyntheticSpeaker {
    let position = rng.uniform()
    let f0 = 85 * pow(255.0 / 85, position)
    let scale = min(1.25, max(0.85, 0.9 + 0.3 * position + rng.uniform(-0.05, 0.05)))
    return SyntheticSpeaker(
      id: id, f0: f0, formantScale: scale, rate: rng.uniform(0.85, 1.2), breathiness: rng.uniform(0, 0.3),
      tilt: rng.uniform(0, 0.35), jitter: rng.uniform(0.002, 0.012))
  }
}

/// A formant (source-filter) synthesiser in the manner of Klatt (1980), "Software for a
/// cascade/parallel formant synthesizer", JASA 67(3).
///
/// Sources: a KLGLOTT88 glottal-flow-derivative pulse train (`2 tau - 3 tau^2` over the open
/// phase, open quotient 0.6; Klatt and Klatt 1990) with jitter and spectral tilt, and Gaussian
/// noise. Voicing and aspiration go through a cascade of four two-pole resonators (F1-F3 from
/// the phone keyframes, F4 fixed at 3.5 kHz, all scaled by the speaker's `formantScale`);
/// frication and bursts go through a parallel branch (differenced noise, two identical
/// resonators normalised to unit peak gain).
/// Controls are interpolated linearly between keyframes and resonator coefficients are
/// refreshed every millisecond.
public struct SpeechSynthesizer: Sendable {
  public var sampleRate: Int
  /// Per-unit duration multiplier range (uniform).
  public var unitDurationJitter: ClosedRange<Double> = 0.8...1.25

  public init(sampleRate: Int = 16000) {
    precondition(
      sampleRate >= 16000, "SpeechSynthesizer needs sampleRate >= 16000 for its fricatives, got \(sampleRate)"
    )
    self.sampleRate = sampleRate
  }

  /// What `render` produced: the noisy waveform and the speech span (in samples) over which
  /// the signal-to-noise ratio was measured.
  public struct Rendering: Sendable {
    public var waveform: Waveform
    public var speechStart: Int
    public var speechEnd: Int
  }

  /// Renders `words` (digit words from `SpeechUnits.digitWords`) spoken by `speaker`, with white
  /// Gaussian noise at `snrDb` (clean speech power over the speech span / noise power), peak
  /// level drawn in -12...-2 dBFS. All randomness comes from `rng`.
  public func render(
    words: [String], speaker: SyntheticSpeaker, snrDb: Double, using rng: inout RandomGenerator
  )
    -> Rendering
  {
    let fs = Double(sampleRate)
    let f0Base = speaker.f0 * rng.uniform(0.92, 1.08)
    let scale = Float(speaker.formantScale * rng.uniform(0.98, 1.02))
    let rate = speaker.rate * rng.uniform(0.93, 1.07)

    // Score: keyframes (time in samples, controls, f0).
    var times: [Double] = []
    var controls: [Float] = []
    var pitch: [Double] = []
    let silence = VocalTarget()
    func add(_ t: Double, _ target: VocalTarget, _ f0: Double) {
      var v = target
      v.f1 *= scale
      v.f2 *= scale
      v.f3 *= scale
      v.ff = min(v.ff * scale, Float(0.46 * fs))
      let base = controls.count
      controls += [Float](repeating: 0, count: VocalTarget.count)
      controls.withUnsafeMutableBufferPointer { v.store(into: $0.baseAddress! + base) }
      times.append(t)
      pitch.append(f0)
    }
    var cursor = rng.uniform(0.06, 0.2) * fs
    add(0, silence, f0Base)
    add(cursor, silence, f0Base)
    let speechStart = Int(cursor)
    for (wi, word) in words.enumerated() {
      guard let phones = SpeechUnits.pronunciations[word] else {
        preconditionFailure(
          "SpeechSynthesizer: no pronunciation for '\(word)'; words: \(SpeechUnits.digitWords)")
      }
      let declination = 1.1 - 0.2 * Double(wi) / Double(max(1, words.count - 1))
      let wordF0 = f0Base * declination * rng.uniform(0.97, 1.05)
      for (pj, name) in phones.enumerated() {
        let phone = SpeechUnits.phones[name]!
        let final = pj == phones.count - 1
        let stretch =
          rate * rng.uniform(unitDurationJitter.lowerBound, unitDurationJitter.upperBound)
          * (final ? 1.15 : 1)
        let msToSamples = stretch * fs / 1000
        let fall = 1 - 0.06 * Double(pj) / Double(phones.count)
        for (ms, target) in phone.keyframes { add(cursor + ms * msToSamples, target, wordF0 * fall) }
        cursor += phone.duration * msToSamples
      }
      if wi < words.count - 1 && rng.uniform() < 0.5 {
        let pause = rng.uniform(0.02, 0.15) * rate * fs
        add(cursor + 0.01 * fs, silence, wordF0 * 0.94)
        add(cursor + pause, silence, wordF0 * 0.94)
        cursor += pause
      }
    }
    add(cursor + 0.015 * fs, silence, f0Base * 0.9)
    let speechEnd = Int(cursor)
    let total = Int(cursor + rng.uniform(0.06, 0.2) * fs)
    add(Double(total), silence, f0Base * 0.9)

    var samples = synthesize(
      count: total, times: times, controls: controls, pitch: pitch, speaker: speaker, scale: scale,
      using: &rng)

    let lo = min(speechStart, total)
    let hi = max(lo + 1, min(speechEnd, total))
    SpeechNoise.addNoise(&samples, snrDb: snrDb, speechSpan: lo..<hi, using: &rng)
    return Rendering(
      waveform: Waveform(samples: samples, sampleRate: sampleRate), speechStart: lo, speechEnd: hi)
  }

  /// Two-pole resonator `y[n] = a x[n] + b y[n-1] + c y[n-2]` (Klatt 1980, eq. 1).
  struct Resonator {
    var a: Float = 1
    var b: Float = 0
    var c: Float = 0
    var y1: Float = 0
    var y2: Float = 0

    /// Unit gain at DC (cascade formants).
    mutating func tune(frequency: Float, bandwidth: Float, sampleRate: Float) {
      let r = exp(-Float.pi * bandwidth / sampleRate)
      c = -r * r
      b = 2 * r * cos(2 * Float.pi * frequency / sampleRate)
      a = 1 - b - c
    }

    /// Unit gain at the centre frequency (parallel frication branch).
    mutating func tunePeak(frequency: Float, bandwidth: Float, sampleRate: Float) {
      tune(frequency: frequency, bandwidth: bandwidth, sampleRate: sampleRate)
      let w = 2 * Float.pi * frequency / sampleRate
      // |1 - b e^{-iw} - c e^{-2iw}|
      let re = 1 - b * cos(w) - c * cos(2 * w)
      let im = b * sin(w) + c * sin(2 * w)
      a = (re * re + im * im).squareRoot()
    }

    @inline(__always)
    mutating func callAsFunction(_ x: Float) -> Float {
      let y = a * x + b * y1 + c * y2
      y2 = y1
      y1 = y
      return y
    }
  }

  /// Level of the frication branch relative to the cascade (calibrated so /s/ is about 6 dB
  /// below a vowel, the weak fricatives /f, th, v/ 15-20 dB below).
  static let fricationGain: Float = 0.6
  static let aspirationGain: Float = 0.12
  static let openQuotient: Float = 0.6

  func synthesize(
    count: Int, times: [Double], controls: [Float], pitch: [Double], speaker: SyntheticSpeaker, scale: Float,
    using rng: inout RandomGenerator
  ) -> [Float] {
    let fs = Float(sampleRate)
    let block = max(1, sampleRate / 1000)
    var out = [Float](repeating: 0, count: count)
    var r1 = Resonator()
    var r2 = Resonator()
    var r3 = Resonator()
    var r4 = Resonator()
    var rf = Resonator()
    var rf2 = Resonator()
    var previousNoise: Float = 0
    r4.tune(frequency: 3500 * scale, bandwidth: 250, sampleRate: fs)
    var current = [Float](repeating: 0, count: VocalTarget.count)
    var phase: Float = 0
    var periodScale: Float = 1
    var tiltState: Float = 0
    let tilt = Float(speaker.tilt)
    let breathiness = Float(speaker.breathiness)
    let jitter = speaker.jitter
    var k = 0  // keyframe segment: times[k] <= t < times[k + 1]
    var n = 0
    while n < count {
      let t = Double(n)
      while k + 2 < times.count && times[k + 1] <= t { k += 1 }
      let span = times[k + 1] - times[k]
      let w = Float(span > 0 ? min(1, max(0, (t - times[k]) / span)) : 1)
      for i in 0..<VocalTarget.count {
        current[i] =
          (1 - w) * controls[k * VocalTarget.count + i] + w * controls[(k + 1) * VocalTarget.count + i]
      }
      let f0 = Float((1 - Double(w)) * pitch[k] + Double(w) * pitch[k + 1])
      let (av, ah, af) = (current[0], current[1], current[2])
      r1.tune(frequency: current[3], bandwidth: current[6], sampleRate: fs)
      r2.tune(frequency: current[4], bandwidth: current[7], sampleRate: fs)
      r3.tune(frequency: current[5], bandwidth: current[8], sampleRate: fs)
      rf.tunePeak(frequency: current[9], bandwidth: current[10], sampleRate: fs)
      rf2 = Resonator(a: rf.a, b: rf.b, c: rf.c, y1: rf2.y1, y2: rf2.y2)
      let aspiration = (ah + breathiness * av) * SpeechSynthesizer.aspirationGain
      let frication = af * SpeechSynthesizer.fricationGain
      let end = min(count, n + block)
      while n < end {
        phase += f0 * periodScale / fs
        if phase >= 1 {
          phase -= 1
          periodScale = Float(1 + jitter * rng.normal())
        }
        let tau = phase / SpeechSynthesizer.openQuotient
        let glottal: Float = tau < 1 ? 2 * tau - 3 * tau * tau : 0
        tiltState = (1 - tilt) * glottal + tilt * tiltState
        let noise = Float(rng.normal())
        let source = av * tiltState + aspiration * noise
        let voiced = r4(r3(r2(r1(source))))
        // Frication: differenced noise through the resonator twice (4th order), so the noise
        // stays above ~2 kHz for /s z/ and the burst spectra differ by place.
        out[n] = voiced + frication * 0.5 * rf2(rf(noise - previousNoise))
        previousNoise = noise
        n += 1
      }
    }
    return out
  }
}
