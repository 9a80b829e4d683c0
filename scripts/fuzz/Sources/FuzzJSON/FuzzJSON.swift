import Core
import Foundation
import FuzzSupport
import Reinforcement
import Runs
import Training

/// JSON (Core/JSONValue) and the JSON files of a run folder, decoded as the trainers decode them:
/// config.json (PPORunConfig), status.json, and the checkpoint sidecars (PPO, CTC). Property:
/// every refusal is a thrown error (JSONError for JSONValue), never a trap; a parsed value
/// re-parses from its own text to the same text, and a string from JSONText's quoting.
@_cdecl("FuzzJSON_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  return runFuzzer(argc, argv) { bytes in
    let text = String(decoding: bytes, as: UTF8.self)
    do {
      let value = try JSONValue.parse(text)
      fuzzCheck(
        (try? JSONValue.parse(value.text))?.text == value.text,
        "a parsed value does not re-parse from its text")
      if case .string(let s) = value {
        fuzzCheck((try? JSONValue.parse(JSONText.quoted(s))) == value, "quoted string does not re-parse")
      }
    } catch is JSONError {
    } catch {
      fuzzCheck(false, "JSONValue.parse threw a \(type(of: error)): \(error)")
    }
    let data = Data(bytes)
    let decoder = JSONDecoder()
    _ = try? decoder.decode(PPORunConfig.self, from: data)
    _ = try? decoder.decode(RunFolder.StatusRecord.self, from: data)
    _ = try? decoder.decode(PPOCheckpointSidecar.self, from: data)
    _ = try? decoder.decode(CTCTrainingState.self, from: data)
    _ = try? decoder.decode(PPOState.self, from: data)
  }
}
