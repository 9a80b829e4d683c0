import ArgumentParser
import Foundation
import Runs

/// The run-lifecycle flags every trainer shares (`rl train`, `ctc train`, `mrt train`):
/// `--out DIR` (new run), `--resume DIR`, `--overwrite`, `--keep-checkpoints N`. The rules are
/// ``TrainingSession``'s, documented in docs/runs.md.
struct RunFolderOptions: ParsableArguments {
  @Option(help: "Run folder for a new run; refused if it already holds a run (see --resume, --overwrite).")
  var out: String?

  @Option(help: "Continue the run in this folder from its newest checkpoint, with its saved config.")
  var resume: String?

  @Flag(help: "With --out: replace the run already in that folder (never a folder that is not a run).")
  var overwrite = false

  @Option(help: "Checkpoints to keep, the newest (default \(TrainingSession.defaultKeepCheckpoints)).")
  var keepCheckpoints: Int = TrainingSession.defaultKeepCheckpoints

  @Flag(help: "Do not write a TensorBoard event file (events.out.tfevents.*) in the run folder.")
  var noTensorboard = false

  /// The rules that need no file system, checked before any work (exit 2 with the usage).
  func validate() throws {
    do {
      _ = try RunRequest.parse(
        out: out ?? (resume == nil ? "unused" : nil), resume: resume, overwrite: overwrite,
        keepCheckpoints: keepCheckpoints)
    } catch let error as RunLifecycleError {
      throw ValidationError(error.description)
    }
  }

  /// The request; `defaultOut` is used when neither `--out` nor `--resume` is given.
  func request(defaultOut: String? = nil) throws -> RunRequest {
    try RunRequest.parse(
      out: out ?? (resume == nil ? defaultOut : nil), resume: resume, overwrite: overwrite,
      keepCheckpoints: keepCheckpoints, tensorboard: !noTensorboard)
  }
}

/// How a training command ends: lifecycle refusals exit 2 (`Error: ...` on stderr), a finished
/// run asked to resume prints why and exits 0, an interrupted run exits 130 (as Ctrl-C does in
/// a shell), other errors propagate (exit 1).
enum TrainingCommandExit {
  static func run(_ body: () throws -> TrainingSession.Ending) throws {
    let ending: TrainingSession.Ending
    do { ending = try body() } catch let error as RunLifecycleError {
      if error.exitCode == 0 {
        print(error.description)
        return
      }
      FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
      throw ExitCode(error.exitCode)
    }
    let code = TrainingSession.exitCode(for: ending)
    if code != 0 { throw ExitCode(code) }
  }
}
