import Foundation
import NeuralNets

/// Every `losslab` subcommand with every option that takes a value, for the bad-value tests.
/// `OptionTableTests.tableListsEveryOption` checks the table against the binary's own
/// `--experimental-dump-help`, so a new option cannot be left out.
enum OptionTable {
  /// What an option takes; decides which test values must be refused.
  enum Kind {
    /// An integer count or size (`Int`): negative, overflowing, empty, non-numeric refused.
    case count
    /// A real number: empty, non-numeric, non-finite and (unless `negativeAllowed`) negative refused.
    case real(negativeAllowed: Bool)
    /// A `UInt64` seed: negative, overflowing, empty, non-numeric refused.
    case seed
    /// A path or a name: empty refused.
    case text
    /// One of a fixed set of words: empty, numbers and unknown words refused.
    case choice
    /// Repeatable `NAME=VALUE`: empty and values without `=` refused.
    case assignment
  }

  struct Option {
    /// `--flag`, or `<name>` for a positional argument.
    var name: String
    var kind: Kind
    var isPositional: Bool { name.hasPrefix("<") }
  }

  struct Command {
    var path: [String]
    /// A valid command line apart from the option under test: flags with values, positional
    /// values under their `<name>`.
    var base: [(String, String)]
    var options: [Option]

    /// The command line with `name` set to `value` (replacing the base's value if it has one).
    func arguments(_ name: String, _ value: String) -> [String] {
      var pairs = base
      if let i = pairs.firstIndex(where: { $0.0 == name }) {
        pairs[i].1 = value
      } else {
        pairs.append((name, value))
      }
      var positional: [String] = []
      var flags: [String] = []
      for (key, v) in pairs {
        if key.hasPrefix("<") {
          positional.append(v)
        } else if v.hasPrefix("-") {
          flags.append("\(key)=\(v)")  // the documented form for a value that starts with '-'
        } else {
          flags += [key, v]
        }
      }
      return path + positional + flags
    }
  }

  static func o(_ name: String, _ kind: Kind) -> Option { Option(name: name, kind: kind) }

