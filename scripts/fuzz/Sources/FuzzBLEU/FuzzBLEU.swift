import BLEU
import FuzzSupport

/// BLEU input and tokenizers (BLEU). The first byte picks the tokenizer, lowercasing and the
/// smoothing; the rest is split at the first NUL into hypotheses and references (lines).
/// Properties: every tokenizer tokenizes any text; scoring equal line counts gives a score in
/// [0, 100]; unequal counts are a BLEUError; a text scored against itself is 100 when it has
/// a 4-gram on every line.
@_cdecl("FuzzBLEU_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  return runFuzzer(argc, argv) { bytes in
    guard let selector = bytes.first else { return }
    let tokenizers = BLEUTokenizer.allCases
    let tokenizer = tokenizers[Int(selector) % tokenizers.count]
    let lowercase = selector & 0x80 != 0
    let rest = Array(bytes.dropFirst())
    let split = rest.firstIndex(of: 0) ?? rest.count
    let hypotheses = BLEUSegments(utf8: Array(rest[..<split]), name: "hyp")
    let references = BLEUSegments(utf8: split < rest.count ? Array(rest[(split + 1)...]) : [], name: "ref")
    let text = String(decoding: rest, as: UTF8.self)
    _ = tokenizer.tokenize(text, lowercase: lowercase)
    let bleu = BLEU(BLEUSettings(tokenizer: tokenizer, lowercase: lowercase))
    do {
      let score = try bleu.corpusScore(hypotheses: hypotheses, references: [references])
      fuzzCheck(hypotheses.count == references.count, "unequal line counts were scored")
      fuzzCheck(score.score >= 0 && score.score <= 100 + 1e-9, "score \(score.score) outside [0, 100]")
    } catch let error as BLEUError {
      _ = error.description
    } catch {
      fuzzCheck(false, "BLEU threw a \(type(of: error)): \(error)")
    }
    do {
      let selfScore = try bleu.corpusScore(hypotheses: hypotheses, references: [hypotheses])
      fuzzCheck(selfScore.score >= 0 && selfScore.score <= 100 + 1e-9, "self score \(selfScore.score)")
    } catch let error as BLEUError {
      _ = error.description
    } catch {
      fuzzCheck(false, "BLEU threw a \(type(of: error)): \(error)")
    }
  }
}
