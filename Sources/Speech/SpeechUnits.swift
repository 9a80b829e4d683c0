/// The unit inventory of the built-in speech generator.
///
/// Transcripts are sequences of the ten digit words; each word is spelled in ARPAbet-like phones
/// (CMU dictionary pronunciations), and each phone is a small score for the source-filter
/// renderer (`SpeechSynthesizer`): keyframes of source amplitudes and resonance frequencies
/// that the renderer interpolates linearly. Frequencies are for an adult male vocal tract
/// (Peterson and Barney 1952, Hillenbrand et al. 1995; consonant loci after Delattre 1955);
/// a speaker's vocal-tract length scales them all.
///
/// CTC targets are the characters of the transcript (see `SpeechAlphabet`), not these phones.
public enum SpeechUnits {
  /// The vocabulary: index i is the word for digit i.
  public static let digitWords = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
  ]

  /// Pronunciations (CMU dictionary, stress marks dropped).
  public static let pronunciations: [String: [String]] = [
    "zero": ["Z", "IH", "R", "OW"], "one": ["W", "AH", "N"], "two": ["T", "UW"],
    "three": ["TH", "R", "IY"], "four": ["F", "AO", "R"], "five": ["F", "AY", "V"],
    "six": ["S", "IH", "K", "S"], "seven": ["S", "EH", "V", "AH", "N"], "eight": ["EY", "T"],
    "nine": ["N", "AY", "N"],
  ]

  /// A phone: keyframes at times (ms from the phone's start, before duration scaling) and the
  /// nominal duration. Between the last keyframe of one phone and the first of the next the
  /// renderer interpolates linearly, which gives formant transitions (coarticulation).
  public struct Phone: Sendable {
    public var name: String
    public var duration: Double
    public var keyframes: [(ms: Double, target: VocalTarget)]
  }

  static func vowel(
    _ name: String, _ ms: Double, _ f: (Float, Float, Float), to g: (Float, Float, Float)? = nil
  )
    -> Phone
  {
    let start = VocalTarget(av: 1, formants: f)
    let end = g.map { VocalTarget(av: 1, formants: $0) } ?? start
    return Phone(name: name, duration: ms, keyframes: [(25, start), (ms - 25, end)])
  }

  static func steady(_ name: String, _ ms: Double, _ target: VocalTarget, edge: Double = 12) -> Phone {
    Phone(name: name, duration: ms, keyframes: [(edge, target), (ms - edge, target)])
  }

  /// A stop: silent closure at the place's formant locus, a release burst (frication noise at
  /// `burstHz`), then aspiration that fades into the next phone.
  static func stop(
    _ name: String, closure: Double, burst: Double, aspiration: Double, locus: (Float, Float, Float),
    burstHz: Float, burstBandwidth: Float
  ) -> Phone {
    let silent = VocalTarget(formants: locus)
    var release = VocalTarget(formants: locus)
    release.af = 1
    release.ff = burstHz
    release.fb = burstBandwidth
    var aspirated = VocalTarget(formants: locus)
    aspirated.ah = 0.5
    aspirated.af = 0.15
    aspirated.ff = burstHz
    aspirated.fb = burstBandwidth * 2
    var fading = aspirated
    fading.ah = 0.25
    fading.af = 0
    let t0 = closure
    let t1 = closure + burst
    return Phone(
      name: name, duration: t1 + aspiration,
      keyframes: [
        (8, silent), (t0, silent), (t0 + 1, release), (t1, release), (t1 + 3, aspirated),
        (t1 + aspiration, fading),
      ])
  }

  static func fricative(
    _ name: String, _ ms: Double, af: Float, ff: Float, fb: Float, av: Float = 0,
    locus: (Float, Float, Float)
  ) -> Phone {
    var t = VocalTarget(av: av, formants: locus)
    t.af = af
    t.ff = ff
    t.fb = fb
    if av > 0 {
      t.b1 = 90
    }
    return steady(name, ms, t, edge: 15)
  }

  /// The phone table.
  public static let phones: [String: Phone] = {
    var table: [String: Phone] = [:]
    let list: [Phone] = [
      vowel("IY", 150, (280, 2250, 2950)),
      vowel("IH", 100, (400, 1950, 2550)),
      vowel("EH", 110, (550, 1800, 2500)),
      vowel("AH", 95, (650, 1200, 2450)),
      vowel("AO", 170, (580, 880, 2450)),
      vowel("UW", 170, (310, 900, 2250)),
      vowel("OW", 190, (520, 1050, 2400), to: (360, 820, 2300)),
      vowel("AY", 210, (720, 1250, 2500), to: (330, 2150, 2850)),
      vowel("EY", 180, (480, 1950, 2550), to: (320, 2250, 2900)),
      steady("R", 75, VocalTarget(av: 0.7, formants: (420, 1250, 1650))),
      steady("W", 75, VocalTarget(av: 0.6, formants: (300, 650, 2200))),
      steady("N", 85, VocalTarget(av: 0.35, formants: (250, 1750, 2650), bandwidths: (80, 350, 500))),
      fricative("S", 125, af: 0.55, ff: 5800, fb: 2200, locus: (350, 1800, 2700)),
      fricative("Z", 95, af: 0.35, ff: 5600, fb: 2200, av: 0.3, locus: (300, 1800, 2700)),
      fricative("F", 110, af: 0.14, ff: 4500, fb: 7000, locus: (350, 1000, 2300)),
      fricative("TH", 110, af: 0.11, ff: 3200, fb: 5000, locus: (350, 1450, 2600)),
      fricative("V", 75, af: 0.09, ff: 4000, fb: 6000, av: 0.4, locus: (300, 1000, 2300)),
      stop(
        "T", closure: 55, burst: 10, aspiration: 35, locus: (350, 1800, 2700), burstHz: 4300,
        burstBandwidth: 1800),
      stop(
        "K", closure: 60, burst: 15, aspiration: 30, locus: (350, 1950, 2350), burstHz: 2100,
        burstBandwidth: 700),
    ]
    for p in list { table[p.name] = p }
    return table
  }()
}

/// Instantaneous controls of the source-filter model (one keyframe). Amplitudes are linear,
/// frequencies and bandwidths in Hz for the reference (scale 1) vocal tract.
public struct VocalTarget: Sendable, Equatable {
  /// Voicing (glottal source) amplitude into the formant cascade.
  public var av: Float = 0
  /// Aspiration noise amplitude into the formant cascade.
  public var ah: Float = 0
  /// Frication noise amplitude through the frication resonator (parallel path).
  public var af: Float = 0
  public var f1: Float = 500
  public var f2: Float = 1500
  public var f3: Float = 2500
  public var b1: Float = 60
  public var b2: Float = 90
  public var b3: Float = 150
  /// Frication resonator centre and bandwidth.
  public var ff: Float = 5000
  public var fb: Float = 3000

  public init(
    av: Float = 0, formants: (Float, Float, Float) = (500, 1500, 2500),
    bandwidths: (Float, Float, Float) = (60, 90, 150)
  ) {
    self.av = av
    (f1, f2, f3) = formants
    (b1, b2, b3) = bandwidths
  }

  /// Number of interpolated controls.
  static let count = 11

  func store(into p: UnsafeMutablePointer<Float>) {
    p[0] = av
    p[1] = ah
    p[2] = af
    p[3] = f1
    p[4] = f2
    p[5] = f3
    p[6] = b1
    p[7] = b2
    p[8] = b3
    p[9] = ff
    p[10] = fb
  }
}
