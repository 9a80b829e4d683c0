import Core

/// `losslab env replay cartpole`: replays reference trajectories (the format of
/// `shared/reference/cartpole/FORMAT.md`) through our CartPole-v1 and returns the same JSON with
/// each step's `state`, `obs`, `reward`, `terminated`, `truncated` replaced by ours, run free from
/// `initial_state` under each case's actions and `sutton_barto_reward`, plus `state_one_step`: our
/// next state from the reference's previous state and the step's action. A case stops where ours
/// terminates or truncates (the 500-step limit), or where the reference's actions end.
public enum CartPoleReplay {
  public static func replay(_ document: JSONValue) throws -> JSONValue {
    guard let cases = document["cases"]?.array else {
      throw EnvironmentError("replay: the file has no 'cases' list")
    }
    var out = document
    var replayed: [JSONValue] = []
    for (k, item) in cases.enumerated() {
      replayed.append(try replayCase(item, index: k))
    }
    out.set("cases", .array(replayed))
    return out
  }

  static func vector(_ value: JSONValue?, _ what: String) throws -> [Double] {
    guard let a = value?.array, a.count == 4 else {
      throw EnvironmentError("replay: \(what) must be 4 numbers")
    }
    return try a.map {
      guard let x = $0.number else { throw EnvironmentError("replay: \(what) must be 4 numbers") }
      return x
    }
  }

  static func replayCase(_ item: JSONValue, index k: Int) throws -> JSONValue {
    let sutton = item["sutton_barto_reward"]?.bool ?? false
    let initial = try vector(item["initial_state"], "case \(k): initial_state")
    guard let steps = item["steps"]?.array else {
      throw EnvironmentError("replay: case \(k) has no 'steps' list")
    }
    var env = TimeLimit(CartPole(suttonBartoReward: sutton), maxEpisodeSteps: CartPole.maxEpisodeSteps)
    var rng = RandomGenerator(seed: 0)
    var observation = [Float](repeating: 0, count: 4)
    observation.withUnsafeMutableBufferPointer { env.reset(using: &rng, observation: $0) }
    env.base.setState(initial)
    var referencePrevious = initial
    var out: [JSONValue] = []
    for (t, step) in steps.enumerated() {
      guard let actionNumber = step["action"]?.number, actionNumber == 0 || actionNumber == 1 else {
        throw EnvironmentError("replay: case \(k) step \(t): action must be 0 or 1")
      }
      let action = Int(actionNumber)
      let oneStep = CartPole.nextState(
        (referencePrevious[0], referencePrevious[1], referencePrevious[2], referencePrevious[3]),
        action: action)
      let outcome = observation.withUnsafeMutableBufferPointer {
        env.step(action, using: &rng, observation: $0)
      }
      var mine = step
      mine.set("state", .array(env.base.stateArray.map { .double($0) }))
      mine.set("obs", .array(observation.map { .double(Double($0)) }))
      mine.set("reward", .double(outcome.reward))
      mine.set("terminated", .bool(outcome.terminated))
      mine.set("truncated", .bool(outcome.truncated))
      mine.set("state_one_step", .array([oneStep.0, oneStep.1, oneStep.2, oneStep.3].map { .double($0) }))
      out.append(mine)
      if step["state"] != nil { referencePrevious = try vector(step["state"], "case \(k) step \(t): state") }
      if outcome.terminated || outcome.truncated { break }
    }
    var result = item
    result.set("steps", .array(out))
    return result
  }
}
