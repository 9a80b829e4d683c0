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

  /// Every refusal names FILE:LINE:COLUMN of the offending value (or key), as maps and sweep
  /// spaces do.
  @Test func errorsNameFileLineAndColumn() {
    let cases: [(String, String)] = [
      ("env: cartpole\ngamma: 2\n", "p.yaml:2:8: invalid value '2' for gamma"),
      ("env: cartpole\n\n  # note\nn_stepz: 8\n", "p.yaml:4:1: unknown hyperparameter 'n_stepz'"),
      ("env: cartpole\nnet_arch: [64, x]\n", "p.yaml:2:11:"),
      ("env: cartpole\nn_steps: [1\n", "p.yaml:3:1: not valid YAML"),
      ("env: cartpole\nenv_options: 3\n", "p.yaml:2:14: env_options must be a mapping"),
      ("- gamma\n", "p.yaml:1:1: expected a mapping"),
      (
        "env: cartpole # [[[[\nnet_arch: " + String(repeating: "[", count: 65),
        "p.yaml:2:75: nesting deeper than 64"
      ),
    ]
    for (text, expected) in cases {
      do {
        _ = try PPOPreset.parse(text, name: "p", file: "p.yaml")
        Issue.record("parsed \(text)")
      } catch let error as ConfigError {
        #expect(error.message.hasPrefix(expected), "\(error.message)")
      } catch { Issue.record("unexpected \(error)") }
    }
  }

  /// A deeply nested sweep space is refused like a preset (same large-stack parse).
  @Test func deepSweepSpaceIsAnErrorNotAStackOverflow() {
    let text = "parameters:\n  gamma: " + String(repeating: "[", count: 30_000)
    #expect(throws: ConfigError.self) { _ = try SweepSpace.parse(text, file: "deep.yaml") }
  }
}
