/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum TFRecord files use, and
/// TensorFlow's masked form of it. Check value: `CRC32C.checksum("123456789") == 0xE306_9283`.
public enum CRC32C {
  /// Slicing-by-8 tables: table[0] is the classic byte table.
  static let tables: [[UInt32]] = {
    var tables = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
    for n in 0..<256 {
      var c = UInt32(n)
      for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
      tables[0][n] = c
    }
    for n in 0..<256 {
      for k in 1..<8 {
        let previous = tables[k - 1][n]
        tables[k][n] = (previous >> 8) ^ tables[0][Int(previous & 0xFF)]
      }
    }
    return tables
  }()

  /// The CRC-32C of `bytes`, continuing from `crc` (0 for a fresh checksum).
  public static func checksum<Bytes: Sequence>(_ bytes: Bytes, continuing crc: UInt32 = 0) -> UInt32
  where Bytes.Element == UInt8 {
    if let fast = bytes.withContiguousStorageIfAvailable({ update(crc, $0) }) { return fast }
    return update(crc, Array(bytes).withUnsafeBufferPointer { $0 })
  }

  /// The CRC-32C of the UTF-8 bytes of `text`.
  public static func checksum(_ text: String) -> UInt32 { checksum(Array(text.utf8)) }

  /// TensorFlow's masked CRC (`crc32c::Mask`): rotate right by 15 bits and add a constant, so
  /// that a CRC stored inside checksummed data does not checksum to a fixed value.
  public static func masked(_ crc: UInt32) -> UInt32 { ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8 }

  private static func update(_ crc: UInt32, _ buffer: UnsafeBufferPointer<UInt8>) -> UInt32 {
    let t = tables
    var c = ~crc
    var i = 0
    let n = buffer.count
    while i + 8 <= n {
      let low =
        c
        ^ (UInt32(buffer[i]) | UInt32(buffer[i + 1]) << 8 | UInt32(buffer[i + 2]) << 16 | UInt32(
          buffer[i + 3]) << 24)
      let high =
        UInt32(buffer[i + 4]) | UInt32(buffer[i + 5]) << 8 | UInt32(buffer[i + 6]) << 16 | UInt32(
          buffer[i + 7]) << 24
      c =
        t[7][Int(low & 0xFF)] ^ t[6][Int((low >> 8) & 0xFF)] ^ t[5][Int((low >> 16) & 0xFF)]
        ^ t[4][Int(low >> 24)] ^ t[3][Int(high & 0xFF)] ^ t[2][Int((high >> 8) & 0xFF)]
        ^ t[1][Int((high >> 16) & 0xFF)] ^ t[0][Int(high >> 24)]
      i += 8
    }
    while i < n {
      c = (c >> 8) ^ t[0][Int((c ^ UInt32(buffer[i])) & 0xFF)]
      i += 1
    }
    return ~c
  }
}
