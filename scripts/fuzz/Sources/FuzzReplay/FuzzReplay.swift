import Core
import Environments
import FuzzSupport

/// Trajectory files for `losslab env replay` (Environments/EnvironmentReplay): JSON documents of
/// recorded states and actions replayed through an environment. The first byte picks the
/// environment. Property: a bad document is a thrown error, never a trap.
let environments = ["CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1"]
let specs = environments.compactMap { try? EnvironmentSpec.parse($0) }

@_cdecl("FuzzReplay_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  precondition(specs.count == environments.count, "an environment name is no longer known")
  return runFuzzer(argc, argv) { bytes in
    guard let selector = bytes.first else { return }
    let spec = specs[Int(selector) % specs.count]
    guard let document = try? JSONValue.parse(String(decoding: bytes.dropFirst(), as: UTF8.self)) else {
      return
    }
    _ = try? EnvironmentReplay.replay(document, spec: spec)
  }
}
