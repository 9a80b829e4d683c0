import Core
import Testing

/// Inputs found by the fuzz harnesses (scripts/fuzz, docs/reliability.md), kept as tests.
@Suite struct HostileJSONTests {
  /// FuzzJSON: 60,000 nested `[` overflowed the stack of the recursive parser (a crash, from
  /// any JSON file LossLab reads: replay documents, reference files). Now refused past 512 levels.
  @Test func deepNestingIsRefusedNotAStackOverflow() {
    for open in ["[", "{\"a\":"] {
      let text = String(repeating: open, count: 60_000)
      do {
        _ = try JSONValue.parse(text)
        Issue.record("parsed 60,000 levels")
      } catch let error as JSONError {
        #expect(error.description.contains("deeper than 512"), "\(error)")
        #expect(error.offset == 512 * open.utf8.count, "\(error)")
      } catch { Issue.record("unexpected \(error)") }
    }
  }

  @Test func nestingUpToTheLimitParses() throws {
    let depth = JSONValue.maximumDepth
    let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    var value = try JSONValue.parse(text)
    var levels = 0
    while case .array(let items) = value {
      levels += 1
      guard let first = items.first else { break }
      value = first
    }
    #expect(levels == depth)
    #expect(throws: JSONError.self) { try JSONValue.parse("[" + text + "]") }
  }

  /// FuzzJSON: a high surrogate followed by a `\u` escape that is not a low surrogate trapped
  /// (arithmetic overflow in `low - 0xDC00`). An unpaired surrogate now reads as U+FFFD.
  @Test func unpairedSurrogatesBecomeReplacementCharacters() throws {
    #expect(try JSONValue.parse(#""\ud83d\u0041""#) == .string("\u{FFFD}A"))
    #expect(try JSONValue.parse(#""\ud83d\n""#) == .string("\u{FFFD}\n"))
    #expect(try JSONValue.parse(#""\ud83d\ude00""#) == .string("\u{1F600}"))
  }
}
