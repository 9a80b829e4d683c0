/// Plain text out of the OSIS markup of a SWORD entry.
///
/// Words inside `<w lemma=...>` (Strong's numbers), `<transChange>` (KJV's italics), `<q>`,
/// `<divineName>`, `<seg>`, `<foreign>` and the like are kept; the content of `<note>`
/// (footnotes and cross-references), `<title>` (headings and psalm titles: the Spanish text has
/// none) and `<speaker>` is dropped; other tags (`<div .../>`, `<lb/>`, `<l .../>`, a dropped
/// note) become spaces. The five XML entities and numeric character references are decoded.
public enum OSISText {
  /// Elements whose content is not part of the verse text.
  public static let droppedElements: Set<Substring> = ["note", "title", "speaker"]
  /// Elements inside running text: their tags are removed without a space (`<w>LORD</w>'s`).
  public static let inlineElements: Set<Substring> = [
    "w", "transChange", "q", "divineName", "seg", "foreign", "name", "hi", "rdg", "catchWord",
  ]

  /// The text of `entry` with markup removed and white space collapsed to single spaces.
  public static func plainText(_ entry: String) -> String {
    var out = ""
    var dropDepth = 0
    var rest = entry[...]
    while let open = rest.firstIndex(of: "<") {
      if dropDepth == 0 { out += decodeEntities(rest[..<open]) }
      guard let close = rest[open...].firstIndex(of: ">") else {
        rest = rest[rest.endIndex...]
        break
      }
      let tag = rest[rest.index(after: open)..<close]
      rest = rest[rest.index(after: close)...]
      let isEnd = tag.hasPrefix("/")
      let isEmpty = tag.hasSuffix("/")
      let name = tag.drop(while: { $0 == "/" }).prefix(while: { $0.isLetter || $0.isNumber })
      if droppedElements.contains(name) && !isEmpty {
        dropDepth = max(0, dropDepth + (isEnd ? -1 : 1))
        if dropDepth == 0 { out += " " }
      } else if dropDepth == 0 && !inlineElements.contains(name) {
        out += " "
      }
    }
    if dropDepth == 0 { out += decodeEntities(rest) }
    return out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }

  /// The book and chapter of a chapter heading entry: its `<chapter ... osisID="Book.N" ...>`
  /// start tag (osis2mod writes one into every chapter heading); nil when there is none, or more
  /// than one: osis2mod puts a whole book the versification lacks (the WEB's Greek Daniel) into
  /// the next book's heading, chapters and all.
  public static func chapterStart(_ entry: String) -> (book: String, chapter: Int)? {
    guard entry.contains("<chapter") else { return nil }
    var found: [(book: String, chapter: Int)] = []
    var rest = entry[...]
    while let range = rest.range(of: "<chapter") {
      let after = rest[range.upperBound...]
      guard let close = after.firstIndex(of: ">") else { return nil }
      let tag = after[..<close]
      rest = after[close...]
      guard tag.first == " " || tag.first == "/", let id = attribute("osisID", in: tag) else { continue }
      let parts = id.split(separator: ".")
      guard parts.count == 2, let chapter = Int(parts[1]), chapter >= 1 else { continue }
      found.append((String(parts[0]), chapter))
    }
    return found.count == 1 ? found[0] : nil
  }

  static func attribute(_ name: String, in tag: Substring) -> Substring? {
    guard let start = tag.range(of: " \(name)=\"") else { return nil }
    let value = tag[start.upperBound...]
    guard let end = value.firstIndex(of: "\"") else { return nil }
    return value[..<end]
  }

  static func decodeEntities(_ text: Substring) -> String {
    guard text.contains("&") else { return String(text) }
    var out = ""
    var rest = text
    while let amp = rest.firstIndex(of: "&") {
      out += rest[..<amp]
      let afterAmp = rest[rest.index(after: amp)...]
      guard let semi = afterAmp.prefix(10).firstIndex(of: ";") else {
        out += "&"
        rest = afterAmp
        continue
      }
      let name = afterAmp[..<semi]
      if let decoded = entity(name) {
        out.unicodeScalars.append(decoded)
      } else {
        out += "&" + name + ";"
      }
      rest = afterAmp[afterAmp.index(after: semi)...]
    }
    return out + rest
  }

  static func entity(_ name: Substring) -> Unicode.Scalar? {
    switch name {
    case "amp": return "&"
    case "lt": return "<"
    case "gt": return ">"
    case "quot": return "\""
    case "apos": return "'"
    default:
      guard name.hasPrefix("#") else { return nil }
      let digits = name.dropFirst()
      let value =
        digits.hasPrefix("x") || digits.hasPrefix("X")
        ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
      return value.flatMap(Unicode.Scalar.init)
    }
  }
}
