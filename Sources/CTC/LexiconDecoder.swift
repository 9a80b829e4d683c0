/// Lexicon-constrained CTC beam search with a word language model, step for step as
/// flashlight's `LexiconDecoder` (the decoder behind torchaudio's `ctc_decoder`, Collobert et
/// al. 2016, Pratap et al. 2019), CTC criterion, word-level LM.
///
/// A hypothesis sits at a node of the lexicon trie. Each frame it may (1) take a child token
/// of its node (entering the node adds `lmWeight` times the change of the smeared look-ahead
/// score; a node spelling words emits each of them with its LM score, less the look-ahead
/// already counted, plus `wordScore`, and returns to the root; with a finite `unkScore` a
/// node without words may emit `<unk>`), (2) repeat its token (silence at the root), or (3)
/// emit a blank. A repeated token needs a blank in between to start a new letter. Candidates
/// more than `beamThreshold` below the frame's best are dropped, identical (LM state, node,
/// token, blank flag) ones merged, and the `beamSize` best kept. At the end `</s>` is scored
/// for hypotheses at the root (all of them if none is).
public struct LexiconDecoder: Sendable {
  public var options: BeamDecoderOptions
  public let trie: LexiconTrie
  public let languageModel: DecoderLanguageModel
  public let silence: Int
  public let blank: Int
  /// The word index of `<unk>`.
  public let unknownWord: Int

  public init(
    options: BeamDecoderOptions, trie: LexiconTrie, languageModel: DecoderLanguageModel, silence: Int,
    blank: Int, unknownWord: Int
  ) {
    self.options = options
    self.trie = trie
    self.languageModel = languageModel
    self.silence = silence
    self.blank = blank
    self.unknownWord = unknownWord
  }

  /// torchaudio's construction from a lexicon: the trie scored with each word's LM score after
  /// `<s>` and smeared with `SmearingMode.MAX`.
  public init(
    options: BeamDecoderOptions, lexicon: Lexicon, tokens: TokenDictionary,
    languageModel: DecoderLanguageModel,
    silence: Int, blank: Int
  ) {
    let history = LanguageModelHistory(languageModel)
    let trie = LexiconTrie.build(lexicon: lexicon, tokenCount: tokens.count) { word in
      history.score(history.start, word).score
    }
    self.init(
      options: options, trie: trie, languageModel: languageModel, silence: silence, blank: blank,
      unknownWord: lexicon.unknownIndex)
  }

  /// All final hypotheses, best first, for emissions `[frames, classes]` (row-major
  /// log-probabilities).
  public func decode(_ emissions: ArraySlice<Float>, frames: Int, classes: Int) -> [BeamDecodeResult] {
    let o = options
    let history = LanguageModelHistory(languageModel)
    let root = trie.root
    let (sil, blk) = (Int32(silence), Int32(blank))
    var beams: [[BeamHypothesis]] = [
      [
        BeamHypothesis(
          score: 0, lm: history.start, lex: root, parent: -1, token: sil, word: -1, prevBlank: false,
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
      let previous = beams[t]
      for (p, prev) in previous.enumerated() {
        let prevLex = prev.lex
        let lexMax: Float = prevLex == root ? 0 : trie.nodes[Int(prevLex)].maxScore
        let parent = Int32(p)
        // (1) Children of the node.
        for n in tried {
          guard let lex = trie.child(prevLex, Int32(n)) else { continue }
          let node = trie.nodes[Int(lex)]
          let em = Double(row[row.startIndex + n])
          var score = prev.score + em
          if n == silence { score += o.silScore }
          if prev.prevBlank || Int32(n) != prev.token {
            if !node.children.isEmpty {
              let lmScore = Double(node.maxScore - lexMax)
              candidates.add(
                BeamHypothesis(
                  score: score + o.lmWeight * lmScore, lm: prev.lm, lex: lex, parent: parent, token: Int32(n),
                  word: -1, prevBlank: false, emittingModelScore: prev.emittingModelScore + em,
                  lmScore: prev.lmScore + lmScore), threshold: o.beamThreshold)
            }
          }
          for label in node.labels {
            // A one-token word repeated without a blank is one word, not several.
            if prevLex == root && prev.token == Int32(n) { continue }
            let (state, s) = history.score(prev.lm, Int(label))
            let lmScore = Double(s - lexMax)
            candidates.add(
              BeamHypothesis(
                score: score + o.lmWeight * lmScore + o.wordScore, lm: state, lex: root, parent: parent,
                token: Int32(n), word: label, prevBlank: false,
                emittingModelScore: prev.emittingModelScore + em,
                lmScore: prev.lmScore + lmScore), threshold: o.beamThreshold)
          }
          if node.labels.isEmpty && o.unkScore > -.infinity {
            let (state, s) = history.score(prev.lm, unknownWord)
            let lmScore = Double(s - lexMax)
            candidates.add(
              BeamHypothesis(
                score: score + o.lmWeight * lmScore + o.unkScore, lm: state, lex: root, parent: parent,
                token: Int32(n), word: Int32(unknownWord), prevBlank: false,
                emittingModelScore: prev.emittingModelScore + em, lmScore: prev.lmScore + lmScore),
              threshold: o.beamThreshold)
          }
        }
        // (2) The same node: its token again, or silence at the root.
        if !prev.prevBlank || prevLex == root {
          let n = prevLex == root ? sil : prev.token
          let em = Double(row[row.startIndex + Int(n)])
          var score = prev.score + em
          if n == sil { score += o.silScore }
          candidates.add(
            BeamHypothesis(
              score: score, lm: prev.lm, lex: prevLex, parent: parent, token: n, word: -1, prevBlank: false,
              emittingModelScore: prev.emittingModelScore + em, lmScore: prev.lmScore),
            threshold: o.beamThreshold)
        }
        // (3) Blank.
        let em = Double(row[row.startIndex + blank])
        candidates.add(
          BeamHypothesis(
            score: prev.score + em, lm: prev.lm, lex: prevLex, parent: parent, token: blk, word: -1,
            prevBlank: true, emittingModelScore: prev.emittingModelScore + em, lmScore: prev.lmScore),
          threshold: o.beamThreshold)
      }
      beams.append(candidates.store(beamSize: o.beamSize, threshold: o.beamThreshold, logAdd: o.logAdd))
    }
    // Final step: `</s>`, for hypotheses at the root when there are any.
    candidates.reset()
    let last = beams[frames]
    let niceEnding = last.contains { $0.lex == root }
    for (p, prev) in last.enumerated() where !niceEnding || prev.lex == root {
      let (state, s) = history.finish(prev.lm)
      let lmScore = Double(s)
      candidates.add(
        BeamHypothesis(
          score: prev.score + o.lmWeight * lmScore, lm: state, lex: prev.lex, parent: Int32(p), token: sil,
          word: -1, prevBlank: false, emittingModelScore: prev.emittingModelScore,
          lmScore: prev.lmScore + lmScore),
        threshold: o.beamThreshold)
    }
    beams.append(candidates.store(beamSize: o.beamSize, threshold: o.beamThreshold, logAdd: o.logAdd))
    return finalResults(beams)
  }
}
