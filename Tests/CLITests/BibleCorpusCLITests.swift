import Foundation
import TestSupport
import Testing

/// `losslab mrt data bible` on the hand-made SWORD library in Tests/Fixtures/sword, then a few
/// training steps and an evaluation that score words, not subwords.
@Suite(.serialized) struct BibleCorpusCLITests {
  static let library = Fixtures.url("sword").path

  @Test func dataTrainEvaluateOnTheFixtureLibrary() throws {
    let folder = try makeScratchFolder("bible")
    defer { try? FileManager.default.removeItem(at: folder) }
    let written = try ToyTranslationCLITests.run(
      ["mrt", "data", "bible", "--out", "data", "--sword-dir", Self.library, "--bpe-merges", "30"], in: folder
    )
    #expect(written.contains("3/2/1 pairs (dev 1Sam, test John)"))
    #expect(written.contains("left out 0 long and 1 empty verses"))
    func text(_ name: String) throws -> String {
      try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }
    #expect(
      try text("data/dev.ref1")
        == "now it came to pass in the days when the judges ruled .\nand whither wilt thou go ?\n")
    #expect(try text("data/dev.ref2").hasSuffix("\nwhere will you go ?\n"))
    #expect(try text("data/test.ids") == "John.1.1\n")
    #expect(try text("data/bpe.codes").hasPrefix("#version: 0.2\n"))
    #expect(try text("data/train.tgt").contains("@@ "))
    #expect(try text("data/corpus.json").contains(#""subwordJoiner" : "@@""#))
    try ToyTranslationCLITests.run(
      [
        "mrt", "train", "--data", "data", "--out", "mle", "--max-steps", "4", "--eval-every", "2",
        "--embedding", "8", "--hidden", "16", "--quiet",
      ], in: folder)
    let report = try ToyTranslationCLITests.run(["mrt", "eval", "mle", "--split", "dev"], in: folder)
    #expect(report.contains("ref: and whither wilt thou go ?"))
    #expect(!report.contains("@@"))
    #expect(!(try text("mle/dev.greedy.hyp").contains("@@")))
  }

  @Test func badCorpusFormatNamesTheFile() throws {
    let folder = try makeScratchFolder("bible-format")
    defer { try? FileManager.default.removeItem(at: folder) }
    try ToyTranslationCLITests.run(
      ["mrt", "data", "--out", "data", "--train", "20", "--dev", "5", "--test", "5"], in: folder)
    try Data(#"{"subwordJoiner": 7}"#.utf8).write(to: folder.appendingPathComponent("data/corpus.json"))
    let output = try ToyTranslationCLITests.run(
      ["mrt", "train", "--data", "data", "--out", "mle", "--max-steps", "2", "--quiet"], in: folder,
      expectStatus: 1)
    #expect(output.contains("data/corpus.json: invalid corpus format"))
  }

  @Test func missingModulesNameTheAptPackages() throws {
    let folder = try makeScratchFolder("bible-missing")
    defer { try? FileManager.default.removeItem(at: folder) }
    let output = try ToyTranslationCLITests.run(
      ["mrt", "data", "bible", "--out", "data", "--sword-dir", folder.path], in: folder, expectStatus: 1)
    #expect(output.contains("apt-get install sword-text-sparv sword-text-kjv sword-text-web"))
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("data").path))
  }

  @Test func bibleOptionsAreRefusedForTheToyCorpus() throws {
    let folder = try makeScratchFolder("bible-flags")
    defer { try? FileManager.default.removeItem(at: folder) }
    let output = try ToyTranslationCLITests.run(
      ["mrt", "data", "--out", "data", "--bpe-merges", "10"], in: folder, expectStatus: 2)
    #expect(output.contains("--bpe-merges applies to the bible corpus only"))
    let unknown = try ToyTranslationCLITests.run(
      ["mrt", "data", "bibel", "--out", "data"], in: folder, expectStatus: 2)
    #expect(unknown.contains("CORPUS 'bibel': allowed toy, bible"))
  }
}
