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

  @Flag(help: "Print JSON.")
  var json = false

  func validate() throws {
    try Allowed.name("--preset", preset)
    try Allowed.name("--env", env)
    try Allowed.check("--steps", steps, 1...Limits.environmentSteps)
    try ThreadsOption.check(threads)
    try Allowed.check("--eval-every", evalEvery, 0...Limits.steps)
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
    let result = try PPOBenchmark.run(
      preset: chosen, seed: seed, timesteps: steps, threads: threads, evalEvery: evalEvery)
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
      if let hit = result.firstEvalAtLeast475 {
        print("first deterministic evaluation >= 475 after \(hit) steps")
      }
    }
  }
}
