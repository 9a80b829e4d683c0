import Core
import Tensors

/// A synthetic translation task: a head-final, subject-object-verb source language with
/// postpositions and case particles, and an English-like subject-verb-object target language.
///
/// Clause: source `[TIME] SUBJ ga [OBJ o] [PLACE de] VERB [ta|ro] [nai]`, target
/// `SUBJ VERB-GROUP [OBJ] [in|on|at PLACE] [TIME]`; noun phrases `NOUN ADJ* [ra] [ko|so|ni|sa]`
/// become `DET ADJ* NOUN` with the adjectives in mirror order. A sentence is up to `maxClauses`
/// clauses joined by `te` ("and"), `ke` ("but") or `ne` (a head-final reason clause: `C1 ne C2`
/// is "C2 because C1"), then `.`. What the model must learn:
/// - word order: the verb moves from the end to after the subject, the time adverb from the front
///   to the end, postpositions become prepositions, adjectives move before the noun and reverse,
///   reason clauses swap with their main clause;
/// - agreement: the verb agrees with the subject's number (`sees`/`see`, `does not`/`do not`, a
///   coordinated subject is plural), `this`/`these`, `that`/`those`, noun plurals, `a`/`an` by the
///   next word's first letter;
/// - context: some source words translate by their neighbours' class (one verb is `catch` with an
///   animate object and `take` otherwise; one adjective is `big`, `tall` or `large`; the locative
///   particle is `in`, `on` or `at` by the kind of place; past adverbs force the past tense);
/// - noise no model can remove: an unmarked noun phrase is definite (`the`) or indefinite (`a`/`an`,
///   or no article in the plural) at random (`indefiniteRate`), and a few references lose one word
///   (`dropRate`), so a maximum-likelihood model is good but not perfect.
public struct ToyTranslation: Sendable {
  public struct Options: Sendable, Equatable {
    /// Probability that an unmarked noun phrase is indefinite in the target.
    public var indefiniteRate = 0.05
    /// Probability that a target sentence loses one random word (reference noise).
    public var dropRate = 0.01
    /// Sentence length bounds in words, the final `.` included, both languages.
    public var minLength = 4
    public var maxLength = 40
    /// Clauses per sentence at most (1: simple sentences), and the probability of adding
    /// another clause while below that bound.
    public var maxClauses = 3
    public var clauseRate = 0.6
    /// Mode-vs-consensus phrases per sentence (0: none). Each is marked in the source by the
    /// particle `zu` and rendered as the fixed idiom with probability `idiomRate`, otherwise as
    /// `b_i came along too` with `b_i` uniform over `alternatives` names (the source never says
    /// which). The first phrase ends the sentence, the second starts it, and so on.
    public var ambiguousPhrases = 0
    /// pA: probability that an ambiguous phrase is the idiom.
    public var idiomRate = 0.3
    /// k: how many names `b_i` the other rendering draws from.
    public var alternatives = 10
    /// q: probability of the optional word `indeed` at the end of each clause (0: no slot).
    public var optionalRate = 0.0
    /// The first version of the task: simple sentences (one clause, at most 16 words) with
    /// more reference noise (30% indefinite unmarked phrases, 3% dropped words).
    public static var simple: Options {
      var options = Options()
      options.indefiniteRate = 0.3
      options.dropRate = 0.03
      options.maxLength = 16
      options.maxClauses = 1
      return options
    }
    public init() {}
  }

  public struct Pair: Sendable, Equatable {
    public var source: [String]
    public var target: [String]
    /// The target without noise: every unmarked noun phrase definite, no word dropped. It is the
    /// most probable reference given the source, so its BLEU against the noisy references is the
    /// score of a perfect mode-seeking translator (the task's ceiling for such decoders).
    public var noiseFreeTarget: [String]
    /// How the generator renders the target: fixed words and the random choices (articles,
    /// ambiguous phrases, optional words), before a word is dropped. The ceilings resample
    /// references from it (`ToyTranslation.sampleReference`).
    public var pieces: [TargetPiece]
  }

  public let lexicon: ToyTranslationLexicon
  public let options: Options

  public init(options: Options = Options(), lexicon: ToyTranslationLexicon = .standard) {
    self.options = options
    self.lexicon = lexicon
  }

  typealias Particle = ToyTranslationLexicon.Particle
  typealias NounClass = ToyTranslationLexicon.NounClass

  struct NounPhrase {
    var source: [String]
    var target: [String]
    var noiseFreeTarget: [String]
    var pieces: [TargetPiece]
    var plural: Bool
    var nounClass: NounClass
  }

  /// One sentence pair within the length bounds (rejection sampling).
  public func samplePair(using rng: inout RandomGenerator) -> Pair {
    while true {
      let pair = sampleUnbounded(using: &rng)
      let lengths = [pair.source.count, pair.target.count]
      if lengths.allSatisfy({ $0 >= options.minLength && $0 <= options.maxLength }) { return pair }
    }
  }

