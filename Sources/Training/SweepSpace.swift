import Core
import Foundation
import Reinforcement
import Yams

/// One dimension of a sweep's search space: a preset key (`learning_rate`, `n_epochs`, ...;
/// passed to each run as `--set KEY=VALUE`) or `shaping` (passed as `--shaping VALUE`).
public struct SweepParameter: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    /// One of a list of values (text as `--set` takes it: `0.98`, `64,64`, `pbrs:bfs`).
    case choice([String])
    /// A real uniform in [low, high].
    case uniform(low: Double, high: Double)
    /// A real whose logarithm is uniform in [log low, log high] (low > 0).
    case logUniform(low: Double, high: Double)
    /// An integer in low...high, on the grid low, low + step, ... (step 1 when `log`); `log`:
    /// sampled in log space (Optuna's `IntDistribution(log=True)`).
    case int(low: Int, high: Int, step: Int, log: Bool)
  }

  public var name: String
  public var kind: Kind
  /// How a value is written into the run's option; `{}` stands for the value (`lin_{}` turns a
  /// sampled learning rate into a linear schedule). Default `{}`.
  public var format: String = "{}"
  /// Grid points for a continuous or integer parameter under the grid sampler (nil: 5 for reals,
  /// every value for integers with at most 10, else 5).
  public var points: Int?

  public init(name: String, kind: Kind, format: String = "{}", points: Int? = nil) {
    self.name = name
    self.kind = kind
    self.format = format
    self.points = points
  }

  /// Whether this parameter goes to `--shaping` rather than `--set`.
  public var isShaping: Bool { name == SweepSpace.shapingKey }

  /// The text of a value as the run's option takes it (with `format` applied).
  public func text(_ value: SweepValue) -> String {
    format.replacingOccurrences(of: "{}", with: rawText(value))
  }

  /// The text of a value without `format` (what trials.csv records).
  public func rawText(_ value: SweepValue) -> String {
    switch (kind, value) {
    case (.choice(let values), .choice(let i)) where values.indices.contains(i): return values[i]
    case (_, .real(let x)): return "\(x)"
    case (_, .integer(let n)): return String(n)
    case (_, .choice(let i)): return "choice#\(i)"
    }
  }

  /// Reads back a value recorded by ``rawText(_:)``; nil when it does not fit the parameter.
  public func value(fromText text: String) -> SweepValue? {
    switch kind {
    case .choice(let values): return values.firstIndex(of: text).map(SweepValue.choice)
    case .uniform(let low, let high), .logUniform(let low, let high):
      guard let x = Double(text), x >= low, x <= high else { return nil }
      return .real(x)
    case .int(let low, let high, _, _):
      guard let n = Int(text), n >= low, n <= high else { return nil }
      return .integer(n)
    }
  }

  /// The number of distinct values (nil for continuous parameters).
  public var cardinality: Int? {
    switch kind {
    case .choice(let values): return values.count
    case .int(let low, let high, let step, _): return (high - low) / step + 1
    case .uniform, .logUniform: return nil
    }
  }
}

/// A sampled value: a real, an integer or the index of a choice.
public enum SweepValue: Sendable, Equatable, Hashable {
  case real(Double)
  case integer(Int)
  case choice(Int)

  /// The value as a number (a choice's index).
  public var number: Double {
    switch self {
    case .real(let x): return x
    case .integer(let n): return Double(n)
    case .choice(let i): return Double(i)
    }
  }
}

/// A sweep's search space, read from YAML:
///
/// ```yaml
/// parameters:
///   learning_rate: {type: loguniform, low: 1.0e-4, high: 3.0e-3, format: "lin_{}"}
///   n_epochs: {type: int, low: 4, high: 20, step: 4}
///   gamma: {type: choice, values: [0.95, 0.98, 0.99]}
///   clip_range: {type: uniform, low: 0.1, high: 0.3}
///   shaping: {type: choice, values: [none, "pbrs:bfs"]}
/// ```
///
/// Errors name `FILE:LINE:COLUMN` (Yams marks). Documented in `docs/sweep.md`.
public struct SweepSpace: Sendable, Equatable {
  /// The parameter that selects the reward shaping (`--shaping`).
  public static let shapingKey = "shaping"
  /// The largest space file read (the shipped ones are under 1 KB).
  public static let maximumBytes = 65_536
  /// Most grid points or choices per parameter, and most parameters.
  public static let maximumValues = 1_000
  public static let maximumParameters = 64

  /// In file order.
  public var parameters: [SweepParameter]

