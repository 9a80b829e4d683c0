import Environments
import FuzzSupport
import Reinforcement

/// Shaping specs (Reinforcement/ShapingSpec) and potential files (Reinforcement/PotentialFile)
/// against a fixed 4x4 map. The first byte picks the parser. Properties: refusals are
/// ShapingError / errors naming the path; a parsed potential has one finite value per cell.
let map = try! GridMap.parse("S#FF\nFHFH\nFFFH\nHFFG\n", file: "4x4.map", name: "4x4")

@_cdecl("FuzzShaping_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  return runFuzzer(argc, argv) { bytes in
    guard let selector = bytes.first else { return }
    let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
    if selector & 1 == 0 {
      do {
        let spec = try ShapingSpec.parse(text)
        _ = spec.description
      } catch is ShapingError {
      } catch {
        fuzzCheck(false, "ShapingSpec.parse threw a \(type(of: error)): \(error)")
      }
    } else {
      do {
        let potential = try PotentialFile.parse(text, map: map, path: "fuzz.potential")
        let values = potential.gridValues ?? []
        fuzzCheck(values.count == map.rows * map.cols, "potential has \(values.count) values")
        fuzzCheck(values.allSatisfy(\.isFinite), "potential holds a non-finite value")
      } catch {
        checkLocated("\(error)", file: "fuzz.potential", text: text)
      }
    }
  }
}