  static let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
    "losslab-cli-table-\(getpid())"
  ).path

  static let commands: [Command] = [
    Command(
      path: ["rl", "train"], base: [("--env", "cartpole"), ("--out", scratch + "/rl")],
      options: [
        o("--env", .text), o("--env-option", .assignment), o("--preset", .text), o("--set", .assignment),
        o("--shaping", .text), o("--seed", .seed), o("--steps", .count), o("--out", .text),
        o("--resume", .text), o("--eval-freq", .count), o("--eval-episodes", .count),
        o("--checkpoint-freq", .count), o("--threads", .count), o("--keep-checkpoints", .count),
        o("--update", .choice),
      ]),
    Command(
      path: ["rl", "eval"], base: [("<run-folder>", "run")],
      options: [
        o("<run-folder>", .text), o("--episodes", .count), o("--seed", .seed), o("--checkpoint", .count),
      ]),
    Command(
      path: ["rl", "export"], base: [("<run-folder>", "run"), ("--onnx", scratch + "/policy.onnx")],
      options: [
        o("<run-folder>", .text), o("--onnx", .text), o("--sb3", .text), o("--checkpoint", .count),
        o("--reference-inputs", .count),
        o("--reference-out", .text), o("--seed", .seed),
      ]),
    Command(
      path: ["rl", "compare"], base: [("--env", "cartpole"), ("--out", scratch + "/compare")],
      options: [
        o("--env", .text), o("--env-option", .assignment), o("--shapings", .text), o("--seeds", .count),
        o("--first-seed", .seed), o("--steps", .count), o("--preset", .text), o("--set", .assignment),
        o("--eval-freq", .count), o("--eval-episodes", .count), o("--jobs", .count), o("--out", .text),
        o("--threshold", .real(negativeAllowed: true)), o("--vary", .assignment), o("--executor", .choice),
        o("--slurm-partition", .text), o("--slurm-time", .text), o("--slurm-cpus-per-task", .count),
        o("--slurm-mem", .text), o("--slurm-extra", .text), o("--slurm-max-parallel", .count),
      ]),
    Command(
      path: ["sweep"],
      base: [("--space", "space.yaml"), ("--env", "cartpole"), ("--out", scratch + "/sweep")],
      options: [
        o("--space", .text), o("--env", .text), o("--env-option", .assignment), o("--preset", .text),
        o("--set", .assignment), o("--sampler", .choice), o("--trials", .count), o("--seed", .seed),
        o("--seeds", .count), o("--first-seed", .seed), o("--steps", .count), o("--metric", .choice),
        o("--pruner", .choice), o("--eta", .count), o("--min-steps", .count), o("--batch", .count),
        o("--eval-freq", .count), o("--eval-episodes", .count), o("--jobs", .count), o("--out", .text),
        o("--executor", .choice), o("--slurm-partition", .text), o("--slurm-time", .text),
        o("--slurm-cpus-per-task", .count), o("--slurm-mem", .text), o("--slurm-extra", .text),
        o("--slurm-max-parallel", .count),
      ]),
    Command(
      path: ["rl", "report"], base: [("<dir>", "dir")],
      options: [
        o("<dir>", .text), o("--out", .text), o("--baseline", .text), o("--order", .text),
        o("--threshold", .real(negativeAllowed: true)),
      ]),
    Command(path: ["env", "list"], base: [], options: [o("--env-option", .assignment)]),
    Command(
      path: ["env", "render"], base: [("<env>", "gridworld:frozenlake-4x4")],
      options: [
        o("<env>", .text), o("--seed", .seed), o("--policy", .choice), o("--env-option", .assignment),
      ]),
    Command(
      path: ["env", "replay"],
      base: [("<env>", "cartpole"), ("--trajectories", "t.json"), ("--output", scratch + "/o.json")],
      options: [
        o("<env>", .choice), o("--trajectories", .text), o("--output", .text), o("--env-option", .assignment),
      ]),
    Command(
      path: ["env", "info"], base: [("<env>", "pendulum")],
      options: [o("<env>", .text), o("--env-option", .assignment)]),
    Command(
      path: ["env", "table"], base: [("<env>", "gridworld:frozenlake-4x4")],
      options: [o("<env>", .text), o("--env-option", .assignment)]),
    Command(
      path: ["env", "solve"], base: [("<env>", "gridworld:frozenlake-4x4")],
      options: [
        o("<env>", .text), o("--gamma", .real(negativeAllowed: false)), o("--env-option", .assignment),
      ]),
    Command(
      path: ["ctc", "cases"], base: [("<input>", "in.json"), ("<output>", scratch + "/out.json")],
      options: [o("<input>", .text), o("<output>", .text), o("--threads", .count)]),
    Command(
      path: ["ctc", "synth"], base: [("--out", scratch + "/speech")],
      options: [
        o("--out", .text), o("--utterances", .count), o("--seed", .seed), o("--engine", .choice),
        o("--min-words", .count), o("--max-words", .count), o("--snr-min", .real(negativeAllowed: true)),
        o("--snr-max", .real(negativeAllowed: true)), o("--dev-fraction", .real(negativeAllowed: false)),
        o("--test-fraction", .real(negativeAllowed: false)), o("--speakers", .count),
        o("--held-out-speakers", .count), o("--test-voice", .text), o("--speakers-per-voice", .count),
        o("--test-speakers", .count), o("--text", .text), o("--speed-min", .real(negativeAllowed: false)),
        o("--speed-max", .real(negativeAllowed: false)), o("--pitch-jitter", .count),
        o("--telephone-fraction", .real(negativeAllowed: false)),
      ]),
    Command(
      path: ["ctc", "corpus", "asterisk"], base: [("--out", scratch + "/asterisk")],
      options: [o("--out", .text), o("--sounds", .text), o("--transcripts", .text)]),
    Command(
      path: ["ctc", "train"], base: [("--out", scratch + "/ctc")],
      options: [
        o("--data", .text), o("--out", .text), o("--epochs", .count), o("--batch-size", .count),
        o("--lr", .real(negativeAllowed: false)), o("--final-lr", .real(negativeAllowed: false)),
        o("--clip-norm", .real(negativeAllowed: false)), o("--hidden", .count), o("--layers", .count),
        o("--frontend", .count), o("--stride", .count), o("--context", .count), o("--seed", .seed),
        o("--threads", .count), o("--resume", .text), o("--keep-checkpoints", .count),
        o("--init-from", .text),
      ]),
    Command(
      path: ["ctc", "eval"], base: [("<run-folder>", "run")],
      options: [
        o("<run-folder>", .text), o("--data", .text), o("--split", .choice), o("--decoder", .choice),
        o("--examples", .count), o("--threads", .count), o("--lexicon", .text), o("--lm", .text),
        o("--beam-size", .count), o("--beam-threshold", .real(negativeAllowed: false)),
        o("--lm-weight", .real(negativeAllowed: true)), o("--word-score", .real(negativeAllowed: true)),
        o("--sil-score", .real(negativeAllowed: true)),
      ]),
    Command(
      path: ["ctc", "export"], base: [("<run-folder>", "run"), ("--onnx", scratch + "/model.onnx")],
      options: [
        o("<run-folder>", .text), o("--onnx", .text), o("--checkpoint", .count), o("--data", .text),
        o("--split", .choice), o("--reference-utterances", .count), o("--reference-out", .text),
      ]),
    Command(
      path: ["ctc", "decode"], base: [("--emissions", "e.safetensors"), ("--tokens", "tokens.txt")],
      options: [
        o("--emissions", .text), o("--tokens", .text), o("--lexicon", .text), o("--lm", .text),
        o("--beam-size", .count), o("--beam-size-token", .count),
        o("--beam-threshold", .real(negativeAllowed: false)),
        o("--lm-weight", .real(negativeAllowed: true)), o("--word-score", .real(negativeAllowed: true)),
        o("--unk-score", .text), o("--sil-score", .real(negativeAllowed: true)), o("--nbest", .count),
        o("--blank-token", .text), o("--sil-token", .text),
      ]),
    Command(
      path: ["lm", "build"], base: [("<text>", "corpus.txt"), ("--out", scratch + "/lm.arpa")],
      options: [o("<text>", .text), o("--order", .count), o("--out", .text)]),
    Command(
      path: ["bleu"], base: [("<references>", "ref.txt")],
      options: [
        o("<references>", .text), o("--input", .text), o("--tokenize", .choice),
        o("--smooth-method", .choice),
        o("--smooth-value", .real(negativeAllowed: false)), o("--format", .choice), o("--width", .count),
      ]),
    Command(
      path: ["mrt", "data"], base: [("--out", scratch + "/corpus")],
      options: [
        o("--out", .text), o("--seed", .seed), o("--train", .count), o("--dev", .count), o("--test", .count),
        o("--indefinite-rate", .real(negativeAllowed: false)),
        o("--drop-rate", .real(negativeAllowed: false)),
        o("--max-length", .count), o("--max-clauses", .count),
        o("--clause-rate", .real(negativeAllowed: false)),
        o("--ambiguous-phrases", .count), o("--idiom-rate", .real(negativeAllowed: false)),
        o("--alternatives", .count), o("--optional-rate", .real(negativeAllowed: false)),
        o("--ceiling-draws", .count),
        o("<corpus>", .choice), o("--sword-dir", .text), o("--bpe-merges", .count), o("--max-words", .count),
      ]),
    Command(
      path: ["mrt", "train"], base: [("--data", "corpus"), ("--out", scratch + "/mrt")],
      options: [
        o("--data", .text), o("--out", .text), o("--objective", .choice), o("--init", .text),
        o("--seed", .seed),
        o("--embedding", .count), o("--hidden", .count), o("--batch-size", .count),
        o("--sources-per-step", .count), o("--samples", .count), o("--alpha", .real(negativeAllowed: false)),
        o("--mle-weight", .real(negativeAllowed: false)), o("--lr", .real(negativeAllowed: false)),
        o("--max-steps", .count), o("--eval-every", .count), o("--patience", .count),
        o("--dev-sentences", .count), o("--threads", .count), o("--resume", .text),
        o("--keep-checkpoints", .count), o("--candidates", .choice),
      ]),
    Command(
      path: ["mrt", "eval"], base: [("<run-folder>", "run")],
      options: [
        o("<run-folder>", .text), o("--split", .choice), o("--beam", .count), o("--data", .text),
        o("--examples", .count), o("--decode", .choice), o("--mbr-samples", .count),
        o("--mbr-candidates", .choice), o("--seed", .seed),
      ]),
    Command(
      path: ["mrt", "compare"], base: [("--mle", "a"), ("--mle", "b"), ("--mrt", "c"), ("--mrt", "d")],
      options: [
        o("--mle", .text), o("--mrt", .text), o("--split", .choice), o("--beam", .count),
        o("--method", .text), o("--seed", .seed),
      ]),
    Command(
      path: ["bench", "env"], base: [],
      options: [
        o("--seconds", .real(negativeAllowed: false)), o("--trials", .count), o("--vector-sizes", .text),
      ]),
    Command(
      path: ["bench", "speech"], base: [],
      options: [o("--utterances", .count), o("--engine", .choice), o("--out", .text)]),
    Command(path: ["bench", "ctc"], base: [], options: [o("--threads", .count), o("--repeats", .count)]),
    Command(
      path: ["bench", "ctc-decode"], base: [("--emissions", "e.safetensors")],
      options: [
        o("--emissions", .text), o("--tokens", .text), o("--lexicon", .text), o("--lm", .text),
        o("--frame-seconds", .real(negativeAllowed: false)),
        o("--beam-threshold", .real(negativeAllowed: false)),
        o("--lm-weight", .real(negativeAllowed: true)), o("--repeats", .count),
      ]),
    Command(
      path: ["bench", "mrt"], base: [],
      options: [
        o("--steps", .count), o("--samples", .count), o("--sentences", .count), o("--threads", .count),
      ]),
    Command(
      path: ["bench", "bleu"], base: [],
      options: [
        o("--lines", .count), o("--sentences", .count), o("--repeats", .count), o("--seed", .seed),
        o("--folder", .text),
      ]),
    Command(path: ["bench", "tensor"], base: [], options: [o("--threads", .count)]),
    Command(
      path: ["bench", "ppo"], base: [],
      options: [
        o("--preset", .text), o("--env", .text), o("--steps", .count), o("--seed", .seed),
        o("--threads", .count), o("--eval-every", .count), o("--update", .text), o("--kernels", .text),
      ]),
    Command(
      path: ["demo", "regression"], base: [],
      options: [
        o("--out", .text), o("--steps", .count), o("--batch-size", .count),
        o("--learning-rate", .real(negativeAllowed: false)), o("--seed", .seed), o("--threads", .count),
      ]),
  ]

  /// Values every option of `kind` must refuse.
  static func refused(_ kind: Kind) -> [String] {
    let overflow = "99999999999999999999999"
    switch kind {
    case .count: return ["-1", overflow, "", "abc", "1.5"]
    case .seed: return ["-1", "18446744073709551616", "", "abc"]
    case .real(let negativeAllowed):
      return (negativeAllowed ? [] : ["-1"]) + ["", "abc", "nan", "inf", "1e999"]
    case .text: return [""]
    case .choice: return ["", "abc", "-1", "0"]
    case .assignment: return ["", "abc", "=1"]
    }
  }

  /// Values an option may take or refuse, but never trap on.
  static let probed = ["0", "1", "-0", "2147483648", "9223372036854775807", "-9223372036854775808"]
}
