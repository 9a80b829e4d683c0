import Core

/// One piece of a toy target sentence as the generator renders it: a fixed word, or one of the
/// random choices the source does not determine.
public enum TargetPiece: Sendable, Hashable {
  case word(String)
  /// An unmarked noun phrase's article: `the`, or with probability `indefiniteRate` `a`/`an` (by
  /// the first letter of `next`) in the singular and nothing in the plural.
  case article(plural: Bool, next: String)
  /// A mode-vs-consensus phrase: the idiom with probability pA, else `b_i came along too`.
  case ambiguousPhrase
  /// The optional word, present with probability q.
  case optionalWord
}

/// A deterministic way to fill every random choice of a sentence: the "pure" outputs among which
/// the mode and the Bayes (MBR) output of the toy task are found.
public struct RenderingPolicy: Sendable, Hashable, Codable {
  /// Unmarked noun phrases indefinite (`a`/`an`, nothing in the plural) rather than `the`.
  public var indefinite = false
  /// Ambiguous phrases as the idiom rather than the consensus `b_1 came along too`.
  public var idiom = true
  /// The optional word present.
  public var includeOptional = false

  public init(indefinite: Bool = false, idiom: Bool = true, includeOptional: Bool = false) {
    self.indefinite = indefinite
    self.idiom = idiom
    self.includeOptional = includeOptional
  }

  /// `articles=the phrases=idiom optional=omit`, naming only the choices `task` has.
  public func name(for options: ToyTranslation.Options) -> String {
    var parts: [String] = []
    if options.indefiniteRate > 0 { parts.append("articles=\(indefinite ? "indefinite" : "the")") }
    if options.ambiguousPhrases > 0 { parts.append("phrases=\(idiom ? "idiom" : "consensus")") }
    if options.optionalRate > 0 { parts.append("optional=\(includeOptional ? "include" : "omit")") }
    return parts.isEmpty ? "fixed" : parts.joined(separator: " ")
  }
}

extension ToyTranslation {
  /// The idiom `a1 a2 a3 a4` and the consensus phrase's shared tail `u v w`.
  public static let idiom = ["by", "sheer", "good", "luck"]
  public static let consensusTail = ["came", "along", "too"]
  /// The optional word.
  public static let optionalWord = "indeed"
  static let names = [
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "zoe",
  ]

  /// The name `b_i` (i from 0): twenty names, then `guest21`, `guest22`, ...
  public static func alternative(_ i: Int) -> String {
    i < names.count ? names[i] : "guest\(i + 1)"
  }

  static func phraseWords(idiom: Bool) -> [String] {
    idiom ? Self.idiom : [alternative(0)] + consensusTail
  }

  /// The most probable rendering of every choice: `the` unless indefinite phrases are more likely,
  /// the idiom when pA >= (1 - pA) / k (its probability against any single name's), the optional
  /// word when q > 0.5.
  public var modePolicy: RenderingPolicy {
    RenderingPolicy(
      indefinite: options.indefiniteRate > 0.5,
      idiom: options.idiomRate >= (1 - options.idiomRate) / Double(max(options.alternatives, 1)),
      includeOptional: options.optionalRate > 0.5)
  }

  /// Every pure policy over the choices this task has (one when it has none), mode first.
  public var policies: [RenderingPolicy] {
    var out = [modePolicy]
    for indefinite in options.indefiniteRate > 0 ? [false, true] : [false] {
      for idiom in options.ambiguousPhrases > 0 ? [true, false] : [true] {
        for include in options.optionalRate > 0 ? [false, true] : [false] {
          let policy = RenderingPolicy(indefinite: indefinite, idiom: idiom, includeOptional: include)
          if !out.contains(policy) { out.append(policy) }
        }
      }
    }
    return out
  }

  static func indefiniteArticle(plural: Bool, next: String) -> [String] {
    plural ? [] : [next.first.map { "aeiou".contains($0) } == true ? "an" : "a"]
  }

  /// The sentence `pieces` rendered by `policy`.
  public func render(_ pieces: [TargetPiece], policy: RenderingPolicy) -> [String] {
    var out: [String] = []
    for piece in pieces {
      switch piece {
      case .word(let word): out.append(word)
      case .article(let plural, let next):
        out += policy.indefinite ? Self.indefiniteArticle(plural: plural, next: next) : ["the"]
      case .ambiguousPhrase: out += Self.phraseWords(idiom: policy.idiom)
      case .optionalWord: if policy.includeOptional { out.append(Self.optionalWord) }
      }
    }
    return out
  }

  /// Every rendering of one piece with its probability (the support of the generator's choice).
  public func outcomes(of piece: TargetPiece) -> [(words: [String], probability: Double)] {
    switch piece {
    case .word(let word): return [([word], 1)]
    case .article(let plural, let next):
      return [
        (["the"], 1 - options.indefiniteRate),
        (Self.indefiniteArticle(plural: plural, next: next), options.indefiniteRate),
      ].filter { $0.1 > 0 }
    case .ambiguousPhrase:
      let k = max(options.alternatives, 1)
      let other = (1 - options.idiomRate) / Double(k)
      return
        ([(Self.idiom, options.idiomRate)]
        + (0..<k).map { ([Self.alternative($0)] + Self.consensusTail, other) }).filter { $0.1 > 0 }
    case .optionalWord:
      return [([Self.optionalWord], options.optionalRate), ([], 1 - options.optionalRate)]
        .filter { $0.1 > 0 }
    }
  }

  /// A fresh reference for `pieces` from the generator's distribution: every choice redrawn, then
  /// one word dropped with probability `dropRate`.
  public func sampleReference(_ pieces: [TargetPiece], using rng: inout RandomGenerator) -> [String] {
    var out: [String] = []
    for piece in pieces {
      switch piece {
      case .word(let word): out.append(word)
      case .article(let plural, let next):
        out +=
          rng.uniform() < options.indefiniteRate
          ? Self.indefiniteArticle(plural: plural, next: next) : ["the"]
      case .ambiguousPhrase:
        out += ambiguousPhrase(idiom: rng.uniform() < options.idiomRate, using: &rng)
      case .optionalWord: if rng.uniform() < options.optionalRate { out.append(Self.optionalWord) }
      }
    }
    // The generator drops a word before appending the final `.`.
    let droppable = out.last == "." ? out.count - 1 : out.count
    if rng.uniform() < options.dropRate && droppable > 0 { out.remove(at: rng.int(below: droppable)) }
    return out
  }

  /// Every reference `pieces` can produce, with its probability (choices, then the dropped word;
  /// the length bounds' rejection is ignored); equal references are not merged. `limit` bounds the count (nil when there are more).
  public func referenceDistribution(_ pieces: [TargetPiece], limit: Int) -> [(
    words: [String], probability: Double
  )]? {
    var partial: [([String], Double)] = [([], 1)]
    for piece in pieces {
      let choices = outcomes(of: piece)
      guard partial.count * choices.count <= limit else { return nil }
      partial = partial.flatMap { prefix in choices.map { (prefix.0 + $0.words, prefix.1 * $0.probability) } }
    }
    guard options.dropRate > 0 else { return partial }
    var out: [([String], Double)] = []
    for (words, p) in partial {
      let droppable = words.last == "." ? words.count - 1 : words.count
      guard droppable > 0 else {
        out.append((words, p))
        continue
      }
      out.append((words, p * (1 - options.dropRate)))
      for i in 0..<droppable {
        var dropped = words
        dropped.remove(at: i)
        out.append((dropped, p * options.dropRate / Double(droppable)))
      }
      guard out.count <= limit else { return nil }
    }
    return out
  }
}
