import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The one timing harness every benchmark uses: a monotonic clock, medians, CPU time and peak
/// memory from `getrusage`, and calibrated repeated measurement.
public enum Timing {
  /// Monotonic seconds (CLOCK_MONOTONIC through Dispatch), for differences only.
  public static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

  /// Wall-clock seconds that `body` took.
  public static func seconds(_ body: () throws -> Void) rethrows -> Double {
    let t0 = now()
    try body()
    return now() - t0
  }

  /// The median (mean of the two middle values for an even count); 0 for no values.
  public static func median(_ xs: [Double]) -> Double {
    guard !xs.isEmpty else { return 0 }
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
  }

  /// User + system CPU seconds of this process so far.
  public static func cpuSeconds() -> Double { usage(RUSAGE_SELF.rawValue).cpu }

  /// User + system CPU seconds of all waited-for child processes so far.
  public static func childCPUSeconds() -> Double { usage(RUSAGE_CHILDREN.rawValue).cpu }

  /// Peak resident set size of this process in MB (getrusage's ru_maxrss is KiB on Linux).
  public static func peakMemoryMB() -> Double { Double(usage(RUSAGE_SELF.rawValue).maxRSS) / 1024 }

  private static func usage(_ who: Int32) -> (cpu: Double, maxRSS: Int) {
    var usage = rusage()
    getrusage(__rusage_who_t(who), &usage)
    func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
    return (s(usage.ru_utime) + s(usage.ru_stime), usage.ru_maxrss)
  }

  /// Rates (`steps / second`) of `trials` trials of `body(steps)`, each about `secondsPerTrial`
  /// long after calibrating `steps` (starting at 10,000, times 4 until a run takes a quarter of
  /// the trial). `body` returns a value that is accumulated so the work cannot be optimised away.
  public static func rates(trials: Int, secondsPerTrial: Double, _ body: (Int) -> Double) -> [Double] {
    var steps = 10_000
    var sink = 0.0
    while true {
      let dt = seconds { sink += body(steps) }
      if dt > secondsPerTrial / 4 {
        steps = max(steps, Int(Double(steps) * secondsPerTrial / dt))
        break
      }
      steps *= 4
    }
    var rates: [Double] = []
    for _ in 0..<trials {
      let dt = seconds { sink += body(steps) }
      rates.append(Double(steps) / dt)
    }
    if sink.isNaN { print("") }  // keeps the work observable
    return rates
  }

  /// Seconds per call of each of `bodies`, timed in interleaved rounds, each round running every
  /// body for about `budget / rounds` seconds. Reports the fastest round of each body: on a shared
  /// machine other processes only ever add time, so the minimum is the least disturbed figure
  /// (as Python's `timeit` recommends).
  public static func interleaved(budget: Double, rounds: Int = 31, _ bodies: [() -> Void]) -> [Double] {
    var iterations: [Int] = []
    for body in bodies {
      body()  // warm-up
      var n = 1
      while true {
        let dt = seconds { for _ in 0..<n { body() } }
        if dt > budget / Double(rounds * 4) || n > 1 << 24 {
          iterations.append(max(1, Int(Double(n) * budget / Double(rounds) / max(dt, 1e-9))))
          break
        }
        n *= 2
      }
    }
    var samples = [[Double]](repeating: [], count: bodies.count)
    for _ in 0..<rounds {
      for (k, body) in bodies.enumerated() {
        let dt = seconds { for _ in 0..<iterations[k] { body() } }
        samples[k].append(dt / Double(iterations[k]))
      }
    }
    return samples.map { $0.min() ?? 0 }
  }
}
