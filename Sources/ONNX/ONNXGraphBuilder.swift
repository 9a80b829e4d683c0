import Core
import Foundation
import Tensors

/// Element types of the tensors LossLab's graphs carry (ONNX `TensorProto.DataType` values).
public enum ONNXElementType: Int32, Sendable {
  case float = 1
  case int64 = 7
}

/// One dimension of a graph input or output: a fixed size, or a named symbolic size
/// (`batch`), which onnxruntime lets the caller choose.
public enum ONNXDimension: Sendable, Equatable {
  case fixed(Int)
  case symbolic(String)
}

/// A node attribute (the kinds LossLab's graphs need).
public enum ONNXAttribute: Sendable {
  case int(String, Int64)
  case float(String, Float)
  case ints(String, [Int64])
  case string(String, String)
}

/// Builds an ONNX graph node by node, in topological order: inputs and outputs with their types,
/// initializers from LossLab tensors (float32, little-endian `raw_data`), and nodes whose output
/// names are made unique with a counter. `model(...)` wraps the graph in a `ModelProto` with the
/// stated IR version and opset.
public struct ONNXGraphBuilder {
  /// ONNX IR version written (IR 8: ONNX 1.10 and later).
  public static let irVersion: Int64 = 8
  /// Version of the default (`ai.onnx`) operator set that the nodes are written against.
  public static let opsetVersion: Int64 = 17

  public private(set) var graph = Onnx_GraphProto()
  private var names = Set<String>()
  private var counter = 0

  public init(name: String) { graph.name = name }

  /// A fresh value name starting with `base`.
  public mutating func fresh(_ base: String) -> String {
    var name = base
    while names.contains(name) {
      counter += 1
      name = "\(base)_\(counter)"
    }
    names.insert(name)
    return name
  }

  public mutating func input(_ name: String, _ type: ONNXElementType, shape: [ONNXDimension]) {
    names.insert(name)
    graph.input.append(Self.valueInfo(name, type, shape))
  }

  public mutating func output(_ name: String, _ type: ONNXElementType, shape: [ONNXDimension]) {
    graph.output.append(Self.valueInfo(name, type, shape))
  }

  /// A float32 initializer with the tensor's shape and data; returns its (unique) name.
  @discardableResult
  public mutating func initializer(_ base: String, _ tensor: Tensor) -> String {
    var proto = Onnx_TensorProto()
    proto.name = fresh(base)
    proto.dims = tensor.shape.map(Int64.init)
    proto.dataType = ONNXElementType.float.rawValue
    var bytes = Data(capacity: tensor.count * 4)
    for value in tensor.data {
      withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }
    proto.rawData = bytes
    graph.initializer.append(proto)
    return proto.name
  }

  /// An int64 initializer (shapes, axes).
  @discardableResult
  public mutating func initializer(_ base: String, int64 values: [Int64], shape: [Int]) -> String {
    var proto = Onnx_TensorProto()
    proto.name = fresh(base)
    proto.dims = shape.map(Int64.init)
    proto.dataType = ONNXElementType.int64.rawValue
    proto.int64Data = values
    graph.initializer.append(proto)
    return proto.name
  }

  /// A node of the default domain; returns its output name (`output`, or a fresh one from the
  /// op's name).
  @discardableResult
  public mutating func node(
    _ opType: String, _ inputs: [String], output: String? = nil, attributes: [ONNXAttribute] = []
  ) -> String {
    let out =
      output.map { name -> String in
        names.insert(name)
        return name
      } ?? fresh(opType.lowercased())
    var proto = Onnx_NodeProto()
    proto.opType = opType
    proto.name = fresh("node_\(opType)")
    proto.input = inputs
    proto.output = [out]
    proto.attribute = attributes.map(Self.attribute)
    graph.node.append(proto)
    return out
  }

  /// `x W^T + b` for `x [n, in]` with PyTorch's `weight [out, in]`: one `Gemm` with `transB = 1`.
  public mutating func linear(_ x: String, weight: Tensor, bias: Tensor?, name: String, output: String? = nil)
    -> String
  {
    var inputs = [x, initializer(name + ".weight", weight)]
    if let bias { inputs.append(initializer(name + ".bias", bias)) }
    return node("Gemm", inputs, output: output, attributes: [.int("transB", 1)])
  }

  /// `x W^T + b` for `x [..., in]` of any rank: `MatMul` with the transposed weight, then `Add`.
  public mutating func matMulAdd(
    _ x: String, weight: Tensor, bias: Tensor?, name: String, output: String? = nil
  )
    -> String
  {
    let transposed = Self.transpose(weight)
    let product = node(
      "MatMul", [x, initializer(name + ".weight_t", transposed)], output: bias == nil ? output : nil)
    guard let bias else { return product }
    return node("Add", [product, initializer(name + ".bias", bias)], output: output)
  }

  /// The model: this graph, the IR version, the opset, the producer and metadata.
  public func model(docString: String, metadata: [(String, String)] = []) -> Onnx_ModelProto {
    var model = Onnx_ModelProto()
    model.irVersion = Self.irVersion
    var opset = Onnx_OperatorSetIdProto()
    opset.domain = ""
    opset.version = Self.opsetVersion
    model.opsetImport = [opset]
    model.producerName = "losslab"
    model.producerVersion = LossLabVersion.string
    model.docString = docString
    model.graph = graph
    model.metadataProps = metadata.map { key, value in
      var entry = Onnx_StringStringEntryProto()
      entry.key = key
      entry.value = value
      return entry
    }
    return model
  }

  static func transpose(_ w: Tensor) -> Tensor {
    let (rows, cols) = (w.shape[0], w.shape[1])
    var out = [Float](repeating: 0, count: w.count)
    for r in 0..<rows {
      for c in 0..<cols { out[c * rows + r] = w.data[r * cols + c] }
    }
    return Tensor(shape: [cols, rows], data: out)
  }

  static func valueInfo(_ name: String, _ type: ONNXElementType, _ shape: [ONNXDimension])
    -> Onnx_ValueInfoProto
  {
    var tensorType = Onnx_TypeProto.Tensor()
    tensorType.elemType = type.rawValue
    var shapeProto = Onnx_TensorShapeProto()
    shapeProto.dim = shape.map { dimension in
      var d = Onnx_TensorShapeProto.Dimension()
      switch dimension {
      case .fixed(let size): d.dimValue = Int64(size)
      case .symbolic(let name): d.dimParam = name
      }
      return d
    }
    tensorType.shape = shapeProto
    var typeProto = Onnx_TypeProto()
    typeProto.tensorType = tensorType
    var info = Onnx_ValueInfoProto()
    info.name = name
    info.type = typeProto
    return info
  }

  static func attribute(_ attribute: ONNXAttribute) -> Onnx_AttributeProto {
    var proto = Onnx_AttributeProto()
    switch attribute {
    case .int(let name, let value):
      proto.name = name
      proto.type = .int
      proto.i = value
    case .float(let name, let value):
      proto.name = name
      proto.type = .float
      proto.f = value
    case .ints(let name, let values):
      proto.name = name
      proto.type = .ints
      proto.ints = values
    case .string(let name, let value):
      proto.name = name
      proto.type = .string
      proto.s = Data(value.utf8)
    }
    return proto
  }
}
