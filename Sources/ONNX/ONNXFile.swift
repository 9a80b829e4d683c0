import Core
import Foundation
import SwiftProtobuf

/// Reading and writing `.onnx` files: a serialized `ModelProto`, written atomically and durably.
public enum ONNXFile {
  public static func write(_ model: Onnx_ModelProto, to url: URL) throws {
    let data: Data
    do {
      data = try model.serializedData()
    } catch {
      throw FileError(path: url.path, reason: "cannot encode the ONNX model (\(error))")
    }
    try AtomicFile.write(data, to: url)
  }

  public static func read(_ url: URL) throws -> Onnx_ModelProto {
    let data = try Data(contentsOf: url)
    do {
      return try Onnx_ModelProto(serializedBytes: data)
    } catch {
      throw FileError(path: url.path, reason: "not an ONNX model (\(error))")
    }
  }

  /// The float32 values of an initializer stored as little-endian `raw_data`.
  public static func floats(_ tensor: Onnx_TensorProto) -> [Float] {
    let bytes = [UInt8](tensor.rawData)
    return stride(from: 0, to: bytes.count - bytes.count % 4, by: 4).map { i in
      let bits =
        UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
      return Float(bitPattern: bits)
    }
  }
}
