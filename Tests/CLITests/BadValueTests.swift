import ArgumentParser
import Environments
import Foundation
import NeuralNets
import Reinforcement
import Testing

@testable import losslab

/// Every option of every subcommand given negative, zero, overflowing, empty and non-numeric
/// values: refused with exit status 2 and a message naming the flag, never a trap. Most values
/// are parsed in-process (`LossLab.parseAsRoot` runs every `validate()`, which is all a refused
/// value reaches); one per option, and the issue's command lines, run the real binary.
@Suite struct BadValueTests {
  /// The message of a refused command line, or nil when it parses.
  static func refusal(_ arguments: [String]) -> (message: String, code: ExitCode)? {
    do {
      _ = try LossLab.parseAsRoot(arguments)
      return nil
    } catch {
      return (LossLab.message(for: error), LossLab.exitCode(for: error))
    }
  }

  /// Whether `message` names the option (`--flag`, or a positional's name or value).
  static func names(_ message: String, _ option: OptionTable.Option, value: String) -> Bool {
    if option.isPositional {
      let bare = option.name.dropFirst().dropLast()
      return message.lowercased().contains(bare.lowercased())
        || message.uppercased().contains(bare.uppercased().replacingOccurrences(of: "-", with: "_"))
        || message.contains(bare.split(separator: "-").first!.uppercased())
        || (!value.isEmpty && message.contains(value))
    }
    return message.contains(option.name)
  }

  @Test func everyOptionRefusesBadValuesInProcess() {
    for command in OptionTable.commands {
      for option in command.options {
        for value in OptionTable.refused(option.kind) {
          let arguments = command.arguments(option.name, value)
          guard let (message, code) = Self.refusal(arguments) else {
            Issue.record("accepted: losslab \(arguments)")
            continue
          }
          #expect(code == .validationFailure, "losslab \(arguments): \(message)")
          #expect(Self.names(message, option, value: value), "losslab \(arguments): \(message)")
        }
        // A positional value that starts with '-' reads as an option (ArgumentParser's rule).
        for value in OptionTable.probed where !(option.isPositional && value.hasPrefix("-")) {
          let arguments = command.arguments(option.name, value)
          if let (message, code) = Self.refusal(arguments) {
            #expect(code == .validationFailure, "losslab \(arguments): \(message)")
            #expect(Self.names(message, option, value: value), "losslab \(arguments): \(message)")
          }
        }
      }
    }
  }

  /// One refused value per option through the real binary (cycling through the kinds' values):
  /// exit status 2, the flag in the message, the subcommand's usage line.
  @Test func everyOptionRefusesBadValuesInTheBinary() throws {
    var index = 0
    for command in OptionTable.commands {
      for option in command.options {
        let values = OptionTable.refused(option.kind)
        let value = values[index % values.count]
        index += 1
        let arguments = command.arguments(option.name, value)
        let r = try CLI.run(arguments)
        #expect(!r.signaled && r.status == 2, "losslab \(arguments): status \(r.status)\n\(r.stderr)")
        #expect(r.stdout.isEmpty, "losslab \(arguments)")
        #expect(r.stderr.hasPrefix("Error: "), "losslab \(arguments): \(r.stderr)")
        #expect(Self.names(r.stderr, option, value: value), "losslab \(arguments): \(r.stderr)")
        let usage = "Usage: losslab \(command.path.joined(separator: " "))"
        #expect(r.stderr.contains(usage), "losslab \(arguments): \(r.stderr)")
      }
    }
  }

  /// The command lines of issue 12 that ended in a trap (the `--resume` one belongs to the run
  /// lifecycle), as written there and with the `=` form that reaches the range check.
  @Test(arguments: [
    (["mrt", "eval", "RUN", "--examples", "-1"], "--examples"),
    (["mrt", "eval", "RUN", "--examples=-1"], "--examples -1: allowed 0..."),
    (["mrt", "train", "--data", "d", "--out", "o", "--dev-sentences", "-1"], "--dev-sentences"),
    (
      ["mrt", "train", "--data", "d", "--out", "o", "--dev-sentences=-1"], "--dev-sentences -1: allowed 1..."
    ),
    (
      ["mrt", "train", "--data", "d", "--out", "o", "--dev-sentences", "0"], "--dev-sentences 0: allowed 1..."
    ),
    (["mrt", "train", "--data", "d", "--out", "o", "--embedding", "0"], "--embedding 0: allowed 1..."),
    (["bench", "ppo", "--threads", "0"], "--threads 0: allowed 1..."),
    (["bench", "ppo", "--threads", "64"], "--threads 64: allowed 1..."),
    (["bench", "tensor", "--threads", "256"], "--threads 256: allowed 1..."),
    (["ctc", "synth", "--engine", "espeak-ng", "--test-voice", ""], "--test-voice '': allowed"),
    (
      [
        "rl", "compare", "--env", "cartpole", "--out", "x", "--first-seed", "18446744073709551615", "--seeds",
        "2",
      ],
      "--first-seed 18446744073709551615: allowed 0...18446744073709551614"
    ),
    (
      ["rl", "compare", "--env", "cartpole", "--out", "x", "--vary", "nope=1,2"],
      "--vary 'nope=1,2': unknown preset key 'nope' (allowed: n_envs, n_steps"
    ),
    (
      ["rl", "compare", "--env", "cartpole", "--out", "x", "--vary", "gamma=0.9,2"],
      "--vary 'gamma=0.9,2': invalid value '2' for gamma (allowed: a number in [0, 1])"
    ),
    (
      ["rl", "compare", "--env", "cartpole", "--out", "x", "--vary", "gamma=0.9,0.90"],
      "--vary 'gamma=0.9,0.90': allowed at least two different comma-separated values for gamma"
    ),
    (["mrt", "data", "--out", ""], "--out '': allowed"),
    (["rl", "train", "--env", "cartpole", "--out", ""], "--out '': allowed"),
    (
      ["env", "solve", "gridworld:frozenlake-4x4", "--env-option", "time_limit=100000000"],
      "invalid value '100000000' for time_limit (allowed: an integer in 1...10000, or none)"
    ),
  ])
  func issueCommandLinesExitTwo(arguments: [String], expected: String) throws {
    if arguments.contains("64") && ProcessInfo.processInfo.activeProcessorCount >= 64 { return }
    let r = try CLI.run(arguments)
    #expect(!r.signaled && r.status == 2, "losslab \(arguments): status \(r.status)\n\(r.stderr)")
    #expect(r.stderr.hasPrefix("Error: ") && r.stderr.contains(expected), "losslab \(arguments): \(r.stderr)")
  }

