import COpenBLAS
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
    /// Thread CPU seconds of rollouts and updates (wall time minus waiting for a core).
    public var rolloutCPUSeconds: Double
    public var updateCPUSeconds: Double
    public var gradientSteps: Int
    public var microsecondsPerGradientStep: Double
    public var peakMemoryMB: Double
    public var evalEvery: Int
    public var firstEvalAtLeast475: Int?
    public var finalEvalMeanReturn: Double?
    /// Timed seconds outside rollouts and updates (logging, schedules, bookkeeping).
    public var otherSeconds: Double
    /// The update's implementation (`PPO.updatePath`: "fused-avx512", "fused-avx2",
    /// "fused-portable" or "tape") and the kernel paths this CPU runs.
    public var updatePath: String
    public var kernelPathsAvailable: [String]
    /// `openblas_get_corename()`: the OpenBLAS kernels in use (tape path, rollouts).
    public var openblasCore: String
    /// Multiply-adds x 2 of forward + backward of both MLPs for one full minibatch (see
    /// `gradientStepFlops`), the update phase's achieved rate over its CPU time, the measured
    /// single-thread sgemm peak (512^3, best of 5) and the ratio achieved / peak.
    public var flopsPerGradientStep: Double
    public var updateGflops: Double
    public var sgemmPeakGflops: Double
    public var updateFractionOfSgemmPeak: Double

    enum CodingKeys: String, CodingKey {
      case env, preset, seed, timesteps, threads
      case wallSeconds = "wall_seconds", cpuSeconds = "cpu_seconds", stepsPerSecond = "steps_per_second"
      case rolloutSeconds = "rollout_seconds", updateSeconds = "update_seconds", otherSeconds =
        "other_seconds"
      case gradientSteps = "gradient_steps", microsecondsPerGradientStep = "us_per_gradient_step"
      case peakMemoryMB = "peak_memory_mb", evalEvery = "eval_every", firstEvalAtLeast475 =
        "first_eval_at_least_475"
      case finalEvalMeanReturn = "final_eval_mean_return"
      case rolloutCPUSeconds = "rollout_cpu_seconds", updateCPUSeconds = "update_cpu_seconds"
      case updatePath = "update_path", kernelPathsAvailable = "kernel_paths_available"
      case openblasCore = "openblas_corename", flopsPerGradientStep = "flop_per_gradient_step"
      case updateGflops = "update_gflops", sgemmPeakGflops = "sgemm_peak_gflops"
      case updateFractionOfSgemmPeak = "update_fraction_of_sgemm_peak"
    }
  }

  /// - Parameters:
  ///   - evalEvery: steps between 20-episode deterministic evaluations (0: none), not timed.
  ///   - useFusedUpdate: false times the tape update (for before/after comparisons); nil: PPO's
  ///     default.
  public static func run(
    preset: PPOPreset, seed: UInt64, timesteps: Int, threads: Int, evalEvery: Int, useFusedUpdate: Bool? = nil
  ) throws -> Result {
    BLAS.threads = threads
    let peak = sgemmPeakGflops()
    let spec = try EnvironmentSpec.parse(preset.environment ?? "cartpole", options: preset.environmentOptions)
    let ppo = try PPO(
      config: preset.config, env: spec.makeVector(numEnvs: preset.config.nEnvs), seed: seed,
      totalTimesteps: timesteps)
    if let useFusedUpdate { ppo.useFusedUpdate = useFusedUpdate }
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
    let flops = gradientStepFlops(
      observationSize: spec.makeVector(numEnvs: 1).observationSize, actionCount: ppo.policy.actionCount,
      netArch: preset.config.netArch, batch: Swift.min(preset.config.batchSize, preset.config.rolloutSize))
    let achieved = flops * Double(gradientSteps) / Swift.max(ppo.updateCPUSeconds, 1e-9) / 1e9
    return Result(
      env: spec.name, preset: preset.name, seed: seed, timesteps: ppo.numTimesteps, threads: threads,
      wallSeconds: timed, cpuSeconds: cpu, stepsPerSecond: Double(ppo.numTimesteps) / timed,
      rolloutSeconds: ppo.rolloutSeconds,
      updateSeconds: ppo.updateSeconds, rolloutCPUSeconds: ppo.rolloutCPUSeconds,
      updateCPUSeconds: ppo.updateCPUSeconds, gradientSteps: gradientSteps,
      microsecondsPerGradientStep: ppo.updateSeconds / Double(Swift.max(gradientSteps, 1)) * 1e6,
      peakMemoryMB: Timing.peakMemoryMB(), evalEvery: evalEvery, firstEvalAtLeast475: firstHit,
      finalEvalMeanReturn: lastEval,
      otherSeconds: Swift.max(0, timed - ppo.rolloutSeconds - ppo.updateSeconds),
      updatePath: ppo.updatePath, kernelPathsAvailable: KernelPath.available.map(\.name),
      openblasCore: String(cString: openblas_get_corename()), flopsPerGradientStep: flops,
      updateGflops: achieved,
      sgemmPeakGflops: peak, updateFractionOfSgemmPeak: achieved / peak)
  }

  /// FLOP (2 per multiply-add) of one minibatch gradient step of separate actor and critic MLPs
  /// `d -> h1 -> ... -> hk` with heads `hk -> actions` and `hk -> 1` at `batch` samples:
  /// forward products, weight-gradient products (as many), and input-gradient products of every
  /// layer but the first (whose input is the observation). Elementwise work is not counted.
  public static func gradientStepFlops(observationSize d: Int, actionCount a: Int, netArch: [Int], batch: Int)
    -> Double
  {
    let widths = [d] + netArch
    var forward = 0.0
    var inputGrad = 0.0
    for i in 0..<(widths.count - 1) {
      let macs = 2.0 * Double(widths[i] * widths[i + 1])  // both networks
      forward += macs
      if i > 0 { inputGrad += macs }
    }
    let last = Double(widths.last!)
    let heads = last * Double(a + 1)
    forward += heads
    inputGrad += heads
    return 2 * Double(batch) * (2 * forward + inputGrad)
  }

  /// Single-thread sgemm rate on 512 x 512 x 512 (best of 5, over the thread's CPU time, so that
  /// waiting for a core on a shared machine does not lower it), GFLOP/s.
  public static func sgemmPeakGflops() -> Double {
    let n = 512
    let a = [Float](repeating: 0.5, count: n * n)
    let b = [Float](repeating: 0.25, count: n * n)
    var c = [Float](repeating: 0, count: n * n)
    var best = Double.infinity
    for _ in 0..<5 {
      let t0 = threadCPUSeconds()
      a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
          c.withUnsafeMutableBufferPointer { pc in
            BLAS.sgemm(
              transA: false, transB: false, m: n, n: n, k: n, a: pa.baseAddress!, lda: n, b: pb.baseAddress!,
              ldb: n, c: pc.baseAddress!, ldc: n)
          }
        }
      }
      best = Swift.min(best, threadCPUSeconds() - t0)
    }
    return 2 * Double(n * n * n) / best / 1e9
  }

  static func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
  }
}
