import Core
import Foundation

/// A bad environment name or option; the message names the allowed ones.
public struct EnvironmentError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// An environment chosen by name (`cartpole`, `gridworld:NAME`, `gridworld:PATH/TO/FILE.map`) and
/// `--env-option KEY=VALUE` overrides: the factory the CLI and the PPO code use for training and
/// evaluation environments alike.
public struct EnvironmentSpec: Sendable {
  public enum Kind: Sendable {
    case cartPole(suttonBartoReward: Bool, timeLimit: Int?)
    case gridworld(GridMap)
  }

  public let name: String
  public let kind: Kind

  /// The largest CartPole `time_limit` (Gymnasium's CartPole-v1 has 500).
  public static let maximumCartPoleTimeLimit = 1_000_000

  /// Options `cartpole` accepts, with their values.
  public static let cartPoleKeys: [(key: String, values: String)] = [
    ("sutton_barto_reward", "true|false"),
    ("time_limit", "an integer in 1...\(maximumCartPoleTimeLimit), or none"),
  ]

  public init(name: String, kind: Kind) {
    self.name = name
    self.kind = kind
  }

  /// Parses an environment name and applies the overrides.
  public static func parse(
    _ name: String, options: [String: String] = [:], mapsDirectory: URL? = nil
  ) throws -> EnvironmentSpec {
    if name == "cartpole" {
      var sutton = false
      var limit: Int? = CartPole.maxEpisodeSteps
      for key in options.keys.sorted() {
        let value = options[key]!
        switch key {
        case "sutton_barto_reward":
          guard let b = Bool(value) else {
            throw EnvironmentError("invalid value '\(value)' for sutton_barto_reward (allowed: true|false)")
          }
          sutton = b
        case "time_limit":
          if value == "none" {
            limit = nil
          } else if let n = Int(value), (1...maximumCartPoleTimeLimit).contains(n) {
            limit = n
          } else {
            throw EnvironmentError(
              "invalid value '\(value)' for time_limit (allowed: an integer in 1...\(maximumCartPoleTimeLimit), or none)"
            )
          }
        default:
          throw EnvironmentError(
            "unknown option '\(key)' for cartpole (allowed: \(cartPoleKeys.map(\.key).joined(separator: ", ")))"
          )
        }
      }
      return EnvironmentSpec(name: name, kind: .cartPole(suttonBartoReward: sutton, timeLimit: limit))
    }
    guard name.hasPrefix("gridworld:"), name.count > "gridworld:".count else {
      throw EnvironmentError(
        "unknown environment '\(name)' (allowed: cartpole, gridworld:NAME with NAME one of \(availableMaps(in: mapsDirectory).joined(separator: ", ")), or gridworld:PATH/TO/FILE.map)"
      )
    }
    let target = String(name.dropFirst("gridworld:".count))
    let url: URL
    if target.contains("/") || target.hasSuffix(".map") {
      url = URL(fileURLWithPath: target)
    } else {
      guard let dir = mapsDirectory ?? defaultMapsDirectory() else {
        throw EnvironmentError(EnvironmentsFolder.notFoundMessage("the map folder environments/gridworld"))
      }
      url = dir.appendingPathComponent(target + ".map")
      guard FileManager.default.fileExists(atPath: url.path) else {
        throw EnvironmentError(
          "unknown map '\(target)' (allowed: \(availableMaps(in: dir).joined(separator: ", ")), or a path to a .map file)"
        )
      }
    }
    var map = try GridMap.load(contentsOf: url)
    do {
      try map.apply(options: options)
    } catch let error as SettingError {
      throw EnvironmentError("\(name): \(error.message)")
    }
    return EnvironmentSpec(name: name, kind: .gridworld(map))
  }

  /// `gridworld` in the environments folder (`EnvironmentsFolder`: `$LOSSLAB_ENVIRONMENTS`, beside
  /// or above the executable, the checkout, the current directory).
  public static func defaultMapsDirectory() -> URL? {
    EnvironmentsFolder.locate()?.appendingPathComponent("gridworld")
  }

