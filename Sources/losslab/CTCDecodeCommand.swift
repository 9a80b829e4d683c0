import ArgumentParser
import CTC
import Core
import Foundation
import NeuralNets

/// `losslab ctc decode`: lexicon / n-gram beam search over stored CTC log-probabilities, with
/// torchaudio's `ctc_decoder` options.
struct CTCDecodeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "decode",
    abstract:
      "Beam-search CTC emissions (safetensors `emissions` [N,T,C] float32, `lengths` [N]) with a lexicon and an ARPA n-gram, as torchaudio's ctc_decoder."
  )

  @Option(
    help:
      "Safetensors file with `emissions` (float [N, T, C], log-probabilities) and `lengths` (integer [N]).")
  var emissions: String
  @Option(help: "Token list, one per line; line i is class i.")
  var tokens: String
  @Option(help: "Lexicon: `word token token ...` per line (none: lexicon-free decoding).")
  var lexicon: String?
  @Option(help: "ARPA n-gram: over words with --lexicon, over tokens without (character-level).")
  var lm: String?
  @Option(help: "Hypotheses kept per frame (1...\(Limits.beam), default 50).")
  var beamSize: Int = 50
  @Option(help: "Tokens tried per frame, most probable first (1...\(CTCDecodeLimits.classes); default all).")
  var beamSizeToken: Int?
  @Option(help: "Drop hypotheses more than this below the best (0...\(CTCDecodeLimits.score), default 50).")
  var beamThreshold: Double = 50
  @Option(
    help: "Weight of the LM's log10 score (-\(CTCDecodeLimits.score)...\(CTCDecodeLimits.score), default 2).")
  var lmWeight: Double = 2
  @Option(help: "Score added per word (-\(CTCDecodeLimits.score)...\(CTCDecodeLimits.score), default 0).")
  var wordScore: Double = 0
  @Option(
    help: "Score per unknown word: a real in ±\(CTCDecodeLimits.score), or -inf to allow none (default).")
  var unkScore: String = "-inf"
  @Option(help: "Score per silence frame (-\(CTCDecodeLimits.score)...\(CTCDecodeLimits.score), default 0).")
  var silScore: Double = 0
  @Flag(help: "Merge identical hypotheses by log-adding their scores (default: keep the best).")
  var logAdd = false
  @Option(help: "Hypotheses listed per utterance (1...beam size, default 1).")
  var nbest: Int = 1
  @Option(help: "The blank token (default -).")
  var blankToken: String = "-"
  @Option(help: "The silence / word-boundary token (default |).")
  var silToken: String = "|"
  @Flag(
    help:
      "Print JSON: {\"utterances\": [{index, words, tokens, score, lm_score, emitting_model_score, nbest}]}.")
  var json = false

  func validate() throws {
    try Allowed.path("--emissions", emissions)
    try Allowed.path("--tokens", tokens)
    try Allowed.path("--lexicon", lexicon)
    try Allowed.path("--lm", lm)
    try Allowed.check("--beam-size", beamSize, 1...Limits.beam)
    try Allowed.check("--beam-size-token", beamSizeToken, 1...CTCDecodeLimits.classes)
    try Allowed.check("--beam-threshold", beamThreshold, 0...CTCDecodeLimits.score)
    let s = CTCDecodeLimits.score
    try Allowed.check("--lm-weight", lmWeight, -s...s)
    try Allowed.check("--word-score", wordScore, -s...s)
    try Allowed.check("--sil-score", silScore, -s...s)
    _ = try parsedUnkScore()
    try Allowed.check("--nbest", nbest, 1...beamSize, "at most --beam-size")
    try Allowed.name("--blank-token", blankToken, "a token")
    try Allowed.name("--sil-token", silToken, "a token")
  }

  func parsedUnkScore() throws -> Double {
    if unkScore == "-inf" { return -.infinity }
    let s = CTCDecodeLimits.score
    guard let v = Double(unkScore), v.isFinite, abs(v) <= s else {
      throw ValidationError("--unk-score '\(unkScore)': allowed -inf or a real in -\(Int(s))...\(Int(s))")
    }
    return v
  }

  func options() throws -> BeamDecoderOptions {
    var o = BeamDecoderOptions()
    o.beamSize = beamSize
    o.beamSizeToken = beamSizeToken
    o.beamThreshold = beamThreshold
    o.lmWeight = lmWeight
    o.wordScore = wordScore
    o.unkScore = try parsedUnkScore()
    o.silScore = silScore
    o.logAdd = logAdd
    return o
  }

  func run() throws {
    let setup: BeamDecoderSetup
    let batch: CTCEmissionBatch
    do {
      let tokenList = try TokenDictionary.load(path: tokens)
      let words = try lexicon.map { try Lexicon.load(path: $0, tokens: tokenList) }
      let model = try lm.map { try ARPALanguageModel.load(path: $0) }
      setup = try BeamDecoderSetup(
        tokens: tokenList, lexicon: words, model: model, options: try options(), blankToken: blankToken,
        silToken: silToken)
      batch = try CTCEmissionBatch.load(path: emissions, classes: tokenList.count)
    } catch let e as TextFileError {
      throw ValidationError(e.description)
    } catch let e as BeamDecoderSetup.SetupError {
      throw ValidationError(e.description)
    } catch let e as CTCEmissionBatch.BatchError {
      throw ValidationError(e.description)
    }
    var utterances: [CTCDecodedUtterance] = []
    for i in 0..<batch.count {
      let results = setup.decode(batch.emissions(i), frames: batch.lengths[i])
      let listed = results.prefix(nbest).map { r in
        CTCDecodedUtterance.Hypothesis(
          words: setup.words(of: r), tokens: r.collapsedTokens(blank: setup.blank), score: r.score,
          lmScore: r.lmScore, emittingModelScore: r.emittingModelScore)
      }
      let best = listed.first
      utterances.append(
        CTCDecodedUtterance(
          index: i, words: best?.words ?? [], tokens: best?.tokens ?? [], score: best?.score ?? -.infinity,
          lmScore: best?.lmScore ?? 0, emittingModelScore: best?.emittingModelScore ?? 0, nbest: Array(listed)
        ))
    }
    if json {
      try printJSON(CTCDecodeReport(utterances: utterances))
      return
    }
    for u in utterances {
      print("\(u.index)\t\(String(format: "%.4f", u.score))\t\(u.words.joined(separator: " "))")
    }
  }
}

