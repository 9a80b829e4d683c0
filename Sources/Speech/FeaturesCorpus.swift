import Foundation
import Tensors

extension LogMel {
  /// Log-mel features of every manifest entry, in order, computed in parallel
  /// (`DispatchQueue.concurrentPerform`; results do not depend on the thread count). Audio must be
  /// mono at `config.sampleRate` Hz with 16 bits or more (`WAV.read(from:requiringMonoAt:)`).
  /// Throws the first unreadable or unsuitable file.
  public func features(of entries: [ManifestEntry], manifestFolder: URL) throws -> [Tensor] {
    let results = FeatureResults(count: entries.count)
    DispatchQueue.concurrentPerform(iterations: entries.count) { i in
      do {
        let wave = try WAV.read(
          from: Manifest.audioURL(entries[i], manifestFolder: manifestFolder),
          requiringMonoAt: config.sampleRate)
        results.set(i, self(wave))
      } catch {
        results.fail(error)
      }
    }
    if let error = results.error { throw error }
    return results.values
  }

  final class FeatureResults: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Tensor]
    private(set) var error: Error?
    init(count: Int) { values = [Tensor](repeating: Tensor(zeros: [0]), count: count) }
    func set(_ i: Int, _ t: Tensor) { lock.withLock { values[i] = t } }
    func fail(_ e: Error) { lock.withLock { if error == nil { error = e } } }
  }
}