  /// Stems of the `.map` files in the map folder, sorted.
  public static func availableMaps(in directory: URL? = nil) -> [String] {
    guard let dir = directory ?? defaultMapsDirectory(),
      let files = try? FileManager.default.contentsOfDirectory(atPath: dir.path)
    else { return [] }
    return files.filter { $0.hasSuffix(".map") }.map { String($0.dropLast(4)) }.sorted()
  }

  /// The gridworld map, if this is one.
  public var gridMap: GridMap? {
    if case .gridworld(let map) = kind { return map }
    return nil
  }

  public var timeLimit: Int? {
    switch kind {
    case .cartPole(_, let limit): return limit
    case .gridworld(let map): return map.settings.timeLimit
    }
  }

  /// The settings in effect, as `key = value` pairs.
  public var settings: [(String, String)] {
    switch kind {
    case .cartPole(let sutton, let limit):
      return [("sutton_barto_reward", "\(sutton)"), ("time_limit", limit.map(String.init) ?? "none")]
    case .gridworld(let map): return map.settings.summary
    }
  }

  public var observationSpace: Space { makeEnvironment().observationSpace }
  public var actionSpace: Space { makeEnvironment().actionSpace }

  /// A single environment, time limit included, type-erased (for people and tests).
  public func makeEnvironment() -> AnyEnvironment {
    switch kind {
    case .cartPole(let sutton, let limit):
      return AnyEnvironment(TimeLimit(CartPole(suttonBartoReward: sutton), maxEpisodeSteps: limit))
    case .gridworld(let map):
      return AnyEnvironment(TimeLimit(Gridworld(map: map), maxEpisodeSteps: map.settings.timeLimit))
    }
  }

  /// A vectorised runner of `numEnvs` copies; the step loop is specialised for the concrete type.
  public func makeVector<T: RewardTransform>(numEnvs: Int, transform: T) -> any VectorEnvironment {
    switch kind {
    case .cartPole(let sutton, let limit):
      return SyncVectorEnv(
        TimeLimit(CartPole(suttonBartoReward: sutton), maxEpisodeSteps: limit), numEnvs: numEnvs,
        transform: transform)
    case .gridworld(let map):
      return SyncVectorEnv(
        TimeLimit(Gridworld(map: map), maxEpisodeSteps: map.settings.timeLimit), numEnvs: numEnvs,
        transform: transform)
    }
  }

  public func makeVector(numEnvs: Int) -> any VectorEnvironment {
    makeVector(numEnvs: numEnvs, transform: IdentityReward())
  }
}

/// A type-erased ``Environment`` (one dynamic call per step: for people, tests and rendering; the
/// vector runner uses the concrete types).
public struct AnyEnvironment: Environment {
  public var base: any Environment

  public init(_ base: some Environment) { self.base = base }

  public var observationSpace: Space { base.observationSpace }
  public var actionSpace: Space { base.actionSpace }
  public var observationSize: Int { base.observationSize }
  public var actionCount: Int { base.actionCount }

  public mutating func reset(using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>)
  {
    base.reset(using: &rng, observation: observation)
  }

  public mutating func step(
    _ action: Int, using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>
  ) -> StepOutcome {
    base.step(action, using: &rng, observation: observation)
  }
}

extension EnvironmentSpec {
  /// Parses repeated `--env-option KEY=VALUE` arguments (a later key wins).
  public static func parseOptions(_ arguments: [String]) throws -> [String: String] {
    var options: [String: String] = [:]
    for argument in arguments {
      guard let eq = argument.firstIndex(of: "="), eq != argument.startIndex else {
        throw EnvironmentError("--env-option expects KEY=VALUE, got '\(argument)'")
      }
      options[String(argument[..<eq])] = String(argument[argument.index(after: eq)...])
    }
    return options
  }
}
