import Environments
import Foundation

/// A user potential table for a gridworld, read from a text file.
///
/// Format: one line per map row, top to bottom, each with one whitespace-separated number per
/// cell (`-3`, `0.25`, `1e-2`); wall cells may be written `x` instead (their value is never used).
/// Lines whose first non-blank character is `#` are comments; blank lines are ignored. The file
/// must have exactly the map's rows and columns. Errors name `file:line:column`.
///
/// ```
/// # Phi for a 3x4 map: higher nearer the goal
/// x   x   x   x
/// -3  -2  -1  0
/// x   x   x   x
/// ```
public enum PotentialFile {
  /// Parses `text` as a potential for `map`; `path` only labels error messages.
  public static func parse(_ text: String, map: GridMap, path: String) throws -> Potential {
    var values: [Double] = []
    values.reserveCapacity(map.cellCount)
    var row = 0
    var lastRowLine = 0
    // "\r\n" is one Character in Swift: CRLF line ends are split on explicitly.
    let rawLines = text.split(
      omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    for (index, rawLine) in rawLines.enumerated() {
      let line = index + 1
      let content = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
      let trimmed = content.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      guard row < map.rows else {
        throw ShapingError(
          "\(path):\(line):1: more rows than the map '\(map.name)' has (\(map.rows) rows of \(map.cols) cells)"
        )
      }
      var col = 0
      var i = content.startIndex
      while i < content.endIndex {
        if content[i] == " " || content[i] == "\t" {
          i = content.index(after: i)
          continue
        }
        var j = i
        while j < content.endIndex && content[j] != " " && content[j] != "\t" { j = content.index(after: j) }
        let token = String(content[i..<j])
        let column = content.distance(from: content.startIndex, to: i) + 1
        guard col < map.cols else {
          throw ShapingError(
            "\(path):\(line):\(column): row \(row + 1) has more than the map's \(map.cols) columns")
        }
        let cell = row * map.cols + col
        if token == "x" {
          guard map.cells[cell] == .wall else {
            throw ShapingError(
              "\(path):\(line):\(column): 'x' is only allowed for walls; cell (row \(row), col \(col)) is '\(map.cells[cell].rawValue)'"
            )
          }
          values.append(0)
        } else {
          guard let v = Double(token), v.isFinite else {
            throw ShapingError("\(path):\(line):\(column): expected a finite number or x, got '\(token)'")
          }
          values.append(v)
        }
        col += 1
        i = j
      }
      guard col == map.cols else {
        throw ShapingError(
          "\(path):\(line):\(content.count + 1): row \(row + 1) has \(col) values; the map has \(map.cols) columns"
        )
      }
      row += 1
      lastRowLine = line
    }
    guard row == map.rows else {
      throw ShapingError(
        "\(path):\(lastRowLine + 1):1: the file has \(row) rows; the map '\(map.name)' has \(map.rows)")
    }
    return .grid(values: values, map: GridMapKey(map))
  }

  /// Reads and parses the file at `url`.
  public static func load(contentsOf url: URL, map: GridMap) throws -> Potential {
    let text: String
    do { text = try String(contentsOf: url, encoding: .utf8) } catch {
      throw ShapingError("cannot read potential file \(url.path): \(error.plainReason)")
    }
    return try parse(text, map: map, path: url.path)
  }

  /// The potential as file text (walls as `x`), with a header comment.
  public static func format(_ values: [Double], map: GridMap, comment: String) -> String {
    var out = comment.split(separator: "\n").map { "# " + $0 }.joined(separator: "\n") + "\n"
    for r in 0..<map.rows {
      let fields = (0..<map.cols).map { c -> String in
        let s = r * map.cols + c
        if map.cells[s] == .wall { return "x" }
        let v = values[s]
        return v == v.rounded() && abs(v) < 1e9 ? String(Int(v)) : String(format: "%.6g", v)
      }
      out += fields.joined(separator: " ") + "\n"
    }
    return out
  }
}
