/// A malformed input file (ARPA model, lexicon, token list): names `file:line:column`.
public struct TextFileError: Error, CustomStringConvertible, Equatable, Sendable {
  public var file: String
  public var line: Int
  public var column: Int
  public var message: String

  public init(file: String, line: Int, column: Int, message: String) {
    self.file = file
    self.line = line
    self.column = column
    self.message = message
  }

  public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// The lines of a UTF-8 text file split into whitespace-separated fields, each with its
/// 1-based line and column, for parsers that report `file:line:column`.
struct TextFields {
  struct Field {
    var text: Substring
    var column: Int
  }

  /// Calls `body(lineNumber, fields)` for every line (empty lines give no fields). Lines end at
  /// "\n" (or "\r\n"), as an editor numbers them; other vertical space (\v, \f, a lone \r) separates
  /// fields like blanks, as C's `isspace` does for flashlight (fuzzing found error lines beyond
  /// the file's last line when \v counted as a line break).
  static func forEachLine(
    _ text: String, _ body: (Int, [Field]) throws(TextFileError) -> Void
  ) throws(TextFileError) {
    var lineNumber = 0
    for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
      lineNumber += 1
      try body(lineNumber, fields(of: line))
    }
  }

  static func fields(of line: Substring) -> [Field] {
    var out: [Field] = []
    var column = 0
    var start: Substring.Index?
    var startColumn = 0
    var i = line.startIndex
    while i < line.endIndex {
      let c = line[i]
      column += 1
      if c == " " || c == "\t" || c == "\r" || c == "\u{0B}" || c == "\u{0C}" {
        if let s = start {
          out.append(Field(text: line[s..<i], column: startColumn))
          start = nil
        }
      } else if start == nil {
        start = i
        startColumn = column
      }
      i = line.index(after: i)
    }
    if let s = start { out.append(Field(text: line[s..<line.endIndex], column: startColumn)) }
    return out
  }
}
