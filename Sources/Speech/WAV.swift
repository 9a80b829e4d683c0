import Core
import Foundation

/// A mono PCM waveform: samples in [-1, 1] at `sampleRate` Hz.
///
/// `WAV` reads and writes RIFF/WAVE files with 16-bit little-endian PCM (the format of NeMo and
/// ESPnet corpora and of espeak-ng's `-w` output). Reading accepts 8/16/24/32-bit integer PCM and
/// 32-bit float, any channel count (channels are averaged to mono), and skips unknown chunks;
/// anything else is rejected with a `WAVError` naming the problem.
public struct Waveform: Sendable, Equatable {
  public var samples: [Float]
  public var sampleRate: Int

  public init(samples: [Float], sampleRate: Int) {
    precondition(sampleRate > 0, "Waveform sampleRate must be positive, got \(sampleRate)")
    self.samples = samples
    self.sampleRate = sampleRate
  }

  /// Length in seconds.
  public var duration: Double { Double(samples.count) / Double(sampleRate) }
}

/// Why a WAV file could not be read.
public struct WAVError: Error, CustomStringConvertible, Equatable {
  public var description: String
  public init(_ description: String) { self.description = description }
}

public enum WAV {
  /// The highest sample rate read (no audio hardware goes past 768 kHz; a rate near 2^32
  /// could not be written back).
  public static let maximumSampleRate = 768_000

  /// Encodes `waveform` as a 44-byte-header RIFF/WAVE file, 16-bit PCM, mono.
  /// Samples are scaled by 32768, rounded and clipped to -32768...32767 (the inverse of
  /// `decode`'s `q / 32768`, so decode-encode round trips are byte-exact); NaN is written as 0.
  public static func encode(_ waveform: Waveform) -> Data {
    let n = waveform.samples.count
    let dataBytes = n * 2
    var bytes = [UInt8]()
    bytes.reserveCapacity(44 + dataBytes)
    func u32(_ v: Int) {
      let x = UInt32(v)
      bytes += [UInt8(x & 0xFF), UInt8((x >> 8) & 0xFF), UInt8((x >> 16) & 0xFF), UInt8(x >> 24)]
    }
    func u16(_ v: Int) { bytes += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    bytes += Array("RIFF".utf8)
    u32(36 + dataBytes)
    bytes += Array("WAVE".utf8)
    bytes += Array("fmt ".utf8)
    u32(16)
    u16(1)  // PCM
    u16(1)  // mono
    u32(waveform.sampleRate)
    u32(waveform.sampleRate * 2)  // byte rate
    u16(2)  // block align
    u16(16)  // bits per sample
    bytes += Array("data".utf8)
    u32(dataBytes)
    for x in waveform.samples {
      let q = x.isNaN ? 0 : Int16(min(max((x * 32768).rounded(), -32768), 32767))
      let u = UInt16(bitPattern: q)
      bytes.append(UInt8(u & 0xFF))
      bytes.append(UInt8(u >> 8))
    }
    return Data(bytes)
  }

  /// Writes `waveform` atomically and durably (``AtomicFile``).
  public static func write(_ waveform: Waveform, to url: URL) throws {
    try AtomicFile.write(encode(waveform), to: url)
  }

  /// Reads a WAV file; the error names the file and what is wrong with it.
  public static func read(from url: URL) throws -> Waveform {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw WAVError("cannot read \(url.path): \(error.plainReason)")
    }
    do { return try decode(data) } catch let e as WAVError {
      throw WAVError("\(url.path): \(e.description)")
    }
  }

