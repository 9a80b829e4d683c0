import Core
import Tensors
import Testing
import Translation

@testable import Translation

@Suite struct ToyTranslationTests {
  let lexicon = ToyTranslationLexicon.standard

  @Test func sameSeedSameCorpusOtherSeedOther() {
    let task = ToyTranslation()
    let a = task.corpus(seed: 3, trainSize: 200, devSize: 20, testSize: 20)
    let b = task.corpus(seed: 3, trainSize: 200, devSize: 20, testSize: 20)
    let c = task.corpus(seed: 4, trainSize: 200, devSize: 20, testSize: 20)
    #expect(a.train == b.train && a.dev == b.dev && a.test == b.test)
    #expect(a.train != c.train)
  }

  @Test func heldOutSourcesAreUnseenAndLengthsBounded() {
    let corpus = ToyTranslation().corpus(seed: 1, trainSize: 3000, devSize: 300, testSize: 300)
    let train = Set(corpus.train.map(\.source))
    let dev = Set(corpus.dev.map(\.source))
    #expect(dev.isDisjoint(with: train))
    #expect(Set(corpus.test.map(\.source)).isDisjoint(with: train.union(dev)))
    for pair in corpus.train + corpus.dev + corpus.test {
      #expect((4...40).contains(pair.source.count) && (4...40).contains(pair.target.count))
      #expect(pair.target.count <= pair.noiseFreeTarget.count)
      #expect(pair.source.last == "." && pair.target.last == ".")
    }
  }

  @Test func lexiconIsAFewHundredDistinctWords() {
    let sourceWords =
      lexicon.nouns.map(\.source) + lexicon.verbs.map(\.source) + lexicon.adjectives.map(\.source)
      + lexicon.timeAdverbs.map(\.source)
    #expect(Set(sourceWords).count == sourceWords.count)
    #expect(Set(sourceWords).isDisjoint(with: ToyTranslationLexicon.Particle.all))
    let corpus = ToyTranslation().corpus(seed: 1, trainSize: 20_000, devSize: 1, testSize: 1)
    let targetVocabulary = Set(corpus.train.flatMap(\.target))
    #expect((200...400).contains(targetVocabulary.count), "target vocabulary \(targetVocabulary.count)")
  }

