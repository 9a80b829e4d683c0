import Core
import Foundation

/// A verse's place: OSIS book name (`Gen`, `Matt`), chapter and verse, both from 1.
public struct VerseReference: Hashable, Sendable, CustomStringConvertible {
  public var book: String
  public var chapter: Int
  public var verse: Int

  public init(_ book: String, _ chapter: Int, _ verse: Int) {
    self.book = book
    self.chapter = chapter
    self.verse = verse
  }

  public var description: String { "\(book).\(chapter).\(verse)" }
}

/// The verses of an installed SWORD Bible module in the zText format, as plain text.
///
/// The versification (which index is which book, chapter and verse) is read from the module
/// itself: osis2mod writes a `<chapter osisID="Book.N">` start tag into every chapter heading
/// entry, the entries after it up to the next chapter heading are verses 1, 2, ..., and the entry
/// just before the first chapter of a book is that book's heading. This reads the KJV-versified
/// modules (Reina-Valera 1909, King James) and the NRSVA-versified World English Bible alike, and
/// verses align across modules by reference.
public struct BibleModule: Sendable {
  /// The module's identifier (`spaRV1909eb`).
  public var name: String
  /// `Versification=` of its `.conf` ("KJV" when absent, SWORD's default).
  public var versification: String
  /// Books in module order.
  public var books: [String]
  /// Every verse in module order, with its plain text ("" for an empty entry).
  public var verses: [(reference: VerseReference, text: String)]

  public init(
    name: String, versification: String, books: [String],
    verses: [(reference: VerseReference, text: String)]
  ) {
    self.name = name
    self.versification = versification
    self.books = books
    self.verses = verses
  }

  /// Reads module `name` of the SWORD library at `swordDirectory` (`mods.d/<name>.conf`, whose
  /// `DataPath` holds `ot.*` and `nt.*`; a testament the module lacks is skipped).
  /// - Throws: `FileError` for a missing or unsupported module, `ZTextError` for bad data.
  public static func read(name: String, swordDirectory: URL) throws -> BibleModule {
    let conf = try ModuleConfiguration.read(name: name, swordDirectory: swordDirectory)
    guard conf.driver.lowercased() == "ztext" else {
      throw FileError(path: conf.path, reason: "ModDrv=\(conf.driver): only zText modules are read")
    }
    let folder = swordDirectory.appendingPathComponent(conf.dataPath)
    var books: [String] = []
    var verses: [(reference: VerseReference, text: String)] = []
    var foundAny = false
    for testament in ["ot", "nt"] {
      let index = folder.appendingPathComponent("\(testament).bzv").path
      guard FileManager.default.fileExists(atPath: index) else { continue }
      foundAny = true
      let entries = try ZTextTestament(folder: folder, testament: testament).entries
      let found = try structure(entries, path: index)
      for book in found.books where !books.contains(book) { books.append(book) }
      verses += found.verses
    }
    guard foundAny else {
      throw FileError(path: folder.path, reason: "no ot.bzv or nt.bzv: not a zText module folder")
    }
    return BibleModule(
      name: conf.name, versification: conf.versification, books: books, verses: verses)
  }

  /// Books and verses of one testament's entries (see the type's description). Entries before the
  /// first chapter heading are the module and testament headings and the first book's heading.
  /// - Throws: `ZTextError` (byte offset of the entry's `.bzv` record) when no entry carries a
  ///   chapter start tag, or when chapters of a book are out of order.
  public static func structure(_ entries: [String], path: String) throws -> (
    books: [String], verses: [(reference: VerseReference, text: String)]
  ) {
    var headings: [(index: Int, book: String, chapter: Int)] = []
    for (index, entry) in entries.enumerated() {
      guard let start = OSISText.chapterStart(entry) else { continue }
      if let last = headings.last {
        let expected = last.book == start.book ? last.chapter + 1 : 1
        guard start.chapter == expected, index > last.index + 1 else {
          throw ZTextError(
            path: path, offset: index * ZTextTestament.verseRecordSize,
            reason: "entry \(index) starts \(start.book) \(start.chapter) after \(last.book) "
              + "\(last.chapter) at entry \(last.index): expected chapter \(expected) with verses between")
        }
      } else if start.chapter != 1 {
        throw ZTextError(
          path: path, offset: index * ZTextTestament.verseRecordSize,
          reason: "the first chapter heading (entry \(index)) is \(start.book) \(start.chapter), not 1")
      }
      headings.append((index, start.book, start.chapter))
    }
    guard !headings.isEmpty else {
      throw ZTextError(
        path: path, offset: 0,
        reason: "no entry has a <chapter osisID=\"Book.N\"> start tag (is this an OSIS Bible module?)")
    }
    var books: [String] = []
    var verses: [(reference: VerseReference, text: String)] = []
    for (h, heading) in headings.enumerated() {
      if books.last != heading.book { books.append(heading.book) }
      var end = entries.count
      if h + 1 < headings.count {
        end = headings[h + 1].index
        // The entry before a book's first chapter is the book heading, not a verse.
        if headings[h + 1].book != heading.book { end -= 1 }
      }
      for index in (heading.index + 1)..<max(end, heading.index + 1) {
        verses.append(
          (
            VerseReference(heading.book, heading.chapter, index - heading.index),
            OSISText.plainText(entries[index])
          ))
      }
    }
    return (books, verses)
  }
}

/// The keys of a SWORD module's `mods.d/<name>.conf` that the reader needs.
struct ModuleConfiguration {
  var name: String
  var path: String
  var dataPath: String
  var driver: String
  var versification: String

  static func read(name: String, swordDirectory: URL) throws -> ModuleConfiguration {
    let folder = swordDirectory.appendingPathComponent("mods.d")
    let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    guard let file = files.first(where: { $0.lowercased() == name.lowercased() + ".conf" }) else {
      throw FileError(
        path: folder.appendingPathComponent("\(name).conf").path,
        reason: "module \(name) is not installed (no such .conf)")
    }
    let url = folder.appendingPathComponent(file)
    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
      throw FileError(path: url.path, reason: "cannot read the module configuration as UTF-8")
    }
    var values: [String: String] = [:]
    for line in text.split(whereSeparator: \.isNewline) {
      guard let equals = line.firstIndex(of: "="), !line.hasPrefix("#") else { continue }
      let key = line[..<equals].trimmingCharacters(in: .whitespaces)
      if values[key] == nil {
        values[key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
      }
    }
    guard let dataPath = values["DataPath"], !dataPath.isEmpty else {
      throw FileError(path: url.path, reason: "no DataPath= line")
    }
    return ModuleConfiguration(
      name: name, path: url.path, dataPath: dataPath, driver: values["ModDrv"] ?? "",
      versification: values["Versification"] ?? "KJV")
  }
}
