import Core

/// An environment whose internal state can be read and set, so reference trajectories can be
/// replayed through it.
public protocol ReplayableEnvironment: Environment {
  /// Numbers in the internal state.
  static var stateSize: Int { get }
  /// The internal state as float64 numbers (Gymnasium's `env.unwrapped.state`).
  var stateArray: [Double] { get }
  /// Sets the internal state: as `reset` leaves it when `afterReset`, else as a step leaves it
  /// (only MountainCarContinuous tells them apart: float64 after reset, float32 after a step).
  mutating func setState(_ state: [Double], afterReset: Bool)
}

extension CartPole: ReplayableEnvironment {
  public static var stateSize: Int { 4 }
  public mutating func setState(_ s: [Double], afterReset: Bool) { setState(s) }
}
extension Acrobot: ReplayableEnvironment {
  public static var stateSize: Int { 4 }
  public mutating func setState(_ s: [Double], afterReset: Bool) { setState(s) }
}
extension MountainCar: ReplayableEnvironment {
  public static var stateSize: Int { 2 }
  public mutating func setState(_ s: [Double], afterReset: Bool) { setState(s) }
}
extension MountainCarContinuous: ReplayableEnvironment {
  public static var stateSize: Int { 2 }
}
extension Pendulum: ReplayableEnvironment {
  public static var stateSize: Int { 2 }
  public mutating func setState(_ s: [Double], afterReset: Bool) { setState(s) }
}

/// `losslab env replay ENV`: replays reference trajectories recorded from Gymnasium through our
/// environment and returns the same JSON with each step's `state`, `obs`, `reward`,
/// `terminated`, `truncated` replaced by ours, run free from `initial_state` under the case's
/// actions, plus `state_one_step`: our next state from the reference's previous state (the
/// case's `initial_state` for the first step) and the step's action. A case stops where ours
/// terminates or truncates (the spec's time limit), or where the reference's actions end.
///
/// Two layouts are read: a single-env file with top-level `cases` (CartPole's format), and a
/// multi-env file with top-level `envs` (an object from Gymnasium id to `{cases: ...}`; the
/// classic-control format), of which the entry for the spec's environment is replayed (the
/// others are left out of the output).
public enum EnvironmentReplay {
  public static func replay(_ document: JSONValue, spec: EnvironmentSpec) throws -> JSONValue {
    guard case .object = document else { throw EnvironmentError("replay: the file is not a JSON object") }
    if let cases = document["cases"] {
      var out = document
      out.set("cases", try replayCases(cases, spec: spec, context: "replay"))
      return out
    }
    guard case .object(let envs)? = document["envs"] else {
      throw EnvironmentError("replay: the file has neither a 'cases' list nor an 'envs' object")
    }
    let keys = [spec.gymnasiumID, spec.name].compactMap { $0 }
    guard let entry = envs.first(where: { keys.contains($0.0) }) else {
      throw EnvironmentError(
        "replay: the file's 'envs' has no entry for \(keys.joined(separator: " or ")) (it has: \(envs.map(\.0).joined(separator: ", ")))"
      )
    }
    guard case .object = entry.1, let cases = entry.1["cases"] else {
      throw EnvironmentError("replay: envs.\(entry.0) has no 'cases' list")
    }
    var replayed = entry.1
    replayed.set("cases", try replayCases(cases, spec: spec, context: "replay: envs.\(entry.0)"))
    var out = document
    out.set("envs", .object([(entry.0, replayed)]))
    return out
  }

  static func replayCases(_ cases: JSONValue, spec: EnvironmentSpec, context: String) throws -> JSONValue {
    guard let list = cases.array else { throw EnvironmentError("\(context): 'cases' must be a list") }
    let limit = spec.timeLimit
    var out: [JSONValue] = []
    for (k, item) in list.enumerated() {
      let where_ = "\(context): case \(k)"
      guard case .object = item else { throw EnvironmentError("\(where_) is not an object") }
      switch spec.kind {
      case .cartPole(let sutton, _):
        let caseSutton = item["sutton_barto_reward"]?.bool ?? sutton
        out.append(
          try replayCase(item, CartPole(suttonBartoReward: caseSutton), limit: limit, context: where_))
      case .classic(let env, _):
        switch env {
        case .acrobot: out.append(try replayCase(item, Acrobot(), limit: limit, context: where_))
        case .mountainCar: out.append(try replayCase(item, MountainCar(), limit: limit, context: where_))
        case .mountainCarContinuous:
          out.append(try replayCase(item, MountainCarContinuous(), limit: limit, context: where_))
        case .pendulum: out.append(try replayCase(item, Pendulum(), limit: limit, context: where_))
        }
      case .gridworld:
        throw EnvironmentError(
          "replay supports cartpole, acrobot, mountaincar, mountaincar-continuous and pendulum, not \(spec.name)"
        )
      }
    }
    return .array(out)
  }