  func sampleUnbounded(using rng: inout RandomGenerator) -> Pair {
    var (source, target, noiseFree, pieces) = clause(using: &rng)
    // Further clauses: `C1 te C2` is "C1 and C2", `C1 ke C2` is "C1 but C2", and the
    // head-final reason clause `C1 ne C2` is "C2 because C1" (the clauses swap).
    var clauses = 1
    while clauses < options.maxClauses && rng.uniform() < options.clauseRate {
      clauses += 1
      let next = clause(using: &rng)
      let draw = rng.uniform()
      let (particle, word, swaps) =
        draw < 0.4
        ? (Particle.andClause, "and", false)
        : draw < 0.7 ? (Particle.butClause, "but", false) : (Particle.because, "because", true)
      source += [particle] + next.source
      target = swaps ? next.target + [word] + target : target + [word] + next.target
      noiseFree =
        swaps
        ? next.noiseFreeTarget + [word] + noiseFree : noiseFree + [word] + next.noiseFreeTarget
      pieces = swaps ? next.pieces + [.word(word)] + pieces : pieces + [.word(word)] + next.pieces
    }
    // Mode-vs-consensus phrases (no draw at all when there are none, so older corpora stay).
    for index in 0..<options.ambiguousPhrases {
      let rendering = ambiguousPhrase(idiom: rng.uniform() < options.idiomRate, using: &rng)
      let mode = Self.phraseWords(idiom: modePolicy.idiom)
      if index % 2 == 0 {
        source.append(Particle.ambiguous)
        target += rendering
        noiseFree += mode
        pieces.append(.ambiguousPhrase)
      } else {
        source.insert(Particle.ambiguous, at: 0)
        target = rendering + target
        noiseFree = mode + noiseFree
        pieces.insert(.ambiguousPhrase, at: 0)
      }
    }
    if rng.uniform() < options.dropRate && !target.isEmpty {
      target.remove(at: rng.int(below: target.count))
    }
    return Pair(
      source: source + ["."], target: target + ["."], noiseFreeTarget: noiseFree + ["."],
      pieces: pieces + [.word(".")])
  }

  func ambiguousPhrase(idiom: Bool, using rng: inout RandomGenerator) -> [String] {
    idiom ? Self.idiom : [Self.alternative(rng.int(below: options.alternatives))] + Self.consensusTail
  }

  /// One clause without the final `.`: source, target (with noise) and noise-free target.
  func clause(using rng: inout RandomGenerator) -> (
    source: [String], target: [String], noiseFreeTarget: [String], pieces: [TargetPiece]
  ) {
    var source: [String] = []
    // Tense, optionally announced by a time adverb that must agree with it.
    let tenseDraw = rng.uniform()
    let tense: ToyTranslationLexicon.Tense =
      tenseDraw < 0.5 ? .present : tenseDraw < 0.8 ? .past : .future
    let negated = rng.uniform() < 0.2
    var time: ToyTranslationLexicon.TimeAdverb?
    if rng.uniform() < 0.3 {
      let candidates = lexicon.timeAdverbs.filter { $0.tense == tense }
      time = candidates[rng.int(below: candidates.count)]
    }
    // Subject: an animate noun phrase, sometimes two coordinated (then plural).
    var subject = nounPhrase(classes: [.animate], using: &rng)
    if rng.uniform() < 0.12 {
      let second = nounPhrase(classes: [.animate], using: &rng)
      subject = NounPhrase(
        source: subject.source + [Particle.and] + second.source,
        target: subject.target + ["and"] + second.target,
        noiseFreeTarget: subject.noiseFreeTarget + ["and"] + second.noiseFreeTarget,
        pieces: subject.pieces + [.word("and")] + second.pieces, plural: true, nounClass: .animate)
    }
    let transitive = rng.uniform() < 0.65
    let candidates = lexicon.verbs.filter { $0.transitive == transitive }
    let verb = candidates[rng.int(below: candidates.count)]
    let object = transitive ? nounPhrase(classes: verb.objectClasses, using: &rng) : nil
    let place =
      rng.uniform() < 0.3 ? nounPhrase(classes: [.building, .surface, .openPlace], using: &rng) : nil

    // Source, head-final.
    if let time { source.append(time.source) }
    source += subject.source + [Particle.subject]
    if let object { source += object.source + [Particle.object] }
    if let place { source += place.source + [Particle.locative] }
    source.append(verb.source)
    switch tense {
    case .present: break
    case .past: source.append(Particle.past)
    case .future: source.append(Particle.future)
    }
    if negated { source.append(Particle.negation) }

    // Target, subject-verb-object (built twice: with the sampled articles and noise-free).
    let forms = verb.forms(objectClass: object?.nounClass)
    let verbGroup: [String]
    switch (tense, negated) {
    case (.present, false): verbGroup = [subject.plural ? forms.plural : forms.singular]
    case (.present, true): verbGroup = [subject.plural ? "do" : "does", "not", forms.plural]
    case (.past, false): verbGroup = [forms.past]
    case (.past, true): verbGroup = ["did", "not", forms.plural]
    case (.future, false): verbGroup = ["will", forms.plural]
    case (.future, true): verbGroup = ["will", "not", forms.plural]
    }
    var preposition: [String] = []
    if let place {
      switch place.nounClass {
      case .building: preposition = ["in"]
      case .surface: preposition = ["on"]
      default: preposition = ["at"]
      }
    }
    func sentence(_ phrase: (NounPhrase) -> [String]) -> [String] {
      phrase(subject) + verbGroup + (object.map(phrase) ?? []) + preposition
        + (place.map(phrase) ?? []) + (time?.target ?? [])
    }
    var target = sentence(\.target)
    var noiseFree = sentence(\.noiseFreeTarget)
    let words = { (w: [String]) in w.map(TargetPiece.word) }
    var pieces =
      subject.pieces + words(verbGroup) + (object?.pieces ?? []) + words(preposition)
      + (place?.pieces ?? []) + words(time?.target ?? [])
    // The optional word (no draw when q = 0, so older corpora stay the same).
    if options.optionalRate > 0 {
      if rng.uniform() < options.optionalRate { target.append(Self.optionalWord) }
      if modePolicy.includeOptional { noiseFree.append(Self.optionalWord) }
      pieces.append(.optionalWord)
    }
    return (source, target, noiseFree, pieces)
  }

