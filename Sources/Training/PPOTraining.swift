import Core
import Environments
import Foundation
import NeuralNets
import Reinforcement
import Reports
import Runs
import Tensors

/// How a training run ended.
public struct PPOTrainingOutcome: Sendable {
  public enum Status: Sendable, Equatable { case finished, interrupted }
  public var status: Status
  public var timesteps: Int
  public var iterations: Int
  public var wallSeconds: Double
  /// The last deterministic evaluation, if any ran.
  public var lastEvaluation: EvaluationResult?
  public var checkpoint: Checkpoint?
}

/// The checkpoint sidecar (`checkpoints/step-N.json`).
public struct PPOCheckpointSidecar: Codable, Sendable {
  public var state: PPOState
  public var config: PPORunConfig
}

/// The PPO training driver: a run folder with `config.json`, `metrics.csv`/`metrics.jsonl` (one
/// row per iteration, SB3's metric names), periodic deterministic evaluation on a separate
/// environment, `curve.svg`, checkpoints (safetensors + JSON) every `checkpointFreq` iterations
/// and at the end, a progress bar, Ctrl-C handling and a stop on non-finite losses.
///
/// Determinism: all metrics except the wall-clock columns `time/fps` and `time/time_elapsed` are a
/// function of the config and seed (and of `threads`, through BLAS summation order).
public final class PPOTraining {
  public let config: PPORunConfig
  public let session: TrainingSession
  public var folder: RunFolder { session.folder }
  public let spec: EnvironmentSpec
  public let ppo: PPO
  /// Episodes can succeed (gridworld goals, MountainCar's flag, Acrobot's line): success rates are logged.
  let hasGoal: Bool
  /// Trained on a shaped reward: `rollout/ep_shaped_rew_mean` is logged beside the true return.
  let isShaped: Bool
  let metricKeys: [String]
  var lastEvaluation: EvaluationResult?
  /// `curve.svg`'s reference levels (gridworlds: R* by value iteration and the random policy's
  /// return; CartPole: its maximum return), computed on first use.
  lazy var curveReferences: [ReferenceLine] = ReportReference.defaults(for: spec, gamma: config.ppo.gamma)
    .lines(threshold: false)

  /// Wall-clock columns, excluded when comparing runs for determinism.
  public static let wallClockKeys: Set<String> = [MetricName.fps, MetricName.timeElapsed]

  /// The config a session trains with: `fresh()` for a new run; for a resumed one the saved
  /// config, with `requestedSteps` (`--steps`) under the budget rules of ``TrainingSession``.
  public static func config(
    for session: TrainingSession, requestedSteps: Int?, fresh: () throws -> PPORunConfig
  ) throws -> PPORunConfig {
    guard let checkpoint = session.resumeCheckpoint else { return try fresh() }
    var config = try session.savedConfig(PPORunConfig.self)
    config.totalTimesteps = try session.budget(
      saved: config.totalTimesteps, requested: requestedSteps, done: checkpoint.step, flag: "--steps",
      unit: "timesteps", finished: checkpoint.step >= config.totalTimesteps)
    return config
  }

  /// Prepares the run of `session`: a new one, or the continuation of the one in its folder from
  /// the latest checkpoint (`config` then comes from ``config(for:requestedSteps:fresh:)``).
  public init(config: PPORunConfig, session: TrainingSession) throws {
    self.config = config
    self.session = session
    spec = try config.environmentSpec()
    hasGoal = spec.hasGoal
    BLAS.threads = config.threads
    // The agent learns from the shaped reward; episode returns (and evaluation) stay true.
    let shaping = try RewardShaping(
      name: config.shaping ?? "none", environment: spec, gamma: config.ppo.gamma)
    isShaped = !shaping.spec.isNone
    ppo = try PPO(
      config: config.ppo, env: spec.makeVector(numEnvs: config.ppo.nEnvs, transform: shaping),
      seed: config.seed, totalTimesteps: config.totalTimesteps)
    if let update = config.update, update != "auto" { ppo.useFusedUpdate = update == "fused" }
    var keys = MetricName.ppo + ["rollout/ep_success_rate", "train/clip_range_vf"]
    if isShaped {
      keys.insert(MetricName.episodeShapedRewardMean, at: keys.firstIndex(of: MetricName.episodeLengthMean)!)
    }
    keys += [MetricName.evalMeanReward, "eval/std_reward", MetricName.evalMeanEpisodeLength]
    if !hasGoal { keys.removeAll { $0 == "rollout/ep_success_rate" } }
    if hasGoal { keys.append("eval/success_rate") }
    if config.ppo.clipRangeVf == nil { keys.removeAll { $0 == "train/clip_range_vf" } }
    if ppo.policy.gaussian != nil {
      keys.insert("train/std", at: keys.firstIndex(of: MetricName.valueLoss)! + 1)
    }
    metricKeys = keys
    if let checkpoint = session.resumeCheckpoint {
      let sidecar = try checkpoint.readSidecar(PPOCheckpointSidecar.self)
      let tensors = try SafeTensors.load(from: checkpoint.weightsURL)
      try ppo.restore(state: sidecar.state, tensors: tensors)
    }
    session.step = ppo.numTimesteps
  }

