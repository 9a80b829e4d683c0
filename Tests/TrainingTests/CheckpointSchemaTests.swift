import CTC
import Core
import Foundation
import NeuralNets
import Reinforcement
import Speech
import Tensors
import TestSupport
import Testing
import Translation

/// The checkpoint names, dtypes and shapes that the reference safetensors library read from real
/// runs (`Tests/Fixtures/safetensors/checkpoints.jsonl`, recorded by
/// `scripts/check_safetensors.py --json`) are exactly what LossLab's models and Adam write for the
/// same configurations.
@Suite struct CheckpointSchemaTests {
  struct Entry {
    var kind: String
    var file: String
    var tensors: [String: [Int]]
  }

  static func entries() throws -> [Entry] {
    let text = String(decoding: try Fixtures.data("safetensors/checkpoints.jsonl"), as: UTF8.self)
    return try text.split(separator: "\n").map { line in
      let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      let rows = try #require(object["tensors"] as? [[Any]])
      var tensors: [String: [Int]] = [:]
      for row in rows {
        #expect(row[1] as? String == "F32")
        tensors[try #require(row[0] as? String)] = try #require(row[2] as? [Int])
      }
      return Entry(
        kind: try #require(object["kind"] as? String), file: try #require(object["file"] as? String),
        tensors: tensors)
    }
  }

  /// LossLab's tensors of `module` under `prefix`, plus Adam's moments unless `modelOnly`.
  static func written(_ module: any Module, prefix: String, modelOnly: Bool = false) -> [String: [Int]] {
    var named = module.namedTensors(prefix: prefix)
    if !modelOnly { named += Adam(parameters: module.parameters).stateTensors() }
    return Dictionary(uniqueKeysWithValues: named.map { ($0.name, $0.tensor.shape) })
  }

  @Test func pythonReadsWhatLossLabWrites() throws {
    let entries = try Self.entries()
    #expect(Set(entries.map(\.kind)) == ["ppo", "ctc", "seq2seq (mle)"])
    var rng = RandomGenerator(seed: 0)
    for entry in entries {
      switch entry.kind {
      case "ppo":
        let policy = ActorCritic(
          observationSize: 4, actionCount: 2, netArch: [64, 64], sharedTrunk: false, activation: .tanh,
          orthoInit: true, using: &rng)
        #expect(Self.written(policy, prefix: "policy") == entry.tensors)
      case "ctc":
        var config = AcousticModelConfig()
        config.frontendWidth = 16
        config.hidden = 16
        config.layers = 2
        #expect(Self.written(AcousticModel(config, using: &rng), prefix: "model") == entry.tensors)
      default:
        let source = try #require(entry.tensors["model.source_embedding.weight"]?.first)
        let target = try #require(entry.tensors["model.target_embedding.weight"]?.first)
        let model = Seq2Seq(
          Seq2SeqConfiguration(
            sourceVocabularySize: source, targetVocabularySize: target, embeddingSize: 8, hiddenSize: 16),
          using: &rng)
        #expect(
          Self.written(model, prefix: "model", modelOnly: entry.file == "best.safetensors") == entry.tensors,
          "\(entry.file)")
      }
    }
  }
}
