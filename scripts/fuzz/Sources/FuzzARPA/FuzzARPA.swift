import CTC
import FuzzSupport

/// The decoder's text inputs (CTC/ARPAReader, CTC/Lexicon): the first byte selects the parser --
/// 0: an ARPA model (then every n-gram of a few sentences is scored), 1: a token list, 2: a
/// lexicon over a fixed 29-token alphabet. Properties: every refusal is a TextFileError whose
/// line lies inside the text and whose column is at least 1; a parsed model scores every sentence
/// finitely or as -inf (never NaN).
@_cdecl("FuzzARPA_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  let alphabet = ["-", "|", "'"] + "abcdefghijklmnopqrstuvwxyz".map { String($0) }
  guard let tokens = try? TokenDictionary(alphabet) else {
    fatalError("the fixed alphabet is a valid token list")
  }
  return runFuzzer(argc, argv) { bytes in
    guard let selector = bytes.first else { return }
    let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
    let lines = bytes.dropFirst().filter { $0 == 0x0A }.count + 1  // as an editor numbers them
    func checkLocation(_ error: TextFileError) {
      fuzzCheck(
        error.line >= 1 && error.line <= lines + 1,
        "error line \(error.line) outside 1...\(lines + 1): \(error)")
      fuzzCheck(error.column >= 1, "error column \(error.column) < 1: \(error)")
    }
    do {
      switch selector % 3 {
      case 0:
        let model = try ARPALanguageModel.parse(text, file: "fuzz.arpa")
        let words = Array(model.vocabulary.prefix(6)) + ["zzz-unknown"]
        for sentence in [words.joined(separator: " "), words.reversed().joined(separator: " "), ""] {
          let score = model.sentenceScore(sentence)
          fuzzCheck(!score.isNaN, "sentence score is NaN for '\(sentence)'")
        }
      case 1:
        _ = try TokenDictionary.parse(text, file: "fuzz.tokens")
      default:
        _ = try Lexicon.parse(text, tokens: tokens, file: "fuzz.lexicon")
      }
    } catch let error as TextFileError {
      checkLocation(error)
    } catch {
      fuzzCheck(false, "threw a \(type(of: error)): \(error)")
    }
  }
}