enum CTCDecodeLimits {
  /// Largest class count a `--beam-size-token` may name.
  static let classes = 1_000_000
  /// Largest magnitude of a score option.
  static let score = 1_000_000.0
}

struct CTCDecodeReport: Encodable {
  var utterances: [CTCDecodedUtterance]
}

struct CTCDecodedUtterance: Encodable {
  struct Hypothesis: Encodable {
    var words: [String]
    var tokens: [Int]
    var score: Double
    var lmScore: Double
    var emittingModelScore: Double
    enum CodingKeys: String, CodingKey {
      case words, tokens, score
      case lmScore = "lm_score"
      case emittingModelScore = "emitting_model_score"
    }
  }
  var index: Int
  var words: [String]
  var tokens: [Int]
  var score: Double
  var lmScore: Double
  var emittingModelScore: Double
  var nbest: [Hypothesis]
  enum CodingKeys: String, CodingKey {
    case index, words, tokens, score, nbest
    case lmScore = "lm_score"
    case emittingModelScore = "emitting_model_score"
  }
}

/// `emissions` [N, T, C] and `lengths` [N] from a safetensors file, checked.
struct CTCEmissionBatch {
  struct BatchError: Error, CustomStringConvertible {
    var description: String
  }

  var values: [Float]
  var frames: Int
  var classes: Int
  var lengths: [Int]
  var count: Int { lengths.count }

  func emissions(_ i: Int) -> ArraySlice<Float> {
    values[(i * frames * classes)..<((i + 1) * frames * classes)]
  }

  static func load(path: String, classes: Int) throws -> CTCEmissionBatch {
    let file: SafeTensors.RawFile
    do {
      file = try SafeTensors.loadRaw(from: URL(fileURLWithPath: path))
    } catch {
      throw BatchError(description: "\(path): \(error)")
    }
    guard let e = file["emissions"], let values = e.floats(), e.shape.count == 3 else {
      throw BatchError(description: "\(path): no float tensor `emissions` of shape [N, T, C]")
    }
    guard e.shape[2] == classes else {
      throw BatchError(
        description: "\(path): `emissions` has \(e.shape[2]) classes, the token list \(classes)")
    }
    let (n, t) = (e.shape[0], e.shape[1])
    var lengths = [Int](repeating: t, count: n)
    if let l = file["lengths"] {
      guard let ints = l.integers(), l.shape == [n] else {
        throw BatchError(description: "\(path): `lengths` must be an integer tensor of shape [\(n)]")
      }
      for (i, v) in ints.enumerated() where v < 0 || v > t {
        throw BatchError(description: "\(path): lengths[\(i)] = \(v) is outside 0...\(t)")
      }
      lengths = ints
    }
    for (k, v) in values.enumerated() where v.isNaN || v == .infinity {
      throw BatchError(description: "\(path): emissions value \(k) is \(v) (allowed: finite or -inf)")
    }
    for i in 0..<n {
      for f in 0..<lengths[i] {
        let row = values[((i * t + f) * classes)..<((i * t + f + 1) * classes)]
        guard row.contains(where: { $0.isFinite }) else {
          throw BatchError(description: "\(path): emissions[\(i), \(f)] has no finite log-probability")
        }
      }
    }
    return CTCEmissionBatch(values: values, frames: t, classes: classes, lengths: lengths)
  }
}
