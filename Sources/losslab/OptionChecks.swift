import ArgumentParser
import Foundation

/// Range checks for option values, used by every command's `validate()`: a failure is a
/// `ValidationError` reading `--flag VALUE: allowed RANGE`, which `CommandLineExit` prints with
/// the subcommand's usage and exit status 2.
enum Allowed {
  /// Counts and sizes: `value` must lie in `range`.
  static func check(_ flag: String, _ value: Int, _ range: ClosedRange<Int>, _ note: String = "") throws {
    guard range.contains(value) else {
      throw error(flag, "\(value)", "\(range.lowerBound)...\(range.upperBound)", note)
    }
  }

  static func check(_ flag: String, _ value: Int?, _ range: ClosedRange<Int>, _ note: String = "") throws {
    if let value { try check(flag, value, range, note) }
  }

  /// Reals: finite and in `range`.
  static func check(_ flag: String, _ value: Double, _ range: ClosedRange<Double>, _ note: String = "") throws
  {
    guard value.isFinite, range.contains(value) else {
      throw error(flag, "\(value)", "\(format(range.lowerBound))...\(format(range.upperBound))", note)
    }
  }

  static func check(_ flag: String, _ value: Double?, _ range: ClosedRange<Double>, _ note: String = "")
    throws
  {
    if let value { try check(flag, value, range, note) }
  }

  static func check(_ flag: String, _ value: Float, _ range: ClosedRange<Double>, _ note: String = "") throws
  {
    try check(flag, Double(value), range, note)
  }

  /// Reals in a half-open interval above `lower`: `lower < value <= upper`.
  static func check(_ flag: String, _ value: Double, above lower: Double, upTo upper: Double) throws {
    guard value.isFinite, value > lower, value <= upper else {
      throw error(flag, "\(value)", "(\(format(lower)), \(format(upper))]", "")
    }
  }

  /// A path option: not empty.
  static func path(_ flag: String, _ value: String?) throws {
    if let value, value.isEmpty {
      throw ValidationError("\(flag) '': allowed a file or folder path, not empty")
    }
  }

  /// A name option: not empty and without control characters.
  static func name(_ flag: String, _ value: String?, _ what: String = "a name") throws {
    guard let value else { return }
    if value.isEmpty || value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
      throw ValidationError("\(flag) '\(value)': allowed \(what), not empty")
    }
  }

  /// Repeatable `NAME=VALUE` options (`--set`, `--env-option`): each has a name and an `=`.
  static func assignments(_ flag: String, _ values: [String], names: [String]) throws {
    for value in values {
      guard let eq = value.firstIndex(of: "="), eq != value.startIndex else {
        throw ValidationError(
          "\(flag) '\(value)': allowed NAME=VALUE with NAME one of \(names.joined(separator: ", "))")
      }
    }
  }

  static func error(_ flag: String, _ value: String, _ range: String, _ note: String) -> ValidationError {
    ValidationError("\(flag) \(value): allowed \(range)\(note.isEmpty ? "" : " (\(note))")")
  }

  private static func format(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
  }
}

/// Upper bounds shared by several commands; each one keeps products such as
/// `steps + rollout` and `width * width * 4` far from overflow and from exhausting memory.
enum Limits {
  /// Optimizer steps, evaluation and checkpoint intervals and similar budgets.
  static let steps = 1_000_000_000_000
  /// Environment steps of a PPO run (one byte of action history each, reserved up front).
  static let environmentSteps = 1_000_000_000
  /// Episodes, utterances, sentences and similar counts of items made or evaluated.
  static let items = 100_000_000
  /// Layer widths and embedding sizes.
  static let width = 4_096
  /// Episodes per evaluation, repeats, trials, examples.
  static let repeats = 1_000_000
  /// Seeds per comparison.
  static let seeds = 10_000
  /// Concurrent processes.
  static let jobs = 1_024
  /// Sentence pairs of a generated corpus or of a dev evaluation.
  static let corpusPairs = 1_000_000
  /// Clauses per generated sentence.
  static let clauses = 100
  /// Words per generated sentence.
  static let sentenceWords = 1_000
  /// Items per optimizer step.
  static let batch = 16_384
  /// Candidates sampled per source sentence.
  static let samples = 1_000
  /// Beam widths.
  static let beam = 1_000
  /// Worker threads of commands that run their own (not OpenBLAS's).
  static let workers = 1_024
  /// Utterances of a synthetic corpus.
  static let utterances = 1_000_000
  /// Words per synthetic utterance.
  static let words = 100
  /// Speakers or voices of a synthetic corpus.
  static let speakers = 10_000
  /// Passes over a training set.
  static let epochs = 1_000_000
  /// Stacked layers.
  static let layers = 64
  /// Frame strides and context windows.
  static let frames = 1_000
  /// Timed repetitions of a benchmark.
  static let timedRepeats = 10_000
  /// Optimizer steps of the regression demo.
  static let demoSteps = 100_000_000
  /// Learning rates (anything larger diverges at once).
  static let learningRate = 10.0
}
