import Foundation

/// A parsed JSON value; integers stay exact (`Int`), booleans stay distinct from numbers.
enum HeaderJSON: Decodable {
  case object([String: HeaderJSON])
  case array([HeaderJSON])
  case string(String)
  case int(Int)
  case double(Double)
  case bool(Bool)
  case null

  struct Key: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  init(from decoder: any Decoder) throws {
    if let keyed = try? decoder.container(keyedBy: Key.self) {
      var out: [String: HeaderJSON] = [:]
      for key in keyed.allKeys { out[key.stringValue] = try keyed.decode(HeaderJSON.self, forKey: key) }
      self = .object(out)
    } else if var list = try? decoder.unkeyedContainer() {
      var out: [HeaderJSON] = []
      while !list.isAtEnd { out.append(try list.decode(HeaderJSON.self)) }
      self = .array(out)
    } else {
      let single = try decoder.singleValueContainer()
      if single.decodeNil() {
        self = .null
      } else if let b = try? single.decode(Bool.self) {
        self = .bool(b)
      } else if let i = try? single.decode(Int.self) {
        self = .int(i)
      } else if let d = try? single.decode(Double.self) {
        self = .double(d)
      } else {
        self = .string(try single.decode(String.self))
      }
    }
  }
}

extension Float {
  /// IEEE 754 half precision to single precision (subnormals, infinities and NaN included).
  init(halfBits h: UInt16) {
    let sign = UInt32(h >> 15) << 31
    let exponent = Int((h >> 10) & 0x1F)
    let mantissa = UInt32(h & 0x3FF)
    if exponent == 0 {
      let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
      self = sign != 0 ? -magnitude : magnitude
    } else if exponent == 31 {
      self = Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    } else {
      self = Float(bitPattern: sign | (UInt32(exponent - 15 + 127) << 23) | (mantissa << 13))
    }
  }
}

/// Why a safetensors file could not be read or written.
public enum SafeTensorsError: Error, Equatable, CustomStringConvertible {
  case tooShort(Int)
  case headerTooLarge(UInt64)
  case headerBeyondFile(headerLength: UInt64, fileSize: Int)
  /// `offset`: the file byte where the first invalid UTF-8 sequence starts.
  case invalidUTF8(offset: Int)
  case invalidJSON(String)
  case invalidEntry(String, String)
  case unknownDType(name: String, dtype: String)
  case unsupportedDType(name: String, dtype: String)
  case shapeMismatch(name: String, shape: [Int], dtype: SafeTensors.DType, bytes: Int)
  /// Data errors carry `dataStart`, the file byte where the data section begins (8 + header
  /// length): messages give file offsets, with the header's data-relative ones beside them.
  case overlappingOffsets(name: String, begin: Int, previousEnd: Int, dataStart: Int)
  case gapInData(name: String, begin: Int, previousEnd: Int, dataStart: Int)
  case offsetsBeyondData(name: String, end: Int, dataSize: Int, dataStart: Int)
  case trailingBytes(dataSize: Int, used: Int, dataStart: Int)
  /// A header error located at the file byte where its entry's name is written.
  indirect case atHeaderByte(Int, SafeTensorsError)
  case duplicateName(String)
  case reservedName
  case missingTensor(String)
  case unexpectedTensor(String)
  case wrongShape(name: String, expected: [Int], found: [Int])
  case invalidMetadata(String)
  case io(String)

  public var description: String {
    switch self {
    case .tooShort(let n):
      return "safetensors: file is \(n) bytes, shorter than the 8-byte header length (truncated?)"
    case .headerTooLarge(let n):
      return
        "safetensors: header length \(n) exceeds the limit of \(SafeTensors.maxHeaderBytes) bytes (corrupted?)"
    case .headerBeyondFile(let n, let size):
      return "safetensors: header length \(n) runs past the end of the \(size)-byte file (truncated?)"
    case .invalidUTF8(let offset):
      return "safetensors: byte \(offset): the header is not valid UTF-8"
    case .invalidJSON(let why):
      return "safetensors: the header is not valid JSON: \(why)"
    case .invalidEntry(let name, let why):
      return "safetensors: header entry '\(name)': \(why)"
    case .unknownDType(let name, let dtype):
      return "safetensors: tensor '\(name)' has unknown dtype '\(dtype)'"
    case .unsupportedDType(let name, let dtype):
      return "safetensors: tensor '\(name)' has dtype \(dtype); LossLab reads F32, F64, F16 and BF16"
    case .shapeMismatch(let name, let shape, let dtype, let bytes):
      var needed: Int? = dtype.size
      for d in shape {
        needed = needed.flatMap { n in n.multipliedReportingOverflow(by: d).overflow ? nil : n * d }
      }
      return "safetensors: tensor '\(name)' of shape \(shape) and dtype \(dtype.rawValue) needs "
        + "\(needed.map(String.init) ?? "more than Int.max") bytes, its data_offsets span \(bytes)"
    case .overlappingOffsets(let name, let begin, let end, let start):
      return "safetensors: byte \(start + begin): tensor '\(name)' starts there (data offset \(begin)), "
        + "overlapping the previous tensor, which ends at byte \(start + end)"
    case .gapInData(let name, let begin, let end, let start):
      return "safetensors: byte \(start + begin): tensor '\(name)' starts there (data offset \(begin)), "
        + "leaving a gap after the previous tensor, which ends at byte \(start + end)"
    case .offsetsBeyondData(let name, let end, let size, let start):
      return "safetensors: byte \(start + end): tensor '\(name)' ends there (data offset \(end)), past the "
        + "end of the \(start + size)-byte file (truncated?)"
    case .trailingBytes(let size, let used, let start):
      return "safetensors: byte \(start + used): \(size - used) trailing bytes after the last tensor "
        + "(the data section has \(size) bytes, the tensors cover \(used))"
    case .atHeaderByte(let offset, let inner):
      let text = inner.description
      let prefix = "safetensors: "
      return prefix + "byte \(offset): "
        + (text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text)
    case .duplicateName(let name):
      return "safetensors: tensor name '\(name)' appears twice"
    case .reservedName:
      return "safetensors: '__metadata__' is reserved and cannot name a tensor"
    case .missingTensor(let name):
      return "checkpoint: tensor '\(name)' is missing from the file"
    case .unexpectedTensor(let name):
      return "checkpoint: the file has tensor '\(name)', which the model does not have"
    case .wrongShape(let name, let expected, let found):
      return "checkpoint: tensor '\(name)' has shape \(found), the model expects \(expected)"
    case .invalidMetadata(let why):
      return "checkpoint: \(why)"
    case .io(let why):
      return "safetensors: \(why)"
    }
  }
}
