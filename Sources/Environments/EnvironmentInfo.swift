/// What `losslab env info ENV` prints: spaces, time limit, rewards, reset distribution and
/// termination, as `(label, value)` rows.
extension EnvironmentSpec {
  public var info: [(String, String)] {
    var rows: [(String, String)] = [("name", name)]
    if let id = gymnasiumID { rows.append(("gymnasium id", id)) }
    let env = makeEnvironment()
    rows.append(("observation", "\(env.observationSpace)"))
    rows.append(
      (
        "action",
        "\(env.actionSpace)"
          + (env.actionSpace.isDiscrete ? "" : " (clipped to the bounds by the environment)")
      ))
    rows.append(("time limit", timeLimit.map { "\($0) steps (truncated)" } ?? "none"))
    switch kind {
    case .cartPole(let sutton, _):
      rows.append(
        (
          "reward",
          sutton
            ? "0 per step, -1 on the terminating step: [-1, 0]"
            : "1 per step, the terminating step included: [1, 1]"
        ))
      rows.append(("reward threshold", sutton ? "none" : "475"))
      rows.append(("reset", "[x, x_dot, theta, theta_dot] uniform in [-0.05, 0.05)^4"))
      rows.append(("terminated", "|x| > 2.4 or |theta| > 12 degrees"))
    case .classic(let classic, _):
      rows.append(("reward", classic.rewardRange))
      rows.append(("reward threshold", classic.rewardThreshold.map { Space.format(Float($0)) } ?? "none"))
      rows.append(("reset", classic.resetDistribution))
      rows.append(("terminated", classic.termination))
    case .gridworld(let map):
      let s = map.settings
      var rewards = ["step \(s.stepReward)", "goal \(s.goalReward)"]
      if map.cells.contains(.hole) { rewards.append("hole \(s.holeReward)") }
      if map.cells.contains(.cliff) { rewards.append("cliff \(s.cliffReward) (back to the start)") }
      rows.append(("reward", rewards.joined(separator: ", ")))
      rows.append(("reset", "the start cell S (row \(map.start / map.cols), column \(map.start % map.cols))"))
      rows.append(("terminated", "entering a goal (G) or hole (H) cell"))
    }
    rows.append(("settings", settings.map { "\($0.0)=\($0.1)" }.joined(separator: " ")))
    return rows
  }
}

extension EnvironmentSpec {
  /// Whether an episode can succeed: a gridworld goal, MountainCar's flag, Acrobot's line
  /// (``StepOutcome/success``); false for CartPole and Pendulum, which have no goal.
  public var hasGoal: Bool {
    switch kind {
    case .gridworld: return true
    case .classic(let env, _): return env != .pendulum
    case .cartPole: return false
    }
  }
}
