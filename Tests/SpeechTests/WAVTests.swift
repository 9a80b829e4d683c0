import Core
import Foundation
import Speech
import Tensors
import Testing

@testable import Speech

@Suite struct WAVTests {
  @Test func roundTripIsExactOnTheSixteenBitGrid() throws {
    var rng = RandomGenerator(seed: 3)
    let samples = (0..<1000).map { _ in Float(rng.int(below: 65536) - 32768) / 32768 } + [-1, 0, 0.5]
    let wave = Waveform(samples: samples, sampleRate: 16000)
    let data = WAV.encode(wave)
    #expect(data.count == 44 + 2 * samples.count)
    let back = try WAV.decode(data)
    #expect(back == wave)
    #expect(WAV.encode(back) == data)
  }

  @Test func headerFieldsArePCM16Mono() {
    let data = [UInt8](WAV.encode(Waveform(samples: [0.25, -0.25], sampleRate: 16000)))
    func u32(_ i: Int) -> Int {
      Int(data[i]) | Int(data[i + 1]) << 8 | Int(data[i + 2]) << 16 | Int(data[i + 3]) << 24
    }
    func u16(_ i: Int) -> Int { Int(data[i]) | Int(data[i + 1]) << 8 }
    #expect(String(decoding: data[0..<4], as: UTF8.self) == "RIFF")
    #expect(u32(4) == data.count - 8)
    #expect(String(decoding: data[8..<16], as: UTF8.self) == "WAVEfmt ")
    #expect(
      u16(20) == 1 && u16(22) == 1 && u32(24) == 16000 && u32(28) == 32000 && u16(32) == 2 && u16(34) == 16)
    #expect(String(decoding: data[36..<40], as: UTF8.self) == "data" && u32(40) == 4)
    #expect(u16(44) == 8192 && u16(46) == 65536 - 8192)  // 0.25 * 32768, little-endian
  }

  @Test func clipsOutOfRangeSamples() throws {
    let back = try WAV.decode(WAV.encode(Waveform(samples: [2, -2], sampleRate: 8000)))
    #expect(back.samples == [32767 / 32768, -1])
  }

  /// A hand-built stereo file with an extra chunk before `data`: channels are averaged.
  @Test func readsStereoAndSkipsUnknownChunks() throws {
    var b: [UInt8] = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WAVE".utf8)
    b += Array("fmt ".utf8) + [16, 0, 0, 0, 1, 0, 2, 0, 0x80, 0x3E, 0, 0, 0, 0xFA, 0, 0, 4, 0, 16, 0]
    b += Array("LIST".utf8) + [3, 0, 0, 0, 1, 2, 3, 0]  // odd size, padded
    b += Array("data".utf8) + [8, 0, 0, 0]
    b += [0x00, 0x40, 0x00, 0x20, 0x00, 0xC0, 0x00, 0xC0]  // (0.5, 0.25), (-0.5, -0.5)
    let wave = try WAV.decode(Data(b))
    #expect(wave.sampleRate == 16000)
    #expect(wave.samples == [0.375, -0.5])
  }

  @Test func rejectsMalformedFiles() {
    let good = [UInt8](WAV.encode(Waveform(samples: [0.1, 0.2], sampleRate: 16000)))
    func message(_ bytes: [UInt8]) -> String {
      do {
        _ = try WAV.decode(Data(bytes))
        return "accepted"
      } catch {
        return "\(error)"
      }
    }
    #expect(message([]).contains("shorter than a RIFF header"))
    #expect(message(Array("RIFX".utf8) + good[4...]).contains("not a WAV file"))
    var alaw = good
    alaw[20] = 6  // format code 6 (A-law)
    #expect(message(alaw).contains("unsupported encoding (format code 6"))
    #expect(message(Array(good[0..<36])).contains("no 'data' chunk"))
    #expect(message(Array(good[0..<12])).contains("no 'fmt ' chunk"))
    var shortFmt = good
    shortFmt[16] = 8
    #expect(message(shortFmt).contains("'fmt ' chunk is 8 bytes"))
    let dataFirst = Array(good[0..<12]) + Array(good[36...]) + Array(good[12..<36])
    #expect(message(dataFirst).contains("before the 'fmt ' chunk"))
  }

  @Test func readErrorNamesTheFile() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("losslab-wavtest-\(getpid()).wav")
    try Data("hello".utf8).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    #expect(throws: WAVError.self) { try WAV.read(from: url) }
    do { _ = try WAV.read(from: url) } catch { #expect("\(error)".contains(url.path)) }
  }

  /// 22050 -> 16000 Hz: a 1 kHz tone stays a 1 kHz tone (max error 1e-3 away from the edges,
  /// the filter's passband ripple at ~90 dB design attenuation is far smaller) and a 10 kHz
  /// tone, above the new Nyquist frequency, is attenuated by more than 60 dB.
  @Test func resamplerKeepsPassbandAndRemovesAliases() {
    let n = 22050
    let low = (0..<n).map { Float(sin(2 * Double.pi * 1000 * Double($0) / 22050)) }
    let high = (0..<n).map { Float(sin(2 * Double.pi * 10000 * Double($0) / 22050)) }
    let resampler = Resampler(from: 22050, to: 16000)
    let y = resampler(low)
    #expect(y.count == 16000)
    var maxError: Float = 0
    for i in 200..<15800 {
      maxError = max(maxError, abs(y[i] - Float(sin(2 * Double.pi * 1000 * Double(i) / 16000))))
    }
    #expect(maxError < 1e-3)
    let z = resampler(high)
    var rms: Float = 0
    for i in 200..<15800 { rms += z[i] * z[i] }
    rms = (rms / 15600).squareRoot()
    #expect(rms < 0.7071 * 1e-3)
  }
}