  /// A new run in `folder` (replacing a run already there) or, with `resume`, the continuation of
  /// the run in it (tests and library callers; the CLI opens a ``TrainingSession`` itself).
  public convenience init(config: PPORunConfig, folder: RunFolder, resume: Bool) throws {
    let session = try TrainingSession(RunRequest(folder: folder, start: resume ? .resume : .overwrite))
    try self.init(config: config, session: session)
  }

  /// Trains until `totalTimesteps`, or until the session says stop (Ctrl-C, `stopAtTimesteps`),
  /// then saves a checkpoint. The session records the end in `status.json`.
  /// - Throws: ``NonFiniteLossError`` (the run is marked failed; the last good checkpoint stays),
  ///   file errors.
  public func run(progress: ProgressBar?, stopAtTimesteps: Int? = nil) throws -> PPOTrainingOutcome {
    if let stopAtTimesteps { session.stopAtStep = stopAtTimesteps }
    let resumedAt = ppo.numTimesteps
    let logger = try session.begin(config: config, metricKeys: metricKeys)
    defer { try? logger.close() }
    let start = ProcessInfo.processInfo.systemUptime
    return try session.run {
      let status = try trainLoop(logger: logger, progress: progress, resumedAt: resumedAt, start: start)
      var extras: [(String, Double)] = []
      if let r = ppo.episodeRewardMean { extras.append(("ep_rew_mean", r)) }
      if let e = lastEvaluation { extras.append(("eval", e.meanReturn)) }
      progress?.finish(done: ppo.numTimesteps, extras: extras)
      return (
        status.0 == .finished ? .finished : .interrupted,
        PPOTrainingOutcome(
          status: status.0, timesteps: ppo.numTimesteps, iterations: ppo.iterations,
          wallSeconds: ProcessInfo.processInfo.systemUptime - start, lastEvaluation: lastEvaluation,
          checkpoint: status.1)
      )
    }
  }