  /// Reads a corpus WAV file, which must be mono PCM of 16 bits or more (or 32-bit float) at
  /// `sampleRate` Hz: nothing is resampled or downmixed behind the caller's back. The error names
  /// the file, what it holds and what is expected.
  public static func read(from url: URL, requiringMonoAt sampleRate: Int) throws -> Waveform {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw WAVError("cannot read \(url.path): \(error.plainReason)")
    }
    do {
      let (wave, format) = try decodeWithFormat(data)
      let expected = "expected mono 16-bit PCM at \(sampleRate) Hz (as `losslab ctc synth` writes)"
      guard format.channels == 1 else { throw WAVError("\(format.channels) channels; \(expected)") }
      guard format.rate == sampleRate else { throw WAVError("\(format.rate) Hz; \(expected)") }
      guard format.bits >= 16 else { throw WAVError("\(format.bits)-bit samples; \(expected)") }
      return wave
    } catch let e as WAVError {
      throw WAVError("\(url.path): \(e.description)")
    }
  }

  /// Decodes RIFF/WAVE bytes (see the type comment for the formats accepted).
  public static func decode(_ data: Data) throws -> Waveform { try decodeWithFormat(data).wave }

  /// The waveform and the file's format (channels, sample rate, bits per sample).
  static func decodeWithFormat(_ data: Data) throws -> (
    wave: Waveform, format: (code: Int, channels: Int, rate: Int, bits: Int)
  ) {
    let bytes = [UInt8](data)
    func u32(_ i: Int) -> Int {
      Int(bytes[i]) | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2]) << 16 | Int(bytes[i + 3]) << 24
    }
    func u16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
    func tag(_ i: Int) -> String { String(decoding: bytes[i..<i + 4], as: UTF8.self) }

    guard bytes.count >= 12 else {
      throw WAVError("not a WAV file: \(bytes.count) bytes, shorter than a RIFF header")
    }
    guard tag(0) == "RIFF", tag(8) == "WAVE" else {
      throw WAVError("not a WAV file: expected 'RIFF....WAVE', found '\(tag(0))....\(tag(8))'")
    }
    var format: (code: Int, channels: Int, rate: Int, bits: Int)?
    var offset = 12
    while offset + 8 <= bytes.count {
      let id = tag(offset)
      // espeak-ng writing to a pipe leaves the data size as 0x7FFFFFFF or 0: take what is there.
      let declared = u32(offset + 4)
      let body = offset + 8
      let size = min(declared, bytes.count - body)
      if id == "fmt " {
        guard size >= 16 else { throw WAVError("'fmt ' chunk is \(size) bytes, needs at least 16") }
        var code = u16(body)
        if code == 0xFFFE && size >= 26 { code = u16(body + 24) }  // WAVE_FORMAT_EXTENSIBLE
        format = (code, u16(body + 2), u32(body + 4), u16(body + 14))
      } else if id == "data" {
        guard let f = format else { throw WAVError("'data' chunk before the 'fmt ' chunk") }
        return (try decodeSamples(bytes, body, size, f), f)
      }
      offset = body + size + (size & 1)  // chunks are padded to even length
    }
    throw WAVError(format == nil ? "no 'fmt ' chunk" : "no 'data' chunk")
  }

  private static func decodeSamples(
    _ bytes: [UInt8], _ start: Int, _ size: Int,
    _ f: (code: Int, channels: Int, rate: Int, bits: Int)
  ) throws -> Waveform {
    guard f.channels >= 1 else { throw WAVError("channel count is \(f.channels)") }
    guard f.rate > 0 && f.rate <= maximumSampleRate else {
      throw WAVError("sample rate is \(f.rate) Hz (allowed 1...\(maximumSampleRate))")
    }
    let isFloat = f.code == 3
    guard (f.code == 1 && [8, 16, 24, 32].contains(f.bits)) || (isFloat && f.bits == 32) else {
      throw WAVError(
        "unsupported encoding (format code \(f.code), \(f.bits) bits); "
          + "supported: integer PCM 8/16/24/32-bit and 32-bit float")
    }
    let width = f.bits / 8
    let frameBytes = width * f.channels
    let frames = size / frameBytes
    var samples = [Float](repeating: 0, count: frames)
    let scale = 1 / Float(f.channels)
    for t in 0..<frames {
      var sum: Float = 0
      for c in 0..<f.channels {
        let i = start + t * frameBytes + c * width
        switch (f.bits, isFloat) {
        case (8, _): sum += (Float(bytes[i]) - 128) / 128
        case (16, _): sum += Float(Int16(bitPattern: UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8)) / 32768
        case (24, _):
          let v = Int32(
            bitPattern: UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 24)
          sum += Float(v >> 8) / 8_388_608
        case (_, true):
          let u =
            UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3])
            << 24
          let v = Float(bitPattern: u)
          // Found by scripts/fuzz FuzzWAV: NaN samples reached WAV.encode's Int16 conversion.
          guard v.isFinite else {
            throw WAVError("sample at byte \(i) is \(v); float samples must be finite")
          }
          sum += v
        default:
          let u =
            UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3])
            << 24
          sum += Float(Int32(bitPattern: u)) / 2_147_483_648
        }
      }
      samples[t] = sum * scale
      guard samples[t].isFinite else {
        throw WAVError(
          "frame at byte \(start + t * frameBytes) averages to \(samples[t]); samples must be finite")
      }
    }
    return Waveform(samples: samples, sampleRate: f.rate)
  }
}