  func nounPhrase(classes: [NounClass], using rng: inout RandomGenerator) -> NounPhrase {
    let nouns = lexicon.nouns.filter { classes.contains($0.nounClass) }
    let noun = nouns[rng.int(below: nouns.count)]
    let plural = rng.uniform() < 0.35
    let adjectiveDraw = rng.uniform()
    let adjectiveCount = adjectiveDraw < 0.6 ? 0 : adjectiveDraw < 0.9 ? 1 : 2
    let fitting = lexicon.adjectives.filter { $0.nounClasses.contains(noun.nounClass) }
    var chosen: [ToyTranslationLexicon.Adjective] = []
    while chosen.count < adjectiveCount {
      let a = fitting[rng.int(below: fitting.count)]
      if !chosen.contains(where: { $0.source == a.source }) { chosen.append(a) }
    }
    // Determiner: none, demonstrative, or (plural only) a numeral.
    let determinerDraw = rng.uniform()
    var sourceDeterminer: String?
    var targetDeterminer: String?
    if determinerDraw < 0.15 {
      sourceDeterminer = Particle.this
      targetDeterminer = plural ? "these" : "this"
    } else if determinerDraw < 0.3 {
      sourceDeterminer = Particle.that
      targetDeterminer = plural ? "those" : "that"
    } else if determinerDraw < 0.4 && plural {
      let two = rng.uniform() < 0.5
      sourceDeterminer = two ? Particle.two : Particle.three
      targetDeterminer = two ? "two" : "three"
    }

    var source = [noun.source] + chosen.map(\.source)
    if plural { source.append(Particle.plural) }
    if let sourceDeterminer { source.append(sourceDeterminer) }

    // Target: adjectives before the noun, in mirror order.
    let modifiers = chosen.reversed().map { $0.word(for: noun.nounClass) }
    let head = plural ? noun.plural : noun.singular
    var target: [String] = []
    if let targetDeterminer {
      target.append(targetDeterminer)
    } else if rng.uniform() < options.indefiniteRate {
      if !plural {
        let next = modifiers.first ?? head
        target.append(next.first.map { "aeiou".contains($0) } == true ? "an" : "a")
      }
    } else {
      target.append("the")
    }
    target += modifiers + [head]
    let article: TargetPiece =
      targetDeterminer.map(TargetPiece.word) ?? .article(plural: plural, next: modifiers.first ?? head)
    return NounPhrase(
      source: source, target: target,
      noiseFreeTarget: [targetDeterminer ?? "the"] + modifiers + [head],
      pieces: [article] + (modifiers + [head]).map(TargetPiece.word), plural: plural,
      nounClass: noun.nounClass)
  }

  /// Train, dev and test splits from one seed. Dev and test source sentences never occur in
  /// train or in each other, so held-out scores measure generalisation, not recall.
  public func corpus(
    seed: UInt64, trainSize: Int, devSize: Int, testSize: Int
  ) -> (train: [Pair], dev: [Pair], test: [Pair]) {
    var rng = RandomGenerator(seed: seed, stream: 0x70E)
    var seen = Set<[String]>()
    let train = (0..<trainSize).map { _ in
      let pair = samplePair(using: &rng)
      seen.insert(pair.source)
      return pair
    }
    func heldOut(_ count: Int) -> [Pair] {
      var out: [Pair] = []
      var attempts = 0
      while out.count < count {
        attempts += 1
        precondition(
          attempts < 1000 * max(count, 1), "could not draw \(count) unseen held-out sentences")
        let pair = samplePair(using: &rng)
        if seen.insert(pair.source).inserted { out.append(pair) }
      }
      return out
    }
    let dev = heldOut(devSize)
    let test = heldOut(testSize)
    return (train, dev, test)
  }
}
