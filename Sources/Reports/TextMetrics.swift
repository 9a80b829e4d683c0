/// The font metric the plots lay text out with, and the fitting rules built on it.
///
/// The SVGs ask for `Helvetica, Arial, sans-serif`. Text is measured with the advance widths of
/// **DejaVu Sans** (Book and Bold, version 2.37, `hmtx` table, 2048 units per em) for printable
/// ASCII, because DejaVu Sans is the usual fallback on Linux and is wider than Helvetica and Arial
/// for almost every character (lowercase letters and digits by about 14%); a 2% allowance covers the
/// few glyphs where Helvetica is wider (`@`, `%`). Other characters count 0.8 em, and East Asian
/// wide characters (U+2E80 and above) and the ellipsis 1 em. So text that fits by this metric
/// fits in any of the fonts named.
///
/// Vertically a line occupies 0.8 em above the baseline (ascender 0.76 em) and 0.25 em below
/// (descender 0.24 em).
public enum TextMetrics {
  /// Advance widths of ASCII 32...126 in DejaVu Sans Book, in 1/2048 em.
  static let regular: [Int] = [
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303, 1303, 1303,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048, 1401, 1405, 1430, 1577,
    1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401,
    2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298,
    569, 569, 1186, 569, 1995, 1298, 1253, 1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075,
    1303, 690, 1303, 1716,
  ]
  /// Advance widths of ASCII 32...126 in DejaVu Sans Bold, in 1/2048 em.
  static let bold: [Int] = [
    713, 934, 1067, 1716, 1425, 2052, 1786, 627, 936, 936, 1071, 1716, 778, 850, 778, 748, 1425, 1425, 1425,
    1425, 1425, 1425, 1425, 1425, 1425, 1425, 819, 819, 1716, 1716, 1716, 1188, 2048, 1585, 1561, 1503, 1700,
    1399, 1399, 1681, 1714, 762, 762, 1587, 1305, 2038, 1714, 1741, 1501, 1741, 1577, 1475, 1397, 1663, 1585,
    2259, 1579, 1483, 1485, 936, 748, 936, 1716, 1024, 1024, 1382, 1466, 1214, 1466, 1389, 891, 1466, 1458,
    702, 702, 1362, 702, 2134, 1458, 1407, 1466, 1466, 1010, 1219, 979, 1458, 1335, 1892, 1321, 1335, 1192,
    1458, 748, 1458, 1716,
  ]
  /// Height above the baseline and depth below it, in em.
  public static let ascent = 0.8
  public static let descent = 0.25
  /// Allowance for fonts wider than DejaVu Sans on a few glyphs.
  static let allowance = 1.02

  /// Width in pixels of `text` set in `size`-pixel type.
  public static func width(_ text: String, size: Double, bold: Bool = false) -> Double {
    let table = bold ? Self.bold : Self.regular
    var units = 0.0
    for scalar in text.unicodeScalars {
      let v = scalar.value
      if v >= 32 && v <= 126 {
        units += Double(table[Int(v) - 32]) / 2048
      } else if v == 0x2026 || v >= 0x2E80 {
        units += 1
      } else {
        units += 0.8
      }
    }
    return units * size * allowance
  }

  /// `text` cut to fit `maxWidth`, ending in an ellipsis when cut.
  public static func truncate(_ text: String, maxWidth: Double, size: Double, bold: Bool = false) -> String {
    if width(text, size: size, bold: bold) <= maxWidth { return text }
    var kept = Array(text)
    while !kept.isEmpty {
      kept.removeLast()
      let candidate = String(kept).trimmingTrailingSpaces() + "\u{2026}"
      if width(candidate, size: size, bold: bold) <= maxWidth { return candidate }
    }
    return ""
  }

  /// Characters after which a line may break inside a word (`pbrs:` / `manhattan*0.25`).
  static let breakAfter: Set<Character> = [":", "*", "/", "=", "_", "-", ","]

