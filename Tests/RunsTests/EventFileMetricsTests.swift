import Core
import Foundation
import Runs
import TensorBoard
import TestSupport
import Testing

@testable import Runs

/// Every metrics row reaches the TensorBoard event file too, decoded here independently of
/// TensorBoard (TFRecord CRCs checked, Event messages parsed).
@Suite struct EventFileMetricsTests {
  @Test func everyRowIsAScalarEventAtItsStep() throws {
    let folder = try makeScratchFolder()
    let events = try EventFileWriter(folder: folder)
    let logger = try MetricsLogger(
      folder: folder, keys: ["time/total_timesteps", "rollout/ep_rew_mean", "train/loss"], events: events)
    try logger.log(["time/total_timesteps": 2048, "rollout/ep_rew_mean": 21.25])
    try logger.log(["time/total_timesteps": 4096, "rollout/ep_rew_mean": 40.1, "train/loss": 0.1])
    try logger.close()
    try events.close()

    let decoded = try TFRecord.records(in: Data(contentsOf: events.url)).map {
      try Tensorboard_Event(serializedBytes: $0)
    }
    let rows = decoded.filter { !$0.summary.value.isEmpty }
    #expect(rows.map(\.step) == [2048, 4096])
    #expect(rows[0].summary.value.map(\.tag) == ["rollout/ep_rew_mean"])
    #expect(rows[1].summary.value.map(\.tag) == ["rollout/ep_rew_mean", "train/loss"])
    // TensorBoard scalars are float32: each equals the CSV value rounded to float.
    let table = try MetricsTable.read(folder.appendingPathComponent("metrics.csv"))
    for (row, event) in zip(table.rows, rows) {
      let values = row.dropFirst().compactMap { $0 }.map { Float($0) }
      #expect(event.summary.value.map(\.simpleValue) == values)
    }
  }
}
