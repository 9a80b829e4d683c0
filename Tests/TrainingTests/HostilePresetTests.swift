import Core
import Testing
import Training

/// Preset inputs found by the fuzz harness FuzzPreset (scripts/fuzz, docs/reliability.md).
@Suite struct HostilePresetTests {
  /// 30,000 nested flow sequences overflowed the stack inside Yams (a crash). Now parsed on a
  /// thread with room for the deepest nesting a preset-sized file can hold: a clear error.
  @Test func deepFlowNestingIsAnErrorNotAStackOverflow() {
    let text = "gamma: " + String(repeating: "[", count: 30_000)
    #expect(throws: ConfigError.self) { _ = try PPOPreset.parse(text, name: "deep") }
    let closed = "gamma: " + String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
    #expect(throws: ConfigError.self) { _ = try PPOPreset.parse(closed, name: "deep") }
  }

  @Test func anOversizedPresetIsRefusedByItsSize() {
    let text = "gamma: 0.99\n" + String(repeating: "# padding\n", count: 10_000)
    do {
      _ = try PPOPreset.parse(text, name: "big")
      Issue.record("parsed a 100 KB preset")
    } catch let error as ConfigError {
      #expect(error.message.contains("at most 65536"), "\(error)")
    } catch { Issue.record("unexpected \(error)") }
  }
}
