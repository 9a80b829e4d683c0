import ArgumentParser
import Benchmarks
import Environments
import Foundation

/// `losslab bench env`: environment steps per second (see BENCHMARKS.md).
struct BenchEnvCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "env",
    abstract:
      "CartPole, FrozenLake 8x8, Acrobot, MountainCar, MountainCarContinuous and Pendulum steps per second, single and vectorised (--vector-sizes, default 8 and 64)."
  )
  @Flag(help: "Print one JSON object.") var json = false
  @Option(help: "Seconds per timed trial (default 0.3).") var seconds: Double = 0.3
  @Option(help: "Timed trials per figure; the median is reported (default 5).") var trials: Int = 5
  @Option(
    name: .customLong("vector-sizes"),
    help: "Comma-separated vector widths to time, each 1...65536 (default 8,64), e.g. 1,8,64,256,1024.")
  var vectorSizes = "8,64"

  /// `--vector-sizes` parsed (validate() has checked it).
  var widths: [Int] { vectorSizes.split(separator: ",").compactMap { Int($0) } }

  func validate() throws {
    try Allowed.check("--seconds", seconds, above: 0, upTo: 3_600)
    try Allowed.check("--trials", trials, 1...Limits.timedRepeats)
    let parts = vectorSizes.split(separator: ",", omittingEmptySubsequences: false)
    guard !parts.isEmpty, parts.allSatisfy({ Int($0).map { (1...65_536).contains($0) } ?? false }) else {
      throw ValidationError(
        "--vector-sizes must be comma-separated integers in 1...65536, got '\(vectorSizes)'")
    }
  }

  func run() throws {
    let lake: GridMap
    do {
      lake = try EnvironmentSpec.parse("gridworld:frozenlake-8x8").gridMap!
    } catch {
      throw ValidationError("\(error)")
    }
    let figures = EnvironmentBenchmark.run(
      frozenLake: lake, vectorSizes: widths, trials: trials, secondsPerTrial: seconds)
    // Reference rates on this machine kind (shared/ANCHORS.md).
    let gymnasiumSingle = 105_000.0
    let envpool64 = 549_000.0
    let cartSingle = figures.first { $0.environment == "cartpole" && !$0.vectorised }!.stepsPerSecond
    let cart64 = figures.first { $0.environment == "cartpole" && $0.vectorised && $0.numEnvs == 64 }?
      .stepsPerSecond
    if json {
      func tenths(_ x: Double) -> Double { (x * 10).rounded() / 10 }
      try printJSON(
        EnvironmentBenchmarkJSON(
          trials: trials,
          results: figures.map {
            .init(
              environment: $0.environment, num_envs: $0.numEnvs, vectorised: $0.vectorised,
              steps_per_second: Int($0.stepsPerSecond.rounded()))
          },
          cartpole_single_vs_gymnasium: tenths(cartSingle / gymnasiumSingle),
          cartpole_vector64_vs_envpool64: cart64.map { tenths($0 / envpool64) }))
    } else {
      for f in figures {
        print(
          "\(f.environment)\t\(f.vectorised ? "vector \(f.numEnvs)" : "single")\t"
            + "\(Int(f.stepsPerSecond.rounded())) steps/s")
      }
      print(
        String(
          format: "CartPole single: %.1fx Gymnasium; vector 64: %.1fx EnvPool", cartSingle / gymnasiumSingle,
          (cart64 ?? .nan) / envpool64))
    }
  }
}

/// `bench env --json` (keys as BENCHMARKS.md shows them).
private struct EnvironmentBenchmarkJSON: Encodable {
  struct Row: Encodable {
    var environment: String
    var num_envs: Int
    var vectorised: Bool
    var steps_per_second: Int
  }
  var benchmark = "env"
  var threads = 1
  var trials: Int
  var results: [Row]
  var cartpole_single_vs_gymnasium: Double
  /// Absent when 64 is not among --vector-sizes.
  var cartpole_vector64_vs_envpool64: Double?
}
