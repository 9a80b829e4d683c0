import Core
import Environments
import Foundation
import Runs
import TestSupport
import Testing

@testable import Runs

@Suite struct AtomicFileTests {
  @Test func writesCreatesParentsAndReplaces() throws {
    let root = try makeScratchFolder()
    let url = root.appendingPathComponent("a/b/c.txt")
    try AtomicFile.write("first", to: url)
    #expect(try readText(url) == "first")
    try AtomicFile.write(Data("second".utf8), to: url)
    #expect(try readText(url) == "second")
    // No temporary files left behind.
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("a/b").path) == [
        "c.txt"
      ])
    let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
    #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o644)
  }

  @Test func errorNamesThePath() throws {
    let root = try makeScratchFolder()
    let blocker = root.appendingPathComponent("file")
    try AtomicFile.write("x", to: blocker)
    let target = blocker.appendingPathComponent("inside.txt")  // parent is a file
    do {
      try AtomicFile.write("y", to: target)
      Issue.record("expected an error")
    } catch let error as FileError {
      #expect(error.description.contains(blocker.path))
    }
  }
}

@Suite struct TableTests {
  @Test func csvQuotingRoundTrips() throws {
    #expect(CSV.field("plain") == "plain")
    #expect(CSV.field("a,b") == "\"a,b\"")
    #expect(CSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
    #expect(CSV.field("two\nlines") == "\"two\nlines\"")
    let rows = [["name", "note"], ["a,b", "say \"hi\""], ["x", "two\r\nlines"], ["", "last"]]
    let text = rows.map(CSV.line).joined()
    #expect(try CSV.parse(text) == rows)
    // RFC 4180 CRLF line ends are read too.
    #expect(try CSV.parse("a,b\r\n1,2\r\n") == [["a", "b"], ["1", "2"]])
    #expect(throws: CSVError.self) { try CSV.parse("\"open") }
  }

  @Test func markdownTable() {
    var table = Table(headers: ["shaping", "IQM"], alignments: [.left, .right])
    table.append(["none", "412.5"])
    table.append(["potential|based", "7"])
    let expected = """
      | shaping          |   IQM |
      | ---------------- | ----: |
      | none             | 412.5 |
      | potential\\|based |     7 |

      """
    #expect(table.markdown() == expected)
    #expect(table.csv() == "shaping,IQM\nnone,412.5\npotential|based,7\n")
  }
}

@Suite struct MetricsLoggerTests {
  let keys = ["rollout/ep_rew_mean", "train/value_loss", "train/approx_kl"]

