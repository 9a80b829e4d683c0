import Core
import Foundation
import NeuralNets
import Tensors
import TestSupport
import Testing

@testable import NeuralNets
@testable import Tensors

@Suite("safetensors files and checkpoints")
struct SafeTensorsTests {
  /// A file from a raw header string and data bytes (header padded to 8 bytes like the reference).
  func file(header: String, data: [UInt8], pad: Bool = true) -> Data {
    var h = Array(header.utf8)
    if pad { h += [UInt8](repeating: 0x20, count: (8 - h.count % 8) % 8) }
    var out = Data()
    withUnsafeBytes(of: UInt64(h.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(contentsOf: h)
    out.append(contentsOf: data)
    return out
  }

  func expectError(_ data: Data, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
      _ = try SafeTensors.decode(data)
      Issue.record(
        "decoding succeeded; expected an error mentioning '\(fragment)'", sourceLocation: sourceLocation)
    } catch {
      #expect(
        error.description.contains(fragment), "message: \(error.description)", sourceLocation: sourceLocation)
    }
  }

  @Test func fileBytesMatchThePublishedLayout() throws {
    // Tensors given out of order: the writer sorts by name, as the reference library does.
    let data = try SafeTensors.encode(
      [("b", Tensor(shape: [1, 1], data: [0.5])), ("a", Tensor([1, -2]))], metadata: ["format": "pt"])
    let json =
      #"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
      + #""b":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]}}"#
    #expect(json.utf8.count == 141)
    var expected: [UInt8] = [0x90, 0, 0, 0, 0, 0, 0, 0]  // N = 144 = 141 + 3 spaces of padding
    expected += Array(json.utf8) + [0x20, 0x20, 0x20]
    expected += [0x00, 0x00, 0x80, 0x3F]  // 1.0f little-endian
    expected += [0x00, 0x00, 0x00, 0xC0]  // -2.0f
    expected += [0x00, 0x00, 0x00, 0x3F]  // 0.5f
    #expect([UInt8](data) == expected)
  }

