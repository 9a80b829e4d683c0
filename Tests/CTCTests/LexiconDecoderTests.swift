import CTC
import Core
import Foundation
import TestSupport
import Testing

@testable import CTC

/// `Tests/Fixtures/ctc_decoder/` (FORMAT.md): 60 utterances decoded by flashlight-text 0.0.7's
/// `LexiconDecoder` under three settings, and `kenlm` sentence scores of its ARPA model.
struct DecoderReference: Sendable {
  struct Expected: Sendable {
    var config: Int
    var words: String
    var tokens: [Int]
    var score: Double
    var lmScore: Double
    var emittingModelScore: Double
    var nbestWords: [String]
  }
  struct Case: Sendable {
    var id: String
    var emissions: [Float]
    var frames: Int
    var results: [Expected]
  }

  var configs: [BeamDecoderOptions]
  var cases: [Case]
  var sentences: [(String, Double)]
  var tokens: TokenDictionary
  var lexicon: Lexicon
  var model: ARPALanguageModel

  static let shared: Result<DecoderReference, Error> = Result(catching: { try DecoderReference() })

  init() throws {
    let folder = "ctc_decoder"
    tokens = try TokenDictionary.load(path: fixtureURL(folder, "tokens.txt").path)
    lexicon = try Lexicon.load(path: fixtureURL(folder, "lexicon.txt").path, tokens: tokens)
    model = try ARPALanguageModel.load(path: fixtureURL(folder, "lm.arpa").path)
    let json = try JSONValue.parse(
      String(decoding: try Data(contentsOf: fixtureURL(folder, "cases.json")), as: UTF8.self))
    func num(_ v: JSONValue?) -> Double { v?.number ?? .nan }
    configs = (json["configs"]?.array ?? []).map { c in
      var o = BeamDecoderOptions()
      o.beamSize = Int(num(c["beam_size"]))
      o.beamSizeToken = Int(num(c["beam_size_token"]))
      o.beamThreshold = num(c["beam_threshold"])
      o.lmWeight = num(c["lm_weight"])
      o.wordScore = num(c["word_score"])
      o.unkScore = num(c["unk_score"])
      o.silScore = num(c["sil_score"])
      o.logAdd = c["log_add"]?.bool ?? false
      return o
    }
    func string(_ v: JSONValue?) -> String {
      if case .string(let s)? = v { return s }
      return ""
    }
    cases = (json["cases"]?.array ?? []).map { c in
      let rows = c["emissions"]?.array ?? []
      let emissions = rows.flatMap { ($0.array ?? []).map { Float(num($0)) } }
      let results = (c["results"]?.array ?? []).map { r in
        Expected(
          config: Int(num(r["config"])), words: string(r["words"]),
          tokens: (r["tokens"]?.array ?? []).map { Int(num($0)) }, score: num(r["score"]),
          lmScore: num(r["lm_score"]), emittingModelScore: num(r["emitting_model_score"]),
          nbestWords: (r["nbest_words"]?.array ?? []).map { string($0) })
      }
      return Case(id: "\(Int(num(c["id"])))", emissions: emissions, frames: rows.count, results: results)
    }
    sentences = (json["kenlm_sentence_scores"]?.array ?? []).map {
      (string($0["sentence"]), num($0["log10_prob_with_bos_eos"]))
    }
  }
}

@Suite struct LexiconDecoderTests {
  func reference() throws -> DecoderReference { try DecoderReference.shared.get() }

  @Test func arpaModelMatchesKenLMSentenceScores() throws {
    let r = try reference()
    #expect(r.model.order == 3)
    #expect(r.model.counts == [351, 696, 685])
    #expect(r.sentences.count == 50)
    for (sentence, expected) in r.sentences {
      let got = r.model.sentenceScore(sentence)
      #expect(abs(got - expected) < 1e-4, "\(sentence): \(got) vs kenlm \(expected)")
    }
  }

