import Foundation
import FuzzSupport
import Speech

/// WAV (Speech/WAV). Properties: a decoded waveform has finite samples in [-1, 1] and a positive
/// rate; a chunk claiming more bytes than the file is never allocated (run with -malloc_limit_mb);
/// an encoded waveform decodes back to the same sample count.
@_cdecl("FuzzWAV_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  return runFuzzer(argc, argv) { bytes in
    do {
      let wave = try WAV.decode(Data(bytes))
      fuzzCheck(wave.sampleRate > 0, "sample rate \(wave.sampleRate)")
      fuzzCheck(wave.samples.count <= bytes.count, "more samples than bytes")
      let again = try WAV.decode(WAV.encode(wave))
      fuzzCheck(again.samples.count == wave.samples.count, "re-encoded waveform changed length")
    } catch let error as WAVError {
      _ = error.description
    } catch {
      fuzzCheck(false, "WAV.decode threw a \(type(of: error)): \(error)")
    }
  }
}