  @Test func writesCSVAndJSONL() throws {
    let folder = try makeScratchFolder()
    let logger = try MetricsLogger(folder: folder, keys: keys)
    #expect(logger.keys == ["time/total_timesteps"] + keys)
    try logger.log(["time/total_timesteps": 2048, "rollout/ep_rew_mean": 21.5, "train/value_loss": 0.1])
    try logger.log([
      "time/total_timesteps": 4096, "rollout/ep_rew_mean": .nan, "train/value_loss": .infinity,
      "train/approx_kl": 1e-05,
    ])
    // Written through before close (crash safety): read while the logger is still open.
    let csv = try readText(folder.appendingPathComponent("metrics.csv"))
    #expect(
      csv == """
        time/total_timesteps,rollout/ep_rew_mean,train/value_loss,train/approx_kl
        2048,21.5,0.1,
        4096,nan,inf,1e-05

        """)
    let jsonl = try readText(folder.appendingPathComponent("metrics.jsonl"))
    #expect(
      jsonl == """
        {"time/total_timesteps":2048,"rollout/ep_rew_mean":21.5,"train/value_loss":0.1}
        {"time/total_timesteps":4096,"rollout/ep_rew_mean":"nan","train/value_loss":"inf","train/approx_kl":1e-05}

        """)
    // Every line is valid JSON.
    for line in jsonl.split(separator: "\n") {
      #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(line.utf8)) }
    }
    try logger.close()
  }

  @Test func ppoColumnsInSB3Order() throws {
    let logger = try MetricsLogger(folder: try makeScratchFolder(), keys: MetricName.ppo)
    #expect(logger.keys == MetricName.ppo)
    #expect(logger.keys.first == "time/total_timesteps")
    #expect(Set(MetricName.ppo).count == MetricName.ppo.count)
  }

  @Test func numbersRoundTrip() {
    let values: [Double] = [
      0.1, 1.0 / 3, -2.5e-300, 123_456_789.123, 1e22, Double.leastNonzeroMagnitude, -0.0, 3, Double.pi,
    ]
    for v in values {
      let text = MetricsLogger.format(v)
      #expect(
        MetricsTable.parseNumber(text) == v && MetricsTable.parseNumber(text)?.sign == v.sign,
        "\(v) -> \(text)")
    }
    #expect(MetricsLogger.format(2048) == "2048")
    #expect(MetricsLogger.format(-.infinity) == "-inf")
  }

  @Test func resumeTruncatesLaterRows() throws {
    let folder = try makeScratchFolder()
    do {
      let logger = try MetricsLogger(folder: folder, keys: keys)
      for step in 1...5 {
        try logger.log(["time/total_timesteps": Double(step * 100), "rollout/ep_rew_mean": Double(step)])
      }
    }
    // Resume from a checkpoint at step 300: rows 400 and 500 are dropped, new rows append.
    let resumed = try MetricsLogger(folder: folder, keys: keys, resumingAfter: 300)
    try resumed.log(["time/total_timesteps": 400, "rollout/ep_rew_mean": 40])
    try resumed.close()
    let table = try MetricsTable.read(folder.appendingPathComponent("metrics.csv"))
    #expect(table.column("time/total_timesteps")! == [100, 200, 300, 400])
    #expect(table.column("rollout/ep_rew_mean")! == [1, 2, 3, 40])
    #expect(table.column("train/value_loss")! == [nil, nil, nil, nil])
    let jsonl = try readText(folder.appendingPathComponent("metrics.jsonl")).split(separator: "\n")
    #expect(jsonl.count == 4)
    #expect(jsonl.last == "{\"time/total_timesteps\":400,\"rollout/ep_rew_mean\":40}")
    let curve = try #require(table.curve(y: "rollout/ep_rew_mean"))
    #expect(curve.steps == [100, 200, 300, 400])

    // A run cannot change its columns on resume.
    #expect(throws: FileError.self) { try MetricsLogger(folder: folder, keys: ["other"], resumingAfter: 300) }
    // Starting fresh replaces the files.
    _ = try MetricsLogger(folder: folder, keys: keys)
    #expect(try MetricsTable.read(folder.appendingPathComponent("metrics.csv")).rows.isEmpty)
  }
}

@Suite struct RunFolderTests {
  struct Config: Codable, Equatable {
    var seed: Int
    var learningRate: Double
    var env: String
  }

  struct Resume: Codable, Equatable {
    var step: Int
    var updates: Int
  }

  @Test func configStatusAndFinished() throws {
    let run = RunFolder(root: try makeScratchFolder(), name: "cartpole-seed1")
    #expect(!run.exists && run.readStatus() == nil && !run.isFinished)
    try run.create()
    try run.writeConfig(Config(seed: 1, learningRate: 3e-4, env: "CartPole-v1"))
    #expect(
      try readText(run.configURL) == """
        {
          "env" : "CartPole-v1",
          "learningRate" : 0.0003,
          "seed" : 1
        }

        """)
    #expect(try run.readConfig(Config.self) == Config(seed: 1, learningRate: 3e-4, env: "CartPole-v1"))
    try run.writeStatus(.running)
    #expect(run.readStatus() == .running && !run.isFinished)
    try run.writeStatus(.failed(reason: "train/value_loss is nan at step 2048"), step: 2048)
    #expect(run.readStatus() == .failed(reason: "train/value_loss is nan at step 2048"))
    let status = try readText(run.statusURL)
    #expect(status.contains("\"status\" : \"failed\""))
    #expect(status.contains("\"reason\" : \"train/value_loss is nan at step 2048\""))
    #expect(status.contains("\"step\" : 2048"))
    // Older runs wrote the reason into the status.
    try AtomicFile.write(#"{"status": "failed: x", "updated": "2026-01-01T00:00:00Z"}"#, to: run.statusURL)
    #expect(run.readStatus() == .failed(reason: "x"))
    try run.writeStatus(.finished, date: Date(timeIntervalSince1970: 0))
    #expect(run.isFinished)
    #expect(try readText(run.statusURL).contains("\"updated\" : \"1970-01-01T00:00:00Z\""))
  }

