import CZlib
import Core
import Foundation

/// A malformed SWORD module file: the file, the byte offset of the bad record and what is wrong.
public struct ZTextError: Error, CustomStringConvertible, Sendable, Equatable {
  public var path: String
  public var offset: Int
  public var reason: String

  public init(path: String, offset: Int, reason: String) {
    self.path = path
    self.offset = offset
    self.reason = reason
  }

  public var description: String { "\(path): byte \(offset): \(reason)" }
}

/// One testament of a SWORD `zText` module (`ot` or `nt`): the raw entries in versification
/// order, entry i being SWORD's index i (0 the module heading, 1 the testament heading, then per
/// book a book heading and per chapter a chapter heading followed by its verses).
///
/// The format, as written by SWORD's `zVerse` driver (all integers little-endian):
/// - `<t>.bzs`, the block index: 12 bytes per block, `u32 offset` into `.bzz`, `u32 size` of the
///   compressed block, `u32 size` of the block once inflated;
/// - `<t>.bzv`, the verse index: 10 bytes per entry, `u32 block`, `u32 offset` of the entry in
///   the inflated block, `u16 size` (0: an empty entry);
/// - `<t>.bzz`, the blocks: zlib streams (`CompressType=ZIP`), concatenated.
public struct ZTextTestament: Sendable {
  public static let blockRecordSize = 12
  public static let verseRecordSize = 10
  /// Largest inflated block accepted (SWORD's are a book or a chapter: well under a megabyte).
  public static let maxBlockSize = 64 << 20

  /// The entries' UTF-8 text, in index order ("" for an empty entry).
  public let entries: [String]

  /// Reads `<folder>/<testament>.bzs|.bzv|.bzz`.
  /// - Throws: `ZTextError` (with the byte offset) for a missing, truncated or inconsistent file.
  public init(folder: URL, testament: String) throws {
    func load(_ ext: String) throws -> (Data, String) {
      let url = folder.appendingPathComponent("\(testament).\(ext)")
      guard let data = try? Data(contentsOf: url) else {
        throw ZTextError(path: url.path, offset: 0, reason: "cannot read the file (does it exist?)")
      }
      return (data, url.path)
    }
    let (blockIndex, blockPath) = try load("bzs")
    let (verseIndex, versePath) = try load("bzv")
    let (blocks, blocksPath) = try load("bzz")
    try self.init(
      blockIndex: [UInt8](blockIndex), verseIndex: [UInt8](verseIndex), blocks: [UInt8](blocks),
      paths: (blockPath, versePath, blocksPath))
  }

  /// Decodes the three files' bytes; `paths` name them in errors.
  public init(
    blockIndex: [UInt8], verseIndex: [UInt8], blocks: [UInt8],
    paths: (blockIndex: String, verseIndex: String, blocks: String)
  ) throws {
    guard blockIndex.count % Self.blockRecordSize == 0 else {
      throw ZTextError(
        path: paths.blockIndex, offset: blockIndex.count - blockIndex.count % Self.blockRecordSize,
        reason: "truncated block record (the file is \(blockIndex.count) bytes, not a multiple of 12)")
    }
    guard verseIndex.count % Self.verseRecordSize == 0 else {
      throw ZTextError(
        path: paths.verseIndex, offset: verseIndex.count - verseIndex.count % Self.verseRecordSize,
        reason: "truncated verse record (the file is \(verseIndex.count) bytes, not a multiple of 10)")
    }
    var inflated: [[UInt8]?] = Array(repeating: nil, count: blockIndex.count / Self.blockRecordSize)
    func block(_ number: Int) throws -> [UInt8] {
      if let done = inflated[number] { return done }
      let record = number * Self.blockRecordSize
      let start = Int(Self.u32(blockIndex, record))
      let compressed = Int(Self.u32(blockIndex, record + 4))
      let size = Int(Self.u32(blockIndex, record + 8))
      guard start <= blocks.count, compressed <= blocks.count - start else {
        throw ZTextError(
          path: paths.blockIndex, offset: record,
          reason: "block \(number) spans bytes \(start)..<\(start + compressed) of \(paths.blocks), "
            + "which has \(blocks.count)")
      }
      guard size <= Self.maxBlockSize else {
        throw ZTextError(
          path: paths.blockIndex, offset: record,
          reason: "block \(number) claims \(size) inflated bytes (at most \(Self.maxBlockSize))")
      }
      guard let bytes = Self.inflate(blocks[start..<(start + compressed)], size: size) else {
        throw ZTextError(
          path: paths.blocks, offset: start,
          reason: "block \(number) is not a zlib stream of \(size) bytes")
      }
      inflated[number] = bytes
      return bytes
    }
    var entries: [String] = []
    entries.reserveCapacity(verseIndex.count / Self.verseRecordSize)
    var record = 0
    while record < verseIndex.count {
      let number = Int(Self.u32(verseIndex, record))
      let offset = Int(Self.u32(verseIndex, record + 4))
      let size = Int(verseIndex[record + 8]) | Int(verseIndex[record + 9]) << 8
      if size == 0 {
        entries.append("")
        record += Self.verseRecordSize
        continue
      }
      guard number < inflated.count else {
        throw ZTextError(
          path: paths.verseIndex, offset: record,
          reason: "entry \(entries.count) names block \(number); the module has \(inflated.count)")
      }
      let bytes = try block(number)
      guard offset <= bytes.count, size <= bytes.count - offset else {
        throw ZTextError(
          path: paths.verseIndex, offset: record,
          reason: "entry \(entries.count) spans bytes \(offset)..<\(offset + size) of block \(number), "
            + "which has \(bytes.count)")
      }
      guard let text = String(validating: bytes[offset..<(offset + size)], as: UTF8.self) else {
        throw ZTextError(
          path: paths.verseIndex, offset: record, reason: "entry \(entries.count) is not valid UTF-8")
      }
      entries.append(text)
      record += Self.verseRecordSize
    }
    self.entries = entries
  }

  static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
    UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16
      | UInt32(bytes[at + 3]) << 24
  }

  /// zlib-inflates `compressed`, which must give exactly `size` bytes; nil otherwise.
  static func inflate(_ compressed: ArraySlice<UInt8>, size: Int) -> [UInt8]? {
    var output = [UInt8](repeating: 0, count: max(size, 1))
    var outputSize = uLongf(output.count)
    let status = compressed.withUnsafeBufferPointer { input in
      output.withUnsafeMutableBufferPointer { out in
        uncompress(out.baseAddress, &outputSize, input.baseAddress, uLong(input.count))
      }
    }
    guard status == Z_OK, Int(outputSize) == size else { return nil }
    return Array(output.prefix(size))
  }
}
