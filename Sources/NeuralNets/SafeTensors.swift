import Core
import Foundation
import Tensors

/// The safetensors file format (huggingface/safetensors), as the reference library writes it:
///
///     bytes 0..<8      N, the header length, unsigned 64-bit little-endian
///     bytes 8..<8+N    JSON header, padded with spaces so that N is a multiple of 8:
///                      {"__metadata__":{"k":"v",...},
///                       "name":{"dtype":"F32","shape":[2,3],"data_offsets":[begin,end]},...}
///     bytes 8+N...     tensor data, little-endian, row-major; offsets count from byte 8+N
///
/// Writing follows the reference serializer byte for byte for F32 tensors: `__metadata__` first
/// (keys sorted), then tensors sorted by name with contiguous data in that order, keys inside an
/// entry in the order dtype, shape, data_offsets, compact JSON.
///
/// Reading validates everything a damaged or hostile file can break and throws a
/// `SafeTensorsError` naming the problem; it never traps. Readable dtypes: F32 (exact), F64, F16
/// and BF16 (converted to Float; F64 rounds). Integer and boolean tensors are rejected with
/// `unsupportedDType` (LossLab tensors are Float).
public enum SafeTensors {
  /// The reference implementation's limit on the header size.
  public static let maxHeaderBytes = 100_000_000

  /// A file's content: tensors in data order, and the `__metadata__` string map.
  public struct File: Sendable {
    public var tensors: [(name: String, tensor: Tensor)]
    public var metadata: [String: String]

    public init(tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) {
      self.tensors = tensors
      self.metadata = metadata
    }

    public subscript(name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }
    public var names: [String] { tensors.map(\.name) }
  }

  // MARK: Writing

