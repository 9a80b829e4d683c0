import ArgumentParser
import Core
import Environments
import Foundation
import Reinforcement

/// `losslab env ...`: list, render, replay, inspect and solve environments.
struct EnvCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "env",
    abstract:
      "Environments: Gymnasium's classic control (cartpole, acrobot, mountaincar, mountaincar-continuous, pendulum, or their Gymnasium ids such as CartPole-v1) and text-map gridworlds (gridworld:NAME, gridworld:PATH).",
    subcommands: [List.self, Info.self, Render.self, Replay.self, Table.self, Solve.self])
}

/// `--env-option KEY=VALUE`, shared by every command that makes an environment.
struct EnvironmentOptions: ParsableArguments {
  @Option(
    name: .customLong("env-option"),
    help: "Override an environment setting, KEY=VALUE (repeatable), e.g. slippery=false or time_limit=200.")
  var envOptions: [String] = []

  func options() throws -> [String: String] {
    do {
      return try EnvironmentSpec.parseOptions(envOptions)
    } catch let error as EnvironmentError {
      throw ValidationError(error.message)
    }
  }

  func spec(_ name: String) throws -> EnvironmentSpec { try spec(name, options: options()) }

  func spec(_ name: String, options: [String: String]) throws -> EnvironmentSpec {
    do {
      return try EnvironmentSpec.parse(name, options: options)
    } catch let error as EnvironmentError {
      throw ValidationError(error.message)
    } catch let error as GridMapError {
      throw ValidationError(error.description)
    }
  }
}

extension Rendering.Policy: ExpressibleByArgument {}

extension EnvCommand {
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The environments and maps with their spaces and settings.")
    @OptionGroup var environment: EnvironmentOptions

    func validate() throws { _ = try environment.options() }

    func run() throws {
      // Each option goes to the environments that have that setting.
      let options = try environment.options()
      let gridKeys = Set(GridSettings.keys.map(\.key))
      let cartKeys = Set(EnvironmentSpec.cartPoleKeys.map(\.key))
      let classicKeys = Set(EnvironmentSpec.classicKeys.map(\.key))
      for key in options.keys.sorted() where !gridKeys.contains(key) && !cartKeys.contains(key) {
        throw ValidationError(
          "--env-option: unknown setting '\(key)' (allowed: \((cartKeys.sorted() + GridSettings.keys.map(\.key).filter { !cartKeys.contains($0) }).joined(separator: ", ")))"
        )
      }
      let classic = ClassicControl.allCases.map(\.name)
      let names = ["cartpole"] + classic + EnvironmentSpec.availableMaps().map { "gridworld:" + $0 }
      for name in names {
        let keys = name == "cartpole" ? cartKeys : (classic.contains(name) ? classicKeys : gridKeys)
        let spec = try environment.spec(name, options: options.filter { keys.contains($0.key) })
        print(name + (spec.gymnasiumID.map { "  (\($0))" } ?? ""))
        if let map = spec.gridMap {
          print("  map           \(map.rows)x\(map.cols)  \(map.description)")
        }
        print("  observation   \(spec.observationSpace)")
        print("  action        \(spec.actionSpace)")
        print("  settings      " + spec.settings.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
      }
    }
  }

  struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "One environment's spaces, time limit, rewards, reward threshold, reset distribution, termination and reward shapings."
    )
    @Argument(help: "An environment name or Gymnasium id, e.g. pendulum or Pendulum-v1.") var env: String
    @OptionGroup var environment: EnvironmentOptions

    func validate() throws { _ = try environment.spec(env) }

    func run() throws {
      let spec = try environment.spec(env)
      // The reward shapings `rl train --shaping` / `rl compare --shapings` accept for it.
      let rows = spec.info + [("shapings", ShapingSpec.available(for: spec).joined(separator: ", "))]
      let width = rows.map(\.0.count).max() ?? 0
      for (label, value) in rows {
        print(label + String(repeating: " ", count: width - label.count + 2) + value)
      }
    }
  }

  struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Render one episode as ANSI text, every step (or only the last frame with --final).")
    @Argument(help: "An environment name or Gymnasium id (cartpole, pendulum, gridworld:NAME, ...).") var env:
      String
    @Option(help: "Seed of the episode (default 0).") var seed: UInt64 = 0
    @Option(
      help:
        "random or optimal (gridworld: value iteration; cartpole: a balancing controller; acrobot, mountaincar(-continuous), pendulum: a demonstration controller). Default random."
    )
    var policy: Rendering.Policy = .random
    @Flag(help: "Print only the final frame and the summary.") var final = false
    @Flag(help: "No ANSI colours.") var plain = false
    @OptionGroup var environment: EnvironmentOptions

    /// Resolving the name here (not in `run`) makes a bad name print this command's usage.
    func validate() throws {
      try Allowed.name("ENV", env, "cartpole, gridworld:NAME or gridworld:PATH")
      _ = try environment.spec(env)
    }

    func run() throws {
      let spec = try environment.spec(env)
      let episode = Rendering.episode(spec, policy: policy, seed: seed, color: !plain)
      for frame in final ? [episode.frames.last!] : episode.frames {
        print(frame)
        if spec.gridMap != nil { print("") }
      }
      var summary = "\(env): \(episode.length) steps, return \(episode.totalReward)"
      summary += episode.terminated ? ", terminated" : ""
      summary += episode.truncated ? ", truncated" : ""
      if spec.gridMap != nil { summary += episode.success ? ", reached the goal" : ", goal not reached" }
      print(summary)
    }
  }

  struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Replay trajectories recorded from Gymnasium through our environment and write our states next to them."
    )
    @Argument(
      help:
        "cartpole, acrobot, mountaincar, mountaincar-continuous or pendulum (or the Gymnasium id); for a file with an 'envs' object, the entry replayed."
    )
    var env: String
    @Option(
      help:
        "Trajectories JSON: one env's 'cases' (shared/reference/cartpole) or an 'envs' object of them (shared/reference/classic_control)."
    )
    var trajectories: String
    @Option(help: "Where to write the replayed JSON.") var output: String
    @OptionGroup var environment: EnvironmentOptions

    func validate() throws {
      let spec = try environment.spec(env)
      guard spec.gridMap == nil else {
        throw ValidationError(
          "env replay supports cartpole, acrobot, mountaincar, mountaincar-continuous and pendulum, got '\(env)'"
        )
      }
      try Allowed.path("--trajectories", trajectories)
      try Allowed.path("--output", output)
    }

    func run() throws {
      let text: String
      do {
        text = try String(contentsOfFile: trajectories, encoding: .utf8)
      } catch {
        throw ValidationError("--trajectories: cannot read '\(trajectories)': \(error.plainReason)")
      }
      let document: JSONValue
      do {
        document = try JSONValue.parse(text)
      } catch let error as JSONError {
        throw ValidationError("--trajectories: \(trajectories): \(error)")
      }
      let result: JSONValue
      do {
        result = try EnvironmentReplay.replay(document, spec: environment.spec(env))
      } catch let error as EnvironmentError {
        throw ValidationError("--trajectories: \(trajectories): \(error.message)")
      }
      try AtomicFile.write(result.text + "\n", to: URL(fileURLWithPath: output))
      let cases =
        result["cases"]?.array ?? result["envs"].flatMap { envs -> [JSONValue]? in
          if case .object(let pairs) = envs { return pairs.first?.1["cases"]?.array }
          return nil
        } ?? []
      print("replayed \(cases.count) cases into \(output)")
    }
  }

  struct Table: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print a gridworld's transition table P[state][action] (Gymnasium's numbering).")
    @Argument(help: "gridworld:NAME or gridworld:PATH.") var env: String
    @Flag(help: "JSON with Gymnasium's keys: nS, nA, P.") var json = false
    @OptionGroup var environment: EnvironmentOptions

    func validate() throws {
      try Allowed.name("ENV", env, "gridworld:NAME or gridworld:PATH")
      _ = try environment.spec(env)
    }

    func run() throws {
      guard let map = try environment.spec(env).gridMap else {
        throw ValidationError("env table needs a gridworld:NAME environment, got '\(env)'")
      }
      let table = TransitionTable(map: map)
      if json {
        print(table.gymnasiumJSON)
        return
      }
      for s in 0..<table.stateCount {
        for a in 0..<table.actionCount {
          let outcomes = table.outcomes(state: s, action: a).map {
            "p=\($0.probability) -> \($0.next) r=\($0.reward)\($0.terminated ? " terminated" : "")"
          }
          print("P[\(s)][\(a) \(map.settings.actionOrder[a].rawValue)]: " + outcomes.joined(separator: "; "))
        }
      }
    }
  }

  struct Solve: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Value iteration: optimal values, the greedy policy, and the optimal success probability and return.")
    @Argument(help: "gridworld:NAME or gridworld:PATH.") var env: String
    @Option(help: "Discount for the printed values and greedy policy (default 0.99).") var gamma: Double =
      0.99
    @OptionGroup var environment: EnvironmentOptions

    func validate() throws {
      try Allowed.check("--gamma", gamma, above: 0, upTo: 1)
      try Allowed.name("ENV", env, "gridworld:NAME or gridworld:PATH")
      _ = try environment.spec(env)
    }

    func run() throws {
      guard let map = try environment.spec(env).gridMap else {
        throw ValidationError("env solve needs a gridworld:NAME environment, got '\(env)'")
      }
      let ceiling = GridworldCeiling(map: map, gamma: gamma)
      let shown = Rendering.solution(
        map, values: ceiling.discounted.values, policy: ceiling.discounted.policy)
      print("\(env): value iteration, gamma \(gamma), \(ceiling.discounted.iterations) sweeps")
      print("optimal values V*(s):")
      print(shown.values)
      print("greedy policy:")
      print(shown.policy)
      let limit = ceiling.horizon.map { "within the \($0)-step limit" } ?? "without a time limit"
      print(String(format: "optimal success probability %@: %.6f", limit, ceiling.optimalSuccess))
      print(String(format: "optimal expected undiscounted return %@: %.6f", limit, ceiling.optimalReturn))
      print(
        String(
          format: "greedy stationary policy above %@: success %.6f, return %.6f", limit,
          ceiling.greedySuccess,
          ceiling.greedyReturn))
    }
  }
}
