import Core
import Foundation

/// Gymnasium's `render_mode="ansi"`: text frames of an episode, for `losslab env render`.
public enum Rendering {
  public enum Policy: String, Sendable, CaseIterable {
    case random
    /// Gridworlds: the greedy policy of discounted value iteration, or the optimal time-dependent
    /// policy (finite-horizon value iteration) where that does better within the time limit.
    /// CartPole: a linear state-feedback controller that balances to the 500-step limit.
    /// Classic control: a demonstration controller (see ``Rendering/classicController``).
    case optimal
  }

  public struct Episode: Sendable {
    /// One frame for the initial state, then one per step.
    public var frames: [String]
    public var totalReward: Double
    public var length: Int
    public var terminated: Bool
    public var truncated: Bool
    public var success: Bool
  }

  /// The balancing controller: push right when `0.5 x + x_dot + 10 theta + 2 theta_dot > 0`.
  public static func cartPoleController(_ s: (Double, Double, Double, Double)) -> Int {
    0.5 * s.0 + s.1 + 10 * s.2 + 2 * s.3 > 0 ? 1 : 0
  }

  /// Runs one episode of `spec` (seeded by `seed`) and renders every state.
  public static func episode(
    _ spec: EnvironmentSpec, policy: Policy, seed: UInt64, color: Bool, gamma: Double = 0.99
  ) -> Episode {
    var rng = RandomGenerator(seed: seed, stream: 0)
    var actionRNG = RandomGenerator(seed: seed, stream: 1 << 32)
    switch spec.kind {
    case .classic(let env, let limit):
      return classicEpisode(env, timeLimit: limit, policy: policy, seed: seed)
    case .cartPole(let sutton, let limit):
      var env = TimeLimit(CartPole(suttonBartoReward: sutton), maxEpisodeSteps: limit)
      return run(&env, &rng, &actionRNG) { env, _ in
        policy == .random ? nil : cartPoleController(env.base.state)
      } frame: { env, step, action, outcome in
        cartPoleFrame(env.base.state, step: step, action: action, outcome: outcome)
      }
    case .gridworld(let map):
      var env = TimeLimit(Gridworld(map: map), maxEpisodeSteps: map.settings.timeLimit)
      let table = env.base.table
      // The discounted greedy policy takes the shortest routes; the time-dependent one is used
      // only where it does better within the limit (e.g. FrozenLake 8x8: 0.641 against 0.632).
      let stationary = ValueIteration.solve(table, gamma: gamma).policy
      var finite = map.settings.timeLimit.map { ValueIteration.finiteHorizon(table, horizon: $0) }
      if let f = finite {
        let greedy = ValueIteration.evaluateFiniteHorizon(table, policy: stationary, horizon: f.horizon)
        if greedy[table.initialState] >= f.initialValue - 1e-12 { finite = nil }
      }
      return run(&env, &rng, &actionRNG) { env, t in
        guard policy == .optimal else { return nil }
        if let f = finite { return f.policy[f.horizon - t][env.base.cell] }
        return stationary[env.base.cell]
      } frame: { env, step, action, outcome in
        gridFrame(map, agent: env.base.cell, color: color, step: step, action: action, outcome: outcome)
      }
    }
  }

  static func run<E: Environment>(
    _ env: inout E, _ rng: inout RandomGenerator, _ actionRNG: inout RandomGenerator,
    policy: (E, Int) -> Int?, frame: (E, Int, Int?, StepOutcome?) -> String
  ) -> Episode {
    var observation = [Float](repeating: 0, count: env.observationSize)
    observation.withUnsafeMutableBufferPointer { env.reset(using: &rng, observation: $0) }
    var episode = Episode(
      frames: [frame(env, 0, nil, nil)], totalReward: 0, length: 0, terminated: false, truncated: false,
      success: false)
    while !episode.terminated && !episode.truncated {
      let action = policy(env, episode.length) ?? actionRNG.int(below: env.actionCount)
      let outcome = observation.withUnsafeMutableBufferPointer {
        env.step(action, using: &rng, observation: $0)
      }
      episode.length += 1
      episode.totalReward += outcome.reward
      episode.terminated = outcome.terminated
      episode.truncated = outcome.truncated
      episode.success = outcome.success
      episode.frames.append(frame(env, episode.length, action, outcome))
      if episode.length >= 1_000_000 { break }
    }
    return episode
  }