  public init(parameters: [SweepParameter]) { self.parameters = parameters }

  /// The parameter names a space may use: every preset key but `n_timesteps` (the budget is
  /// `--steps`), and `shaping`.
  public static var allowedNames: [String] {
    PPOConfig.keys.filter { $0 != "n_timesteps" } + [shapingKey]
  }

  public static func load(contentsOf url: URL) throws -> SweepSpace {
    let text: String
    do { text = try String(contentsOf: url, encoding: .utf8) } catch {
      throw ConfigError("cannot read search space \(url.path): \(error.plainReason)")
    }
    return try parse(text, file: url.path)
  }

  /// Parses and checks a space; every error reads `FILE:LINE:COLUMN: what is wrong (allowed ...)`.
  public static func parse(_ text: String, file: String) throws -> SweepSpace {
    guard text.utf8.count <= maximumBytes else {
      throw ConfigError("\(file): \(text.utf8.count) bytes; a search space may have at most \(maximumBytes)")
    }
    let root = try YAMLText.compose(text, file: file)
    func at(_ node: Node?, _ message: String) -> ConfigError { YAMLText.error(at: node, file: file, message) }
    guard let root, case .mapping(let top) = root else {
      throw at(root, "expected a mapping with the key `parameters`")
    }
    var parametersNode: Node?
    for (key, value) in top {
      guard key.string == "parameters" else {
        throw at(key, "unknown key '\(key.string ?? "?")' (allowed: parameters)")
      }
      parametersNode = value
    }
    guard let parametersNode, case .mapping(let entries) = parametersNode, !entries.isEmpty else {
      throw at(parametersNode ?? root, "`parameters` must be a non-empty mapping of NAME: {type: ...}")
    }
    guard entries.count <= maximumParameters else {
      throw at(parametersNode, "at most \(maximumParameters) parameters")
    }
    var parameters: [SweepParameter] = []
    for (key, value) in entries {
      guard let name = key.string, allowedNames.contains(name) else {
        throw at(
          key, "unknown parameter '\(key.string ?? "?")' (allowed: \(allowedNames.joined(separator: ", ")))")
      }
      if parameters.contains(where: { $0.name == name }) { throw at(key, "parameter '\(name)' is repeated") }
      parameters.append(try parameter(name: name, node: value, at: at))
    }
    return SweepSpace(parameters: parameters)
  }

