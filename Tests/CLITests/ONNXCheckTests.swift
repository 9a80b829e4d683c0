import Foundation
import TestSupport
import Testing

/// `scripts/check_onnx.py` (ONNX's checker and onnxruntime) on policies the CLI exported, with
/// and without observation normalisation: logits and values within 1e-5 of LossLab's on 1,000
/// random observations, the same argmax actions. Skipped, saying why, when the Python packages
/// `onnx` or `onnxruntime` are missing (`make check-ecosystem` installs them).
@Suite(.serialized) struct ONNXCheckTests {
  @Test(arguments: [false, true]) func onnxRuntimeMatchesLossLab(normalize: Bool) throws {
    let folder = try makeScratchFolder("onnx-\(normalize)")
    let run = folder.appendingPathComponent("ppo").path
    let model = folder.appendingPathComponent("policy.onnx").path
    let reference = folder.appendingPathComponent("reference.json").path
    let script = Fixtures.repositoryRoot.appendingPathComponent("scripts/check_onnx.py").path
    let train = try LossLabProcess.result([
      "rl", "train", "--env", "cartpole", "--steps", "2048", "--set", "normalize=\(normalize)",
      "--no-tensorboard", "--out", run,
    ])
    #expect(train.status == 0, "\(train.stderr)")
    let export = try LossLabProcess.result([
      "rl", "export", run, "--onnx", model, "--reference-inputs", "1000", "--reference-out", reference,
    ])
    #expect(export.status == 0, "\(export.stderr)")
    let check = try TensorBoardCheckTests.python([script, model, reference])
    let last = check.output.split(separator: "\n").last.map(String.init) ?? ""
    if last == "SKIPPED" {
      print("ONNXCheckTests: skipped: \(check.output)")
      return
    }
    #expect(check.status == 0 && last == "PASS", "\(check.output)")
    #expect(check.output.contains("IR version 8, opsets {'ai.onnx': 17}"), "\(check.output)")
  }

  @Test func missingRunExitsOneWithThePath() throws {
    let folder = try makeScratchFolder("onnx-missing")
    let missing = folder.appendingPathComponent("absent").path
    let r = try LossLabProcess.result(["rl", "export", missing, "--onnx", folder.path + "/p.onnx"])
    #expect(r.status == 1 && r.stderr.contains(missing), "\(r.stderr)")
    let bad = try LossLabProcess.result(["rl", "export", missing])
    #expect(bad.status == 2 && bad.stderr.contains("--onnx"), "\(bad.stderr)")
  }
}
