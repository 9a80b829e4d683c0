import Foundation
import Speech
import Testing

/// WAV inputs found by the fuzz harness FuzzWAV (scripts/fuzz, docs/reliability.md).
@Suite struct HostileWAVTests {
  static func floatWAV(rate: UInt32 = 16_000, channels: UInt16 = 1, samples: [UInt32]) -> Data {
    var d = Data("RIFF".utf8)
    func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
    func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
    u32(36 + 4 * UInt32(samples.count))
    d.append(contentsOf: Array("WAVEfmt ".utf8))
    u32(16)
    u16(3)
    u16(channels)
    u32(rate)
    u32(rate &* 4)
    u16(4 * channels)
    u16(32)
    d.append(contentsOf: Array("data".utf8))
    u32(4 * UInt32(samples.count))
    for s in samples { u32(s) }
    return d
  }

  /// A NaN float sample was accepted, and WAV.encode then trapped converting it to Int16.
  @Test func nonFiniteFloatSamplesAreRefusedWithTheirOffset() {
    for bits in [Float.nan.bitPattern, Float.infinity.bitPattern, 0xFFFE_003E] {
      let data = Self.floatWAV(samples: [0, bits])
      do {
        _ = try WAV.decode(data)
        Issue.record("decoded a non-finite sample \(bits)")
      } catch let error as WAVError {
        #expect(error.description.contains("byte 48"), "\(error)")
      } catch { Issue.record("unexpected \(error)") }
    }
    // Two finite channels whose sum overflows.
    let loud = Float.greatestFiniteMagnitude.bitPattern
    #expect(throws: WAVError.self) { try WAV.decode(Self.floatWAV(channels: 2, samples: [loud, loud])) }
  }

  @Test func theFuzzerInputIsAnError() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent(
        "scripts/fuzz/regressions/FuzzWAV/nan-float-sample.wav")
    #expect(throws: WAVError.self) { try WAV.decode(try Data(contentsOf: url)) }
  }

  @Test func absurdSampleRatesAreRefusedAndEncodeNeverTraps() {
    #expect(throws: WAVError.self) { try WAV.decode(Self.floatWAV(rate: 0xFFFF_FFFF, samples: [0])) }
    let encoded = WAV.encode(Waveform(samples: [.nan, .infinity, -.infinity, 0.5], sampleRate: 16_000))
    #expect((try? WAV.decode(encoded))?.samples.count == 4)
  }
}
