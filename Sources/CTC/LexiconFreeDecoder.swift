/// CTC beam search without a lexicon, step for step as flashlight's `LexiconFreeDecoder`: every
/// non-blank token that is not a repeat (or follows a blank) is scored by the language model
/// over tokens (`lmWeight` times its log10 score; a character-level n-gram, or none), a blank
/// or a repeat keeps the LM state. Pruning, merging and the final `</s>` are the lexicon
/// decoder's (`BeamCandidates`), with hypotheses identical when their LM state (the token
/// history), last token and blank flag agree.
public struct LexiconFreeDecoder: Sendable {
  public var options: BeamDecoderOptions
  /// Over token indices: `.ngram(model, names: tokens)` for a character-level LM.
  public let languageModel: DecoderLanguageModel
  public let silence: Int
  public let blank: Int

  public init(options: BeamDecoderOptions, languageModel: DecoderLanguageModel, silence: Int, blank: Int) {
    self.options = options
    self.languageModel = languageModel
    self.silence = silence
    self.blank = blank
  }

  /// All final hypotheses, best first, for emissions `[frames, classes]`.
  public func decode(_ emissions: ArraySlice<Float>, frames: Int, classes: Int) -> [BeamDecodeResult] {
    let o = options
    let history = LanguageModelHistory(languageModel)
    var beams: [[BeamHypothesis]] = [
      [
        BeamHypothesis(
          score: 0, lm: history.start, lex: 0, parent: -1, token: Int32(silence), word: -1, prevBlank: false,
          emittingModelScore: 0, lmScore: 0)
      ]
    ]
    beams.reserveCapacity(frames + 2)
    var candidates = BeamCandidates()
    let allTokens = Array(0..<classes)
    let base = emissions.startIndex
    for t in 0..<frames {
      let row = emissions[(base + t * classes)..<(base + (t + 1) * classes)]
      let tried = frameTokens(row, limit: o.beamSizeToken, all: allTokens)
      candidates.reset()
      for (p, prev) in beams[t].enumerated() {
        let parent = Int32(p)
        for n in tried {
          let em = Double(row[row.startIndex + n])
          var score = prev.score + em
          if n == silence { score += o.silScore }
          if n != blank && (Int32(n) != prev.token || prev.prevBlank) {
            let (state, s) = history.score(prev.lm, n)
            let lmScore = Double(s)
            candidates.add(
              BeamHypothesis(
                score: score + o.lmWeight * lmScore, lm: state, lex: 0, parent: parent, token: Int32(n),
                word: -1,
                prevBlank: false, emittingModelScore: prev.emittingModelScore + em,
                lmScore: prev.lmScore + lmScore),
              threshold: o.beamThreshold)
          } else {
            candidates.add(
              BeamHypothesis(
                score: score, lm: prev.lm, lex: 0, parent: parent, token: Int32(n), word: -1,
                prevBlank: n == blank,
                emittingModelScore: prev.emittingModelScore + em, lmScore: prev.lmScore),
              threshold: o.beamThreshold)
          }
        }
      }
      beams.append(candidates.store(beamSize: o.beamSize, threshold: o.beamThreshold, logAdd: o.logAdd))
    }
    candidates.reset()
    for (p, prev) in beams[frames].enumerated() {
      let (state, s) = history.finish(prev.lm)
      let lmScore = Double(s)
      candidates.add(
        BeamHypothesis(
          score: prev.score + o.lmWeight * lmScore, lm: state, lex: 0, parent: Int32(p),
          token: Int32(silence),
          word: -1, prevBlank: false, emittingModelScore: prev.emittingModelScore,
          lmScore: prev.lmScore + lmScore),
        threshold: o.beamThreshold)
    }
    beams.append(candidates.store(beamSize: o.beamSize, threshold: o.beamThreshold, logAdd: o.logAdd))
    return finalResults(beams)
  }
}
