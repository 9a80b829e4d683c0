import Core
import Environments
import Foundation
import NeuralNets
import Reinforcement
import Reports
import Runs
import Tensors
import Testing
import Training

@testable import Training

/// The shipped presets folder (`environments/presets` at the repository root).
private let presetsDirectory: URL = {
  var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  while url.path != "/" {
    let candidate = url.appendingPathComponent("environments/presets")
    if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
    url = url.deletingLastPathComponent()
  }
  fatalError("environments/presets not found above \(#filePath)")
}()

private func temporaryFolder(_ name: String) -> RunFolder {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent(
    "losslab-ppo-\(name)-\(ProcessInfo.processInfo.processIdentifier)-\(UInt64.random(in: 0..<UInt64.max))")
  return RunFolder(url: url)
}

/// A short CartPole run: the RL-Zoo preset, 16 iterations of 256 steps.
private func shortCartPole(seed: UInt64 = 3) throws -> PPORunConfig {
  let preset = try PPOPreset.load(contentsOf: presetsDirectory.appendingPathComponent("cartpole.yaml"))
  var config = PPORunConfig(env: "cartpole", totalTimesteps: 4096, ppo: preset.config)
  config.seed = seed
  config.evalFreq = 1024
  config.evalEpisodes = 3
  config.checkpointFreq = 4
  return config
}

@Suite struct PPOTrainingTests {
  @Test func presetsParseAndCartPoleIsRLZoos() throws {
    let names = PPOPreset.available(in: presetsDirectory)
    #expect(names.contains("cartpole") && names.contains("frozenlake-8x8"))
    for name in names { _ = try PPOPreset.resolve(name, in: presetsDirectory) }
    let c = try PPOPreset.resolve("cartpole", in: presetsDirectory).config
    #expect(c.nEnvs == 8 && c.nSteps == 32 && c.batchSize == 256 && c.nEpochs == 20)
    #expect(c.gamma == 0.98 && c.gaeLambda == 0.8 && c.entCoef == 0)
    #expect(c.learningRate == .linear(1e-3) && c.clipRange == .linear(0.2))
    #expect(c.netArch == [64, 64] && !c.sharedTrunk && c.adamEps == 1e-5)
  }

  @Test func badPresetValuesNameTheKey() {
    #expect(throws: ConfigError.self) { _ = try PPOPreset.parse("gamma: 2", name: "x") }
    do {
      _ = try PPOPreset.parse("gama: 0.9", name: "x")
      Issue.record("unknown key accepted")
    } catch let error as ConfigError {
      #expect(error.message.contains("gama") && error.message.contains("gamma"))
    } catch { Issue.record("\(error)") }
  }

  @Test func sameSeedGivesIdenticalMetrics() throws {
    let a = temporaryFolder("det-a")
    let b = temporaryFolder("det-b")
    defer {
      try? FileManager.default.removeItem(at: a.url)
      try? FileManager.default.removeItem(at: b.url)
    }
    let config = try shortCartPole()
    _ = try PPOTraining(config: config, folder: a, resume: false).run(progress: nil)
    _ = try PPOTraining(config: config, folder: b, resume: false).run(progress: nil)
    let rowsA = try deterministicColumns(a)
    #expect(rowsA.count == 17)  // header + 16 iterations
    #expect(rowsA == (try deterministicColumns(b)))
    // Another seed differs.
    let c = temporaryFolder("det-c")
    defer { try? FileManager.default.removeItem(at: c.url) }
    _ = try PPOTraining(config: try shortCartPole(seed: 4), folder: c, resume: false).run(
      progress: nil)
    #expect(rowsA != (try deterministicColumns(c)))
  }

  /// `--update tape` keeps the tape path whatever the CPU, is saved in config.json and survives
  /// `--resume` (the saved config is what a resume trains with).
  @Test func updatePathIsChosenSavedAndResumed() throws {
    let folder = temporaryFolder("update-tape")
    defer { try? FileManager.default.removeItem(at: folder.url) }
    var config = try shortCartPole()
    config.update = "tape"
    config.totalTimesteps = 512
    let training = try PPOTraining(config: config, folder: folder, resume: false)
    #expect(training.ppo.updatePath == "tape")
    _ = try training.run(progress: nil)
    let saved = try JSONDecoder().decode(PPORunConfig.self, from: Data(contentsOf: folder.configURL))
    #expect(saved.update == "tape")
  }

