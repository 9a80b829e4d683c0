import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A progress bar for long runs, on stderr:
///
/// ```
/// train  45%|█████████████▌                | 45056/100000 [00:12<00:15, 3754 SPS] ep_rew_mean=123.4
/// ```
///
/// When stderr is a terminal the line is redrawn in place (`\r`) at most 10 times a second. When it
/// is not (CI logs, `2> log.txt`), a plain line is printed each time another 10% is done, so logs
/// stay short. ``finish(extras:)`` prints a final line with the totals.
///
/// The rate is the average since the bar started (`SPS` = steps per second, as SB3's `time/fps`),
/// counting only steps done in this process (a resumed run starts at `initial`). ETA is the
/// remaining steps at that rate.
///
/// Not `Sendable`: create and update it from the thread that runs the loop.
public final class ProgressBar {
  /// Whether output is redrawn in place (terminal) or printed as periodic lines (log file).
  public enum Style: Sendable {
    case interactive
    case lines
  }

  public let total: Int
  public let label: String
  public let style: Style
  private let initial: Int
  private let unitName: String
  private let barWidth: Int
  private let lineFraction: Double
  private let write: (String) -> Void
  private let clock: () -> Double
  private let startTime: Double
  private var lastDraw = -Double.infinity
  private var lastDrawnLength = 0
  private var nextLineFraction: Double
  private var done: Int
  private var finished = false

  /// A bar for `total` steps on stderr; the style follows `isatty(stderr)` unless given.
  ///
  /// - Parameters:
  ///   - total: steps to do (> 0).
  ///   - initial: steps already done (resuming a run).
  ///   - label: text before the bar (e.g. `train`, the run name).
  ///   - rateUnit: the rate's unit, `SPS` (steps per second) by default.
  ///   - style: force `.interactive` or `.lines`; `nil` picks by whether stderr is a terminal.
  public convenience init(
    total: Int, initial: Int = 0, label: String = "", rateUnit: String = "SPS", style: Style? = nil
  ) {
    let chosen = style ?? (isatty(STDERR_FILENO) == 1 ? .interactive : .lines)
    self.init(
      total: total, initial: initial, label: label, rateUnit: rateUnit, style: chosen,
      write: { FileHandle.standardError.write(Data($0.utf8)) },
      clock: { ProcessInfo.processInfo.systemUptime })
  }

  /// Full control for tests: where text goes and what time it is (seconds).
  init(
    total: Int, initial: Int, label: String, rateUnit: String, style: Style, barWidth: Int = 30,
    lineFraction: Double = 0.1, write: @escaping (String) -> Void, clock: @escaping () -> Double
  ) {
    precondition(total > 0, "ProgressBar total must be positive, got \(total)")
    self.total = total
    // A run's step can pass its budget (PPO rounds up to whole rollouts): clamp, never trap.
    let initial = Swift.min(Swift.max(initial, 0), total)
    self.initial = initial
    self.label = label
    self.unitName = rateUnit
    self.style = style
    self.barWidth = barWidth
    self.lineFraction = lineFraction
    self.write = write
    self.clock = clock
    startTime = clock()
    done = initial
    let startFraction = Double(initial) / Double(total)
    nextLineFraction = (startFraction / lineFraction).rounded(.down) * lineFraction + lineFraction
  }

  /// Reports `done` steps so far (clamped to `total`) with extra fields shown after the bar,
  /// e.g. `[("ep_rew_mean", 123.4)]`. Cheap to call every update: it draws only when due.
  public func update(_ done: Int, extras: [(String, Double)] = []) {
    precondition(!finished, "ProgressBar.update after finish()")
    self.done = min(max(done, 0), total)
    let now = clock()
    switch style {
    case .interactive:
      guard now - lastDraw >= 0.1 else { return }
      lastDraw = now
      draw(render(now: now, extras: extras))
    case .lines:
      let fraction = Double(self.done) / Double(total)
      guard fraction + 1e-12 >= nextLineFraction, self.done < total else { return }
      while nextLineFraction <= fraction + 1e-12 { nextLineFraction += lineFraction }
      write(render(now: now, extras: extras) + "\n")
    }
  }

  /// Prints the final line (always, in both styles) and ends the bar. `done` defaults to the last
  /// reported count (an interrupted run finishes short of `total`).
  public func finish(done: Int? = nil, extras: [(String, Double)] = []) {
    guard !finished else { return }
    if let done { self.done = min(max(done, 0), total) }
    finished = true
    let line = render(now: clock(), extras: extras)
    if style == .interactive { draw(line) } else { write(line) }
    write("\n")
  }

  private func draw(_ line: String) {
    let padding = max(0, lastDrawnLength - line.count)
    write("\r" + line + String(repeating: " ", count: padding))
    lastDrawnLength = line.count
  }

  /// One status line: label, percent, bar, counts, [elapsed<ETA, rate], extras.
  func render(now: Double, extras: [(String, Double)]) -> String {
    let elapsed = max(0, now - startTime)
    let fraction = Double(done) / Double(total)
    let rate = elapsed > 0 ? Double(done - initial) / elapsed : 0
    let remaining = total - done
    let eta: String
    if remaining == 0 {
      eta = ProgressBar.duration(0)
    } else if rate > 0 {
      eta = ProgressBar.duration(Double(remaining) / rate)
    } else {
      eta = "?"
    }
    var line = label.isEmpty ? "" : label + " "
    line += String(format: "%3d%%", Int((fraction * 100).rounded(.down)))
    line += "|" + ProgressBar.bar(fraction, width: barWidth) + "| "
    line +=
      "\(done)/\(total) [\(ProgressBar.duration(elapsed))<\(eta), \(ProgressBar.rate(rate)) \(unitName)]"
    for (name, value) in extras { line += " \(name)=\(ProgressBar.value(value))" }
    return line
  }

  /// Eighth-block bar: full blocks, one partial block, spaces.
  static func bar(_ fraction: Double, width: Int) -> String {
    let partials: [Character] = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
    let eighths = Int((min(max(fraction, 0), 1) * Double(width * 8)).rounded(.down))
    let full = eighths / 8
    var s = String(repeating: "█", count: full)
    if full < width {
      s.append(partials[eighths % 8])
      s += String(repeating: " ", count: width - full - 1)
    }
    return s
  }

  /// `mm:ss`, or `h:mm:ss` past an hour.
  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let total = Int(seconds.rounded())
    let (h, m, s) = (total / 3600, (total / 60) % 60, total % 60)
    return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%02d:%02d", m, s)
  }

  static func rate(_ r: Double) -> String {
    r >= 100 ? String(format: "%.0f", r) : String(format: "%.2f", r)
  }

  /// Compact numbers for extras: 4 significant digits, no exponent below 1e6.
  static func value(_ v: Double) -> String {
    if !v.isFinite { return MetricsLogger.format(v) }
    let magnitude = abs(v)
    if magnitude >= 1e6 || (magnitude < 1e-3 && magnitude > 0) { return String(format: "%.3e", v) }
    if magnitude >= 1000 { return String(format: "%.0f", v) }
    var s = String(format: "%.4g", v)
    if s.contains("e") { s = String(format: "%.4f", v) }
    return s
  }
}