  /// The bytes of a safetensors file holding `tensors` (F32) and `metadata`.
  public static func encode(
    _ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]
  ) throws(SafeTensorsError) -> Data {
    var seen = Set<String>()
    for (name, _) in tensors {
      if name == "__metadata__" { throw .reservedName }
      if !seen.insert(name).inserted { throw .duplicateName(name) }
    }
    let sorted = tensors.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    var json = "{"
    var entries: [String] = []
    if !metadata.isEmpty {
      let pairs = metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        .map { "\(JSONText.quoted($0.key)):\(JSONText.quoted($0.value))" }
      entries.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
    }
    var offset = 0
    for (name, tensor) in sorted {
      let end = offset + 4 * tensor.count
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      entries.append(
        "\(JSONText.quoted(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}"
      )
      offset = end
    }
    json += entries.joined(separator: ",") + "}"
    var header = Array(json.utf8)
    header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
    var out = Data(capacity: 8 + header.count + offset)
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(contentsOf: header)
    for (_, tensor) in sorted {
      #if _endian(little)
        tensor.data.withUnsafeBytes { out.append(contentsOf: $0) }
      #else
        for v in tensor.data { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
      #endif
    }
    return out
  }

  /// Writes a safetensors file atomically and durably (``AtomicFile``: temporary file, fsync,
  /// rename, fsync of the folder).
  public static func save(
    _ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to url: URL
  ) throws(SafeTensorsError) {
    let data = try encode(tensors, metadata: metadata)
    do {
      try AtomicFile.write(data, to: url)
    } catch {
      throw .io("cannot write \(error)")
    }
  }

  // MARK: Reading

  public static func load(from url: URL) throws(SafeTensorsError) -> File {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw .io("cannot read \(url.path): \(error.plainReason)")
    }
    return try decode(data)
  }

  /// Parses and validates the bytes of a safetensors file (float tensors only).
  public static func decode(_ data: Data) throws(SafeTensorsError) -> File {
    let raw = try decodeRaw(data)
    var tensors: [(name: String, tensor: Tensor)] = []
    for e in raw.tensors {
      guard e.dtype.isFloat else { throw .unsupportedDType(name: e.name, dtype: e.dtype.rawValue) }
      let values = e.bytes.withUnsafeBytes { e.dtype.floats(from: $0) }
      tensors.append((e.name, Tensor(shape: e.shape, data: values)))
    }
    return File(tensors: tensors, metadata: raw.metadata)
  }

  /// Parses and validates the bytes of a safetensors file, keeping every tensor's dtype and
  /// bytes (integer tensors included), in data order.
  public static func decodeRaw(_ data: Data) throws(SafeTensorsError) -> RawFile {
    let bytes = [UInt8](data)
    guard bytes.count >= 8 else { throw .tooShort(bytes.count) }
    var n: UInt64 = 0
    for k in 0..<8 { n |= UInt64(bytes[k]) << (8 * UInt64(k)) }
    guard n <= UInt64(maxHeaderBytes) else { throw .headerTooLarge(n) }
    guard n <= UInt64(bytes.count - 8) else {
      throw .headerBeyondFile(headerLength: n, fileSize: bytes.count)
    }
    let headerEnd = 8 + Int(n)
    let headerBytes = bytes[8..<headerEnd]
    guard let headerText = String(validating: headerBytes, as: UTF8.self) else {
      throw .invalidUTF8(offset: 8 + firstInvalidUTF8(headerBytes))
    }
    guard headerText.first == "{" else { throw .invalidJSON("the header does not start with '{'") }
    let object: [String: HeaderJSON]
    do {
      guard case .object(let o) = try JSONDecoder().decode(HeaderJSON.self, from: Data(headerBytes)) else {
        throw SafeTensorsError.invalidJSON("the header is not a JSON object")
      }
      object = o
    } catch let error as SafeTensorsError {
      throw error
    } catch {
      throw .invalidJSON(String(describing: error))
    }

    var metadata: [String: String] = [:]
    var entries: [HeaderEntry] = []
    for (name, value) in object {
      do throws(SafeTensorsError) {
        if let entry = try headerEntry(name, value, metadata: &metadata) { entries.append(entry) }
      } catch {
        guard let at = headerByte(of: name, in: headerBytes) else { throw error }
        throw .atHeaderByte(at, error)
      }
    }

    // The data buffer must be covered exactly: tensors back to back, no gaps, no overlap, no tail.
    entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
    let bufferSize = bytes.count - headerEnd
    var expected = 0
    for e in entries {
      if e.begin < expected {
        throw .overlappingOffsets(name: e.name, begin: e.begin, previousEnd: expected, dataStart: headerEnd)
      }
      if e.begin > expected {
        throw .gapInData(name: e.name, begin: e.begin, previousEnd: expected, dataStart: headerEnd)
      }
      if e.end > bufferSize {
        throw .offsetsBeyondData(name: e.name, end: e.end, dataSize: bufferSize, dataStart: headerEnd)
      }
      expected = e.end
    }
    if expected != bufferSize {
      throw .trailingBytes(dataSize: bufferSize, used: expected, dataStart: headerEnd)
    }

    let tensors = entries.map { e in
      RawTensor(
        name: e.name, dtype: e.dtype, shape: e.shape,
        bytes: Array(bytes[(headerEnd + e.begin)..<(headerEnd + e.end)]))
    }
    return RawFile(tensors: tensors, metadata: metadata)
  }

  /// One header entry: nil for `__metadata__` (stored into `metadata`), else the tensor's entry.
  private static func headerEntry(
    _ name: String, _ value: HeaderJSON, metadata: inout [String: String]
  ) throws(SafeTensorsError) -> HeaderEntry? {
    if name == "__metadata__" {
      guard case .object(let map) = value else {
        throw .invalidEntry(name, "__metadata__ must be an object of strings")
      }
      for (k, v) in map {
        guard case .string(let s) = v else { throw .invalidEntry(name, "value of '\(k)' is not a string") }
        metadata[k] = s
      }
      return nil
    }
    guard case .object(let info) = value else { throw .invalidEntry(name, "not an object") }
    guard case .string(let dtypeName) = info["dtype"] else {
      throw .invalidEntry(name, "missing \"dtype\"")
    }
    guard let dtype = DType(rawValue: dtypeName) else { throw .unknownDType(name: name, dtype: dtypeName) }
    guard case .array(let shapeList) = info["shape"] else { throw .invalidEntry(name, "missing \"shape\"") }
    let shape = try shapeList.map { (d: HeaderJSON) throws(SafeTensorsError) -> Int in
      guard case .int(let i) = d, i >= 0 else { throw .invalidEntry(name, "shape is not a list of sizes") }
      return i
    }
    guard case .array(let offsets) = info["data_offsets"], offsets.count == 2,
      case .int(let begin) = offsets[0], case .int(let end) = offsets[1], begin >= 0, end >= begin
    else {
      throw .invalidEntry(name, "\"data_offsets\" must be [begin, end] with 0 <= begin <= end")
    }
    var elements = 1
    for d in shape {
      let (product, overflow) = elements.multipliedReportingOverflow(by: d)
      guard !overflow else {
        throw .shapeMismatch(name: name, shape: shape, dtype: dtype, bytes: end - begin)
      }
      elements = product
    }
    let (needed, overflow) = elements.multipliedReportingOverflow(by: dtype.size)
    guard !overflow, needed == end - begin else {
      throw .shapeMismatch(name: name, shape: shape, dtype: dtype, bytes: end - begin)
    }
    return HeaderEntry(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
  }

  /// The file byte where the header writes `"name":` (the first such key), if it is found as written.
  private static func headerByte(of name: String, in header: ArraySlice<UInt8>) -> Int? {
    let key = Array((JSONText.quoted(name) + ":").utf8)
    guard !key.isEmpty, header.count >= key.count else { return nil }
    var i = header.startIndex
    while i + key.count <= header.endIndex {
      if header[i..<(i + key.count)].elementsEqual(key) { return i }
      i += 1
    }
    return nil
  }

  /// The offset (within `bytes`) of the first byte that does not decode as UTF-8.
  private static func firstInvalidUTF8(_ bytes: ArraySlice<UInt8>) -> Int {
    var decoder = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    while case .valid(let encoded) = decoder.parseScalar(from: &iterator) { offset += encoded.count }
    return offset
  }

  /// The dtypes of the format (names as in the header).
  public enum DType: String, Sendable, CaseIterable {
    case bool = "BOOL"
    case u8 = "U8"
    case i8 = "I8"
    case f8e5m2 = "F8_E5M2"
    case f8e4m3 = "F8_E4M3"
    case i16 = "I16"
    case u16 = "U16"
    case f16 = "F16"
    case bf16 = "BF16"
    case i32 = "I32"
    case u32 = "U32"
    case f32 = "F32"
    case f64 = "F64"
    case i64 = "I64"
    case u64 = "U64"

    public var size: Int {
      switch self {
      case .bool, .u8, .i8, .f8e5m2, .f8e4m3: return 1
      case .i16, .u16, .f16, .bf16: return 2
      case .i32, .u32, .f32: return 4
      case .f64, .i64, .u64: return 8
      }
    }

    var isFloat: Bool { self == .f32 || self == .f64 || self == .f16 || self == .bf16 }

    /// Decodes little-endian values of this (float) dtype.
    func floats(from raw: UnsafeRawBufferPointer) -> [Float] {
      let count = raw.count / size
      var out = [Float](repeating: 0, count: count)
      for i in 0..<count {
        let o = i * size
        switch self {
        case .f32:
          out[i] = Float(
            bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt32.self)))
        case .f64:
          out[i] = Float(
            Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self))))
        case .bf16:
          let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt16.self))
          out[i] = Float(bitPattern: UInt32(bits) << 16)
        case .f16:
          let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt16.self))
          out[i] = Float(halfBits: bits)
        default:
          preconditionFailure("floats(from:) called for \(rawValue)")
        }
      }
      return out
    }
  }
}

/// A tensor's header entry, before the data section is checked against it.
private struct HeaderEntry {
  let name: String
  let dtype: SafeTensors.DType
  let shape: [Int]
  let begin: Int
  let end: Int
}
