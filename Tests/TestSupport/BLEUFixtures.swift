import BLEU
import Core
import Foundation
import Testing

/// Reference data recorded from sacrebleu 2.6.0 (Tests/Fixtures/bleu, see FORMAT.md there).
public enum BLEUFixtures {
  public static let folder = Fixtures.url("bleu")

  public static func json(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: folder.appendingPathComponent(name))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  public static func segments(_ file: String) throws -> BLEUSegments {
    try BLEUSegments(contentsOf: folder.appendingPathComponent(file))
  }

  /// BLEU settings from a fixture's settings fields (absent fields: sacrebleu's defaults).
  public static func settings(_ d: [String: Any]) throws -> BLEUSettings {
    var s = BLEUSettings()
    if let tok = d["tokenize"] as? String { s.tokenizer = try #require(BLEUTokenizer(rawValue: tok)) }
    if let lc = d["lowercase"] as? Bool { s.lowercase = lc }
    if let method = d["smooth_method"] as? String {
      s.smoothing.method = try #require(BLEUSmoothingMethod(rawValue: method))
    }
    if let value = d["smooth_value"] as? Double { s.smoothing.value = value }
    if let eff = d["effective_order"] as? Bool { s.effectiveOrder = eff }
    if let order = d["max_ngram_order"] as? Int { s.maxOrder = order }
    return s
  }

  /// FORMAT.md's tolerance: 1e-9 absolute, and 1e-12 relative for values below 1e-3 (the tiny
  /// corpus_d scores an absolute check cannot see).
  public static func close(_ actual: Double, _ expected: Double) -> Bool {
    let diff = abs(actual - expected)
    if diff > 1e-9 { return false }
    if abs(expected) < 1e-3 { return diff <= 1e-12 * abs(expected) }
    return true
  }

  /// Compares every field of a recorded sacrebleu result with `score`.
  public static func expectMatches(
    _ score: BLEUScore, _ expected: [String: Any], _ label: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let eScore = expected["score"] as! Double
    #expect(
      close(score.score, eScore), "\(label): score \(score.score) != \(eScore)",
      sourceLocation: sourceLocation)
    let eBP = expected["bp"] as! Double
    #expect(close(score.bp, eBP), "\(label): bp \(score.bp) != \(eBP)", sourceLocation: sourceLocation)
    let ePrecisions = (expected["precisions"] as! [Any]).map { ($0 as! NSNumber).doubleValue }
    #expect(score.precisions.count == ePrecisions.count, "\(label): order", sourceLocation: sourceLocation)
    for (a, e) in zip(score.precisions, ePrecisions) {
      #expect(
        close(a, e), "\(label): precisions \(score.precisions) != \(ePrecisions)",
        sourceLocation: sourceLocation)
    }
    #expect(score.sysLen == expected["sys_len"] as! Int, "\(label): sys_len", sourceLocation: sourceLocation)
    #expect(score.refLen == expected["ref_len"] as! Int, "\(label): ref_len", sourceLocation: sourceLocation)
    let eCounts = (expected["counts"] as! [Any]).map { ($0 as! NSNumber).doubleValue }
    let eTotals = (expected["totals"] as! [Any]).map { ($0 as! NSNumber).doubleValue }
    #expect(
      score.counts == eCounts, "\(label): counts \(score.counts) != \(eCounts)",
      sourceLocation: sourceLocation)
    #expect(
      score.totals == eTotals, "\(label): totals \(score.totals) != \(eTotals)",
      sourceLocation: sourceLocation)
    if let formatted = expected["formatted"] as? String {
      #expect(score.formatted() == formatted, "\(label): formatted", sourceLocation: sourceLocation)
    }
  }

  /// sacrebleu's signature with LossLab's version in place of sacrebleu's.
  public static func localSignature(_ signature: String) -> String {
    signature.replacingOccurrences(of: "version:2.6.0", with: "version:" + Core.LossLabVersion.string)
  }
}
