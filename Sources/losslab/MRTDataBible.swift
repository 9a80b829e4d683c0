import ArgumentParser
import Core
import Corpora
import Foundation
import Training

/// The options of `losslab mrt data bible`: where the SWORD modules are and how the corpus is cut.
struct BibleDataOptions: ParsableArguments {
  @Option(help: "bible: SWORD library folder with mods.d/ and modules/ (default /usr/share/sword).")
  var swordDir: String?
  @Option(help: "bible: BPE merges learned on the training split (default 4000).")
  var bpeMerges: Int?
  @Option(help: "bible: longest verse kept, in words and punctuation before subwords (default 30).")
  var maxWords: Int?

  func validate(corpus: String) throws {
    if corpus != "bible" {
      for (flag, given) in [
        ("--sword-dir", swordDir != nil), ("--bpe-merges", bpeMerges != nil),
        ("--max-words", maxWords != nil),
      ] where given {
        throw ValidationError("\(flag) applies to the bible corpus only (losslab mrt data bible ...)")
      }
    }
    try Allowed.path("--sword-dir", swordDir)
    try Allowed.check("--bpe-merges", bpeMerges, 0...Limits.corpusPairs)
    try Allowed.check("--max-words", maxWords, 1...Limits.sentenceWords)
  }

  /// Reads the modules, builds the corpus and writes it (atomically, file by file) to `out`.
  func write(to out: String) throws {
    var options = BibleCorpus.Options()
    if let bpeMerges { options.merges = bpeMerges }
    if let maxWords { options.maxWords = maxWords }
    // A missing module or a bad file is a runtime failure (exit 1) naming the file.
    let corpus = try BibleCorpus.read(
      swordDirectory: URL(fileURLWithPath: swordDir ?? BibleCorpus.defaultSwordDirectory),
      options: options)
    let folder = URL(fileURLWithPath: out)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let splits = [("train", corpus.train), ("dev", corpus.dev), ("test", corpus.test)]
    for (name, split) in splits {
      try ParallelCorpus.write(
        to: folder, split: name, sources: split.sources, targets: split.targets,
        references: split.referenceStreams)
      try AtomicFile.write(
        split.references.map { "\($0)\n" }.joined(), to: folder.appendingPathComponent("\(name).ids"))
    }
    try AtomicFile.write(corpus.bpe.codesText, to: folder.appendingPathComponent("bpe.codes"))
    let format = ParallelCorpusFormat(
      description:
        "Bible verses, Spanish (Reina-Valera 1909) to English (King James); second reference: "
        + "World English Bible. Split by book: dev \(options.devBooks.joined(separator: ",")), "
        + "test \(options.testBooks.joined(separator: ",")), train the rest. Verses of at most "
        + "\(options.maxWords) tokens a side; joint BPE, \(corpus.bpe.merges.count) merges.",
      subwordJoiner: BytePairEncoding.joiner,
      referenceFiles: Dictionary(uniqueKeysWithValues: splits.map { ($0.0, $0.1.referenceStreams.count) }))
    try AtomicFile.write(
      try JSONText.data(format, pretty: true),
      to: folder.appendingPathComponent(ParallelCorpusFormat.fileName))
    print(
      "wrote \(out)/{train,dev,test}.{src,tgt,ref*,ids}, bpe.codes, corpus.json: "
        + "\(corpus.train.sources.count)/\(corpus.dev.sources.count)/\(corpus.test.sources.count) pairs "
        + "(dev \(options.devBooks.joined(separator: ",")), test \(options.testBooks.joined(separator: ","))); "
        + "\(corpus.bpe.merges.count) BPE merges; left out \(corpus.skippedLong) long and "
        + "\(corpus.skippedEmpty) empty verses")
  }
}
