import Foundation
import Reinforcement
import Runs
import Statistics

/// One training run found under a report folder: its config, status and logged curves.
public struct ReportRun: Sendable {
  public var folder: URL
  public var config: PPORunConfig
  public var status: RunStatus?
  /// Deterministic evaluation return (true, unshaped) against environment steps.
  public var evalCurve: LearningCurve?
  /// Training-episode true return (`rollout/ep_rew_mean`) and shaped return, when logged.
  public var trainCurve: LearningCurve?
  public var shapedCurve: LearningCurve?
  /// Fraction of evaluation episodes that reached the goal (`eval/success_rate`: gridworlds,
  /// MountainCar's flag, Acrobot's line), when logged.
  public var successCurve: LearningCurve?

  /// The shaping name (`none` when the run used none).
  public var shaping: String { config.shaping ?? "none" }
  /// The configuration's name in a report (``RunVariant``); nil until labelled.
  public var variant: String?
  /// What a report groups the run by: its variant, else its shaping.
  public var group: String { variant ?? shaping }
  /// The last evaluation's mean return: the run's final true return.
  public var finalReturn: Double? { evalCurve?.values.last }
  public var isFinished: Bool { status == .finished }

  /// Reads the run in `folder` (which must hold `config.json`).
  public init(folder: URL) throws {
    let run = RunFolder(url: folder)
    self.folder = folder
    config = try run.readConfig(PPORunConfig.self)
    status = run.readStatus()
    let table = try? MetricsTable.read(run.metricsCSVURL)
    func curve(_ key: String) -> LearningCurve? {
      guard let c = table?.curve(y: key), !c.steps.isEmpty else { return nil }
      return c
    }
    evalCurve = curve(MetricName.evalMeanReward)
    trainCurve = curve(MetricName.episodeRewardMean)
    shapedCurve = curve(MetricName.episodeShapedRewardMean)
    successCurve = curve("eval/success_rate")
  }

  /// Every run folder (a folder with `config.json` and `metrics.csv` or `status.json`) under
  /// `root`, sorted by path; folders whose config cannot be read are returned as problems.
  public static func scan(_ root: URL) throws -> (runs: [ReportRun], problems: [String]) {
    let fm = FileManager.default
    var isDir: ObjCBool = false
    guard fm.fileExists(atPath: root.path, isDirectory: &isDir), isDir.boolValue else {
      throw CompareError("\(root.path) is not a folder")
    }
    guard let walker = fm.enumerator(at: root, includingPropertiesForKeys: nil) else {
      throw CompareError("cannot list \(root.path)")
    }
    var folders: [URL] = []
    for case let url as URL in walker where url.lastPathComponent == "config.json" {
      let folder = url.deletingLastPathComponent()
      let hasRun =
        fm.fileExists(atPath: folder.appendingPathComponent("status.json").path)
        || fm.fileExists(atPath: folder.appendingPathComponent(MetricsLogger.csvName).path)
      if hasRun { folders.append(folder) }
    }
    folders.sort { $0.path < $1.path }
    var runs: [ReportRun] = []
    var problems: [String] = []
    for folder in folders {
      do { runs.append(try ReportRun(folder: folder)) } catch {
        problems.append("\(folder.path): unreadable config.json (\(error))")
      }
    }
    return (runs, problems)
  }
}