  /// Without noise, the grammar's rules hold exactly: verb agreement with the subject's number,
  /// tense from the particle, verb and locative choice by the noun's class, word order.
  @Test func grammarRulesHoldWithoutNoise() {
    var options = ToyTranslation.Options.simple
    options.dropRate = 0
    let task = ToyTranslation(options: options)
    var rng = RandomGenerator(seed: 11)
    let catchVerb = lexicon.verbs.first { $0.forms(objectClass: .animate).singular == "catches" }!
    let nounBySource = Dictionary(uniqueKeysWithValues: lexicon.nouns.map { ($0.source, $0) })
    var checkedCatch = 0
    var checkedAgreement = 0
    for _ in 0..<3000 {
      let pair = task.samplePair(using: &rng)
      let s = pair.source
      let t = pair.target
      // SOV -> SVO: the source verb sits just before its tense/negation particles at the end.
      let verbIndex = s.lastIndex { w in lexicon.verbs.contains { $0.source == w } }!
      let verb = lexicon.verbs.first { $0.source == s[verbIndex] }!
      let tail = Array(s[(verbIndex + 1)...])
      #expect(tail.allSatisfy { ["ta", "ro", "nai", "."].contains($0) })
      let past = tail.contains("ta")
      let future = tail.contains("ro")
      let negated = tail.contains("nai")
      let subjectEnd = s.firstIndex(of: "ga")!
      let subject = Array(s[..<subjectEnd])
      let plural = subject.contains("ra") || subject.contains("to")
      // The object phrase, when there is one, starts with its noun right after `ga`.
      let objectClass = s.contains("o") ? nounBySource[s[subjectEnd + 1]]?.nounClass : nil
      let forms = verb.forms(objectClass: objectClass)
      if !past && !future && !negated {
        #expect(t.contains(plural ? forms.plural : forms.singular), "\(s) -> \(t)")
        if forms.plural != forms.singular {
          #expect(!t.contains(plural ? forms.singular : forms.plural), "\(s) -> \(t)")
        }
        checkedAgreement += 1
      }
      if negated && !past && !future { #expect(t.contains(plural ? "do" : "does")) }
      if past && !negated { #expect(t.contains(forms.past)) }
      if future { #expect(t.contains("will")) }
      if verb.source == catchVerb.source, let objectClass {
        let expected = objectClass == .animate ? ["catches", "catch", "caught"] : ["takes", "take", "took"]
        #expect(t.contains { expected.contains($0) }, "\(s) -> \(t)")
        checkedCatch += 1
      }
      if let de = s.firstIndex(of: "de") {
        // The place noun opens its phrase; its class picks the preposition.
        var start = de - 1
        while start > 0 && nounBySource[s[start]] == nil { start -= 1 }
        let place = nounBySource[s[start]]!
        let preposition = ["building": "in", "surface": "on", "openPlace": "at"][place.nounClass.rawValue]!
        #expect(t.contains(preposition), "\(s) -> \(t)")
      }
    }
    #expect(checkedCatch > 20 && checkedAgreement > 500)
  }

  /// Clauses join with `te` ("and"), `ke` ("but") or `ne` ("because", the clauses swap: the
  /// source's second clause comes first in the target).
  @Test func clausesJoinAndReasonClausesSwap() {
    var options = ToyTranslation.Options()
    options.maxClauses = 2
    options.clauseRate = 1
    options.maxLength = 40
    options.dropRate = 0
    let task = ToyTranslation(options: options)
    var rng = RandomGenerator(seed: 31)
    let verbBySource = Dictionary(uniqueKeysWithValues: lexicon.verbs.map { ($0.source, $0) })
    func forms(_ verb: ToyTranslationLexicon.Verb) -> Set<String> {
      Set(
        ToyTranslationLexicon.NounClass.allCases.flatMap { c -> [String] in
          let f = verb.forms(objectClass: c)
          return [f.singular, f.plural, f.past]
        })
    }
    var swapped = 0
    var kept = 0
    for _ in 0..<600 {
      let pair = task.samplePair(using: &rng)
      let s = pair.source
      let t = pair.target
      let conjunctions = s.filter { ToyTranslationLexicon.Particle.conjunctions.contains($0) }
      #expect(conjunctions.count == 1, "\(s)")
      #expect(t.filter { $0 == "but" }.count == s.filter { $0 == "ke" }.count)
      #expect(t.filter { $0 == "because" }.count == s.filter { $0 == "ne" }.count)
      #expect(t.filter { $0 == "and" }.count == s.filter { $0 == "te" || $0 == "to" }.count)
      let verbs = s.compactMap { verbBySource[$0] }
      #expect(verbs.count == 2)
      let first = forms(verbs[0])
      let second = forms(verbs[1])
      guard first.isDisjoint(with: second),
        let firstAt = t.firstIndex(where: first.contains),
        let secondAt = t.firstIndex(where: second.contains)
      else { continue }
      if conjunctions.first == "ne" {
        #expect(secondAt < firstAt, "\(s) -> \(t)")
        swapped += 1
      } else {
        #expect(firstAt < secondAt, "\(s) -> \(t)")
        kept += 1
      }
    }
    #expect(swapped > 50 && kept > 100)
  }

  /// With one clause no conjunction is drawn (the simple task of the first version).
  @Test func oneClauseDrawsNoConjunction() {
    let corpus = ToyTranslation(options: .simple).corpus(
      seed: 1, trainSize: 500, devSize: 1, testSize: 1)
    for pair in corpus.train {
      #expect(pair.source.allSatisfy { !ToyTranslationLexicon.Particle.conjunctions.contains($0) })
      #expect(!pair.target.contains("because") && !pair.target.contains("but"))
    }
  }

  /// The noise-free target is what the noisy one would be with no indefinite articles and no
  /// drops, from the same draws.
  @Test func noiseFreeTargetIsTheTargetWithoutNoise() {
    var options = ToyTranslation.Options()
    options.indefiniteRate = 0
    options.dropRate = 0
    var rng = RandomGenerator(seed: 21)
    for _ in 0..<500 {
      let pair = ToyTranslation(options: options).samplePair(using: &rng)
      #expect(pair.noiseFreeTarget == pair.target)
    }
    var noisyRng = RandomGenerator(seed: 21)
    var differing = 0
    for _ in 0..<500 {
      let pair = ToyTranslation(options: .simple).samplePair(using: &noisyRng)
      let stripped = { (s: [String]) in s.filter { !["the", "a", "an"].contains($0) } }
      if pair.noiseFreeTarget != pair.target { differing += 1 }
      // Without articles, the two differ at most by one dropped word.
      #expect(stripped(pair.noiseFreeTarget).count - stripped(pair.target).count <= 1)
    }
    #expect(differing > 100)
  }

  /// Share of a/an among the articles of `count` sampled targets.
  func indefiniteShare(_ task: ToyTranslation, count: Int) -> Double {
    var rng = RandomGenerator(seed: 5)
    var definite = 0
    var indefinite = 0
    for _ in 0..<count {
      let pair = task.samplePair(using: &rng)
      definite += pair.target.filter { $0 == "the" }.count
      indefinite += pair.target.filter { $0 == "a" || $0 == "an" }.count
    }
    return Double(indefinite) / Double(definite + indefinite)
  }

  @Test func articleNoiseAndDropsFollowTheirRates() {
    // Singular unmarked phrases: P(indefinite) = 0.3; plural unmarked ones drop the article, so
    // the observed a/an share among singular articles is 0.3 / (0.3 + 0.7) diluted by plurals'
    // "the": it must lie well inside (0.15, 0.3).
    let share = indefiniteShare(ToyTranslation(options: .simple), count: 4000)
    #expect(share > 0.15 && share < 0.3, "a/an share \(share)")
    // The default task's lighter noise: 5% of unmarked singular phrases are indefinite, so about
    // 4% of articles are a/an (plus the `an` of "an hour ago"), an order of magnitude fewer.
    let lightShare = indefiniteShare(ToyTranslation(), count: 2000)
    #expect(lightShare > 0.02 && lightShare < 0.08, "a/an share \(lightShare)")
  }

  @Test func vocabularyRoundTrips() throws {
    let vocabulary = Vocabulary(sentences: [["b", "a"], ["a", "c"]])
    #expect(vocabulary.words == ["<pad>", "<bos>", "<eos>", "<unk>", "b", "a", "c"])
    #expect(vocabulary.encode(["a", "zz"]) == [5, Vocabulary.unk])
    #expect(vocabulary.decode([4, 5, Vocabulary.eos, 6]) == ["b", "a"])
    #expect(try Vocabulary(words: vocabulary.words) == vocabulary)
    #expect(throws: VocabularyError.self) { try Vocabulary(words: ["a"]) }
  }
}
