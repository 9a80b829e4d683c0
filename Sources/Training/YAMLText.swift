import Core
import Foundation
import Yams

/// What presets and sweep spaces share when they read YAML: parsing on a large stack, error
/// locations (`FILE:LINE:COLUMN`) from Yams' node marks.
enum YAMLText {
  /// Runs `body` (a Yams parse) on a thread with a 512 MiB stack (reserved, not used): Yams builds
  /// nested values recursively, and 30,000 nested `[` overflowed the 8 MiB main-thread stack
  /// (found by scripts/fuzz FuzzPreset). Callers cap the input size, so the nesting is bounded.
  static func onLargeStack<T>(_ body: @escaping @Sendable () throws -> T) throws -> T {
    let outcome = LargeStackOutcome<T>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
      outcome.value = Result { try body() }
      done.signal()
    }
    thread.stackSize = 512 << 20
    thread.start()
    done.wait()
    return try outcome.value!.get()
  }

  /// Deepest flow nesting (`[`, `{`) accepted. Presets and spaces need 2; Yams' time grows with
  /// the depth (30,000 levels took over a minute in the fuzzing build), so deeper is refused first.
  static let maximumFlowDepth = 64

  /// Refuses flow nesting deeper than ``maximumFlowDepth`` at the bracket that exceeds it. Counts
  /// brackets anywhere outside comments (a scalar holding 64 unmatched `[` is no preset either).
  static func checkFlowDepth(_ text: String, file: String) throws {
    var depth = 0
    var line = 1
    var column = 0
    var inComment = false
    var previous: Unicode.Scalar = "\n"
    for scalar in text.unicodeScalars {
      column += 1
      switch scalar {
      case "\n":
        line += 1
        column = 0
        inComment = false
      case "#" where previous == " " || previous == "\t" || previous == "\n":
        inComment = true
      case "[" where !inComment, "{" where !inComment:
        depth += 1
        if depth > maximumFlowDepth {
          throw ConfigError("\(file):\(line):\(column): nesting deeper than \(maximumFlowDepth) levels")
        }
      case "]" where !inComment, "}" where !inComment:
        depth = max(0, depth - 1)
      default: break
      }
      previous = scalar
    }
  }

  /// The node tree of `text`, with Yams' errors turned into `FILE:LINE:COLUMN: not valid YAML`.
  static func compose(_ text: String, file: String) throws -> Node? {
    try checkFlowDepth(text, file: file)
    do { return try onLargeStack { try Yams.compose(yaml: text) } } catch let error as YamlError {
      throw ConfigError(message(error, file: file))
    } catch {
      throw ConfigError("\(file): not valid YAML (\(error))")
    }
  }

  static func message(_ error: YamlError, file: String) -> String {
    switch error {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
      .composer(_, let problem, let mark, _):
      return "\(file):\(mark.line):\(mark.column): not valid YAML: \(problem)"
    case .reader(let problem, let offset, _, _):
      return "\(file): not valid YAML at byte \(offset ?? 0): \(problem)"
    default:
      return "\(file): not valid YAML (\(error))"
    }
  }

  /// An error at `node`'s position: `FILE:LINE:COLUMN: message` (just `FILE: message` without one).
  static func error(at node: Node?, file: String, _ message: String) -> ConfigError {
    if let mark = node?.mark { return ConfigError("\(file):\(mark.line):\(mark.column): \(message)") }
    return ConfigError("\(file): \(message)")
  }
}

/// The result handed back from the large-stack thread (written before the semaphore signals).
private final class LargeStackOutcome<T>: @unchecked Sendable { var value: Result<T, any Error>? }