  static func numbers(_ value: JSONValue?, count: Int, _ what: String) throws -> [Double] {
    guard let a = value?.array, a.count == count else {
      throw EnvironmentError("\(what) must be a list of \(count) numbers")
    }
    return try a.map {
      guard let x = $0.number else { throw EnvironmentError("\(what) must be a list of \(count) numbers") }
      return x
    }
  }

  /// A step's action: an integer in `0..<actionCount`, or for a box action space a number (or a
  /// list of `actionSize` numbers), taken as float32.
  enum Action {
    case discrete(Int)
    case continuous([Float])
  }

  static func action(_ value: JSONValue?, space: Space, size: Int, _ what: String) throws -> Action {
    if let n = space.count {
      guard let x = value?.number, x == x.rounded(), x >= 0, x < Double(n) else {
        throw EnvironmentError("\(what): action must be an integer in 0..<\(n)")
      }
      return .discrete(Int(x))
    }
    if let x = value?.number, size == 1 { return .continuous([Float(x)]) }
    return .continuous(try numbers(value, count: size, "\(what): action").map { Float($0) })
  }

  static func step<E: Environment>(
    _ env: inout E, _ action: Action, _ rng: inout RandomGenerator, _ observation: inout [Float]
  ) -> StepOutcome {
    observation.withUnsafeMutableBufferPointer { obs in
      switch action {
      case .discrete(let a): return env.step(a, using: &rng, observation: obs)
      case .continuous(let a):
        return a.withUnsafeBufferPointer { env.step(continuous: $0, using: &rng, observation: obs) }
      }
    }
  }

  static func replayCase<E: ReplayableEnvironment>(
    _ item: JSONValue, _ prototype: E, limit: Int?, context: String
  ) throws -> JSONValue {
    let n = E.stateSize
    let initial = try numbers(item["initial_state"], count: n, "\(context): initial_state")
    guard let steps = item["steps"]?.array else { throw EnvironmentError("\(context) has no 'steps' list") }
    var env = TimeLimit(prototype, maxEpisodeSteps: limit)
    var rng = RandomGenerator(seed: 0)
    var observation = [Float](repeating: 0, count: env.observationSize)
    var scratch = observation
    observation.withUnsafeMutableBufferPointer { env.reset(using: &rng, observation: $0) }
    env.base.setState(initial, afterReset: true)
    var referencePrevious = initial
    var out: [JSONValue] = []
    for (t, step) in steps.enumerated() {
      let here = "\(context) step \(t)"
      guard case .object = step else { throw EnvironmentError("\(here) is not an object") }
      let action = try action(step["action"], space: prototype.actionSpace, size: prototype.actionSize, here)
      var single = prototype
      single.setState(referencePrevious, afterReset: t == 0)
      _ = Self.step(&single, action, &rng, &scratch)
      let outcome = Self.step(&env, action, &rng, &observation)
      var mine = step
      mine.set("state", .array(env.base.stateArray.map { .double($0) }))
      mine.set("obs", .array(observation.map { .double(Double($0)) }))
      mine.set("reward", .double(outcome.reward))
      mine.set("terminated", .bool(outcome.terminated))
      mine.set("truncated", .bool(outcome.truncated))
      mine.set("state_one_step", .array(single.stateArray.map { .double($0) }))
      out.append(mine)
      if step["state"] != nil { referencePrevious = try numbers(step["state"], count: n, "\(here): state") }
      if outcome.terminated || outcome.truncated { break }
    }
    var result = item
    result.set("steps", .array(out))
    return result
  }
}