  static func parameter(name: String, node: Node, at: (Node?, String) -> ConfigError) throws -> SweepParameter
  {
    guard case .mapping(let fields) = node else {
      throw at(node, "\(name): expected a mapping {type: choice|uniform|loguniform|int, ...}")
    }
    var field: [String: Node] = [:]
    let allowedFields = ["type", "values", "low", "high", "step", "log", "format", "points"]
    for (k, v) in fields {
      guard let key = k.string, allowedFields.contains(key) else {
        throw at(
          k, "\(name): unknown field '\(k.string ?? "?")' (allowed: \(allowedFields.joined(separator: ", ")))"
        )
      }
      field[key] = v
    }
    guard let typeNode = field["type"] else {
      throw at(node, "\(name): missing `type` (choice|uniform|loguniform|int)")
    }
    let type = typeNode.string ?? ""
    func expectFields(_ allowed: [String]) throws {
      for (k, _) in fields where !(allowed + ["type", "format"]).contains(k.string ?? "") {
        throw at(
          k,
          "\(name): `\(k.string ?? "?")` does not apply to type \(type) (allowed: \(allowed.joined(separator: ", ")))"
        )
      }
    }
    func real(_ key: String) throws -> Double {
      guard let n = field[key] else { throw at(node, "\(name): missing `\(key)` (a number)") }
      guard case .scalar = n, let x = Double(n.string ?? ""), x.isFinite else {
        throw at(n, "\(name): `\(key)` must be a finite number")
      }
      return x
    }
    func integer(_ key: String, default value: Int? = nil) throws -> Int {
      guard let n = field[key] else {
        if let value { return value }
        throw at(node, "\(name): missing `\(key)` (an integer)")
      }
      guard case .scalar = n, let x = Int(n.string ?? "") else {
        throw at(n, "\(name): `\(key)` must be an integer")
      }
      return x
    }
    var format = "{}"
    if let f = field["format"] {
      guard let s = f.string, s.contains("{}"), case .scalar = f else {
        throw at(f, "\(name): `format` must be text containing {} (e.g. \"lin_{}\")")
      }
      guard name != shapingKey else { throw at(f, "shaping: `format` applies to preset keys only") }
      format = s
    }
    var points: Int?
    if field["points"] != nil {
      let p = try integer("points")
      guard (1...maximumValues).contains(p) else {
        throw at(field["points"], "\(name): `points` \(p): allowed 1...\(maximumValues)")
      }
      points = p
    }
    let kind: SweepParameter.Kind
    switch type {
    case "choice":
      try expectFields(["values"])
      guard let list = field["values"], case .sequence(let items) = list, !items.isEmpty else {
        throw at(field["values"] ?? node, "\(name): `values` must be a non-empty list")
      }
      guard items.count <= maximumValues else { throw at(list, "\(name): at most \(maximumValues) values") }
      var values: [String] = []
      for item in items {
        let text = scalarText(item)
        guard let text else { throw at(item, "\(name): a value must be a scalar or a list of scalars") }
        if values.contains(text) { throw at(item, "\(name): value '\(text)' is repeated") }
        values.append(text)
      }
      kind = .choice(values)
    case "uniform", "loguniform":
      try expectFields(["low", "high", "points"])
      let low = try real("low")
      let high = try real("high")
      guard low < high else { throw at(field["high"], "\(name): `high` \(high) must be above `low` \(low)") }
      if type == "loguniform" {
        guard low > 0 else { throw at(field["low"], "\(name): `low` \(low) must be positive for loguniform") }
        kind = .logUniform(low: low, high: high)
      } else {
        kind = .uniform(low: low, high: high)
      }
    case "int":
      try expectFields(["low", "high", "step", "log", "points"])
      let low = try integer("low")
      let high = try integer("high")
      let step = try integer("step", default: 1)
      var log = false
      if let l = field["log"] {
        guard let b = l.bool else { throw at(l, "\(name): `log` must be true or false") }
        log = b
      }
      guard abs(low) <= 1_000_000_000, abs(high) <= 1_000_000_000 else {
        throw at(node, "\(name): `low` and `high` must lie in -1000000000...1000000000")
      }
      guard low <= high else {
        throw at(field["high"], "\(name): `high` \(high) must be at least `low` \(low)")
      }
      guard (1...1_000_000_000).contains(step) else {
        throw at(field["step"], "\(name): `step` \(step): allowed 1...1000000000")
      }
      if log {
        guard step == 1 else {
          throw at(field["step"], "\(name): `step` and `log: true` exclude each other (Optuna's rule)")
        }
        guard low >= 1 else {
          throw at(field["low"], "\(name): `low` \(low) must be at least 1 with `log: true`")
        }
      }
      guard (high - low) % step == 0 else {
        throw at(
          field["high"], "\(name): `high` - `low` (\(high - low)) must be a multiple of `step` \(step)")
      }
      kind = .int(low: low, high: high, step: step, log: log)
    default:
      throw at(typeNode, "\(name): unknown type '\(type)' (allowed: choice, uniform, loguniform, int)")
    }
    let parameter = SweepParameter(name: name, kind: kind, format: format, points: points)
    try check(parameter, node: field["values"] ?? field["low"] ?? node, at: at)
    return parameter
  }

  /// Every choice value, and both ends of a range, must be a value the run accepts.
  static func check(_ p: SweepParameter, node: Node, at: (Node?, String) -> ConfigError) throws {
    var samples: [SweepValue] = []
    switch p.kind {
    case .choice(let values): samples = values.indices.map(SweepValue.choice)
    case .uniform(let low, let high), .logUniform(let low, let high): samples = [.real(low), .real(high)]
    case .int(let low, let high, _, _): samples = [.integer(low), .integer(high)]
    }
    for v in samples {
      let text = p.text(v)
      if p.isShaping {
        do { _ = try ShapingSpec.parse(text) } catch let error as ShapingError {
          throw at(node, "shaping: \(error.message)")
        }
      } else {
        var config = PPOConfig()
        do { try config.set(p.name, text) } catch let error as ConfigError { throw at(node, error.message) }
      }
    }
  }

  /// A scalar's text, or a list of scalars joined with commas (`[64, 64]` -> `64,64`).
  static func scalarText(_ node: Node) -> String? {
    switch node {
    case .scalar(let s): return s.string
    case .sequence(let items):
      let parts = items.compactMap { item -> String? in
        if case .scalar(let s) = item { return s.string }
        return nil
      }
      return parts.count == items.count && !parts.isEmpty ? parts.joined(separator: ",") : nil
    default: return nil
    }
  }
}
