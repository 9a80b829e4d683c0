import Core
import Foundation
import TestSupport
import Testing

@testable import Corpora

/// Markup removal, normalisation and the corpus split, on the fixture library; the installed
/// modules (Debian sword-text-sparv, sword-text-kjv, sword-text-web) when present.
@Suite struct BibleCorpusTests {
  static let installed = URL(fileURLWithPath: BibleCorpus.defaultSwordDirectory)
  static let hasModules =
    FileManager.default.fileExists(
      atPath: installed.appendingPathComponent("mods.d/spaRV1909eb.conf").path)
    && FileManager.default.fileExists(
      atPath: installed.appendingPathComponent("mods.d/engKJV2006eb.conf").path)
    && FileManager.default.fileExists(
      atPath: installed.appendingPathComponent("mods.d/engWEB2015eb.conf").path)

  @Test func markupIsRemoved() {
    #expect(
      OSISText.plainText(
        #"In the <w lemma="strong:H7225">beginning</w>, <w lemma="strong:H0430">God</w><note placement="foot"><reference type="annotateRef">1:1 </reference>The Hebrew word</note><w lemma="strong:H1254">created</w>"#
      ) == "In the beginning, God created")
    #expect(OSISText.plainText("<divineName><w>LORD</w></divineName>'s <lb/>house") == "LORD's house")
    #expect(
      OSISText.plainText(#"<title type="psalm">A Psalm.</title> <l level="1"/>O LORD &amp; &#191;"#)
        == "O LORD & ¿")
    let start = OSISText.chapterStart(#"<chapter n="3" osisID="1Sam.3" sID="1Sam.3"/>"#)
    #expect(start?.book == "1Sam" && start?.chapter == 3)
    #expect(OSISText.chapterStart(#"text <chapter eID="Gen.1"/>"#) == nil)
    #expect(
      OSISText.chapterStart(
        #"<chapter osisID="DanGr.1" sID="DanGr.1"/>a<chapter osisID="DanGr.2" sID="DanGr.2"/>"#)
        == nil)
  }

  @Test func wordsAreNormalised() {
    #expect(BibleText.words("And whither wilt thou go?") == ["and", "whither", "wilt", "thou", "go", "?"])
    #expect(BibleText.words("\u{201C}Where will you go?\u{201D}") == ["where", "will", "you", "go", "?"])
    #expect(
      BibleText.words("\u{00BF}Y ad\u{00F3}nde ir\u{00E1}s?") == [
        "\u{00BF}", "y", "ad\u{00F3}nde", "ir\u{00E1}s", "?",
      ])
    #expect(
      BibleText.words("the LORD\u{2019}s house; \u{2018}yes\u{2019}") == [
        "the", "lord's", "house", ";", "yes",
      ])
    // NFD input gives the NFC word.
    #expect(BibleText.words("cre\u{006F}\u{0301}") == ["cre\u{00F3}"])
  }

  @Test func fixtureCorpusSplitsByBook() throws {
    var options = BibleCorpus.Options()
    options.devBooks = ["1Sam"]
    options.testBooks = ["John"]
    options.merges = 40
    let corpus = try BibleCorpus.read(swordDirectory: ZTextTests.library, options: options)
    #expect(corpus.train.references.map(\.description) == ["Gen.1.1", "Gen.1.2", "Gen.2.1"])
    #expect(corpus.dev.references.map(\.description) == ["1Sam.1.1", "1Sam.1.2"])
    // John 1:2 is empty in the Spanish module.
    #expect(corpus.test.references.map(\.description) == ["John.1.1"])
    #expect(corpus.skippedEmpty == 1 && corpus.skippedLong == 0)
    #expect(
      BytePairEncoding.join(corpus.train.sources[0])
        == ["en", "el", "principio", "cre\u{00F3}", "dios", "los", "cielos", "y", "la", "tierra", "."])
    #expect(
      BytePairEncoding.join(corpus.train.targets[1])
        == ["and", "the", "earth", "was", "without", "form", ",", "and", "void", "."])
    #expect(corpus.train.referenceStreams.count == 1)
    #expect(corpus.dev.referenceStreams.count == 2)
    #expect(corpus.dev.referenceStreams[0][1] == ["and", "whither", "wilt", "thou", "go", "?"])
    #expect(corpus.dev.referenceStreams[1][1] == ["where", "will", "you", "go", "?"])
    #expect(corpus.test.referenceStreams[0][0] == ["in", "the", "beginning", "was", "the", "word", "."])
    options.maxWords = 9
    let short = try BibleCorpus.read(swordDirectory: ZTextTests.library, options: options)
    #expect(short.train.references.map(\.description) == ["Gen.2.1"])
  }

  @Test func missingModulesNameTheAptPackages() throws {
    let error = #expect(throws: FileError.self) {
      try BibleCorpus.read(swordDirectory: URL(fileURLWithPath: "/nonexistent/sword"))
    }
    #expect(error?.reason.contains("apt-get install sword-text-sparv sword-text-kjv sword-text-web") == true)
  }

  /// The installed modules: KJV versification (66 books, 31,102 verses) in the Spanish and King
  /// James modules, verses aligned, and the WEB read with its own (NRSVA) versification.
  @Test(.enabled(if: hasModules, "SKIPPED: apt-get install sword-text-sparv sword-text-kjv sword-text-web"))
  func installedModulesAlign() throws {
    let spanish = try BibleModule.read(name: BibleCorpus.sourceModule, swordDirectory: Self.installed)
    let kjv = try BibleModule.read(name: BibleCorpus.targetModule, swordDirectory: Self.installed)
    let web = try BibleModule.read(name: BibleCorpus.secondReferenceModule, swordDirectory: Self.installed)
    #expect(spanish.books.count == 66 && kjv.books.count == 66)
    #expect(spanish.verses.count == 31_102 && kjv.verses.count == 31_102)
    #expect(spanish.verses.map(\.reference) == kjv.verses.map(\.reference))
    #expect(web.versification == "NRSVA" && web.books.count > 66)
    let john = kjv.verses.first { $0.reference == VerseReference("John", 11, 35) }
    #expect(john?.text == "Jesus wept.")
    let genesis = spanish.verses[0]
    #expect(BibleText.words(genesis.text).prefix(3) == ["en", "el", "principio"])
  }
}
