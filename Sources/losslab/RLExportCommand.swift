import ArgumentParser
import Core
import Foundation
import Reinforcement
import Runs
import Training

/// `losslab rl export RUN --onnx FILE --sb3 DIR`: the trained PPO actor-critic as an ONNX model
/// and/or as Stable-Baselines3 weights and keyword arguments.
struct RLExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract:
      "Export a trained PPO policy as ONNX (IR 8, opset 17; normalisation folded in; logits, argmax action and value out) and/or for Stable-Baselines3 (MlpPolicy state_dict, kwargs, VecNormalize statistics)."
  )

  @Argument(help: "Run folder written by `losslab rl train`.")
  var runFolder: String

  @Option(help: "ONNX model file to write.")
  var onnx: String?

  @Option(
    help:
      "Folder for Stable-Baselines3: policy.safetensors (MlpPolicy state_dict names) and sb3_kwargs.json (policy_kwargs, PPO kwargs, VecNormalize statistics)."
  )
  var sb3: String?

  @Option(help: "Checkpoint step to load (default: the latest).")
  var checkpoint: Int?

  @Option(
    help:
      "Random observations to run through LossLab's policy for --reference-out (for scripts/check_onnx.py).")
  var referenceInputs: Int?

  @Option(help: "JSON file for the random observations and LossLab's logits, actions and values.")
  var referenceOut: String?

  @Option(help: "Seed of the random reference observations.")
  var seed: UInt64 = 0

  static let maxReferenceInputs = 100_000

  func validate() throws {
    try Allowed.path("RUN", runFolder)
    try Allowed.path("--onnx", onnx)
    try Allowed.path("--sb3", sb3)
    try Allowed.path("--reference-out", referenceOut)
    try Allowed.check("--checkpoint", checkpoint, 0...Limits.steps)
    try Allowed.check("--reference-inputs", referenceInputs, 1...Self.maxReferenceInputs)
    if onnx == nil && sb3 == nil {
      throw ValidationError(
        "--onnx: allowed a file path for the model; it is required unless --sb3 DIR is given")
    }
    if referenceInputs != nil && referenceOut == nil {
      throw ValidationError("--reference-out: allowed a file path; required with --reference-inputs")
    }
  }

  func run() throws {
    let url = URL(fileURLWithPath: runFolder)
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue else {
      throw FileError(path: url.path, reason: "no such run folder")
    }
    let trained = try TrainedPolicy(folder: RunFolder(url: url), step: checkpoint)
    if let onnx {
      let model = URL(fileURLWithPath: onnx)
      try trained.writeONNX(to: model)
      print("wrote \(model.path) (ONNX IR 8, opset 17; checkpoint at \(trained.checkpoint.step) timesteps)")
    }
    if let sb3 {
      let folder = URL(fileURLWithPath: sb3)
      try trained.writeSB3(to: folder)
      print(
        "wrote \(folder.appendingPathComponent(SB3Export.weightsName).path) and \(SB3Export.kwargsName) "
          + "(SB3 MlpPolicy; checkpoint at \(trained.checkpoint.step) timesteps)")
    }
    if let referenceOut {
      let count = referenceInputs ?? 1_000
      let reference = URL(fileURLWithPath: referenceOut)
      try trained.writeReference(count: count, seed: seed, to: reference)
      print("wrote \(reference.path) (\(count) random observations, seed \(seed))")
    }
  }
}
