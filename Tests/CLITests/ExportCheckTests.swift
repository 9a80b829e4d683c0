import Foundation
import TestSupport
import Testing

/// `losslab ctc export --onnx` checked by `scripts/check_onnx_ctc.py` (ONNX's checker and
/// onnxruntime on a batch of test utterances) and `losslab rl export --sb3` checked by
/// `scripts/check_sb3.py` (Stable-Baselines3 loads the weights and acts as LossLab does), and both
/// runs' checkpoints by `scripts/check_safetensors.py` (documented names, dtypes, shapes). Each
/// check says it skipped when its Python packages are missing (`make check-ecosystem` installs
/// them).
@Suite(.serialized) struct ExportCheckTests {
  static func script(_ name: String) -> String {
    Fixtures.repositoryRoot.appendingPathComponent("scripts/\(name)").path
  }

  /// Runs a check script; false when it skipped (printed), otherwise expects PASS.
  static func check(_ arguments: [String], _ label: String) throws -> Bool {
    let result = try TensorBoardCheckTests.python(arguments)
    let last = result.output.split(separator: "\n").last.map(String.init) ?? ""
    if last == "SKIPPED" {
      print("\(label): skipped: \(result.output)")
      return false
    }
    #expect(result.status == 0 && last == "PASS", "\(result.output)")
    return true
  }

  @Test func ctcModelRunsInOnnxRuntime() throws {
    let folder = try makeScratchFolder("ctc-onnx")
    let data = folder.appendingPathComponent("speech").path
    let run = folder.appendingPathComponent("run").path
    let model = folder.appendingPathComponent("model.onnx").path
    let reference = folder.appendingPathComponent("reference.json").path
    let synth = try LossLabProcess.result([
      "ctc", "synth", "--out", data, "--utterances", "20", "--seed", "1", "--max-words", "3", "--speakers",
      "9",
      "--held-out-speakers", "2",
    ])
    #expect(synth.status == 0, "\(synth.stderr)")
    let train = try LossLabProcess.result([
      "ctc", "train", "--data", data, "--out", run, "--epochs", "1", "--hidden", "8", "--frontend", "8",
      "--layers", "2", "--batch-size", "4", "--no-tensorboard",
    ])
    #expect(train.status == 0, "\(train.stderr)")
    let export = try LossLabProcess.result([
      "ctc", "export", run, "--onnx", model, "--data", data, "--split", "test", "--reference-utterances", "2",
      "--reference-out", reference,
    ])
    #expect(export.status == 0, "\(export.stderr)")
    #expect(
      FileManager.default.fileExists(atPath: model) && FileManager.default.fileExists(atPath: reference))
    _ = try Self.check([Self.script("check_onnx_ctc.py"), model, reference], "check_onnx_ctc")
    _ = try Self.check([Self.script("check_safetensors.py"), run], "check_safetensors")

    let missing = folder.appendingPathComponent("absent").path
    let absent = try LossLabProcess.result(["ctc", "export", missing, "--onnx", model])
    #expect(absent.status == 1 && absent.stderr.contains(missing), "\(absent.stderr)")
    let noModel = try LossLabProcess.result(["ctc", "export", run])
    #expect(noModel.status == 2 && noModel.stderr.contains("--onnx"), "\(noModel.stderr)")
  }

  @Test func sb3LoadsThePolicyAndActsTheSame() throws {
    let folder = try makeScratchFolder("sb3")
    let run = folder.appendingPathComponent("ppo").path
    let out = folder.appendingPathComponent("sb3").path
    let reference = folder.appendingPathComponent("reference.json").path
    let train = try LossLabProcess.result([
      "rl", "train", "--env", "cartpole", "--steps", "2048", "--set", "normalize=true", "--no-tensorboard",
      "--out", run,
    ])
    #expect(train.status == 0, "\(train.stderr)")
    let export = try LossLabProcess.result([
      "rl", "export", run, "--sb3", out, "--reference-inputs", "1000", "--reference-out", reference,
    ])
    #expect(export.status == 0, "\(export.stderr)")
    let kwargs = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/sb3_kwargs.json")))
        as? [String: Any])
    #expect(kwargs["env_id"] as? String == "CartPole-v1")
    let policyKwargs = try #require(kwargs["policy_kwargs"] as? [String: Any])
    #expect(policyKwargs["activation_fn"] as? String == "Tanh")
    #expect((policyKwargs["net_arch"] as? [String: [Int]]) == ["pi": [64, 64], "vf": [64, 64]])
    let normalize = try #require(kwargs["vec_normalize"] as? [String: Any])
    #expect(normalize["clip_obs"] as? Double == 10 && normalize["norm_reward"] as? Bool == false)
    #expect(FileManager.default.fileExists(atPath: out + "/policy.safetensors"))
    _ = try Self.check([Self.script("check_sb3.py"), out, reference], "check_sb3")
    _ = try Self.check([Self.script("check_safetensors.py"), run], "check_safetensors")

    // A shared trunk has no SB3 MlpPolicy equivalent: a runtime failure that says so.
    let shared = folder.appendingPathComponent("shared").path
    let trainShared = try LossLabProcess.result([
      "rl", "train", "--env", "cartpole", "--steps", "512", "--set", "shared_trunk=true", "--set",
      "n_steps=512",
      "--no-tensorboard", "--out", shared,
    ])
    #expect(trainShared.status == 0, "\(trainShared.stderr)")
    let refused = try LossLabProcess.result(["rl", "export", shared, "--sb3", out + "-shared"])
    #expect(refused.status == 1 && refused.stderr.contains("shared trunk"), "\(refused.stderr)")
  }
}
