import Core
import Foundation

/// A bad environment name or option; the message names the allowed ones.
public struct EnvironmentError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// An environment chosen by name (`cartpole`, `acrobot`, `mountaincar`, `mountaincar-continuous`,
/// `pendulum`, `gridworld:NAME`, `gridworld:PATH/TO/FILE.map`, or a Gymnasium id such as
/// `CartPole-v1` or `Pendulum-v1`) and `--env-option KEY=VALUE` overrides: the factory the CLI and
/// the PPO code use for training and evaluation environments alike.
public struct EnvironmentSpec: Sendable {
  public enum Kind: Sendable {
    case cartPole(suttonBartoReward: Bool, timeLimit: Int?)
    case gridworld(GridMap)
    /// Acrobot-v1, MountainCar-v0, MountainCarContinuous-v0 or Pendulum-v1.
    case classic(ClassicControl, timeLimit: Int?)
  }

  public let name: String
  public let kind: Kind

  /// The largest `time_limit` of CartPole and the other classic-control environments.
  public static let maximumCartPoleTimeLimit = 1_000_000

  /// Options `cartpole` accepts, with their values.
  public static let cartPoleKeys: [(key: String, values: String)] = [
    ("sutton_barto_reward", "true|false"),
    ("time_limit", "an integer in 1...\(maximumCartPoleTimeLimit), or none"),
  ]

  /// Options the classic-control environments accept.
  public static let classicKeys: [(key: String, values: String)] = [
    ("time_limit", "an integer in 1...\(maximumCartPoleTimeLimit), or none")
  ]

  /// Gymnasium ids accepted beside LossLab's names (the classic-control ids are in ``ClassicControl``).
  public static let gymnasiumIDs: [(id: String, name: String)] = [
    ("CartPole-v1", "cartpole"), ("FrozenLake-v1", "gridworld:frozenlake-4x4"),
    ("FrozenLake8x8-v1", "gridworld:frozenlake-8x8"), ("CliffWalking-v1", "gridworld:cliffwalking"),
  ]

  /// LossLab's name for a Gymnasium id (`Pendulum-v1` -> `pendulum`, `FrozenLake-v1` ->
  /// `gridworld:frozenlake-4x4`); any other name unchanged.
  public static func canonicalName(_ name: String) -> String {
    if let alias = gymnasiumIDs.first(where: { $0.id == name }) { return alias.name }
    return ClassicControl.allCases.first { $0.gymnasiumID == name }?.name ?? name
  }

  /// Every built-in name: LossLab's and Gymnasium's.
  public static var builtInNames: [String] {
    ["cartpole"] + ClassicControl.allCases.map(\.name) + gymnasiumIDs.map(\.id)
      + ClassicControl.allCases.map(\.gymnasiumID)
  }

  public init(name: String, kind: Kind) {
    self.name = name
    self.kind = kind
  }

  static func parseTimeLimit(_ value: String) throws -> Int? {
    if value == "none" { return nil }
    if let n = Int(value), (1...maximumCartPoleTimeLimit).contains(n) { return n }
    throw EnvironmentError(
      "invalid value '\(value)' for time_limit (allowed: an integer in 1...\(maximumCartPoleTimeLimit), or none)"
    )
  }

  /// Parses an environment name and applies the overrides. A Gymnasium id gives the spec of the
  /// LossLab environment it names (its `name` is LossLab's: `CartPole-v1` gives `cartpole`).
  public static func parse(
    _ name: String, options: [String: String] = [:], mapsDirectory: URL? = nil
  ) throws -> EnvironmentSpec {
    if let alias = gymnasiumIDs.first(where: { $0.id == name }) {
      return try parse(alias.name, options: options, mapsDirectory: mapsDirectory)
    }
    if let classic = ClassicControl(name: name) {
      var limit: Int? = classic.defaultTimeLimit
      for key in options.keys.sorted() {
        guard key == "time_limit" else {
          throw EnvironmentError(
            "unknown option '\(key)' for \(classic.name) (allowed: \(classicKeys.map(\.key).joined(separator: ", ")))"
          )
        }
        limit = try parseTimeLimit(options[key]!)
      }
      return EnvironmentSpec(name: classic.name, kind: .classic(classic, timeLimit: limit))
    }
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
          limit = try parseTimeLimit(value)
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
        "unknown environment '\(name)' (allowed: cartpole, \(ClassicControl.allCases.map(\.name).joined(separator: ", ")), a Gymnasium id (\((gymnasiumIDs.map(\.id) + ClassicControl.allCases.map(\.gymnasiumID)).joined(separator: ", "))), gridworld:NAME with NAME one of \(availableMaps(in: mapsDirectory).joined(separator: ", ")), or gridworld:PATH/TO/FILE.map)"
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
    case .classic(_, let limit): return limit
    }
  }

  /// The classic-control environment, if this is one.
  public var classicControl: ClassicControl? {
    if case .classic(let env, _) = kind { return env }
    return nil
  }

  /// The Gymnasium id of this environment (nil for gridworlds that are not Gymnasium's).
  public var gymnasiumID: String? {
    switch kind {
    case .cartPole: return "CartPole-v1"
    case .classic(let env, _): return env.gymnasiumID
    case .gridworld:
      return EnvironmentSpec.gymnasiumIDs.first { $0.name == name }?.id
    }
  }

  /// The settings in effect, as `key = value` pairs.
  public var settings: [(String, String)] {
    switch kind {
    case .cartPole(let sutton, let limit):
      return [("sutton_barto_reward", "\(sutton)"), ("time_limit", limit.map(String.init) ?? "none")]
    case .gridworld(let map): return map.settings.summary
    case .classic(_, let limit): return [("time_limit", limit.map(String.init) ?? "none")]
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
    case .classic(let env, let limit):
      switch env {
      case .acrobot: return AnyEnvironment(TimeLimit(Acrobot(), maxEpisodeSteps: limit))
      case .mountainCar: return AnyEnvironment(TimeLimit(MountainCar(), maxEpisodeSteps: limit))
      case .mountainCarContinuous:
        return AnyEnvironment(TimeLimit(MountainCarContinuous(), maxEpisodeSteps: limit))
      case .pendulum: return AnyEnvironment(TimeLimit(Pendulum(), maxEpisodeSteps: limit))
      }
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
    case .classic(let env, let limit):
      switch env {
      case .acrobot:
        return SyncVectorEnv(
          TimeLimit(Acrobot(), maxEpisodeSteps: limit), numEnvs: numEnvs, transform: transform)
      case .mountainCar:
        return SyncVectorEnv(
          TimeLimit(MountainCar(), maxEpisodeSteps: limit), numEnvs: numEnvs, transform: transform)
      case .mountainCarContinuous:
        return SyncVectorEnv(
          TimeLimit(MountainCarContinuous(), maxEpisodeSteps: limit), numEnvs: numEnvs, transform: transform)
      case .pendulum:
        return SyncVectorEnv(
          TimeLimit(Pendulum(), maxEpisodeSteps: limit), numEnvs: numEnvs, transform: transform)
      }
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
  public var actionSize: Int { base.actionSize }

  public mutating func reset(using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>)
  {
    base.reset(using: &rng, observation: observation)
  }

  public mutating func step(
    _ action: Int, using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>
  ) -> StepOutcome {
    base.step(action, using: &rng, observation: observation)
  }

  public mutating func step(
    continuous action: UnsafeBufferPointer<Float>, using rng: inout RandomGenerator,
    observation: UnsafeMutableBufferPointer<Float>
  ) -> StepOutcome {
    base.step(continuous: action, using: &rng, observation: observation)
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
