import Core
import Foundation

/// Spanish-to-English Bible verses from installed SWORD modules: Reina-Valera 1909
/// (`spaRV1909eb`, Debian `sword-text-sparv`) as the source, King James (`engKJV2006eb`,
/// `sword-text-kjv`) as the target, and the World English Bible (`engWEB2015eb`,
/// `sword-text-web`) as a second English reference for dev and test. Verses pair by book, chapter
/// and verse; the split is by book: `devBooks` for dev, `testBooks` for test, every other book
/// for training.
public struct BibleCorpus: Sendable {
  public static let sourceModule = "spaRV1909eb"
  public static let targetModule = "engKJV2006eb"
  public static let secondReferenceModule = "engWEB2015eb"
  /// Debian packages providing the three modules.
  public static let packages = ["sword-text-sparv", "sword-text-kjv", "sword-text-web"]
  public static let defaultSwordDirectory = "/usr/share/sword"

  public struct Options: Sendable, Equatable {
    /// Dev: 1 Samuel (narrative, 810 verses). Test: the Gospel of John (879 verses).
    public var devBooks = ["1Sam"]
    public var testBooks = ["John"]
    /// Pairs whose source or target has more tokens than this (words and punctuation, before
    /// subwords) are left out of every split (default 30: about half of the verses).
    public var maxWords = 30
    /// BPE merges learned jointly on the training split's source and target words.
    public var merges = 4000
    public init() {}
  }

  /// One split: subword-segmented source and target, and the word-level references (the
  /// target's words first, then the second reference where the split has one).
  public struct Split: Sendable {
    public var references: [VerseReference] = []
    public var sources: [[String]] = []
    public var targets: [[String]] = []
    public var referenceStreams: [[[String]]] = []
  }

  public var train = Split()
  public var dev = Split()
  public var test = Split()
  public var bpe: BytePairEncoding
  /// Verses present in source and target but left out (empty on a side, or too long).
  public var skippedEmpty = 0
  public var skippedLong = 0

  /// Reads the three modules from `swordDirectory` and builds the corpus.
  /// - Throws: `FileError` naming the apt packages when a module is missing; `ZTextError` for bad data.
  public static func read(swordDirectory: URL, options: Options = Options()) throws -> BibleCorpus {
    func module(_ name: String) throws -> BibleModule {
      do { return try BibleModule.read(name: name, swordDirectory: swordDirectory) } catch let error
        as FileError where error.reason.contains("not installed")
      {
        throw FileError(
          path: error.path,
          reason:
            "\(error.reason); install the modules with: apt-get install \(packages.joined(separator: " "))")
      }
    }
    return build(
      source: try module(sourceModule), target: try module(targetModule),
      secondReference: try module(secondReferenceModule), options: options)
  }

  /// Pairs, filters, splits and segments the verses of three modules.
  public static func build(
    source: BibleModule, target: BibleModule, secondReference: BibleModule?, options: Options
  ) -> BibleCorpus {
    let targets = Dictionary(
      target.verses.map { ($0.reference, $0.text) }, uniquingKeysWith: { first, _ in first })
    let seconds = Dictionary(
      (secondReference?.verses ?? []).map { ($0.reference, $0.text) },
      uniquingKeysWith: { first, _ in first })
    var splits: [String: (refs: [VerseReference], src: [[String]], tgt: [[String]], second: [[String]])] =
      ["train": ([], [], [], []), "dev": ([], [], [], []), "test": ([], [], [], [])]
    var skippedEmpty = 0
    var skippedLong = 0
    for (reference, text) in source.verses {
      guard let english = targets[reference] else { continue }
      let src = BibleText.words(text)
      let tgt = BibleText.words(english)
      let name =
        options.devBooks.contains(reference.book)
        ? "dev" : options.testBooks.contains(reference.book) ? "test" : "train"
      let second = name == "train" ? [] : BibleText.words(seconds[reference] ?? "")
      guard !src.isEmpty, !tgt.isEmpty, name == "train" || secondReference == nil || !second.isEmpty
      else {
        skippedEmpty += 1
        continue
      }
      guard src.count <= options.maxWords, tgt.count <= options.maxWords else {
        skippedLong += 1
        continue
      }
      splits[name]?.refs.append(reference)
      splits[name]?.src.append(src)
      splits[name]?.tgt.append(tgt)
      splits[name]?.second.append(second)
    }
    var wordCounts: [String: Int] = [:]
    for sentence in (splits["train"]?.src ?? []) + (splits["train"]?.tgt ?? []) {
      for word in sentence { wordCounts[word, default: 0] += 1 }
    }
    let bpe = BytePairEncoding.learn(wordCounts: wordCounts, merges: options.merges)
    func split(_ name: String) -> Split {
      guard let s = splits[name] else { return Split() }
      var streams = [s.tgt]
      if name != "train" && secondReference != nil { streams.append(s.second) }
      return Split(
        references: s.refs, sources: bpe.apply(s.src), targets: bpe.apply(s.tgt),
        referenceStreams: streams)
    }
    var corpus = BibleCorpus(bpe: bpe)
    corpus.train = split("train")
    corpus.dev = split("dev")
    corpus.test = split("test")
    corpus.skippedEmpty = skippedEmpty
    corpus.skippedLong = skippedLong
    return corpus
  }

  init(bpe: BytePairEncoding) { self.bpe = bpe }
}

/// Normalised words of verse text: Unicode NFC, lower case, quotation marks removed (the KJV and
/// the Reina-Valera have none, the WEB has many), curly apostrophes as `'`, and punctuation split
/// off as separate tokens (an apostrophe between letters stays in the word: `lord's`).
public enum BibleText {
  static let quotes: Set<Character> = ["\u{201C}", "\u{201D}", "\"", "\u{00AB}", "\u{00BB}"]

  public static func words(_ text: String) -> [String] {
    let normal = text.precomposedStringWithCanonicalMapping.lowercased()
    var words: [String] = []
    var current = ""
    let characters = Array(normal)
    for (i, raw) in characters.enumerated() {
      let c: Character = raw == "\u{2019}" || raw == "\u{2018}" ? "'" : raw
      if c.isLetter || c.isNumber
        || c.unicodeScalars.allSatisfy({ $0.properties.generalCategory == .nonspacingMark })
      {
        current.append(c)
        continue
      }
      if c == "'" && !current.isEmpty && i + 1 < characters.count && characters[i + 1].isLetter {
        current.append(c)
        continue
      }
      if !current.isEmpty {
        words.append(current)
        current = ""
      }
      if c.isWhitespace || quotes.contains(c) || c == "'" { continue }
      words.append(String(c))
    }
    if !current.isEmpty { words.append(current) }
    return words
  }
}