  @Test func resumeContinuesExactly() throws {
    let whole = temporaryFolder("whole")
    let split = temporaryFolder("split")
    defer {
      try? FileManager.default.removeItem(at: whole.url)
      try? FileManager.default.removeItem(at: split.url)
    }
    let config = try shortCartPole()
    let uninterrupted = try PPOTraining(config: config, folder: whole, resume: false)
    _ = try uninterrupted.run(progress: nil)

    // Stop after 6 iterations (between checkpoints 4 and 8: the stop itself checkpoints), resume.
    let first = try PPOTraining(config: config, folder: split, resume: false)
    let stopped = try first.run(progress: nil, stopAtTimesteps: 6 * 256)
    #expect(stopped.status == .interrupted && stopped.timesteps == 1536)
    #expect(split.readStatus() == .interrupted)
    #expect(split.latestCheckpoint()?.step == 1536)
    let second = try PPOTraining(config: config, folder: split, resume: true)
    #expect(second.ppo.numTimesteps == 1536 && second.ppo.iterations == 6)
    let finished = try second.run(progress: nil)
    #expect(finished.status == .finished && finished.timesteps == 4096)

    #expect((try deterministicColumns(split)) == (try deterministicColumns(whole)))
    for (p, q) in zip(uninterrupted.ppo.policy.parameters, second.ppo.policy.parameters) {
      #expect(p.value == q.value)
    }
    #expect(uninterrupted.ppo.state == second.ppo.state)
  }

  @Test func nonFiniteLossStopsAndKeepsLastGoodCheckpoint() throws {
    let folder = temporaryFolder("nan")
    defer { try? FileManager.default.removeItem(at: folder.url) }
    var config = try shortCartPole()
    config.checkpointFreq = 2
    let training = try PPOTraining(config: config, folder: folder, resume: false)
    _ = try training.run(progress: nil, stopAtTimesteps: 512)
    let good = try #require(folder.latestCheckpoint())
    let resumed = try PPOTraining(config: config, folder: folder, resume: true)
    resumed.ppo.policy.actionHead.weight.value.data[0] = .nan
    #expect(throws: NonFiniteLossError.self) { _ = try resumed.run(progress: nil) }
    if case .failed(let reason)? = folder.readStatus() {
      #expect(reason.contains("non-finite"))
    } else {
      Issue.record("status is \(String(describing: folder.readStatus()))")
    }
    #expect(folder.latestCheckpoint() == good)
  }

  @Test func evaluationLoadsTheRun() throws {
    let folder = temporaryFolder("eval")
    defer { try? FileManager.default.removeItem(at: folder.url) }
    var config = try shortCartPole()
    config.ppo.normalize = true  // exercise the saved normaliser
    let training = try PPOTraining(config: config, folder: folder, resume: false)
    _ = try training.run(progress: nil)
    let trained = try TrainedPolicy(folder: folder)
    #expect(trained.normalizer == training.ppo.normalizer)
    let a = trained.evaluate(episodes: 5, deterministic: true, seed: 9)
    let b = Evaluation.run(
      policy: training.ppo.policy, normalizer: training.ppo.normalizer, spec: training.spec, episodes: 5,
      deterministic: true, seed: 9)
    #expect(a == b && a.episodes == 5)
    let frames = trained.renderEpisode(deterministic: true, seed: 1, color: false)
    #expect(frames.count >= 2 && frames[0].contains("step 0"))
  }

  /// A gridworld run's `curve.svg` shows the optimum that `rl eval --json` reports
  /// (`optimal_return`, from value iteration) and the random policy's return as dashed reference
  /// lines, outside the legend.
  @Test func gridworldCurveShowsTheOptimum() throws {
    let folder = temporaryFolder("grid-curve")
    defer { try? FileManager.default.removeItem(at: folder.url) }
    var config = PPORunConfig(env: "gridworld:fourrooms", totalTimesteps: 2048, ppo: PPOConfig())
    config.envOptions = ["slippery": "true"]
    config.evalFreq = 1024
    config.evalEpisodes = 2
    let training = try PPOTraining(config: config, folder: folder, resume: false)
    _ = try training.run(progress: nil)
    let svg = try String(contentsOf: folder.curveURL, encoding: .utf8)
    let ceiling = GridworldCeiling(map: try #require(training.spec.gridMap))
    #expect(svg.contains(">\(ReferenceLine(name: "R*", value: ceiling.optimalReturn).text)</text>"))
    #expect(svg.contains(">random = "))
    #expect(svg.components(separatedBy: "class=\"reference\"").count == 3)
    #expect(svg.components(separatedBy: "class=\"legend-entry\"").count == 3)  // the two metrics only
  }
}
