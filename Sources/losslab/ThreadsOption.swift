import ArgumentParser
import Foundation
import Tensors

/// `--threads N`: OpenBLAS worker threads, shared by every command that computes
/// (`@OptionGroup var threads: ThreadsOption`, then `threads.apply()` in `run()`).
struct ThreadsOption: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "OpenBLAS threads, 1...\(ThreadsOption.maximum) (default: \(BLAS.defaultThreads), fastest for the small "
        + "matrices of RL and sequence models; see BENCHMARKS.md).",
      valueName: "n"))
  var threads: Int?

  /// OpenBLAS's compiled thread limit (`NUM_THREADS` of the Debian/Ubuntu build: 64; a larger
  /// request is silently clamped to it).
  static let openBLASLimit = 64

  /// The most threads a command accepts: this machine's cores, at most OpenBLAS's limit. More
  /// threads than cores never helps and is ruinous: an idle OpenBLAS worker busy-waits, so with 64
  /// workers on 2 cores a PPO gradient step takes 45 ms instead of 0.2 ms (`bench ppo` at its
  /// default 100,000 steps then runs for minutes, which looked like a hang).
  static var maximum: Int { min(openBLASLimit, max(1, ProcessInfo.processInfo.activeProcessorCount)) }

  func validate() throws { try ThreadsOption.check(threads) }

  /// `--threads` as a plain `Int` option in commands that keep their own.
  static func check(_ threads: Int?, flag: String = "--threads") throws {
    try Allowed.check(
      flag, threads, 1...maximum,
      "this machine's \(ProcessInfo.processInfo.activeProcessorCount) cores, at most OpenBLAS's \(openBLASLimit)"
    )
  }

  /// The thread count in effect after `apply()`.
  var resolved: Int { threads ?? BLAS.defaultThreads }

  /// Sets `BLAS.threads` to the requested count (or the default).
  func apply() { BLAS.threads = resolved }
}
