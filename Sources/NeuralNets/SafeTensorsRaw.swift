import Core
import Foundation

extension SafeTensors {
  /// A tensor as stored: dtype, shape and little-endian bytes.
  public struct RawTensor: Sendable {
    public var name: String
    public var dtype: DType
    public var shape: [Int]
    public var bytes: [UInt8]

    /// The values of a float tensor (F32, F64, F16, BF16) as `Float`, nil for another dtype.
    public func floats() -> [Float]? {
      guard dtype.isFloat else { return nil }
      return bytes.withUnsafeBytes { dtype.floats(from: $0) }
    }

    /// The values of an integer tensor (I8 ... I64, U8 ... U64, BOOL) as `Int`, nil for a float
    /// dtype or a U64 value above `Int.max`.
    public func integers() -> [Int]? {
      let size = dtype.size
      var out: [Int] = []
      out.reserveCapacity(bytes.count / max(size, 1))
      var i = 0
      while i + size <= bytes.count {
        var u: UInt64 = 0
        for k in 0..<size { u |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
        switch dtype {
        case .bool, .u8, .u16, .u32: out.append(Int(u))
        case .u64:
          guard u <= UInt64(Int.max) else { return nil }
          out.append(Int(u))
        case .i8: out.append(Int(Int8(truncatingIfNeeded: u)))
        case .i16: out.append(Int(Int16(truncatingIfNeeded: u)))
        case .i32: out.append(Int(Int32(truncatingIfNeeded: u)))
        case .i64: out.append(Int(Int64(bitPattern: u)))
        default: return nil
        }
        i += size
      }
      return out
    }
  }

  /// Every tensor of a file with its metadata.
  public struct RawFile: Sendable {
    public var tensors: [RawTensor]
    public var metadata: [String: String]

    public subscript(name: String) -> RawTensor? { tensors.first { $0.name == name } }
  }

  /// Reads a file keeping integer tensors (`decodeRaw`).
  public static func loadRaw(from url: URL) throws(SafeTensorsError) -> RawFile {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw .io("cannot read \(url.path): \(error.plainReason)")
    }
    return try decodeRaw(data)
  }
}