  private func trainLoop(logger: MetricsLogger, progress: ProgressBar?, resumedAt: Int, start: Double) throws
    -> (PPOTrainingOutcome.Status, Checkpoint?)
  {
    var checkpoint: Checkpoint? = nil
    var status = PPOTrainingOutcome.Status.finished
    while !ppo.isFinished {
      let before = ppo.numTimesteps
      let stats = try ppo.iterate()
      session.step = ppo.numTimesteps
      let elapsed = ProcessInfo.processInfo.systemUptime - start
      var row: [String: Double] = [
        MetricName.totalTimesteps: Double(ppo.numTimesteps),
        MetricName.iterations: Double(ppo.iterations),
        MetricName.fps: (Double(ppo.numTimesteps - resumedAt) / Swift.max(elapsed, 1e-9)).rounded(.down),
        MetricName.timeElapsed: elapsed,
        MetricName.approxKL: stats.approxKl, MetricName.clipFraction: stats.clipFraction,
        MetricName.clipRange: stats.clipRange, MetricName.entropyLoss: stats.entropyLoss,
        MetricName.explainedVariance: stats.explainedVariance, MetricName.learningRate: stats.learningRate,
        MetricName.loss: stats.loss, MetricName.updates: Double(ppo.nUpdates),
        MetricName.policyGradientLoss: stats.policyGradientLoss, MetricName.valueLoss: stats.valueLoss,
      ]
      if let vf = stats.clipRangeVf { row["train/clip_range_vf"] = vf }
      if let std = stats.std { row["train/std"] = std }
      if let r = ppo.episodeRewardMean { row[MetricName.episodeRewardMean] = r }
      if let l = ppo.episodeLengthMean { row[MetricName.episodeLengthMean] = l }
      if isShaped, !ppo.recentEpisodes.isEmpty {
        row[MetricName.episodeShapedRewardMean] =
          ppo.recentEpisodes.reduce(0) { $0 + $1.shapedReturn } / Double(ppo.recentEpisodes.count)
      }
      if hasGoal, let s = ppo.episodeSuccessRate { row["rollout/ep_success_rate"] = s }
      let evalDue =
        (config.evalFreq > 0 && ppo.numTimesteps / config.evalFreq > before / config.evalFreq)
        || ppo.isFinished
      if evalDue {
        let result = evaluate(index: ppo.numTimesteps)
        lastEvaluation = result
        row[MetricName.evalMeanReward] = result.meanReturn
        row["eval/std_reward"] = result.stdReturn
        row[MetricName.evalMeanEpisodeLength] = result.meanLength
        if hasGoal { row["eval/success_rate"] = result.successRate }
      }
      try logger.log(row)
      var extras: [(String, Double)] = []
      if let r = ppo.episodeRewardMean { extras.append(("ep_rew_mean", r)) }
      if let e = lastEvaluation { extras.append(("eval", e.meanReturn)) }
      progress?.update(ppo.numTimesteps, extras: extras)

      let interrupted = session.shouldStop
      if ppo.isFinished || interrupted || ppo.iterations % Swift.max(config.checkpointFreq, 1) == 0 {
        checkpoint = try saveCheckpoint()
        try writeCurve()
      }
      if interrupted && !ppo.isFinished {
        status = .interrupted
        break
      }
    }
    if ppo.numTimesteps > 0 && checkpoint == nil { checkpoint = try saveCheckpoint() }
    try writeCurve()
    return (status, checkpoint)
  }

  /// Deterministic evaluation on separate copies seeded from the run's seed and the step, so a
  /// resumed run evaluates on the same episodes.
  func evaluate(index: Int) -> EvaluationResult {
    Evaluation.run(
      policy: ppo.policy, normalizer: ppo.normalizer, spec: spec, episodes: Swift.max(config.evalEpisodes, 1),
      deterministic: true, seed: config.seed &* 1_000_003 &+ UInt64(index) &+ 0x0E7A1)
  }

  @discardableResult
  func saveCheckpoint() throws -> Checkpoint {
    let data = try SafeTensors.encode(ppo.checkpointTensors(), metadata: ppo.checkpointMetadata())
    return try session.saveCheckpoint(
      step: ppo.numTimesteps, sidecar: PPOCheckpointSidecar(state: ppo.state, config: config)
    ) { url in try AtomicFile.write(data, to: url) }
  }

  /// `curve.svg`: training episode return (mean of the last 100) and evaluation return.
  func writeCurve() throws {
    guard let table = try? MetricsTable.read(folder.metricsCSVURL) else { return }
    let chart = PPOTraining.curveChart(
      table: table, title: "PPO on \(config.env) (seed \(config.seed))", references: curveReferences)
    try folder.writeCurve(chart.svg())
  }

  /// The chart of `curve.svg`: `rollout/ep_rew_mean` and `eval/mean_reward` against timesteps, with
  /// dashed reference levels.
  public static func curveChart(table: MetricsTable, title: String, references: [ReferenceLine]) -> LineChart
  {
    var series: [PlotSeries] = []
    for (key, name) in [
      (MetricName.episodeRewardMean, "rollout/ep_rew_mean"), (MetricName.evalMeanReward, "eval/mean_reward"),
    ] {
      guard let xs = table.column(MetricName.totalTimesteps), let ys = table.column(key) else { continue }
      var x: [Double] = []
      var y: [Double] = []
      for (a, b) in zip(xs, ys) {
        if let a, let b {
          x.append(a)
          y.append(b)
        }
      }
      if !x.isEmpty { series.append(PlotSeries(name: name, x: x, y: y)) }
    }
    return LineChart(
      title: title, xLabel: "timesteps", yLabel: "return", series: series, references: references)
  }
}
