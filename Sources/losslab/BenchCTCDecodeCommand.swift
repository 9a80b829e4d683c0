import ArgumentParser
import CTC
import Dispatch
import Foundation

/// `losslab bench ctc-decode --emissions E.safetensors --tokens T --lexicon L --lm LM --json`:
/// decoding speed of the lexicon-free and lexicon beam searches at several beam sizes, with every
/// best hypothesis (so `scripts/bench_ctc_decode.py` can check flashlight-text's against them).
struct BenchCTCDecodeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ctc-decode",
    abstract:
      "Time the CTC beam decoders (lexicon-free, lexicon, lexicon + LM) at several beam sizes; print JSON.",
    discussion: """
      Inputs as `losslab ctc decode` (defaults: the decoder fixture in Tests/Fixtures/ctc_decoder,
      written as safetensors by scripts/bench_ctc_decode.py). Each setting decodes every utterance
      once to warm up, then --repeats times; the median is reported as utterances per second and
      real-time factor = decode seconds / (frames x --frame-seconds).
      """)

  @Option(help: "safetensors with `emissions` [N, T, C] log-probabilities and `lengths` [N].")
  var emissions: String
  @Option(help: "Token list, one per line (default Tests/Fixtures/ctc_decoder/tokens.txt).")
  var tokens: String = "Tests/Fixtures/ctc_decoder/tokens.txt"
  @Option(help: "Lexicon for the lexicon settings (default Tests/Fixtures/ctc_decoder/lexicon.txt).")
  var lexicon: String = "Tests/Fixtures/ctc_decoder/lexicon.txt"
  @Option(help: "Word ARPA LM for the lexicon + LM settings (default Tests/Fixtures/ctc_decoder/lm.arpa).")
  var lm: String = "Tests/Fixtures/ctc_decoder/lm.arpa"
  @Option(help: "Seconds of audio per emission frame, for the real-time factor (default 0.03).")
  var frameSeconds: Double = 0.03
  @Option(help: "Beam threshold of every setting (default 25).")
  var beamThreshold: Double = 25
  @Option(help: "LM weight of the lexicon + LM settings (default 2).")
  var lmWeight: Double = 2
  @Option(help: "Timed passes per setting after one warm-up; the median is reported (default 3).")
  var repeats: Int = 3
  @Flag(help: "Print JSON (the only output format; accepted for scripts).")
  var json = false

  static let beamSizes = [1, 10, 50, 100]

  /// CPU time of the calling thread (`CLOCK_THREAD_CPUTIME_ID`).
  static func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }

  func validate() throws {
    try Allowed.path("--emissions", emissions)
    try Allowed.path("--tokens", tokens)
    try Allowed.path("--lexicon", lexicon)
    try Allowed.path("--lm", lm)
    try Allowed.check("--frame-seconds", frameSeconds, above: 0, upTo: 10)
    try Allowed.check("--beam-threshold", beamThreshold, 0...CTCDecodeLimits.score)
    try Allowed.check("--lm-weight", lmWeight, -CTCDecodeLimits.score...CTCDecodeLimits.score)
    try Allowed.check("--repeats", repeats, 1...Limits.timedRepeats)
  }

  struct Hypothesis: Encodable {
    var words: [String]
    var tokens: [Int]
    var score: Double
  }

  struct Result: Encodable {
    var decoder: String
    var lm: Bool
    var beamSize: Int
    var beamThreshold: Double
    var lmWeight: Double
    /// Median wall-clock seconds of one pass over all utterances.
    var seconds: Double
    /// Median CPU seconds of the decoding thread for one pass (less sensitive to a loaded machine).
    var cpuSeconds: Double
    var utterancesPerSecond: Double
    var realTimeFactor: Double
    var hypotheses: [Hypothesis]
    enum CodingKeys: String, CodingKey {
      case decoder, lm, seconds, hypotheses
      case cpuSeconds = "cpu_seconds"
      case beamSize = "beam_size"
      case beamThreshold = "beam_threshold"
      case lmWeight = "lm_weight"
      case utterancesPerSecond = "utterances_per_second"
      case realTimeFactor = "real_time_factor"
    }
  }

  struct Report: Encodable {
    var utterances: Int
    var frames: Int
    var frameSeconds: Double
    var repeats: Int
    var results: [Result]
    enum CodingKeys: String, CodingKey {
      case utterances, frames, repeats, results
      case frameSeconds = "frame_seconds"
    }
  }

  func run() throws {
    let tokenList: TokenDictionary
    let words: Lexicon
    let model: ARPALanguageModel
    let batch: CTCEmissionBatch
    do {
      tokenList = try TokenDictionary.load(path: tokens)
      words = try Lexicon.load(path: lexicon, tokens: tokenList)
      model = try ARPALanguageModel.load(path: lm)
      batch = try CTCEmissionBatch.load(path: emissions, classes: tokenList.count)
    } catch let e as TextFileError {
      throw ValidationError(e.description)
    } catch let e as CTCEmissionBatch.BatchError {
      throw ValidationError(e.description)
    }
    let frames = batch.lengths.reduce(0, +)
    var results: [Result] = []
    for (name, useLexicon, useLM) in [
      ("lexicon-free", false, false), ("lexicon", true, false), ("lexicon", true, true),
    ] {
      for beam in Self.beamSizes {
        var o = BeamDecoderOptions()
        o.beamSize = beam
        o.beamThreshold = beamThreshold
        o.lmWeight = useLM ? lmWeight : 0
        let setup: BeamDecoderSetup
        do {
          setup = try BeamDecoderSetup(
            tokens: tokenList, lexicon: useLexicon ? words : nil, model: useLM ? model : nil, options: o)
        } catch {
          throw ValidationError(error.description)
        }
        func pass() -> [BeamDecodeResult?] {
          (0..<batch.count).map { setup.decode(batch.emissions($0), frames: batch.lengths[$0]).first }
        }
        let best = pass()
        var times: [Double] = []
        var cpuTimes: [Double] = []
        for _ in 0..<repeats {
          let cpuStart = Self.threadCPUSeconds()
          let start = DispatchTime.now().uptimeNanoseconds
          _ = pass()
          times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
          cpuTimes.append(Self.threadCPUSeconds() - cpuStart)
        }
        let median = times.sorted()[times.count / 2]
        let cpuMedian = cpuTimes.sorted()[cpuTimes.count / 2]
        results.append(
          Result(
            decoder: name, lm: useLM, beamSize: beam, beamThreshold: beamThreshold, lmWeight: o.lmWeight,
            seconds: median, cpuSeconds: cpuMedian,
            utterancesPerSecond: Double(batch.count) / max(median, 1e-12),
            realTimeFactor: median / (Double(max(frames, 1)) * frameSeconds),
            hypotheses: best.map { r in
              Hypothesis(
                words: r.map { setup.words(of: $0) } ?? [],
                tokens: r?.collapsedTokens(blank: setup.blank) ?? [],
                score: r?.score ?? 0)
            }))
      }
    }
    try printJSON(
      Report(
        utterances: batch.count, frames: frames, frameSeconds: frameSeconds, repeats: repeats,
        results: results)
    )
  }
}
