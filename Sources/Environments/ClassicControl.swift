/// Gymnasium's classic-control environments besides CartPole: their LossLab names, Gymnasium
/// ids, time limits and the facts `losslab env info` prints.
public enum ClassicControl: String, CaseIterable, Sendable {
  case acrobot
  case mountainCar = "mountaincar"
  case mountainCarContinuous = "mountaincar-continuous"
  case pendulum

  /// LossLab's short name (`--env acrobot`).
  public var name: String { rawValue }

  public var gymnasiumID: String {
    switch self {
    case .acrobot: return "Acrobot-v1"
    case .mountainCar: return "MountainCar-v0"
    case .mountainCarContinuous: return "MountainCarContinuous-v0"
    case .pendulum: return "Pendulum-v1"
    }
  }

  /// Gymnasium's `max_episode_steps`.
  public var defaultTimeLimit: Int {
    switch self {
    case .acrobot: return Acrobot.maxEpisodeSteps
    case .mountainCar: return MountainCar.maxEpisodeSteps
    case .mountainCarContinuous: return MountainCarContinuous.maxEpisodeSteps
    case .pendulum: return Pendulum.maxEpisodeSteps
    }
  }

  /// Gymnasium's registered `reward_threshold` (nil for Pendulum-v1, which has none).
  public var rewardThreshold: Double? {
    switch self {
    case .acrobot: return -100
    case .mountainCar: return -110
    case .mountainCarContinuous: return 90
    case .pendulum: return nil
    }
  }

  /// The reward of one step.
  public var rewardRange: String {
    switch self {
    case .acrobot: return "-1 per step, 0 on the terminating step: [-1, 0]"
    case .mountainCar: return "-1 per step: [-1, -1]"
    case .mountainCarContinuous:
      return "100 on reaching the goal, minus 0.1 a^2 of the unclipped action a: (-inf, 100]"
    case .pendulum:
      return "-(angle^2 + 0.1 speed^2 + 0.001 torque^2): [-16.2736044, 0]"
    }
  }

  /// The initial state `reset` draws (from LossLab's generator; the same ranges as Gymnasium).
  public var resetDistribution: String {
    switch self {
    case .acrobot:
      return "[theta1, theta2, dtheta1, dtheta2] uniform in [-0.1, 0.1)^4, rounded to float32"
    case .mountainCar, .mountainCarContinuous:
      return "position uniform in [-0.6, -0.4), velocity 0"
    case .pendulum: return "theta uniform in [-pi, pi), theta_dot uniform in [-1, 1)"
    }
  }

  /// What the episode's end means.
  public var termination: String {
    switch self {
    case .acrobot: return "the tip above the bar: -cos(theta1) - cos(theta1 + theta2) > 1"
    case .mountainCar: return "position >= 0.5 (the flag) with velocity >= 0"
    case .mountainCarContinuous: return "position >= 0.45 (the flag) with velocity >= 0"
    case .pendulum: return "never (only the time limit ends an episode)"
    }
  }

  /// The prototype environment (no time limit).
  public func makeBase() -> any Environment {
    switch self {
    case .acrobot: return Acrobot()
    case .mountainCar: return MountainCar()
    case .mountainCarContinuous: return MountainCarContinuous()
    case .pendulum: return Pendulum()
    }
  }

  /// Resolves a short name or a Gymnasium id.
  public init?(name: String) {
    guard let match = ClassicControl.allCases.first(where: { $0.name == name || $0.gymnasiumID == name })
    else { return nil }
    self = match
  }
}