  /// Greedy wrap into at most `maxLines` lines of at most `maxWidth`, breaking at spaces, or where
  /// that is not enough also after ``breakAfter`` characters; nil when it does not fit.
  public static func wrap(_ text: String, maxWidth: Double, size: Double, bold: Bool = false, maxLines: Int)
    -> [String]?
  {
    wrap(text, at: [" "], maxWidth: maxWidth, size: size, bold: bold, maxLines: maxLines)
      ?? wrap(
        text, at: breakAfter.union([" "]), maxWidth: maxWidth, size: size, bold: bold, maxLines: maxLines)
  }

  static func wrap(
    _ text: String, at breaks: Set<Character>, maxWidth: Double, size: Double, bold: Bool, maxLines: Int
  ) -> [String]? {
    // Pieces end after a break character; a line's trailing spaces are dropped.
    var pieces: [String] = []
    var piece = ""
    for c in text {
      piece.append(c)
      if breaks.contains(c) {
        pieces.append(piece)
        piece = ""
      }
    }
    if !piece.isEmpty { pieces.append(piece) }
    var lines: [String] = []
    var line = ""
    for piece in pieces {
      let candidate = (line + piece).trimmingTrailingSpaces()
      if width(candidate, size: size, bold: bold) <= maxWidth {
        line += piece
        continue
      }
      let alone = piece.trimmingTrailingSpaces()
      if line.trimmingTrailingSpaces().isEmpty || width(alone, size: size, bold: bold) > maxWidth {
        return nil
      }
      lines.append(line.trimmingTrailingSpaces())
      line = piece.first == " " ? String(piece.drop { $0 == " " }) : piece
    }
    if !line.trimmingTrailingSpaces().isEmpty { lines.append(line.trimmingTrailingSpaces()) }
    return lines.count <= maxLines ? lines : nil
  }

  /// The largest of `sizes` (tried in order) at which `text` wraps into `maxLines` lines of
  /// `maxWidth`; failing that, the last size with the text wrapped and its last line truncated.
  public static func fit(
    _ text: String, maxWidth: Double, sizes: [Double], bold: Bool = false, maxLines: Int
  ) -> (lines: [String], size: Double) {
    for size in sizes {
      if let lines = wrap(text, maxWidth: maxWidth, size: size, bold: bold, maxLines: maxLines) {
        return (lines, size)
      }
    }
    let size = sizes.last ?? 12
    // Wrapped at every break allowed, the lines past the last cut with an ellipsis.
    if maxLines >= 1,
      let all = wrap(
        text, at: breakAfter.union([" "]), maxWidth: maxWidth, size: size, bold: bold, maxLines: Int.max)
    {
      var lines = Array(all.prefix(maxLines))
      if all.count > maxLines {
        lines[maxLines - 1] = truncate(
          lines[maxLines - 1] + " " + all[maxLines], maxWidth: maxWidth, size: size, bold: bold)
      }
      return (lines, size)
    }
    // A word wider than the line: fill lines greedily, cutting inside words, and cut what is left.
    var lines: [String] = []
    var rest = Substring(text)
    while lines.count < maxLines - 1, !rest.isEmpty {
      // The longest prefix that fits, cut at a space where possible, else inside the word.
      var end = rest.endIndex
      while end > rest.startIndex, width(String(rest[..<end]), size: size, bold: bold) > maxWidth {
        let head = rest[..<end].dropLast()
        if let space = head.lastIndex(of: " "), space > rest.startIndex {
          end = space
        } else {
          end = head.endIndex
        }
      }
      if end == rest.startIndex { break }
      lines.append(String(rest[..<end]).trimmingTrailingSpaces())
      rest = rest[end...].drop { $0 == " " }
    }
    if !rest.isEmpty || lines.isEmpty {
      lines.append(truncate(String(rest), maxWidth: maxWidth, size: size, bold: bold))
    }
    return (lines.filter { !$0.isEmpty }, size)
  }
}

extension String {
  fileprivate func trimmingTrailingSpaces() -> String {
    var s = self
    while s.last == " " { s.removeLast() }
    return s
  }
}