  static func status(step: Int, action: String?, outcome: StepOutcome?) -> String {
    guard let o = outcome, let a = action else { return "step 0 (reset)" }
    var s = "step \(step)  action \(a)  reward \(o.reward)"
    if o.terminated { s += "  terminated" }
    if o.truncated { s += "  truncated" }
    return s
  }

  /// The grid with the agent as `@` (reverse video with `color`), then a status line.
  public static func gridFrame(
    _ map: GridMap, agent: Int, color: Bool, step: Int, action: Int?, outcome: StepOutcome?
  ) -> String {
    var lines: [String] = []
    for r in 0..<map.rows {
      var line = ""
      for c in 0..<map.cols {
        let i = r * map.cols + c
        let ch = map.cells[i] == .free ? "." : String(map.cells[i].rawValue)
        if i == agent {
          line += color ? "\u{1B}[7m\(ch)\u{1B}[0m" : "@"
        } else if color {
          switch map.cells[i] {
          case .goal: line += "\u{1B}[32m\(ch)\u{1B}[0m"
          case .hole, .cliff: line += "\u{1B}[31m\(ch)\u{1B}[0m"
          case .wall: line += "\u{1B}[90m\(ch)\u{1B}[0m"
          default: line += ch
          }
        } else {
          line += ch
        }
      }
      lines.append(line)
    }
    let name = action.map { map.settings.actionOrder[$0].rawValue }
    lines.append(status(step: step, action: name, outcome: outcome))
    return lines.joined(separator: "\n")
  }

  /// One line: the track from -2.4 to 2.4 with the cart `[_]` and the pole leaning `/`, `|` or `\`,
  /// then the state.
  public static func cartPoleFrame(
    _ s: (Double, Double, Double, Double), step: Int, action: Int?, outcome: StepOutcome?
  ) -> String {
    let width = 49
    var track = [Character](repeating: "-", count: width)
    let position = Int(
      ((s.0 + CartPole.xThreshold) / (2 * CartPole.xThreshold) * Double(width - 1)).rounded())
    let p = min(max(position, 1), width - 2)
    let pole: Character = s.2 > 0.035 ? "/" : (s.2 < -0.035 ? "\\" : "|")
    track[p - 1] = "["
    track[p] = pole
    track[p + 1] = "]"
    let numbers = String(format: "x=%+.3f x_dot=%+.3f theta=%+.4f theta_dot=%+.3f", s.0, s.1, s.2, s.3)
    return "|" + String(track) + "| " + numbers + "  "
      + status(step: step, action: action.map { $0 == 1 ? "right" : "left" }, outcome: outcome)
  }

  /// Values as a grid (walls blank) and the greedy policy as arrows (terminal cells as their letter).
  public static func solution(_ map: GridMap, values: [Double], policy: [Int]) -> (
    values: String, policy: String
  ) {
    var valueLines: [String] = []
    var policyLines: [String] = []
    for r in 0..<map.rows {
      var vs: [String] = []
      var ps = ""
      for c in 0..<map.cols {
        let i = r * map.cols + c
        switch map.cells[i] {
        case .wall:
          vs.append(String(repeating: " ", count: 8))
          ps += "#"
        case .goal, .hole, .cliff:
          vs.append(String(format: "%8.3f", values[i]))
          ps += String(map.cells[i].rawValue)
        default:
          vs.append(String(format: "%8.3f", values[i]))
          ps += String(map.settings.actionOrder[policy[i]].arrow)
        }
      }
      valueLines.append(vs.joined(separator: " "))
      policyLines.append(ps)
    }
    return (valueLines.joined(separator: "\n"), policyLines.joined(separator: "\n"))
  }
}
