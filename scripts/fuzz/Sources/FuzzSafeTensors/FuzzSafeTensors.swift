import Foundation
import FuzzSupport
import NeuralNets
import Tensors

/// Safetensors header and body (NeuralNets/SafeTensorsFormat). Properties: a file that decodes
/// re-encodes to bytes that decode to the same tensors bit for bit and re-encode to the same
/// bytes (a checkpoint round-trips bit for bit); the reading never allocates more than the file
/// (run with -malloc_limit_mb: a header claiming 2^63 bytes must be refused before allocating).
@_cdecl("FuzzSafeTensors_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  return runFuzzer(argc, argv) { bytes in
    let file: SafeTensors.File
    do {
      file = try SafeTensors.decode(Data(bytes))
    } catch {
      _ = "\(error)"
      return
    }
    do {
      let encoded = try SafeTensors.encode(file.tensors, metadata: file.metadata)
      let again = try SafeTensors.decode(encoded)
      fuzzCheck(again.metadata == file.metadata, "metadata changed on a round trip")
      let before = file.tensors.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
      fuzzCheck(again.tensors.count == before.count, "tensor count changed on a round trip")
      for (a, b) in zip(before, again.tensors.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) })
      {
        fuzzCheck(a.name == b.name, "tensor name changed: \(a.name) -> \(b.name)")
        fuzzCheck(a.tensor.shape == b.tensor.shape, "shape of \(a.name) changed")
        fuzzCheck(
          a.tensor.data.map(\.bitPattern) == b.tensor.data.map(\.bitPattern),
          "values of \(a.name) changed bits")
      }
      let twice = try SafeTensors.encode(again.tensors, metadata: again.metadata)
      fuzzCheck(twice == encoded, "re-encoding is not byte-identical")
    } catch {
      fuzzCheck(false, "a decoded file does not round-trip: \(error)")
    }
  }
}
