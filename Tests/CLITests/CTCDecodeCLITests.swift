import Core
import Foundation
import Testing

/// `losslab ctc decode` on emissions from `Tests/Fixtures/ctc_decoder` (flashlight-text's
/// results), written as a padded safetensors batch.
@Suite struct CTCDecodeCLITests {
  /// A safetensors file with float32 `emissions` [N, T, C] (rows padded with blank-certain
  /// frames) and int64 `lengths` [N].
  static func writeBatch(_ items: [[[Double]]], classes: Int, to url: URL) throws {
    let t = items.map(\.count).max() ?? 0
    var floats: [UInt8] = []
    for item in items {
      for f in 0..<t {
        for c in 0..<classes {
          let v: Float = f < item.count ? Float(item[f][c]) : (c == 0 ? 0 : -30)
          withUnsafeBytes(of: v.bitPattern.littleEndian) { floats += $0 }
        }
      }
    }
    var ints: [UInt8] = []
    for item in items { withUnsafeBytes(of: Int64(item.count).littleEndian) { ints += $0 } }
    let header =
      "{\"emissions\":{\"dtype\":\"F32\",\"shape\":[\(items.count),\(t),\(classes)],\"data_offsets\":[0,\(floats.count)]},"
      + "\"lengths\":{\"dtype\":\"I64\",\"shape\":[\(items.count)],\"data_offsets\":[\(floats.count),\(floats.count + ints.count)]}}"
    var bytes: [UInt8] = []
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes += $0 }
    bytes += Array(header.utf8) + floats + ints
    try Data(bytes).write(to: url)
  }

  @Test func decodesFixtureEmissionsLikeFlashlight() throws {
    let folder = try CLI.temporaryFolder("ctc-decode")
    defer { try? FileManager.default.removeItem(at: folder) }
    let json = try JSONValue.parse(
      String(decoding: try Data(contentsOf: CLI.fixture("ctc_decoder/cases.json")), as: UTF8.self))
    let cases = Array((json["cases"]?.array ?? []).prefix(4))
    let items = cases.map { c in
      (c["emissions"]?.array ?? []).map { ($0.array ?? []).map { $0.number ?? .nan } }
    }
    let file = folder.appendingPathComponent("e.safetensors")
    try Self.writeBatch(items, classes: 29, to: file)
    let r = try CLI.run([
      "ctc", "decode", "--emissions", file.path, "--tokens", CLI.fixture("ctc_decoder/tokens.txt").path,
      "--lexicon", CLI.fixture("ctc_decoder/lexicon.txt").path, "--lm",
      CLI.fixture("ctc_decoder/lm.arpa").path,
      "--beam-size", "50", "--beam-size-token", "29", "--beam-threshold", "25", "--lm-weight", "2",
      "--nbest", "3", "--json",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let out = try JSONValue.parse(r.stdout)
    let utterances = out["utterances"]?.array ?? []
    #expect(utterances.count == cases.count)
    for (i, (u, c)) in zip(utterances, cases).enumerated() {
      let expected = (c["results"]?.array ?? []).first { $0["config"]?.number == 0 }
      guard case .string(let words)? = expected?["words"] else {
        Issue.record("case \(i): no expected words")
        continue
      }
      let got = (u["words"]?.array ?? []).compactMap { v -> String? in
        if case .string(let s) = v { return s }
        return nil
      }
      #expect(u["index"]?.number == Double(i))
      #expect(got.joined(separator: " ") == words, "case \(i)")
      let score = u["score"]?.number ?? .nan
      #expect(abs(score - (expected?["score"]?.number ?? .nan)) < 1e-4, "case \(i): \(score)")
      #expect((u["nbest"]?.array?.count ?? 0) >= 1)
    }
  }

  @Test func badOptionsAndFilesAreRefused() throws {
    let tokens = CLI.fixture("ctc_decoder/tokens.txt").path
    let r = try CLI.run(["ctc", "decode", "--emissions", "e", "--tokens", tokens, "--unk-score", "abc"])
    #expect(r.status == 2 && r.stderr.contains("--unk-score"), "\(r.stderr)")
    let n = try CLI.run([
      "ctc", "decode", "--emissions", "e", "--tokens", tokens, "--beam-size", "4", "--nbest", "5",
    ])
    #expect(n.status == 2 && n.stderr.contains("--nbest"), "\(n.stderr)")
    let folder = try CLI.temporaryFolder("ctc-decode-bad")
    defer { try? FileManager.default.removeItem(at: folder) }
    let lexicon = folder.appendingPathComponent("words.txt")
    try Data("hello h e l l o |\nbad b ? d |\n".utf8).write(to: lexicon)
    let file = folder.appendingPathComponent("e.safetensors")
    try Self.writeBatch(
      [[[Double]](repeating: [Double](repeating: -3.367, count: 29), count: 3)], classes: 29, to: file)
    let l = try CLI.run([
      "ctc", "decode", "--emissions", file.path, "--tokens", tokens, "--lexicon", lexicon.path,
    ])
    #expect(l.status == 2 && l.stderr.contains("words.txt:2:7: unknown token '?'"), "\(l.stderr)")
    let free = try CLI.run(["ctc", "decode", "--emissions", file.path, "--tokens", tokens, "--json"])
    #expect(free.status == 0, "\(free.stderr)")
  }

  @Test func lmBuildWritesARPA() throws {
    let folder = try CLI.temporaryFolder("lm-build")
    defer { try? FileManager.default.removeItem(at: folder) }
    let text = folder.appendingPathComponent("corpus.txt")
    try Data("a b\nb\n\n".utf8).write(to: text)
    let out = folder.appendingPathComponent("lm.arpa")
    let r = try CLI.run(["lm", "build", text.path, "--order", "2", "--out", out.path])
    #expect(r.status == 0, "\(r.stderr)")
    let arpa = try String(contentsOf: out, encoding: .utf8)
    #expect(arpa.hasPrefix("\\data\\\nngram 1=5\nngram 2=4\n"))
    // p(a | <s>) = 0.375 (worked out in KneserNeyTests).
    #expect(arpa.contains("\(String(format: "%.7f", log10(0.375)))\t<s> a\n"), "\(arpa)")
    let bad = try CLI.run(["lm", "build", text.path, "--order", "0", "--out", out.path])
    #expect(bad.status == 2 && bad.stderr.contains("--order"))
  }
}
