/// A lexicon or lexicon-free beam decoder assembled as torchaudio's `ctc_decoder` assembles it:
/// with a lexicon, a word LM (or none) and the lexicon trie; without one, the lexicon-free
/// decoder with an LM over the tokens themselves (a character-level n-gram) or none.
public struct BeamDecoderSetup: Sendable {
  public enum Decoder: Sendable {
    case lexicon(LexiconDecoder)
    case lexiconFree(LexiconFreeDecoder)
  }

  public let tokens: TokenDictionary
  public let lexicon: Lexicon?
  public let decoder: Decoder
  public let blank: Int
  public let silence: Int

  public struct SetupError: Error, CustomStringConvertible, Sendable {
    public var description: String
  }

  public init(
    tokens: TokenDictionary, lexicon: Lexicon?, model: ARPALanguageModel?, options: BeamDecoderOptions,
    blankToken: String = "-", silToken: String = "|"
  ) throws(SetupError) {
    guard let blank = tokens.index(blankToken) else {
      throw SetupError(description: "the blank token '\(blankToken)' is not in the token list")
    }
    guard let silence = tokens.index(silToken) else {
      throw SetupError(description: "the silence token '\(silToken)' is not in the token list")
    }
    self.tokens = tokens
    self.lexicon = lexicon
    self.blank = blank
    self.silence = silence
    if let lexicon {
      let lm: DecoderLanguageModel = model.map { .ngram($0, names: lexicon.words) } ?? .none
      decoder = .lexicon(
        LexiconDecoder(
          options: options, lexicon: lexicon, tokens: tokens, languageModel: lm, silence: silence,
          blank: blank))
    } else {
      let lm: DecoderLanguageModel = model.map { .ngram($0, names: tokens.tokens) } ?? .none
      decoder = .lexiconFree(
        LexiconFreeDecoder(options: options, languageModel: lm, silence: silence, blank: blank))
    }
  }

  /// All final hypotheses, best first.
  public func decode(_ emissions: ArraySlice<Float>, frames: Int) -> [BeamDecodeResult] {
    switch decoder {
    case .lexicon(let d): return d.decode(emissions, frames: frames, classes: tokens.count)
    case .lexiconFree(let d): return d.decode(emissions, frames: frames, classes: tokens.count)
    }
  }

  /// The words of a hypothesis: the lexicon's words, or without a lexicon the token strings
  /// split at silences (torchaudio leaves `words` empty there).
  public func words(of result: BeamDecodeResult) -> [String] {
    if let lexicon { return result.wordSequence.map { lexicon.words[$0] } }
    var words: [String] = []
    var current = ""
    for t in result.collapsedTokens(blank: blank) {
      if t == silence {
        if !current.isEmpty { words.append(current) }
        current = ""
      } else {
        current += tokens.tokens[t]
      }
    }
    if !current.isEmpty { words.append(current) }
    return words
  }
}
