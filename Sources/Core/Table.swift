import Foundation

/// A small table of text cells rendered as GitHub Markdown (for reports) or CSV (for spreadsheets
/// and pandas).
///
/// ```swift
/// var table = Table(headers: ["shaping", "IQM return", "95% CI"], alignments: [.left, .right, .right])
/// table.append(["none", "412.5", "[398.1, 430.0]"])
/// print(table.markdown())
/// ```
public struct Table: Sendable, Equatable {
  /// Column alignment in Markdown (`:---`, `---:`, `:---:`).
  public enum Alignment: Sendable, Equatable {
    case left, right, center
  }

  public var headers: [String]
  public var alignments: [Alignment]
  public private(set) var rows: [[String]] = []

  /// A table with these column headers; `alignments` defaults to left for every column.
  public init(headers: [String], alignments: [Alignment]? = nil) {
    precondition(
      alignments == nil || alignments!.count == headers.count,
      "Table: \(alignments?.count ?? 0) alignments for \(headers.count) headers")
    self.headers = headers
    self.alignments = alignments ?? Array(repeating: .left, count: headers.count)
  }

  /// Appends one row; it must have one cell per header.
  public mutating func append(_ row: [String]) {
    precondition(
      row.count == headers.count, "Table row has \(row.count) cells, expected \(headers.count): \(row)")
    rows.append(row)
  }

  /// GitHub-flavoured Markdown, columns padded to equal width so the source reads as a table too.
  /// Pipes in cells are escaped (`\|`) and line breaks become `<br>`.
  public func markdown() -> String {
    let escapedHeaders = headers.map(Table.markdownCell)
    let escapedRows = rows.map { $0.map(Table.markdownCell) }
    var widths = escapedHeaders.map { max(3, $0.count) }
    for row in escapedRows {
      for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
    }
    func pad(_ text: String, _ i: Int) -> String {
      let fill = String(repeating: " ", count: widths[i] - text.count)
      return alignments[i] == .right ? fill + text : text + fill
    }
    func line(_ cells: [String]) -> String {
      "| " + cells.enumerated().map { pad($0.element, $0.offset) }.joined(separator: " | ") + " |"
    }
    let rule = alignments.enumerated().map { i, alignment -> String in
      switch alignment {
      case .left: return String(repeating: "-", count: widths[i])
      case .right: return String(repeating: "-", count: widths[i] - 1) + ":"
      case .center: return ":" + String(repeating: "-", count: widths[i] - 2) + ":"
      }
    }
    var out = line(escapedHeaders) + "\n| " + rule.joined(separator: " | ") + " |\n"
    for row in escapedRows { out += line(row) + "\n" }
    return out
  }

  /// RFC 4180 CSV (header line first), lines ended by `\n`.
  public func csv() -> String {
    var out = CSV.line(headers)
    for row in rows { out += CSV.line(row) }
    return out
  }

  private static func markdownCell(_ text: String) -> String {
    text.replacingOccurrences(of: "|", with: "\\|")
      .replacingOccurrences(of: "\r\n", with: "<br>")
      .replacingOccurrences(of: "\n", with: "<br>")
  }
}

/// RFC 4180 CSV fields: quoting on write, and a parser for reading files back.
///
/// Lines end with `\n` (what pandas and Python's `csv` module both read; RFC 4180's `\r\n` is also
/// accepted by ``parse(_:)``).
public enum CSV {
  /// A field quoted if it holds a comma, a double quote, CR or LF (quotes inside are doubled).
  public static func field(_ text: String) -> String {
    let needsQuotes = text.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
    guard needsQuotes else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// One record: quoted fields joined by commas, ending with `\n`.
  public static func line(_ fields: [String]) -> String {
    fields.map(field).joined(separator: ",") + "\n"
  }

  /// Parses CSV text into records of fields (quoted fields may contain commas, quotes and line
  /// breaks). A final line break does not start an empty record.
  /// - Throws: ``CSVError`` for an unterminated quoted field or stray text after a closing quote.
  public static func parse(_ text: String) throws -> [[String]] {
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var inQuotes = false
    var afterClosingQuote = false
    var line = 1
    var iterator = text.unicodeScalars.makeIterator()
    var pending: Unicode.Scalar? = nil
    func nextScalar() -> Unicode.Scalar? {
      if let p = pending {
        pending = nil
        return p
      }
      return iterator.next()
    }
    while let c = nextScalar() {
      if inQuotes {
        if c == "\"" {
          if let n = nextScalar() {
            if n == "\"" {
              field.unicodeScalars.append("\"")
            } else {
              inQuotes = false
              afterClosingQuote = true
              pending = n
            }
          } else {
            inQuotes = false
            afterClosingQuote = true
          }
        } else {
          if c == "\n" { line += 1 }
          field.unicodeScalars.append(c)
        }
        continue
      }
      switch c {
      case ",":
        record.append(field)
        field = ""
        afterClosingQuote = false
      case "\r", "\n":
        if c == "\r", let n = nextScalar(), n != "\n" { pending = n }
        record.append(field)
        records.append(record)
        record = []
        field = ""
        afterClosingQuote = false
        line += 1
      case "\"" where field.isEmpty && !afterClosingQuote:
        inQuotes = true
      default:
        if afterClosingQuote { throw CSVError(line: line, reason: "text after a closing quote") }
        field.unicodeScalars.append(c)
      }
    }
    if inQuotes { throw CSVError(line: line, reason: "unterminated quoted field") }
    if !field.isEmpty || !record.isEmpty || afterClosingQuote {
      record.append(field)
      records.append(record)
    }
    return records
  }
}

/// Malformed CSV, with the (1-based) line where parsing stopped.
public struct CSVError: Error, CustomStringConvertible, Sendable {
  public let line: Int
  public let reason: String
  public var description: String { "CSV line \(line): \(reason)" }
}
