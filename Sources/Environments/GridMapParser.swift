import Foundation

/// A map-file error located as `file:line:column: message` (1-based, as compilers print them).
public struct GridMapError: Error, CustomStringConvertible, Sendable, Equatable {
  public var file: String
  public var line: Int
  public var column: Int
  public var message: String
  public var description: String { "\(file):\(line):\(column): \(message)" }
}

extension GridMap {
  /// Reads a map file (format: docs/environments.md, "Gridworld map format").
  public static func load(contentsOf url: URL, name: String? = nil) throws -> GridMap {
    let text: String
    do {
      text = try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw GridMapError(
        file: url.path, line: 1, column: 1, message: "cannot read the map file: \(error.plainReason)"
      )
    }
    return try parse(text, file: url.path, name: name ?? url.deletingPathExtension().lastPathComponent)
  }

  /// Parses map text. The optional header, ended by a line `---`, holds `# comment` lines and
  /// `key = value` settings; every line after it (or every line, without a header) is a grid row,
  /// one character per cell. Trailing empty lines are ignored.
  public static func parse(_ text: String, file: String, name: String) throws -> GridMap {
    // "\r\n" is one Character in Swift, so CRLF line ends are split on explicitly.
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
      .map {
        $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
      }
    func fail(_ line: Int, _ column: Int, _ message: String) -> GridMapError {
      GridMapError(file: file, line: line, column: column, message: message)
    }
    var settings = GridSettings()
    var comments: [String] = []
    var gridStart = 0
    if let separator = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) {
      gridStart = separator + 1
      for (i, line) in lines[..<separator].enumerated() {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { continue }
        if trimmed.hasPrefix("#") {
          comments.append(trimmed.dropFirst().trimmingCharacters(in: .whitespaces))
          continue
        }
        guard let eq = line.firstIndex(of: "=") else {
          throw fail(i + 1, 1, "expected 'key = value', '# comment' or '---' in the header")
        }
        let key = line[..<eq].trimmingCharacters(in: .whitespaces)
        let valueColumn = line.distance(from: line.startIndex, to: eq) + 2
        do {
          try settings.set(key, String(line[line.index(after: eq)...]))
        } catch let error as SettingError {
          throw fail(
            i + 1, key.isEmpty || error.message.hasPrefix("unknown") ? 1 : valueColumn, error.message)
        }
      }
    }
    var gridLines = Array(
      lines[gridStart...].enumerated().map { (line: gridStart + $0.offset + 1, text: $0.element) })
    while let last = gridLines.last, last.text.trimmingCharacters(in: .whitespaces).isEmpty {
      gridLines.removeLast()
    }
    guard let first = gridLines.first else {
      throw fail(gridStart + 1, 1, "the map has no grid rows")
    }
    let cols = first.text.count
    guard cols > 0 else { throw fail(first.line, 1, "empty grid row") }
    var cells: [Cell] = []
    var starts: [(line: Int, column: Int)] = []
    var goals: [(cell: Int, line: Int, column: Int)] = []
    for (r, row) in gridLines.enumerated() {
      let chars = Array(row.text)
      guard chars.count == cols else {
        throw fail(
          row.line, min(chars.count, cols) + 1,
          "ragged row: \(chars.count) cells where the first row has \(cols)")
      }
      for (c, ch) in chars.enumerated() {
        guard let cell = Cell(mapCharacter: ch) else {
          throw fail(
            row.line, c + 1,
            "unknown map character '\(ch)' (allowed: . or F free, S start, G goal, # wall, H hole, C cliff)")
        }
        if cell == .start { starts.append((row.line, c + 1)) }
        if cell == .goal { goals.append((r * cols + c, row.line, c + 1)) }
        cells.append(cell)
      }
    }
    guard !starts.isEmpty else { throw fail(first.line, 1, "the map has no start cell 'S'") }
    guard starts.count == 1 else {
      throw fail(
        starts[1].line, starts[1].column,
        "a second start cell 'S' (the first is at \(starts[0].line):\(starts[0].column))")
    }
    guard !goals.isEmpty else { throw fail(first.line, 1, "the map has no goal cell 'G'") }
    let map = GridMap(
      name: name, description: comments.joined(separator: " "), rows: gridLines.count, cols: cols,
      cells: cells,
      settings: settings)
    let reachable = map.reachableCells()
    if let goal = goals.first(where: { !reachable[$0.cell] }) {
      throw fail(goal.line, goal.column, "the goal cannot be reached from the start")
    }
    return map
  }

  /// Cells reachable from the start by intended moves, never through holes, cliffs or goals.
  public func reachableCells() -> [Bool] {
    var seen = [Bool](repeating: false, count: cellCount)
    var queue = [start]
    seen[start] = true
    while let cell = queue.popLast() {
      if cells[cell].isTerminal { continue }
      for d in Direction.allCases {
        let next = target(from: cell, d)
        if !seen[next] && cells[next] != .cliff {
          seen[next] = true
          queue.append(next)
        }
      }
    }
    return seen
  }
}