  /// A negative value for an option that allows one works without `=`.
  @Test func negativeThresholdNeedsNoEquals() {
    #expect(Self.refusal(["rl", "report", "dir", "--threshold", "-1"]) == nil)
    #expect(Self.refusal(["ctc", "synth", "--snr-min", "-5", "--snr-max", "-1"]) == nil)
    let parsed = try? LossLab.parseAsRoot(["rl", "report", "dir", "--threshold", "-1.5"]) as? RLReportCommand
    #expect(parsed?.threshold == -1.5)
  }

  /// Seeded random strings for every numeric option: parsed in-process (a trap would end the
  /// test run), refusals name the flag; a sample runs the binary, which must never die on a signal.
  @Test func fuzzNumericOptions() throws {
    var rng = SplitMix64(seed: 12)
    var sampled = 0
    for command in OptionTable.commands {
      for option in command.options {
        switch option.kind {
        case .count, .real, .seed: break
        default: continue
        }
        var refusedHere: [String] = []
        for _ in 0..<300 {
          let value = Self.randomValue(&rng)
          let arguments = command.arguments(option.name, value)
          if let (message, code) = Self.refusal(arguments) {
            #expect(code == .validationFailure, "losslab \(arguments): \(message)")
            #expect(Self.names(message, option, value: value), "losslab \(arguments): \(message)")
            refusedHere.append(value)
          }
        }
        for value in refusedHere.prefix(1) {
          let arguments = command.arguments(option.name, value)
          let r = try CLI.run(arguments)
          sampled += 1
          #expect(!r.signaled && r.status == 2, "losslab \(arguments): status \(r.status)\n\(r.stderr)")
        }
      }
    }
    #expect(sampled > 60)
  }

  /// `--set NAME=VALUE` for every hyperparameter and `--env-option KEY=VALUE` for every setting,
  /// with seeded random values: resolved in-process as `rl train` resolves them (preset, overrides,
  /// environment) and refused with an error, never a trap.
  @Test func fuzzHyperparametersAndEnvironmentSettings() throws {
    var rng = SplitMix64(seed: 7)
    let folder = OptionTable.scratch + "/fuzz"
    for key in PPOConfig.keys {
      for _ in 0..<60 {
        let value = Self.randomValue(&rng)
        let arguments = ["--env", "cartpole", "--out", folder, "--set", "\(key)=\(value)"]
        do {
          _ = try RLTrainCommand.parse(arguments).runConfig()
        } catch {
          #expect(
            RLTrainCommand.message(for: error).contains(key),
            "rl train \(arguments): \(RLTrainCommand.message(for: error))")
        }
      }
    }
    let settings = GridSettings.keys.map(\.key) + EnvironmentSpec.cartPoleKeys.map(\.key)
    for key in settings {
      for env in ["gridworld:frozenlake-4x4", "cartpole"] {
        for _ in 0..<60 {
          let value = Self.randomValue(&rng)
          let arguments = ["env", "solve", env, "--env-option", "\(key)=\(value)"]
          if let (message, code) = Self.refusal(arguments) {
            #expect(code == .validationFailure, "losslab \(arguments): \(message)")
          }
        }
      }
    }
  }

  /// A numeric-looking or hostile string.
  static func randomValue(_ rng: inout SplitMix64) -> String {
    let digits = Array("0123456789")
    func number(_ length: Int) -> String { String((0..<length).map { _ in digits[rng.below(10)] }) }
    switch rng.below(12) {
    case 0: return "-" + number(1 + rng.below(25))
    case 1: return number(1 + rng.below(25))
    case 2: return number(1 + rng.below(4)) + "." + number(1 + rng.below(6))
    case 3:
      return "-" + number(1 + rng.below(3)) + "e" + (rng.below(2) == 0 ? "-" : "") + number(1 + rng.below(4))
    case 4:
      return ["nan", "-nan", "inf", "-inf", "infinity", "NaN", "+1", "0x10", "1_000", " 1", "1 ", "１"][
        rng.below(12)]
    case 5: return ""
    case 6: return String(UInt64.max) + number(rng.below(3))
    case 7: return String(Int64.min) + number(rng.below(2))
    case 8:
      let alphabet = Array("-+.eE0123456789abc=,;:/ \t\u{00e9}")
      return String((0..<(1 + rng.below(12))).map { _ in alphabet[rng.below(alphabet.count)] })
    case 9: return number(1 + rng.below(3))
    case 10: return "0." + number(1 + rng.below(8))
    default: return String(Int.max - rng.below(3))
    }
  }
}

/// A small seeded generator for the fuzz strings.
struct SplitMix64 {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
