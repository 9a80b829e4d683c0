import Foundation

/// One cell of a gridworld map, with its map-file character.
public enum Cell: Character, Sendable, CaseIterable {
  /// Free (walkable) cell; `F` (FrozenLake's "frozen") is read as the same thing.
  case free = "."
  case start = "S"
  /// Ends the episode with `goal_reward` (a success).
  case goal = "G"
  /// Blocks movement: the agent stays where it is.
  case wall = "#"
  /// Hole or lava: ends the episode with `hole_reward`.
  case hole = "H"
  /// Cliff: sends the agent back to the start with `cliff_reward`; the episode goes on.
  case cliff = "C"

  /// Reads a map character (`F` is an alias of `.`).
  public init?(mapCharacter c: Character) {
    if c == "F" {
      self = .free
    } else {
      self.init(rawValue: c)
    }
  }

  /// Whether entering this cell ends the episode.
  public var isTerminal: Bool { self == .goal || self == .hole }
}

/// A move on the grid.
public enum Direction: String, Sendable, CaseIterable {
  case left, down, right, up

  public var delta: (row: Int, col: Int) {
    switch self {
    case .left: return (0, -1)
    case .down: return (1, 0)
    case .right: return (0, 1)
    case .up: return (-1, 0)
    }
  }

  public var arrow: Character {
    switch self {
    case .left: return "←"
    case .down: return "↓"
    case .right: return "→"
    case .up: return "↑"
    }
  }
}

/// How moves slip.
public enum Slipperiness: String, Sendable, CaseIterable {
  /// Deterministic moves.
  case `false`
  /// FrozenLake's: the intended direction with probability `success_rate`, each perpendicular one
  /// with `(1 - success_rate) / 2`.
  case `true`
  /// Four Rooms' (Sutton, Precup and Singh 1999): the intended direction with `success_rate`, each
  /// of the other three with `(1 - success_rate) / 3`.
  case others
}

/// What the transition table says for goal and hole states (never stepped from, since the
/// episode has ended; it matters for the table and the solver).
public enum TerminalRows: String, Sendable, CaseIterable {
  /// Every action loops back with probability 1, reward 0, `terminated` true (FrozenLake).
  case absorbing
  /// Moves as from a free cell (CliffWalking).
  case ordinary
}

/// The observation a gridworld emits.
public enum GridObservation: String, Sendable, CaseIterable {
  /// One-hot of the cell index `row * cols + col` (Gymnasium's state number).
  case onehot
  /// `(row, col)` as two floats.
  case coordinates
}

/// Per-map settings: read from the map file's header, overridable with `--env-option KEY=VALUE`.
public struct GridSettings: Sendable, Equatable {
  public var slippery: Slipperiness = .false
  /// Probability of the intended move when slippery.
  public var successRate: Double = 1.0 / 3.0
  public var stepReward: Double = 0
  public var goalReward: Double = 1
  public var holeReward: Double = 0
  public var cliffReward: Double = -100
  /// Gymnasium's `max_episode_steps`; nil for none; at most `maximumTimeLimit`.
  public var timeLimit: Int? = 100
  /// The largest `time_limit` (the finite-horizon solver keeps a value table per step).
  public static let maximumTimeLimit = 10_000
  /// The direction of each action number.
  public var actionOrder: [Direction] = [.left, .down, .right, .up]
  public var terminalRows: TerminalRows = .absorbing
  public var observation: GridObservation = .onehot

  public init() {}

  /// The keys a header or `--env-option` may set, with the values each accepts.
  public static let keys: [(key: String, values: String)] = [
    ("slippery", Slipperiness.allCases.map(\.rawValue).joined(separator: "|")),
    ("success_rate", "a probability in [0, 1], or a fraction such as 1/3"),
    ("step_reward", "a number"),
    ("goal_reward", "a number"),
    ("hole_reward", "a number"),
    ("cliff_reward", "a number"),
    ("time_limit", "an integer in 1...\(maximumTimeLimit), or none"),
    ("action_order", "the four directions left, down, right, up in a cyclic order, comma-separated"),
    ("terminal_rows", TerminalRows.allCases.map(\.rawValue).joined(separator: "|")),
    ("observation", GridObservation.allCases.map(\.rawValue).joined(separator: "|")),
  ]

