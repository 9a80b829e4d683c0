import Core
import Environments
import Foundation
import NeuralNets
import Reinforcement
import Runs
import Tensors
import Testing
import Training

/// PPO on box action spaces (Pendulum-v1, MountainCarContinuous-v0) through the same driver as
/// CartPole: presets, metrics, checkpoints with `log_std`, exact resume with gSDE and reward scaling.
@Suite struct BoxPPOTrainingTests {
  static let presets: URL = {
    var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while url.path != "/" {
      let candidate = url.appendingPathComponent("environments/presets")
      if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
      url = url.deletingLastPathComponent()
    }
    fatalError("environments/presets not found above \(#filePath)")
  }()

  static func folder(_ name: String) -> RunFolder {
    RunFolder(
      url: FileManager.default.temporaryDirectory.appendingPathComponent(
        "losslab-boxppo-\(name)-\(ProcessInfo.processInfo.processIdentifier)-\(UInt64.random(in: 0..<UInt64.max))"
      ))
  }

  /// A short run of `preset` with small rollouts.
  static func short(_ preset: String, env: String, overrides: [String] = [], steps: Int = 1024) throws
    -> PPORunConfig
  {
    var ppo = try PPOPreset.resolve(preset, in: presets).config
    for item in ["n_envs=2", "n_steps=64", "batch_size=32", "n_epochs=2"] + overrides {
      let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
      try ppo.set(parts[0], parts[1])
    }
    var config = PPORunConfig(env: env, totalTimesteps: steps, ppo: ppo)
    config.seed = 5
    config.evalFreq = 512
    config.evalEpisodes = 2
    config.checkpointFreq = 2
    return config
  }

  /// The Zoo's presets, apart from the documented tuned keys (docs/continuous.md, "Tuned presets").
  @Test func presetsAreTheZoosPlusTheTunedKeys() throws {
    let p = try PPOPreset.resolve("pendulum", in: Self.presets).config
    #expect(p.useSde && p.sdeSampleFreq == 4 && p.nEnvs == 4 && p.nSteps == 1024 && p.gaeLambda == 0.95)
    #expect(!p.normalize && p.nTimesteps == 100_000 && p.clipRange == .constant(0.2))
    #expect(p.learningRate == .linear(1e-3) && p.nEpochs == 30 && p.gamma == 0.98 && p.logStdInit == -0.5)
    #expect(p.netArch == [128, 128])
    let m = try PPOPreset.resolve("mountaincar-continuous", in: Self.presets).config
    #expect(
      m.useSde && m.sdeSampleFreq == -1 && m.logStdInit == -1 && !m.orthoInit && m.normalize
        && m.normReward)
    #expect(m.gamma == 0.9999 && m.entCoef == 0.00429 && m.vfCoef == 0.19 && m.maxGradNorm == 5)
    for name in ["acrobot", "mountaincar"] {
      let c = try PPOPreset.resolve(name, in: Self.presets).config
      #expect(c.nEnvs == 16 && c.normalize && c.normReward && c.nEpochs == 10 && c.nTimesteps == 1_000_000)
    }
    var bad = PPOConfig()
    #expect(throws: ConfigError.self) { try bad.set("sde_sample_freq", "0") }
    #expect(throws: ConfigError.self) { try bad.set("log_std_init", "nan") }
  }

  @Test func pendulumTrainsLikeCartPole() throws {
    let folder = Self.folder("pendulum")
    defer { try? FileManager.default.removeItem(at: folder.url) }
    let training = try PPOTraining(
      config: try Self.short("pendulum", env: "Pendulum-v1"), folder: folder, resume: false)
    let outcome = try training.run(progress: nil)
    #expect(outcome.status == .finished && outcome.timesteps == 1024)
    let table = try MetricsTable.read(folder.metricsCSVURL)
    let std = table.column("train/std")?.compactMap { $0 } ?? []
    #expect(std.count == 8 && std.allSatisfy { $0.isFinite && $0 > 0 })
    #expect(table.column(MetricName.episodeRewardMean)?.compactMap { $0 }.last.map { $0 < 0 } == true)
    #expect(outcome.lastEvaluation.map { $0.meanLength == 200 } == true)
    let weights = try SafeTensors.load(from: try #require(folder.latestCheckpoint()).weightsURL)
    #expect(weights.tensors.first { $0.name == "policy.log_std" }?.tensor.shape == [128, 1])  // 128x128 preset
    // rl eval's loader rebuilds the Gaussian policy and acts with its mean.
    let trained = try TrainedPolicy(folder: folder)
    #expect(trained.policy.gaussian != nil)
    let e = trained.evaluate(episodes: 2, deterministic: true, seed: 1)
    #expect(e.lengths == [200, 200] && e.returns.allSatisfy { $0 < 0 })
  }

  /// gSDE with resampling every 4 steps, observation and reward normalisation, a diagonal
  /// Gaussian with squashing: interrupted and resumed runs equal the uninterrupted one.
  @Test(arguments: [
    ["sde_sample_freq=4"], ["use_sde=false", "squash_output=true", "log_std_init=-0.5"],
  ])
  func resumeContinuesExactly(overrides: [String]) throws {
    let whole = Self.folder("whole")
    let split = Self.folder("split")
    defer {
      try? FileManager.default.removeItem(at: whole.url)
      try? FileManager.default.removeItem(at: split.url)
    }
    let config = try Self.short("mountaincar-continuous", env: "mountaincar-continuous", overrides: overrides)
    #expect(config.ppo.normReward && config.ppo.normalize)
    let uninterrupted = try PPOTraining(config: config, folder: whole, resume: false)
    _ = try uninterrupted.run(progress: nil)
    let first = try PPOTraining(config: config, folder: split, resume: false)
    let stopped = try first.run(progress: nil, stopAtTimesteps: 3 * 128)
    #expect(stopped.status == .interrupted && stopped.timesteps == 384)
    let second = try PPOTraining(config: config, folder: split, resume: true)
    #expect(second.ppo.numTimesteps == 384 && second.ppo.rewardNormalizer == first.ppo.rewardNormalizer)
    _ = try second.run(progress: nil)
    #expect((try deterministicColumns(split)) == (try deterministicColumns(whole)))
    for (p, q) in zip(uninterrupted.ppo.policy.parameters, second.ppo.policy.parameters) {
      #expect(p.value == q.value)
    }
    #expect(uninterrupted.ppo.state == second.ppo.state)
    #expect(uninterrupted.ppo.state.rewardNormalizer != nil)
  }
}
