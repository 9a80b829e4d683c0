import Core
import FuzzSupport
import Reinforcement
import Training

/// Preset YAML (Training/PresetFile) and `--set NAME=VALUE` overrides (PPOConfig.set, as
/// PPORunRequest applies them). The input is YAML, optionally followed by a line `%%` and one
/// override per line. Property: every refusal is a ConfigError (no trap, no other error type).
@_cdecl("FuzzPreset_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  return runFuzzer(argc, argv) { bytes in
    let text = String(decoding: bytes, as: UTF8.self)
    let parts = text.split(separator: "\n%%\n", maxSplits: 1, omittingEmptySubsequences: false)
    let yaml = String(parts[0])
    var config = PPOConfig()
    do {
      config = try PPOPreset.parse(yaml, name: "fuzz").config
    } catch is ConfigError {
    } catch {
      fuzzCheck(false, "PPOPreset.parse threw a \(type(of: error)): \(error)")
    }
    guard parts.count == 2 else { return }
    for item in parts[1].split(separator: "\n") {
      guard let eq = item.firstIndex(of: "=") else { continue }
      do {
        try config.set(String(item[..<eq]), String(item[item.index(after: eq)...]))
      } catch is ConfigError {
      } catch {
        fuzzCheck(false, "PPOConfig.set threw a \(type(of: error)): \(error)")
      }
    }
    do { try config.validate() } catch is ConfigError {} catch {
      fuzzCheck(false, "PPOConfig.validate threw a \(type(of: error)): \(error)")
    }
  }
}