  @Test func checkpointsKeepLastAndPointer() throws {
    let run = RunFolder(url: try makeScratchFolder().appendingPathComponent("run"))
    for step in [100, 200, 300, 400] {
      try run.saveCheckpoint(step: step, keepLast: 2, sidecar: Resume(step: step, updates: step / 100)) {
        url in
        try Data("weights \(step)".utf8).write(to: url)
      }
    }
    #expect(run.checkpoints().map(\.step) == [300, 400])
    #expect(try readText(run.latestPointerURL) == "step-400\n")
    let latest = try #require(run.latestCheckpoint())
    #expect(latest.step == 400)
    #expect(try readText(latest.weightsURL) == "weights 400")
    #expect(try latest.readSidecar(Resume.self) == Resume(step: 400, updates: 4))
    let files = try FileManager.default.contentsOfDirectory(atPath: run.checkpointsURL.path).sorted()
    #expect(
      files == ["latest", "step-300.json", "step-300.safetensors", "step-400.json", "step-400.safetensors"])

    // A pointer naming a missing checkpoint falls back to the newest complete one.
    try AtomicFile.write("step-999\n", to: run.latestPointerURL)
    #expect(run.latestCheckpoint()?.step == 400)
    // A failing weights writer leaves the previous checkpoints and pointer untouched.
    struct WriterFailed: Error {}
    do {
      try run.saveCheckpoint(step: 500, sidecar: Resume(step: 500, updates: 5)) { _ in throw WriterFailed() }
      Issue.record("expected the writer's error")
    } catch let error as FileError {
      #expect(error.path.hasSuffix("step-500.safetensors") && error.reason.contains("WriterFailed"))
    }
    #expect(run.checkpoints().map(\.step) == [300, 400])
    // Bytes API.
    try run.saveCheckpoint(
      step: 500, keepLast: 1, sidecar: Resume(step: 500, updates: 5), weights: Data([1, 2, 3]))
    #expect(run.checkpoints().map(\.step) == [500])
    #expect(try Data(contentsOf: run.latestCheckpoint()!.weightsURL) == Data([1, 2, 3]))
  }

  @Test func resumingDropsLaterCheckpoints() throws {
    let run = RunFolder(url: try makeScratchFolder().appendingPathComponent("run"))
    for step in [100, 200, 300] {
      try run.saveCheckpoint(
        step: step, keepLast: 5, sidecar: Resume(step: step, updates: 0), weights: Data([1]))
    }
    try run.removeCheckpoints(after: 150)
    #expect(run.checkpoints().map(\.step) == [100])
    #expect(try readText(run.latestPointerURL) == "step-100\n")
    try run.removeCheckpoints(after: 0)
    #expect(run.checkpoints().isEmpty && run.latestCheckpoint() == nil)
    #expect(!FileManager.default.fileExists(atPath: run.latestPointerURL.path))
  }

  @Test func curveFromMetricsWithRepeatedSteps() {
    let table = MetricsTable(
      keys: ["time/total_timesteps", "r"],
      rows: [[100, 1], [200, 2], [300, 3], [200, 20], [300, nil], [400, 40]])
    let curve = table.curve(y: "r")!
    #expect(curve.steps == [100, 200, 400] && curve.values == [1, 20, 40])
  }
}
