import Foundation
import FuzzSupport
import Speech

/// Speech manifests, JSON lines (Speech/Manifest). Properties: refusals are ManifestErrors naming
/// the line; decoded entries re-encode to a manifest that decodes to the same entries.
@_cdecl("FuzzManifest_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  return runFuzzer(argc, argv) { bytes in
    do {
      let entries = try Manifest.decode(Data(bytes))
      if entries.allSatisfy({ $0.duration.isFinite }) {
        let again = try Manifest.decode(Manifest.encode(entries))
        fuzzCheck(again == entries, "manifest does not round-trip")
      }
    } catch let error as ManifestError {
      fuzzCheck(error.description.hasPrefix("line "), "manifest error names no line: \(error)")
    } catch {
      fuzzCheck(false, "Manifest threw a \(type(of: error)): \(error)")
    }
  }
}
