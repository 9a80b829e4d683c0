import ArgumentParser
import Benchmarks
import Environments
import Foundation
import Reinforcement
import Training

/// `losslab bench ppo`: PPO training speed with a shipped preset (CartPole-v1's by default, or
/// the preset of `--env`).
struct BenchPPOCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ppo",
    abstract:
      "Time PPO training with a shipped preset, CartPole-v1's or --env's (wall clock, steps/s, threads, peak memory)."
  )

  @Option(help: "Preset name or YAML path (ignored with --env).")
  var preset = "cartpole"

  @Option(
    help:
      "Environment whose shipped preset to time (cartpole, acrobot, mountaincar, mountaincar-continuous, pendulum, or a Gymnasium id)."
  )
  var env: String?

  @Option(help: "Environment steps.")
  var steps = 100_000

  @Option(help: "Random seed.")
  var seed: UInt64 = 0

  @Option(help: "OpenBLAS threads.")
  var threads = 1

  @Option(
    name: .customLong("eval-every"),
    help: "Untimed 20-episode deterministic evaluation every N steps (0: none).")
  var evalEvery = 5_000

  @Option(
    help:
      "PPO update implementation: auto (fused where the CPU has AVX2 or AVX-512), fused (the C kernels where the policy allows, else the tape) or tape."
  )
  var update = "auto"

  @Option(
    help:
      "Instruction set of the fused kernels: best (what this CPU runs best), avx512, avx2 or portable.")
  var kernels = "best"

  @Flag(help: "Print JSON.")
  var json = false

  func validate() throws {
    try Allowed.name("--preset", preset)
    try Allowed.name("--env", env)
    try Allowed.check("--steps", steps, 1...Limits.environmentSteps)
    try ThreadsOption.check(threads)
    try Allowed.check("--eval-every", evalEvery, 0...Limits.steps)
    guard ["auto", "fused", "tape"].contains(update) else {
      throw ValidationError("--update must be auto, fused or tape, got '\(update)'")
    }
    let names = ["best"] + KernelPath.allCases.map(\.name)
    guard names.contains(kernels) else {
      throw ValidationError("--kernels must be one of \(names.joined(separator: ", ")), got '\(kernels)'")
    }
    if let path = KernelPath.allCases.first(where: { $0.name == kernels }),
      !KernelPath.available.contains(path)
    {
      throw ValidationError(
        "--kernels: this CPU does not run \(kernels) (available: \(KernelPath.available.map(\.name).joined(separator: ", ")))"
      )
    }
  }

  func run() throws {
    var chosen: PPOPreset
    if let env {
      guard let url = PPOPreset.url(forEnvironment: env) else {
        throw ValidationError(
          "--env: no shipped preset for '\(env)' (presets: \(PPOPreset.available().joined(separator: ", ")))")
      }
      chosen = try PPOPreset.load(contentsOf: url)
      chosen.environment = env
    } else {
      chosen = try PPOPreset.resolve(preset)
    }
    KernelPath.select(KernelPath.allCases.first { $0.name == kernels } ?? KernelPath.best)
    let result = try PPOBenchmark.run(
      preset: chosen, seed: seed, timesteps: steps, threads: threads, evalEvery: evalEvery,
      useFusedUpdate: update == "auto" ? nil : update == "fused")
    if json {
      try printJSON(result)
    } else {
      print(
        String(
          format:
            "%@: %d steps in %.2f s (%.0f steps/s; rollouts %.2f s, updates %.2f s = %.0f us x %d gradient steps), peak %.1f MB",
          result.env, result.timesteps, result.wallSeconds, result.stepsPerSecond, result.rolloutSeconds,
          result.updateSeconds, result.microsecondsPerGradientStep, result.gradientSteps, result.peakMemoryMB)
      )
      print(
        String(
          format: "update: %@, %.1f GFLOP/s (%.0f%% of the %.1f GFLOP/s sgemm peak); OpenBLAS core %@",
          result.updatePath, result.updateGflops, 100 * result.updateFractionOfSgemmPeak,
          result.sgemmPeakGflops,
          result.openblasCore))
      if let hit = result.firstEvalAtLeast475 {
        print("first deterministic evaluation >= 475 after \(hit) steps")
      }
    }
  }
}