  @Test func roundTripThroughAFile() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("losslab-st-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("x.safetensors")
    let tensors: [(name: String, tensor: Tensor)] = [
      ("w", randomTensor([3, 5], seed: 1)), ("scalar", Tensor(2.5)), ("empty", Tensor(zeros: [0, 4])),
      ("name with \"quotes\" and \u{e9}", Tensor([Float.infinity, -0.0, .leastNonzeroMagnitude])),
    ]
    try SafeTensors.save(tensors, metadata: ["note": "line\nbreak", "k": "v"], to: url)
    let loaded = try SafeTensors.load(from: url)
    #expect(loaded.metadata == ["note": "line\nbreak", "k": "v"])
    #expect(Set(loaded.names) == Set(tensors.map(\.name)))
    for (name, t) in tensors {
      let got = try #require(loaded[name])
      #expect(got.shape == t.shape)
      #expect(got.data.map(\.bitPattern) == t.data.map(\.bitPattern))
    }
    // Atomic write leaves no temporary files behind.
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["x.safetensors"])
  }

  @Test func readsOtherFloatDTypes() throws {
    // F64 [1.5, -2], F16 [1, -0.5, 65504], BF16 [3]
    var bytes: [UInt8] = []
    for v in [1.5, -2.0] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
    bytes += [0x00, 0x3C, 0x00, 0xB8, 0xFF, 0x7B]
    bytes += [0x40, 0x40]
    let header =
      #"{"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"h":{"dtype":"F16","shape":[3],"#
      + #""data_offsets":[16,22]},"b":{"dtype":"BF16","shape":[],"data_offsets":[22,24]}}"#
    let f = try SafeTensors.decode(file(header: header, data: bytes))
    #expect(f["d"]?.data == [1.5, -2])
    #expect(f["h"]?.data == [1, -0.5, 65504])
    #expect(f["b"]?.data == [3] && f["b"]?.shape == [])
    expectError(
      file(
        header: #"{"i":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#,
        data: [UInt8](repeating: 0, count: 8)),
      "dtype I64")
  }

  @Test func corruptedFilesGiveClearErrors() throws {
    let good = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
    let eight = [UInt8](repeating: 0, count: 8)
    expectError(Data([1, 2, 3]), "shorter than the 8-byte header length")
    expectError(file(header: good, data: eight).prefix(20), "runs past the end")
    expectError(Data([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7B]), "exceeds the limit")
    expectError(file(header: #"{"a":{"dtype":"F32","#, data: eight), "not valid JSON")
    expectError(file(header: "[1,2]", data: []), "does not start with '{'")
    expectError(
      file(header: #"{"a":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}"#, data: eight),
      "byte 9: tensor 'a' has unknown dtype 'F33'")
    expectError(
      file(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: eight), "needs 12 bytes")
    expectError(
      file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, data: eight), "data_offsets")
    expectError(
      file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0]),
      "byte 72: tensor 'a' ends there (data offset 8), past the end of the 68-byte file")
    expectError(file(header: good, data: eight + [1, 2]), "byte 72: 2 trailing bytes after the last tensor")
    expectError(
      file(
        header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
          + #""b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: eight),
      "overlapping")
    expectError(
      file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: eight),
      "byte 68: tensor 'a' starts there (data offset 4), leaving a gap")
    expectError(
      file(header: #"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: eight),
      "not a list of sizes")
    expectError(
      file(
        header: #"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, data: eight),
      "more than Int.max")
    expectError(file(header: #"{"__metadata__":{"k":3}}"#, data: []), "not a string")
    // Deep nesting is rejected by the JSON parser's depth limit, not by a stack overflow.
    expectError(file(header: "{\"a\":" + String(repeating: "[", count: 100_000), data: []), "not valid JSON")
    var badUTF8 = file(header: good, data: eight)
    badUTF8[9] = 0xFF
    expectError(badUTF8, "byte 9: the header is not valid UTF-8")
  }

  @Test func everyTruncationAndByteFlipIsHandledWithoutCrashing() throws {
    let data = try SafeTensors.encode(
      [("w", randomTensor([2, 3], seed: 2)), ("b", Tensor([1]))], metadata: ["step": "7"])
    for cut in 0..<data.count {
      #expect(throws: SafeTensorsError.self) { try SafeTensors.decode(data.prefix(cut)) }
    }
    // Flipping any byte either fails cleanly or (in the float data or a padding space) still decodes.
    for i in 0..<data.count {
      var bad = data
      bad[i] ^= 0x5A
      _ = try? SafeTensors.decode(bad)
    }
  }

  @Test func writerRejectsDuplicateAndReservedNames() {
    #expect(throws: SafeTensorsError.duplicateName("a")) {
      try SafeTensors.encode([("a", Tensor(1)), ("a", Tensor(2))])
    }
    #expect(throws: SafeTensorsError.reservedName) { try SafeTensors.encode([("__metadata__", Tensor(1))]) }
  }

  @Test func moduleAndAdamCheckpointRoundTrip() throws {
    var rng = RandomGenerator(seed: 3)
    let mlp = MLP(widths: [3, 4, 2], using: &rng)
    let adam = Adam(parameters: mlp.parameters, learningRate: 0.01)
    for p in mlp.parameters { p.grad = Tensor(repeating: 0.3, shape: p.value.shape) }
    adam.step()
    adam.step()
    let data = try SafeTensors.encode(
      mlp.namedTensors(prefix: "policy") + adam.stateTensors(), metadata: adam.stateMetadata())
    let file = try SafeTensors.decode(data)
    #expect(file.names.contains("policy.0.weight") && file.names.contains("optimizer.exp_avg_sq.3"))

    var rng2 = RandomGenerator(seed: 4)
    let other = MLP(widths: [3, 4, 2], using: &rng2)
    let otherAdam = Adam(parameters: other.parameters, learningRate: 0.01)
    try other.load(from: file, prefix: "policy")
    try otherAdam.restore(from: file)
    #expect(other.parameters.map(\.value) == mlp.parameters.map(\.value))
    #expect(otherAdam.stepCount == 2 && otherAdam.m == adam.m && otherAdam.v == adam.v)

    let wrong = MLP(widths: [3, 5, 2], using: &rng2)
    #expect(throws: SafeTensorsError.wrongShape(name: "policy.0.weight", expected: [5, 3], found: [4, 3])) {
      try wrong.load(from: file, prefix: "policy")
    }
    let small = MLP(widths: [3, 2], using: &rng2)
    #expect(throws: SafeTensorsError.self) { try small.load(from: file, prefix: "policy") }
    #expect(throws: SafeTensorsError.missingTensor("value.0.weight")) {
      try mlp.load(from: file, prefix: "value")
    }
  }
}
