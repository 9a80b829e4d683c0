import CTC
import Core
import Foundation
import TestSupport
import Testing

@testable import CTC

/// `Tests/Fixtures/ctc_decoder_modes/cases.json`, recorded by
/// `scripts/flashlight_decoder_fixtures.py` with flashlight-text 0.0.7 on the first 30 fixture
/// utterances: lexicon-free without an LM and with a character 5-gram, and the lexicon decoder
/// with unknown words allowed (finite `unk_score`), without and with the word trigram.
@Suite struct DecoderModesTests {
  @Test func matchesFlashlightInEveryMode() throws {
    let r = try DecoderReference.shared.get()
    let json = try JSONValue.parse(
      String(decoding: try Fixtures.data("ctc_decoder_modes/cases.json"), as: UTF8.self))
    let charLM = try ARPALanguageModel.load(path: fixtureURL("ctc_decoder_modes", "char5.arpa").path)
    func string(_ v: JSONValue?) -> String {
      if case .string(let s)? = v { return s }
      return ""
    }
    func ints(_ v: JSONValue?) -> [Int] { (v?.array ?? []).map { Int($0.number ?? -2) } }
    var setups: [String: BeamDecoderSetup] = [:]
    for s in json["settings"]?.array ?? [] {
      var o = BeamDecoderOptions()
      o.beamSize = Int(s["beam_size"]?.number ?? 0)
      o.beamSizeToken = Int(s["beam_size_token"]?.number ?? 0)
      o.beamThreshold = s["beam_threshold"]?.number ?? 0
      o.lmWeight = s["lm_weight"]?.number ?? 0
      o.wordScore = s["word_score"]?.number ?? 0
      o.unkScore = s["unk_score"]?.number ?? 0
      o.silScore = s["sil_score"]?.number ?? 0
      o.logAdd = s["log_add"]?.bool ?? false
      let lexicon = s["lexicon"]?.bool ?? false
      let model: ARPALanguageModel? = s["lm"] == .null ? nil : (lexicon ? r.model : charLM)
      setups[string(s["name"])] = try BeamDecoderSetup(
        tokens: r.tokens, lexicon: lexicon ? r.lexicon : nil, model: model, options: o)
    }
    #expect(setups.count == 4)
    let cases = Dictionary(uniqueKeysWithValues: r.cases.map { ($0.id, $0) })
    let results = json["results"]?.array ?? []
    #expect(results.count == 120)
    for expected in results {
      let name = string(expected["setting"])
      let id = "\(Int(expected["case"]?.number ?? -1))"
      guard let setup = setups[name], let c = cases[id] else {
        Issue.record("\(name) case \(id): no setting or case")
        continue
      }
      let decoded = setup.decode(c.emissions[...], frames: c.frames)
      guard let best = decoded.first else {
        Issue.record("\(name) case \(id): no hypothesis")
        continue
      }
      #expect(best.tokens == ints(expected["tokens"]), "\(name) case \(id): tokens")
      if setup.lexicon != nil {
        #expect(
          setup.words(of: best).joined(separator: " ") == string(expected["words"]), "\(name) case \(id)")
      }
      for (got, key) in [
        (best.score, "score"), (best.lmScore, "lm_score"), (best.emittingModelScore, "emitting_model_score"),
      ] {
        let want = expected[key]?.number ?? .nan
        #expect(abs(got - want) < 1e-4, "\(name) case \(id): \(key) \(got) vs \(want)")
      }
      let nbest = (expected["nbest_tokens"]?.array ?? []).map { ints($0) }
      #expect(decoded.prefix(nbest.count).map(\.tokens) == nbest, "\(name) case \(id): n-best")
    }
  }

  /// Quickselect keeps exactly the keys a full sort would put first.
  @Test func rankSelectionMatchesFullSort() {
    var rng = RandomGenerator(seed: 21)
    for _ in 0..<300 {
      let n = 1 + rng.int(below: 200)
      var keys = (0..<n).map { BeamCandidates.RankKey(score: Double(rng.int(below: 7)), index: $0) }
      keys.shuffle(using: &rng)
      let best = 1 + rng.int(below: n)
      let sorted = keys.sorted { $0.better($1) }.prefix(best).map(\.index)
      var selected = keys
      if selected.count > best { BeamCandidates.RankKey.select(&selected, best: best) }
      #expect(selected.sorted { $0.better($1) }.map(\.index) == Array(sorted))
    }
  }
}