  @Test func matchesFlashlightOnEveryCaseAndConfig() throws {
    let r = try reference()
    #expect(r.cases.count == 60)
    let sil = r.tokens.index("|") ?? -1
    let blank = r.tokens.index("-") ?? -1
    let lm = DecoderLanguageModel.ngram(r.model, names: r.lexicon.words)
    var checked = 0
    for (ci, options) in r.configs.enumerated() {
      let decoder = LexiconDecoder(
        options: options, lexicon: r.lexicon, tokens: r.tokens, languageModel: lm, silence: sil, blank: blank)
      for c in r.cases {
        guard let expected = c.results.first(where: { $0.config == ci }) else { continue }
        let results = decoder.decode(c.emissions[...], frames: c.frames, classes: r.tokens.count)
        guard let best = results.first else {
          Issue.record("\(c.id) config \(ci): no hypothesis")
          continue
        }
        let words = best.wordSequence.map { r.lexicon.words[$0] }.joined(separator: " ")
        #expect(words == expected.words, "\(c.id) config \(ci)")
        #expect(best.tokens == expected.tokens, "\(c.id) config \(ci): tokens")
        #expect(
          abs(best.score - expected.score) < 1e-4,
          "\(c.id) config \(ci): score \(best.score) vs \(expected.score)")
        #expect(abs(best.lmScore - expected.lmScore) < 1e-4, "\(c.id) config \(ci): lm \(best.lmScore)")
        #expect(
          abs(best.emittingModelScore - expected.emittingModelScore) < 1e-4,
          "\(c.id) config \(ci): emitting \(best.emittingModelScore)")
        let nbest = results.prefix(expected.nbestWords.count).map {
          $0.wordSequence.map { r.lexicon.words[$0] }.joined(separator: " ")
        }
        #expect(nbest == expected.nbestWords, "\(c.id) config \(ci): n-best")
        checked += 1
      }
    }
    #expect(checked == 180)
  }

  @Test func arpaErrorsNameLineAndColumn() {
    func failure(_ text: String) -> String {
      do {
        _ = try ARPALanguageModel.parse(text, file: "m.arpa")
        return "parsed"
      } catch { return "\(error)" }
    }
    let good = "\\data\\\nngram 1=3\n\n\\1-grams:\n-1\t<s>\t-0.5\n-0.5\tx\n-0.5\t</s>\n\n\\end\\\n"
    #expect(failure(good) == "parsed")
    #expect(failure(good.replacingOccurrences(of: "-0.5\tx", with: "0.5\tx")).hasPrefix("m.arpa:6:1:"))
    #expect(failure(good.replacingOccurrences(of: "-0.5\tx", with: "abc\tx")).hasPrefix("m.arpa:6:1:"))
    #expect(failure(good.replacingOccurrences(of: "ngram 1=3", with: "ngram 1=4")).hasPrefix("m.arpa:9:1:"))
    #expect(
      failure(good.replacingOccurrences(of: "-0.5\t</s>", with: "-0.5\ty")).hasPrefix("m.arpa:9:1: no </s>"))
    #expect(failure(good.replacingOccurrences(of: "\\end\\\n", with: "")).hasPrefix("m.arpa:"))
    #expect(failure("hello\n").hasPrefix("m.arpa:1:1:"))
    let bigram =
      "\\data\\\nngram 1=2\nngram 2=1\n\\1-grams:\n-1\ta\n-1\tb\n\\2-grams:\n-0.1\ta\tzz\n\\end\\\n"
    #expect(failure(bigram).hasPrefix("m.arpa:8:8:"))
  }

  /// Lines are numbered as an editor numbers them: \v, \f and a lone \r separate fields, they
  /// do not start lines (FuzzARPA found "line 36" in an 8-line token list of \v bytes);
  /// "\r\n" ends a line.
  @Test func textFileLinesAreEditorLines() {
    func failure(_ body: () throws -> Void) -> String {
      do {
        try body()
        return "parsed"
      } catch { return "\(error)" }
    }
    let vertical = "-\n|\na\u{01}" + String(repeating: "\u{0B}", count: 32) + "-\n|\n"
    #expect(failure { _ = try TokenDictionary.parse(vertical, file: "t.txt") }.hasPrefix("t.txt:3:"))
    let crlf = "-\r\n|\r\na\r\na\r\n"
    #expect(
      failure { _ = try TokenDictionary.parse(crlf, file: "t.txt") }.hasPrefix(
        "t.txt:4:1: repeated token 'a'"))
    #expect((try? TokenDictionary.parse("-\r\n|\r\na\r\n").tokens) == ["-", "|", "a"])
  }

  @Test func backoffArithmeticByHand() throws {
    // p(b | a) listed; p(a | b) backs off: bo(b) + p(a); unknown words score as <unk>.
    let text = """
      \\data\\
      ngram 1=5
      ngram 2=2

      \\1-grams:
      -1.0\t<unk>
      -0.9\t</s>
      -99\t<s>\t-0.25
      -0.5\ta\t-0.3
      -0.7\tb\t-0.2

      \\2-grams:
      -0.1\ta\tb
      -0.4\t<s>\ta

      \\end\\
      """
    let m = try ARPALanguageModel.parse(text)
    let s = m.beginSentence
    let (afterA, pa) = m.score(s, m.index("a"))
    #expect(pa == -0.4)
    let (afterB, pb) = m.score(afterA, m.index("b"))
    #expect(pb == -0.1)
    let (_, pa2) = m.score(afterB, m.index("a"))
    #expect(pa2 == Float(-0.2) + Float(-0.5))
    let (_, pz) = m.score(afterB, m.index("zzz"))
    #expect(pz == Float(-1.0) + Float(-0.2))
    #expect(m.finish(afterB) == Float(-0.2) + Float(-0.9))
  }

  @Test func lexiconFreeDecoderWithoutLMIsPrefixSearch() {
    // Emissions strongly favour "a a" with a blank between: the best path keeps both.
    let rows: [[Float]] = [[-5, -5, -0.01], [-0.01, -5, -5], [-5, -5, -0.01]].map { $0 }
    var o = BeamDecoderOptions()
    o.beamSize = 10
    let d = LexiconFreeDecoder(options: o, languageModel: .none, silence: 1, blank: 0)
    let results = d.decode(rows.flatMap { $0 }[...], frames: 3, classes: 3)
    #expect(results.first?.collapsedTokens(blank: 0) == [1, 2, 2, 1])
    #expect(results.first?.tokens == [1, 2, 0, 2, 1])
    let expected = Double(Float(-0.01)) * 3
    #expect(abs((results.first?.score ?? 0) - expected) < 1e-12)
  }
}
