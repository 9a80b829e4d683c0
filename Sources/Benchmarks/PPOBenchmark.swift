import Environments
import Foundation
import Reinforcement
import Tensors
import Training

#if canImport(Glibc)
  import Glibc
#endif

/// `losslab bench ppo`: trains PPO on CartPole-v1 with the shipped preset and reports wall-clock
/// time, steps per second, where the time goes, peak memory, and (from deterministic evaluations
/// run outside the timed sections) the first step at which the policy scores >= 475.
public enum PPOBenchmark {
  public struct Result: Codable, Sendable {
    public var env: String
    public var preset: String
    public var seed: UInt64
    public var timesteps: Int
    public var threads: Int
    public var wallSeconds: Double
    /// CPU seconds (user + system) of the timed sections: on a shared machine wall time includes
    /// waiting for a core; with one BLAS thread, CPU time is what the work costs.
    public var cpuSeconds: Double
    public var stepsPerSecond: Double
    public var rolloutSeconds: Double
    public var updateSeconds: Double
    public var gradientSteps: Int
    public var microsecondsPerGradientStep: Double
    public var peakMemoryMB: Double
    public var evalEvery: Int
    public var firstEvalAtLeast475: Int?
    public var finalEvalMeanReturn: Double?

    enum CodingKeys: String, CodingKey {
      case env, preset, seed, timesteps, threads
      case wallSeconds = "wall_seconds", cpuSeconds = "cpu_seconds", stepsPerSecond = "steps_per_second"
      case rolloutSeconds = "rollout_seconds", updateSeconds = "update_seconds"
      case gradientSteps = "gradient_steps", microsecondsPerGradientStep = "us_per_gradient_step"
      case peakMemoryMB = "peak_memory_mb", evalEvery = "eval_every", firstEvalAtLeast475 =
        "first_eval_at_least_475"
      case finalEvalMeanReturn = "final_eval_mean_return"
    }
  }

  /// - Parameters:
  ///   - evalEvery: steps between 20-episode deterministic evaluations (0: none), not timed.
  public static func run(
    preset: PPOPreset, seed: UInt64, timesteps: Int, threads: Int, evalEvery: Int
  ) throws -> Result {
    BLAS.threads = threads
    let spec = try EnvironmentSpec.parse(preset.environment ?? "cartpole", options: preset.environmentOptions)
    let ppo = try PPO(
      config: preset.config, env: spec.makeVector(numEnvs: preset.config.nEnvs), seed: seed,
      totalTimesteps: timesteps)
    var firstHit: Int? = nil
    var lastEval: Double? = nil
    var timed = 0.0
    var cpu = 0.0
    var gradientSteps = 0
    let perEpoch = (preset.config.rolloutSize + preset.config.batchSize - 1) / preset.config.batchSize
    while !ppo.isFinished {
      let before = ppo.numTimesteps
      let t0 = Timing.now()
      let c0 = Timing.cpuSeconds()
      let stats = try ppo.iterate()
      timed += Timing.now() - t0
      cpu += Timing.cpuSeconds() - c0
      gradientSteps += stats.epochs * perEpoch
      if evalEvery > 0, ppo.numTimesteps / evalEvery > before / evalEvery || ppo.isFinished {
        let r = Evaluation.run(
          policy: ppo.policy, normalizer: ppo.normalizer, spec: spec, episodes: 20, deterministic: true,
          seed: seed &+ UInt64(ppo.numTimesteps))
        lastEval = r.meanReturn
        if firstHit == nil && r.meanReturn >= 475 { firstHit = ppo.numTimesteps }
      }
    }
    return Result(
      env: spec.name, preset: preset.name, seed: seed, timesteps: ppo.numTimesteps, threads: threads,
      wallSeconds: timed, cpuSeconds: cpu, stepsPerSecond: Double(ppo.numTimesteps) / timed,
      rolloutSeconds: ppo.rolloutSeconds,
      updateSeconds: ppo.updateSeconds, gradientSteps: gradientSteps,
      microsecondsPerGradientStep: ppo.updateSeconds / Double(Swift.max(gradientSteps, 1)) * 1e6,
      peakMemoryMB: Timing.peakMemoryMB(), evalEvery: evalEvery, firstEvalAtLeast475: firstHit,
      finalEvalMeanReturn: lastEval)
  }
}
