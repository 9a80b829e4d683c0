import Environments
import FuzzSupport

/// Gridworld map text (Environments/GridMapParser). Properties: a parsed map re-renders (header
/// from its settings, then its rows) to text that parses to an equal map; a refused map's error
/// names the file and a line:column inside the text.
@_cdecl("FuzzGridMap_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  return runFuzzer(argc, argv) { bytes in
    let text = String(decoding: bytes, as: UTF8.self)
    let map: GridMap
    do {
      map = try GridMap.parse(text, file: "fuzz.map", name: "fuzz")
    } catch let error as GridMapError {
      checkLocated(error.description, file: "fuzz.map", text: text)
      return
    } catch {
      fuzzCheck(false, "GridMap.parse threw a \(type(of: error)), not a GridMapError: \(error)")
      return
    }
    let header = map.settings.summary.map { "\($0.0) = \($0.1)" }.joined(separator: "\n")
    let rendered = header + "\n---\n" + map.text + "\n"
    do {
      let again = try GridMap.parse(rendered, file: "rendered.map", name: "fuzz")
      fuzzCheck(again.rows == map.rows && again.cols == map.cols, "re-rendered map changed its size")
      fuzzCheck(again.cells == map.cells, "re-rendered map changed its cells")
      fuzzCheck(again.settings == map.settings, "re-rendered map changed its settings")
      fuzzCheck(again.text == map.text, "re-rendered map renders differently")
    } catch {
      fuzzCheck(false, "re-rendered map does not parse: \(error)\n\(rendered)")
    }
  }
}
