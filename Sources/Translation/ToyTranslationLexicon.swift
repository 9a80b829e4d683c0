import Core
import Tensors

/// The lexicon of the synthetic translation task (see `ToyTranslation`): target (English-like)
/// word forms by hand, source words built from syllables by a fixed generator, so the two
/// languages share no surface forms and the lexicon is the same for every corpus seed.
public struct ToyTranslationLexicon: Sendable {
  /// Semantic classes: they drive selectional restrictions, context-dependent translations and the
  /// choice of locative preposition.
  public enum NounClass: String, Sendable, CaseIterable {
    case animate, text, food, object
    /// Places: `in` a building, `on` a surface, `at` an open place.
    case building, surface, openPlace
  }

  public struct Noun: Sendable {
    public let source: String
    public let singular: String
    public let plural: String
    public let nounClass: NounClass
  }

  /// A verb's target forms: present 3rd singular, present plural (also the bare form after
  /// `do`/`does`/`did`/`will`), past.
  public struct VerbForms: Sendable, Equatable {
    public let singular: String
    public let plural: String
    public let past: String
  }

  /// A verb whose translation may depend on its object's class (the first matching rule wins;
  /// `nil` classes match anything).
  public struct Verb: Sendable {
    public let source: String
    public let transitive: Bool
    /// Object classes the verb accepts (empty for intransitive verbs).
    public let objectClasses: [NounClass]
    public let translations: [(classes: [NounClass]?, forms: VerbForms)]

    public func forms(objectClass: NounClass?) -> VerbForms {
      for rule in translations {
        guard let classes = rule.classes else { return rule.forms }
        if let objectClass, classes.contains(objectClass) { return rule.forms }
      }
      return translations[translations.count - 1].forms
    }
  }

  /// An adjective whose translation may depend on the class of the noun it modifies.
  public struct Adjective: Sendable {
    public let source: String
    public let nounClasses: [NounClass]
    public let translations: [(classes: [NounClass]?, word: String)]

    public func word(for nounClass: NounClass) -> String {
      for rule in translations {
        guard let classes = rule.classes else { return rule.word }
        if classes.contains(nounClass) { return rule.word }
      }
      return translations[translations.count - 1].word
    }
  }

  public enum Tense: String, Sendable, CaseIterable { case present, past, future }

  public struct TimeAdverb: Sendable {
    public let source: String
    public let target: [String]
    public let tense: Tense
  }

  public let nouns: [Noun]
  public let verbs: [Verb]
  public let adjectives: [Adjective]
  public let timeAdverbs: [TimeAdverb]

  /// Grammatical particles of the source language.
  public enum Particle {
    public static let subject = "ga"
    public static let object = "o"
    public static let locative = "de"
    public static let plural = "ra"
    public static let this = "ko"
    public static let that = "so"
    public static let two = "ni"
    public static let three = "sa"
    public static let past = "ta"
    public static let future = "ro"
    public static let negation = "nai"
    public static let and = "to"
    /// Clause conjunctions (one syllable, so the word generator never makes them).
    public static let andClause = "te"
    public static let butClause = "ke"
    public static let because = "ne"
    public static let all: Set<String> = [
      subject, object, locative, plural, this, that, two, three, past, future, negation, and,
    ]
    public static let conjunctions: Set<String> = [andClause, butClause, because]
    /// Marks a mode-vs-consensus phrase (`ToyTranslation.Options.ambiguousPhrases`); not in `all`,
    /// which seeds the lexicon's word generator, so the lexicon stays the same.
    public static let ambiguous = "zu"
  }

  /// The one lexicon (source words from a fixed generator seed, independent of corpus seeds).
  public static let standard = ToyTranslationLexicon()

