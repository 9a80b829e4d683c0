import Core
import Environments
import Foundation
import NeuralNets
import Reinforcement
import Runs
import Tensors

/// A trained policy loaded from a run folder's checkpoint, for `rl eval`.
public struct TrainedPolicy {
  public let config: PPORunConfig
  public let spec: EnvironmentSpec
  public let policy: ActorCritic
  public let normalizer: ObservationNormalizer?
  public let checkpoint: Checkpoint

  /// Loads `config.json` and the latest checkpoint (or the one at `step`) of a run folder.
  public init(folder: RunFolder, step: Int? = nil) throws {
    guard FileManager.default.fileExists(atPath: folder.configURL.path) else {
      throw ConfigError("\(folder.url.path) is not a run folder (no config.json)")
    }
    config = try folder.readConfig(PPORunConfig.self)
    spec = try config.environmentSpec()
    let found = step.map { s in folder.checkpoints().first { $0.step == s } } ?? folder.latestCheckpoint()
    guard let found else {
      let steps = folder.checkpoints().map { String($0.step) }.joined(separator: ", ")
      throw ConfigError(
        step == nil
          ? "\(folder.url.path) has no complete checkpoint"
          : "\(folder.url.path) has no checkpoint at step \(step!) (available: \(steps))")
    }
    checkpoint = found
    let sidecar = try found.readSidecar(PPOCheckpointSidecar.self)
    var rng = RandomGenerator(seed: 0)
    let env = spec.makeEnvironment()
    policy = ActorCritic(
      observationSize: env.observationSize, actionSpace: env.actionSpace, config: config.ppo, using: &rng)
    try policy.load(from: try SafeTensors.load(from: found.weightsURL), prefix: "policy", strict: false)
    normalizer = sidecar.state.normalizer.map {
      ObservationNormalizer(mean: $0.mean, variance: $0.variance, count: $0.count, clip: $0.clip)
    }
  }

  public func evaluate(episodes: Int, deterministic: Bool, seed: UInt64) -> EvaluationResult {
    Evaluation.run(
      policy: policy, normalizer: normalizer, spec: spec, episodes: episodes, deterministic: deterministic,
      seed: seed)
  }

  /// Text frames of one episode with this policy (Gymnasium's `ansi` rendering).
  public func renderEpisode(deterministic: Bool, seed: UInt64, color: Bool) -> [String] {
    let evalSpec = Evaluation.evaluationSpec(spec)
    var env = evalSpec.makeEnvironment()
    var rng = RandomGenerator(seed: seed, stream: 0)
    var actionRng = RandomGenerator(seed: seed, stream: 1)
    var observation = [Float](repeating: 0, count: env.observationSize)
    observation.withUnsafeMutableBufferPointer { env.reset(using: &rng, observation: $0) }
    var frames: [String] = []
    var actions = [0]
    var logProbs: [Float] = [0]
    var gaussian = [Float](repeating: 0, count: env.actionSize)
    var continuous = gaussian
    var step = 0
    func frame(_ action: Int?, _ outcome: StepOutcome?, continuous: Float? = nil) -> String {
      switch evalSpec.kind {
      case .gridworld(let map):
        let grid = Gridworld(map: map)
        let cell = observation.withUnsafeBufferPointer { grid.cell(fromObservation: $0) }
        return Rendering.gridFrame(
          map, agent: cell, color: color, step: step, action: action, outcome: outcome)
      case .classic(let env, _):
        let name =
          continuous.flatMap { Rendering.classicActionName(env, discrete: nil, continuous: $0) }
          ?? action.map { Rendering.classicActionName(env, discrete: $0, continuous: nil) ?? "\($0)" }
        return Rendering.classicFrame(
          env, observation: observation, step: step, action: name, outcome: outcome)
      case .cartPole:
        let s = observation.map(Double.init)
        return Rendering.cartPoleFrame((s[0], s[1], s[2], s[3]), step: step, action: action, outcome: outcome)
      }
    }
    frames.append(frame(nil, nil))
    while true {
      let input = normalizer.map { $0.normalize(observation) } ?? observation
      if let head = policy.gaussian {
        let (mean, _, latent) = policy.forwardWithLatent(Tensor(shape: [1, observation.count], data: input))
        head.act(
          mean: mean, latent: latent, matrices: nil, deterministic: deterministic, using: &actionRng,
          gaussian: &gaussian, envActions: &continuous, logProbs: &logProbs)
        let outcome = observation.withUnsafeMutableBufferPointer { obs in
          continuous.withUnsafeBufferPointer { env.step(continuous: $0, using: &rng, observation: obs) }
        }
        step += 1
        frames.append(frame(nil, outcome, continuous: continuous.first))
        if outcome.terminated || outcome.truncated { break }
        continue
      }
      let (logits, _) = policy.forward(Tensor(shape: [1, observation.count], data: input))
      Evaluation.act(
        logits: logits, deterministic: deterministic, rng: &actionRng, actions: &actions, logProbs: &logProbs)
      let outcome = observation.withUnsafeMutableBufferPointer {
        env.step(actions[0], using: &rng, observation: $0)
      }
      step += 1
      frames.append(frame(actions[0], outcome))
      if outcome.terminated || outcome.truncated { break }
    }
    return frames
  }
}
