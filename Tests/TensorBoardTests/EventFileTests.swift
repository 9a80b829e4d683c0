import Core
import Foundation
import TestSupport
import Testing

@testable import TensorBoard

@Suite struct CRC32CTests {
  /// The standard check value of CRC-32C (RFC 3720 B.4; iSCSI).
  @Test func checkValue() {
    #expect(CRC32C.checksum("123456789") == 0xE306_9283)
    #expect(CRC32C.checksum([UInt8]()) == 0)
    // RFC 3720 B.4: 32 bytes of zeros, of 0xFF, and an ascending sequence.
    #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
    #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
  }

  /// The 8-byte fast path agrees with the byte loop at every length and split.
  @Test func slicingMatchesBytewise() {
    var rng = RandomGenerator(seed: 7)
    let bytes = (0..<300).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    for n in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 299, 300] {
      var slow: UInt32 = 0
      for b in bytes.prefix(n) { slow = CRC32C.checksum([b], continuing: slow) }
      #expect(CRC32C.checksum(bytes.prefix(n)) == slow, "n = \(n)")
    }
  }

  /// TensorFlow's mask: rotate right 15, add 0xa282ead8 (crc32c.h).
  @Test func mask() {
    #expect(CRC32C.masked(0) == 0xA282_EAD8)
    #expect(
      CRC32C.masked(0xE306_9283) == ((0xE306_9283 >> 15) | (0xE306_9283 << 17 & 0xFFFF_FFFF)) &+ 0xA282_EAD8)
  }
}

@Suite struct EventFileTests {
  @Test func framesRoundTripAndCorruptionIsFound() throws {
    let records = [Data(), Data("a".utf8), Data((0..<1000).map { UInt8($0 % 251) })]
    var file = Data()
    for r in records { file.append(TFRecord.frame(r)) }
    #expect(try TFRecord.records(in: file) == records)
    #expect(file.count == records.reduce(0) { $0 + $1.count + 16 })
    var flipped = file
    flipped[20] ^= 1
    #expect(throws: TFRecordError.self) { try TFRecord.records(in: flipped) }
    #expect(throws: TFRecordError.self) { try TFRecord.records(in: file.dropLast()) }
  }

  /// Everything written decodes back through the wire format: version first, scalars at their
  /// steps, the text and HParams plugin records, a START after a resume.
  @Test func writtenEventsDecode() throws {
    let folder = try makeScratchFolder()
    let writer = try EventFileWriter(folder: folder, resumingAfter: 2048, wallTime: 1_700_000_000)
    #expect(writer.url.lastPathComponent.hasPrefix("events.out.tfevents.1700000000."))
    try writer.scalars(
      [("rollout/ep_rew_mean", 21.5), ("train/loss", -0.25)], step: 4096, wallTime: 1_700_000_001)
    try writer.text("{\"seed\": 1}", tag: "config")
    try writer.hparams(
      [("learning_rate", .number(3e-4)), ("env", .string("cartpole"))], metrics: ["eval/mean_reward"])
    try writer.histogram([1, 2, 2, 3, .nan], tag: "weights", step: 4096, bucketCount: 2)
    try writer.endSession(.success)
    try writer.close()

    let events = try TFRecord.records(in: Data(contentsOf: writer.url)).map {
      try Tensorboard_Event(serializedBytes: $0)
    }
    #expect(events.count == 8)
    #expect(events[0].fileVersion == "brain.Event:2" && events[0].wallTime == 1_700_000_000)
    #expect(events[1].sessionLog.status == .start && events[1].step == 2049)
    let scalars = events[2].summary.value
    #expect(events[2].step == 4096 && events[2].wallTime == 1_700_000_001)
    #expect(scalars.map(\.tag) == ["rollout/ep_rew_mean", "train/loss"])
    #expect(scalars.map(\.simpleValue) == [21.5, -0.25])
    let text = events[3].summary.value[0]
    #expect(
      text.metadata.pluginData.pluginName == "text" && text.tensor.stringVal == [Data("{\"seed\": 1}".utf8)])
    let experiment = try Tensorboard_HParamsPluginData(
      serializedBytes: events[4].summary.value[0].metadata.pluginData.content)
    #expect(events[4].summary.value[0].tag == "_hparams_/experiment")
    #expect(experiment.experiment.hparamInfos.map(\.name) == ["learning_rate", "env"])
    #expect(experiment.experiment.metricInfos.map(\.name.tag) == ["eval/mean_reward"])
    let start = try Tensorboard_HParamsPluginData(
      serializedBytes: events[5].summary.value[0].metadata.pluginData.content)
    #expect(start.sessionStartInfo.hparams["learning_rate"]?.numberValue == 3e-4)
    #expect(start.sessionStartInfo.hparams["env"]?.stringValue == "cartpole")
    let histogram = events[6].summary.value[0].histo
    #expect(histogram.num == 4 && histogram.bucket == [1, 3] && histogram.bucketLimit == [2, 3])
    let end = try Tensorboard_HParamsPluginData(
      serializedBytes: events[7].summary.value[0].metadata.pluginData.content)
    #expect(end.sessionEndInfo.status == .success)
  }

  /// A second writer in the same folder (a resumed process) opens a new file.
  @Test func eachProcessStartGetsItsOwnFile() throws {
    let folder = try makeScratchFolder()
    let a = try EventFileWriter(folder: folder, wallTime: 1_700_000_000)
    let b = try EventFileWriter(folder: folder, wallTime: 1_700_000_000)
    #expect(a.url != b.url)
    try a.close()
    try b.close()
  }
}
