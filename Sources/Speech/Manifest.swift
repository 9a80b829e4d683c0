import Core
import Foundation
import Tensors

/// One line of a JSON-lines speech manifest, as NeMo and ESPnet use them:
/// `{"audio_filepath": "wav/utt-000001.wav", "duration": 1.234, "text": "three one four", "speaker": "spk-07"}`.
///
/// `audioFilepath` is relative to the manifest's folder (or absolute); `Manifest.audioURL`
/// resolves it. `speaker` is optional (NeMo and ESPnet ignore extra keys).
public struct ManifestEntry: Sendable, Equatable, Codable {
  public var audioFilepath: String
  /// Seconds.
  public var duration: Double
  public var text: String
  public var speaker: String?

  public init(audioFilepath: String, duration: Double, text: String, speaker: String? = nil) {
    self.audioFilepath = audioFilepath
    self.duration = duration
    self.text = text
    self.speaker = speaker
  }

  enum CodingKeys: String, CodingKey {
    case audioFilepath = "audio_filepath"
    case duration, text, speaker
  }
}

/// Why a manifest could not be read.
public struct ManifestError: Error, CustomStringConvertible {
  public var description: String
}

public enum Manifest {
  /// One JSON object per line, keys in the order `audio_filepath`, `duration`, `text`, `speaker`
  /// (fixed, so the bytes are reproducible), each line ending in `\n`.
  public static func encode(_ entries: [ManifestEntry]) -> Data {
    var out = ""
    for e in entries {
      out +=
        "{\"audio_filepath\": \(JSONText.quoted(e.audioFilepath)), \"duration\": \(JSONText.number(e.duration)), "
      out += "\"text\": \(JSONText.quoted(e.text))"
      if let s = e.speaker { out += ", \"speaker\": \(JSONText.quoted(s))" }
      out += "}\n"
    }
    return Data(out.utf8)
  }

  public static func write(_ entries: [ManifestEntry], to url: URL) throws {
    try AtomicFile.write(encode(entries), to: url)
  }

  /// Parses JSON lines (blank lines skipped); errors name the line.
  public static func decode(_ data: Data) throws -> [ManifestEntry] {
    let decoder = JSONDecoder()
    var entries: [ManifestEntry] = []
    for (i, line) in String(decoding: data, as: UTF8.self).split(
      separator: "\n", omittingEmptySubsequences: false
    )
    .enumerated() {
      if line.allSatisfy(\.isWhitespace) { continue }
      do {
        entries.append(try decoder.decode(ManifestEntry.self, from: Data(line.utf8)))
      } catch {
        throw ManifestError(
          description:
            "line \(i + 1): expected {\"audio_filepath\": ..., \"duration\": ..., \"text\": ...}: \(error)")
      }
    }
    return entries
  }

  public static func read(from url: URL) throws -> [ManifestEntry] {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw ManifestError(description: "cannot read manifest \(url.path): \(error.plainReason)")
    }
    do { return try decode(data) } catch let e as ManifestError {
      throw ManifestError(description: "\(url.path): \(e.description)")
    }
  }

  /// The audio file of `entry`: absolute paths as they are, relative ones against `manifestFolder`.
  public static func audioURL(_ entry: ManifestEntry, manifestFolder: URL) -> URL {
    entry.audioFilepath.hasPrefix("/")
      ? URL(fileURLWithPath: entry.audioFilepath)
      : manifestFolder.appendingPathComponent(entry.audioFilepath)
  }
}
