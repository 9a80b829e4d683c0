import Core
import Foundation
import Runs

/// What fixes a sweep's trial sequence and scores, recorded in `OUT/sweep.json`: a rerun with the
/// same settings continues the sweep (with more `--trials` if asked); one with different
/// settings is refused, naming what differs.
public struct SweepSettings: Codable, Sendable, Equatable {
  public var space: String
  public var env: String
  public var envOptions: [String]
  public var preset: String?
  public var overrides: [String]
  public var sampler: SweepSamplerKind
  public var seed: UInt64
  public var seeds: Int
  public var firstSeed: UInt64
  public var steps: Int
  public var metric: SweepMetric
  public var pruner: SweepPrunerKind
  public var eta: Int
  public var rungs: [Int]
  public var batch: Int
  public var evalFreq: Int
  public var evalEpisodes: Int

  public init(
    space: String, env: String, envOptions: [String], preset: String?, overrides: [String],
    sampler: SweepSamplerKind, seed: UInt64, seeds: Int, firstSeed: UInt64, steps: Int, metric: SweepMetric,
    pruner: SweepPrunerKind, eta: Int, rungs: [Int], batch: Int, evalFreq: Int, evalEpisodes: Int
  ) {
    self.space = space
    self.env = env
    self.envOptions = envOptions
    self.preset = preset
    self.overrides = overrides
    self.sampler = sampler
    self.seed = seed
    self.seeds = seeds
    self.firstSeed = firstSeed
    self.steps = steps
    self.metric = metric
    self.pruner = pruner
    self.eta = eta
    self.rungs = rungs
    self.batch = batch
    self.evalFreq = evalFreq
    self.evalEpisodes = evalEpisodes
  }

  /// The names of the settings that differ from `other` (`space` for the search space text).
  public func differences(from other: SweepSettings) -> [String] {
    var names: [String] = []
    if space != other.space { names.append("the search space") }
    if env != other.env { names.append("--env") }
    if envOptions != other.envOptions { names.append("--env-option") }
    if preset != other.preset { names.append("--preset") }
    if overrides != other.overrides { names.append("--set") }
    if sampler != other.sampler { names.append("--sampler") }
    if seed != other.seed { names.append("--seed") }
    if seeds != other.seeds { names.append("--seeds") }
    if firstSeed != other.firstSeed { names.append("--first-seed") }
    if steps != other.steps { names.append("--steps") }
    if metric != other.metric { names.append("--metric") }
    if pruner != other.pruner { names.append("--pruner") }
    if eta != other.eta { names.append("--eta") }
    if rungs != other.rungs { names.append("--min-steps (rung budgets)") }
    if batch != other.batch { names.append("--batch") }
    if evalFreq != other.evalFreq { names.append("--eval-freq") }
    if evalEpisodes != other.evalEpisodes { names.append("--eval-episodes") }
    return names
  }
}

/// The sweep folder: `sweep.json`, `trials.json`/`trials.csv`, the report, `trials/` with the runs;
/// held under a ``RunLock`` while a sweep runs in it.
public final class SweepFolder {
  public static let settingsName = "sweep.json"
  public let url: URL
  private var lock: RunLock?

  /// Opens (creating) `url` and takes its lock.
  /// - Throws: ``RunLifecycleError/usage(_:)`` when another process holds the folder, when it is a
  ///   file, or when it holds something other than a sweep.
  public init(url: URL) throws {
    self.url = url
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else {
        throw RunLifecycleError.usage("--out \(url.path): a file is in the way (allowed: a folder)")
      }
      let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
      let ours = names.contains(SweepFolder.settingsName)
      if !ours && !names.allSatisfy({ $0 == RunLock.fileName || $0.hasPrefix(".") }) {
        throw RunLifecycleError.usage(
          "--out \(url.path) exists and is not a sweep folder (no \(SweepFolder.settingsName)); choose a new folder"
        )
      }
    }
    try AtomicFile.createFolder(url)
    lock = try RunLock(folder: url)
  }

  /// Records `settings`, or checks them against the recorded ones.
  /// - Throws: ``RunLifecycleError/usage(_:)`` naming the settings that differ.
  public func adopt(_ settings: SweepSettings) throws {
    let file = url.appendingPathComponent(SweepFolder.settingsName)
    if FileManager.default.fileExists(atPath: file.path) {
      let saved: SweepSettings
      do { saved = try JSONDecoder().decode(SweepSettings.self, from: Data(contentsOf: file)) } catch {
        throw RunLifecycleError.usage("\(file.path): unreadable (\(error)); choose a new --out")
      }
      let differences = settings.differences(from: saved)
      if !differences.isEmpty {
        throw RunLifecycleError.usage(
          "--out \(url.path) holds a sweep with different settings (\(differences.joined(separator: ", "))); "
            + "rerun it with the same settings to continue it, or choose a new --out")
      }
      return
    }
    try AtomicFile.write(try JSONText.data(settings, pretty: true), to: file)
    try AtomicFile.write(settings.space, to: url.appendingPathComponent("space.yaml"))
  }
}