  /// Sets one key; the error message names the allowed keys or values.
  public mutating func set(_ key: String, _ rawValue: String) throws {
    let value = rawValue.trimmingCharacters(in: .whitespaces)
    func bad() -> SettingError {
      let allowed = GridSettings.keys.first { $0.key == key }!.values
      return SettingError(message: "invalid value '\(value)' for \(key) (allowed: \(allowed))")
    }
    func number() throws -> Double {
      if let x = parseNumber(value), x.isFinite { return x }
      throw bad()
    }
    switch key {
    case "slippery":
      guard let s = Slipperiness(rawValue: value) else { throw bad() }
      slippery = s
    case "success_rate":
      let p = try number()
      guard p >= 0 && p <= 1 else { throw bad() }
      successRate = p
    case "step_reward": stepReward = try number()
    case "goal_reward": goalReward = try number()
    case "hole_reward": holeReward = try number()
    case "cliff_reward": cliffReward = try number()
    case "time_limit":
      if value == "none" {
        timeLimit = nil
      } else {
        guard let n = Int(value), (1...GridSettings.maximumTimeLimit).contains(n) else { throw bad() }
        timeLimit = n
      }
    case "action_order":
      let names = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      let order = names.compactMap(Direction.init(rawValue:))
      guard order.count == 4, Set(order).count == 4 else { throw bad() }
      // Slips go to the neighbours of the action number (Gymnasium's (a - 1) % 4 and (a + 1) % 4),
      // which must be the perpendicular directions.
      for i in 0..<4 {
        let a = order[i].delta
        let b = order[(i + 1) % 4].delta
        guard a.row * b.row + a.col * b.col == 0 else { throw bad() }
      }
      actionOrder = order
    case "terminal_rows":
      guard let t = TerminalRows(rawValue: value) else { throw bad() }
      terminalRows = t
    case "observation":
      guard let o = GridObservation(rawValue: value) else { throw bad() }
      observation = o
    default:
      throw SettingError(
        message: "unknown setting '\(key)' (allowed: \(GridSettings.keys.map(\.key).joined(separator: ", ")))"
      )
    }
  }

  /// The settings as `key = value` lines (the header syntax).
  public var summary: [(String, String)] {
    [
      ("slippery", slippery.rawValue), ("success_rate", "\(successRate)"), ("step_reward", "\(stepReward)"),
      ("goal_reward", "\(goalReward)"), ("hole_reward", "\(holeReward)"), ("cliff_reward", "\(cliffReward)"),
      ("time_limit", timeLimit.map(String.init) ?? "none"),
      ("action_order", actionOrder.map(\.rawValue).joined(separator: ",")),
      ("terminal_rows", terminalRows.rawValue), ("observation", observation.rawValue),
    ]
  }
}

/// A bad setting key or value.
public struct SettingError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public var description: String { message }
}

/// Parses `0.5`, `-1`, `1e-3` or a fraction `1/3` (computed as `1.0 / 3.0`).
func parseNumber(_ s: String) -> Double? {
  let parts = s.split(separator: "/", omittingEmptySubsequences: false)
  if parts.count == 2, let a = Double(parts[0]), let b = Double(parts[1]), b != 0 { return a / b }
  return parts.count == 1 ? Double(s) : nil
}

/// A parsed gridworld map: cells row-major, the start, and the settings.
public struct GridMap: Sendable {
  public var name: String
  /// Free-text description from the header's `#` comment lines.
  public var description: String
  public let rows: Int
  public let cols: Int
  /// Row-major; cell index `row * cols + col` is Gymnasium's state number.
  public let cells: [Cell]
  public let start: Int
  public var settings: GridSettings

  public init(
    name: String, description: String = "", rows: Int, cols: Int, cells: [Cell], settings: GridSettings
  ) {
    precondition(cells.count == rows * cols, "\(cells.count) cells for a \(rows)x\(cols) map")
    let starts = cells.indices.filter { cells[$0] == .start }
    precondition(starts.count == 1, "a map needs exactly one start, got \(starts.count)")
    self.name = name
    self.description = description
    self.rows = rows
    self.cols = cols
    self.cells = cells
    self.start = starts[0]
    self.settings = settings
  }

  public var cellCount: Int { rows * cols }
  public var goals: [Int] { cells.indices.filter { cells[$0] == .goal } }

  public func row(of cell: Int) -> Int { cell / cols }
  public func col(of cell: Int) -> Int { cell % cols }

  /// Applies `--env-option` overrides.
  public mutating func apply(options: [String: String]) throws {
    for key in options.keys.sorted() { try settings.set(key, options[key]!) }
  }

  /// Where a move from `cell` in `direction` lands before cliffs are resolved: grid edges and
  /// walls leave the agent in place (Gymnasium clamps at the edges).
  public func target(from cell: Int, _ direction: Direction) -> Int {
    let (dr, dc) = direction.delta
    let r = row(of: cell) + dr
    let c = col(of: cell) + dc
    guard r >= 0, r < rows, c >= 0, c < cols else { return cell }
    let next = r * cols + c
    return cells[next] == .wall ? cell : next
  }

  /// The cell a gridworld observation encodes under `settings.observation` (one-hot: the index of
  /// the largest entry; coordinates: `row * cols + col`).
  public func cell(fromObservation observation: UnsafeBufferPointer<Float>) -> Int {
    switch settings.observation {
    case .onehot:
      precondition(
        observation.count == cellCount,
        "one-hot observation of \(observation.count) floats for \(cellCount) cells")
      var best = 0
      for i in 0..<observation.count where observation[i] > observation[best] { best = i }
      return best
    case .coordinates:
      precondition(observation.count == 2, "coordinate observation of \(observation.count) floats")
      return Int(observation[0].rounded()) * cols + Int(observation[1].rounded())
    }
  }

  /// The map as text, one row per line.
  public var text: String {
    (0..<rows).map { r in String(cells[(r * cols)..<((r + 1) * cols)].map(\.rawValue)) }.joined(
      separator: "\n")
  }
}
