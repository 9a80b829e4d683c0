import Core
import Foundation

/// TFRecord framing, the container of TensorBoard event files: each record is
///
/// ```
/// uint64 length (little-endian) | uint32 masked CRC-32C of those 8 bytes | data | uint32 masked CRC-32C of data
/// ```
public enum TFRecord {
  /// One framed record.
  public static func frame(_ data: Data) -> Data {
    var out = Data(capacity: data.count + 16)
    let length = littleEndianBytes(UInt64(data.count))
    out.append(contentsOf: length)
    out.append(contentsOf: littleEndianBytes(CRC32C.masked(CRC32C.checksum(length))))
    out.append(data)
    out.append(contentsOf: littleEndianBytes(CRC32C.masked(CRC32C.checksum(data))))
    return out
  }

  /// The records of a TFRecord file's bytes, checking both CRCs of each.
  /// - Throws: ``TFRecordError`` with the byte offset of a truncated or corrupt record.
  public static func records(in data: Data) throws -> [Data] {
    let bytes = [UInt8](data)
    var records: [Data] = []
    var offset = 0
    while offset < bytes.count {
      guard bytes.count - offset >= 12 else {
        throw TFRecordError(offset: offset, reason: "truncated record header")
      }
      let lengthBytes = bytes[offset..<(offset + 8)]
      let length = lengthBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
      guard readUInt32(bytes, offset + 8) == CRC32C.masked(CRC32C.checksum(lengthBytes)) else {
        throw TFRecordError(offset: offset, reason: "length CRC mismatch")
      }
      let start = offset + 12
      guard length <= UInt64(bytes.count - start), bytes.count - start - Int(length) >= 4 else {
        throw TFRecordError(offset: offset, reason: "record of \(length) bytes runs past the end of the file")
      }
      let payload = bytes[start..<(start + Int(length))]
      guard readUInt32(bytes, start + Int(length)) == CRC32C.masked(CRC32C.checksum(payload)) else {
        throw TFRecordError(offset: start, reason: "data CRC mismatch")
      }
      records.append(Data(payload))
      offset = start + Int(length) + 4
    }
    return records
  }

  static func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
  }

  static func readUInt32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
    (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << ($1 * 8) }
  }
}

/// A truncated or corrupt TFRecord file: what is wrong and the byte offset of the record.
public struct TFRecordError: Error, CustomStringConvertible, Sendable, Equatable {
  public var offset: Int
  public var reason: String
  public var description: String { "byte \(offset): \(reason)" }
}
