import Foundation
import Speech
import Testing

@testable import Speech

/// Inputs a caller can get wrong with data: refused with a message, never a trap or a silent
/// conversion.
@Suite struct CorpusInputTests {
  /// RIFF/WAVE bytes of `frames` zero frames in integer PCM.
  static func wav(channels: Int, rate: Int, bits: Int, frames: Int = 160) -> Data {
    var bytes: [UInt8] = []
    func u32(_ v: Int) { bytes += (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
    func u16(_ v: Int) { bytes += (0..<2).map { UInt8((v >> (8 * $0)) & 0xFF) } }
    let dataSize = frames * channels * bits / 8
    bytes += Array("RIFF".utf8)
    u32(36 + dataSize)
    bytes += Array("WAVEfmt ".utf8)
    u32(16)
    u16(1)
    u16(channels)
    u32(rate)
    u32(rate * channels * bits / 8)
    u16(channels * bits / 8)
    u16(bits)
    bytes += Array("data".utf8)
    u32(dataSize)
    bytes += [UInt8](repeating: bits == 8 ? 128 : 0, count: dataSize)
    return Data(bytes)
  }

  @Test(arguments: [
    (1, 8000, 16, "8000 Hz; expected mono 16-bit PCM at 16000 Hz"),
    (2, 16000, 16, "2 channels; expected mono 16-bit PCM at 16000 Hz"),
    (1, 16000, 8, "8-bit samples; expected mono 16-bit PCM at 16000 Hz"),
  ])
  func corpusAudioMustBeMonoSixteenKilohertz(channels: Int, rate: Int, bits: Int, message: String) throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "losslab-wav-\(getpid())-\(bits)-\(rate)-\(channels).wav")
    defer { try? FileManager.default.removeItem(at: url) }
    try Self.wav(channels: channels, rate: rate, bits: bits).write(to: url)
    #expect(try WAV.read(from: url).sampleRate == rate, "the general reader still reads it")
    do {
      _ = try WAV.read(from: url, requiringMonoAt: 16000)
      Issue.record("accepted \(url.path)")
    } catch {
      #expect("\(error)" == "\(url.path): \(message) (as `losslab ctc synth` writes)")
    }
    let good = url.deletingPathExtension().appendingPathExtension("ok.wav")
    defer { try? FileManager.default.removeItem(at: good) }
    try Self.wav(channels: 1, rate: 16000, bits: 16).write(to: good)
    #expect(try WAV.read(from: good, requiringMonoAt: 16000).samples.count == 160)
  }

  @Test func emptyManifestIsAnError() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("losslab-manifest-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("dev.jsonl")
    try Data().write(to: url)
    #expect(throws: SpeechCorpusError.self) { try SpeechExample.load(manifest: url) }
    do { _ = try SpeechExample.load(manifest: url) } catch {
      #expect("\(error)".contains("\(url.path): the manifest lists no utterances"))
    }
  }
}