  private init() {
    var words = SourceWordMaker()
    typealias C = NounClass
    let nounTable: [(String, String, C)] = [
      ("man", "men", .animate), ("woman", "women", .animate), ("child", "children", .animate),
      ("teacher", "teachers", .animate), ("doctor", "doctors", .animate),
      ("farmer", "farmers", .animate), ("student", "students", .animate), ("king", "kings", .animate),
      ("girl", "girls", .animate), ("boy", "boys", .animate), ("dog", "dogs", .animate),
      ("cat", "cats", .animate), ("horse", "horses", .animate), ("bird", "birds", .animate),
      ("fox", "foxes", .animate), ("mouse", "mice", .animate), ("wolf", "wolves", .animate),
      ("lion", "lions", .animate), ("rabbit", "rabbits", .animate), ("owl", "owls", .animate),
      ("letter", "letters", .text), ("book", "books", .text), ("poem", "poems", .text),
      ("story", "stories", .text), ("note", "notes", .text), ("message", "messages", .text),
      ("apple", "apples", .food), ("bread", "breads", .food), ("cake", "cakes", .food),
      ("egg", "eggs", .food), ("orange", "oranges", .food), ("cheese", "cheeses", .food),
      ("pear", "pears", .food), ("onion", "onions", .food),
      ("cup", "cups", .object), ("key", "keys", .object), ("box", "boxes", .object),
      ("ball", "balls", .object), ("knife", "knives", .object), ("coin", "coins", .object),
      ("hat", "hats", .object), ("lamp", "lamps", .object), ("chair", "chairs", .object),
      ("bag", "bags", .object), ("stone", "stones", .object), ("rope", "ropes", .object),
      ("umbrella", "umbrellas", .object),
      ("house", "houses", .building), ("school", "schools", .building),
      ("church", "churches", .building), ("shop", "shops", .building), ("barn", "barns", .building),
      ("castle", "castles", .building), ("kitchen", "kitchens", .building),
      ("tower", "towers", .building),
      ("table", "tables", .surface), ("roof", "roofs", .surface), ("bridge", "bridges", .surface),
      ("wall", "walls", .surface), ("hill", "hills", .surface),
      ("park", "parks", .openPlace), ("river", "rivers", .openPlace),
      ("market", "markets", .openPlace), ("station", "stations", .openPlace),
      ("gate", "gates", .openPlace), ("beach", "beaches", .openPlace),
    ]
    nouns = nounTable.map { Noun(source: words.make(), singular: $0.0, plural: $0.1, nounClass: $0.2) }

    func v(_ s: String, _ p: String, _ past: String) -> VerbForms {
      VerbForms(singular: s, plural: p, past: past)
    }
    let things: [C] = [.animate, .text, .food, .object]
    let inanimate: [C] = [.text, .food, .object]
    var verbs: [Verb] = []
    func transitive(_ objects: [C], _ translations: [(classes: [C]?, forms: VerbForms)]) {
      verbs.append(
        Verb(source: words.make(), transitive: true, objectClasses: objects, translations: translations))
    }
    func intransitive(_ forms: VerbForms) {
      verbs.append(
        Verb(source: words.make(), transitive: false, objectClasses: [], translations: [(nil, forms)]))
    }
    transitive(things, [(nil, v("sees", "see", "saw"))])
    transitive(things, [(nil, v("likes", "like", "liked"))])
    transitive(things, [(nil, v("finds", "find", "found"))])
    transitive(things, [(nil, v("wants", "want", "wanted"))])
    transitive(inanimate, [(nil, v("holds", "hold", "held"))])
    transitive(inanimate, [(nil, v("carries", "carry", "carried"))])
    transitive(inanimate, [(nil, v("brings", "bring", "brought"))])
    transitive(inanimate, [(nil, v("buys", "buy", "bought"))])
    transitive(inanimate, [(nil, v("sells", "sell", "sold"))])
    transitive(inanimate, [(nil, v("keeps", "keep", "kept"))])
    transitive([.animate], [(nil, v("helps", "help", "helped"))])
    transitive([.animate], [(nil, v("follows", "follow", "followed"))])
    transitive([.animate], [(nil, v("meets", "meet", "met"))])
    transitive([.food], [(nil, v("eats", "eat", "ate"))])
    transitive([.food], [(nil, v("cooks", "cook", "cooked"))])
    transitive([.text], [(nil, v("reads", "read", "read"))])
    // Context-dependent translations: one source verb, a target verb chosen by the object's class.
    transitive(
      things, [([.animate], v("catches", "catch", "caught")), (nil, v("takes", "take", "took"))])
    transitive(
      things, [([.text], v("writes", "write", "wrote")), (nil, v("draws", "draw", "drew"))])
    transitive(
      things, [([.animate], v("feeds", "feed", "fed")), (nil, v("fills", "fill", "filled"))])
    intransitive(v("sleeps", "sleep", "slept"))
    intransitive(v("runs", "run", "ran"))
    intransitive(v("walks", "walk", "walked"))
    intransitive(v("sings", "sing", "sang"))
    intransitive(v("waits", "wait", "waited"))
    intransitive(v("laughs", "laugh", "laughed"))
    intransitive(v("swims", "swim", "swam"))
    intransitive(v("works", "work", "worked"))
    self.verbs = verbs

    let all = C.allCases
    var adjectives: [Adjective] = []
    func adjective(_ classes: [C], _ translations: [(classes: [C]?, word: String)]) {
      adjectives.append(
        Adjective(source: words.make(), nounClasses: classes, translations: translations))
    }
    for word in ["red", "old", "small", "green", "black", "white", "beautiful", "quiet"] {
      adjective(all, [(nil, word)])
    }
    for word in ["happy", "angry", "young", "hungry"] { adjective([.animate], [(nil, word)]) }
    for word in ["heavy", "broken", "expensive"] { adjective([.object], [(nil, word)]) }
    for word in ["sweet", "hot"] { adjective([.food], [(nil, word)]) }
    adjective([.text], [(nil, "long")])
    adjective([.text], [(nil, "funny")])
    // Context-dependent adjectives.
    adjective(
      all, [([.animate], "big"), ([.building], "tall"), (nil, "large")])
    adjective(all, [([.food], "fresh"), (nil, "new")])
    adjective([.animate, .building, .openPlace], [([.animate], "kind"), (nil, "famous")])
    self.adjectives = adjectives

    timeAdverbs = [
      TimeAdverb(source: words.make(), target: ["today"], tense: .present),
      TimeAdverb(source: words.make(), target: ["every", "day"], tense: .present),
      TimeAdverb(source: words.make(), target: ["now"], tense: .present),
      TimeAdverb(source: words.make(), target: ["yesterday"], tense: .past),
      TimeAdverb(source: words.make(), target: ["last", "night"], tense: .past),
      TimeAdverb(source: words.make(), target: ["an", "hour", "ago"], tense: .past),
      TimeAdverb(source: words.make(), target: ["tomorrow"], tense: .future),
      TimeAdverb(source: words.make(), target: ["next", "week"], tense: .future),
      TimeAdverb(source: words.make(), target: ["soon"], tense: .future),
    ]
  }
}

/// Distinct consonant-vowel source words of two or three syllables, from a fixed seed.
private struct SourceWordMaker {
  private var rng = RandomGenerator(seed: 0x5EED_70E, stream: 7)
  private var used = ToyTranslationLexicon.Particle.all
  private static let consonants = Array("bdfghkmnprstvz")
  private static let vowels = Array("aeiou")

  mutating func make() -> String {
    while true {
      let syllables = 2 + rng.int(below: 2)
      var word = ""
      for _ in 0..<syllables {
        word.append(Self.consonants[rng.int(below: Self.consonants.count)])
        word.append(Self.vowels[rng.int(below: Self.vowels.count)])
      }
      if used.insert(word).inserted { return word }
    }
  }
}
