import Core
import Foundation

/// Text frames and demonstration controllers for Acrobot, MountainCar(Continuous) and Pendulum.
extension Rendering {
  /// One line drawn from the observation (so it serves evaluation episodes too): MountainCar's
  /// track with the car `o` and the flag `F`; Acrobot's tip height against the bar; Pendulum's
  /// angle (0 = upright) with an arrow; then the numbers and the status.
  public static func classicFrame(
    _ env: ClassicControl, observation o: [Float], step: Int, action: String?, outcome: StepOutcome?
  ) -> String {
    let picture: String
    switch env {
    case .mountainCar, .mountainCarContinuous:
      let width = 49
      var track = [Character](repeating: "_", count: width)
      func column(_ x: Double) -> Int {
        min(max(Int(((x + 1.2) / 1.8 * Double(width - 1)).rounded()), 0), width - 1)
      }
      let goal = env == .mountainCar ? MountainCar.goalPosition : MountainCarContinuous.goalPosition
      track[column(goal)] = "F"
      track[column(Double(o[0]))] = "o"
      picture = "|" + String(track) + "| " + String(format: "x=%+.4f v=%+.5f", o[0], o[1])
    case .acrobot:
      let t1 = atan2(Double(o[1]), Double(o[0]))
      let t2 = atan2(Double(o[3]), Double(o[2]))
      let height = -cos(t1) - cos(t1 + t2)
      let width = 21
      let filled = min(max(Int(((height + 2) / 4 * Double(width)).rounded()), 0), width)
      var bar = [Character](repeating: " ", count: width)
      for i in 0..<filled { bar[i] = "=" }
      bar[Int(3.0 / 4 * Double(width))] = "|"
      picture =
        "tip [" + String(bar) + "] "
        + String(format: "h=%+.3f t1=%+.3f t2=%+.3f dt1=%+.3f dt2=%+.3f", height, t1, t2, o[4], o[5])
    case .pendulum:
      let theta = atan2(Double(o[1]), Double(o[0]))
      let arrows: [Character] = ["↑", "↗", "→", "↘", "↓", "↙", "←", "↖"]
      // theta = 0 is upright and grows counter-clockwise.
      let sector = Int(((-theta / (2 * Double.pi) * 8).rounded() + 8).truncatingRemainder(dividingBy: 8))
      picture = "\(arrows[(sector + 8) % 8]) " + String(format: "theta=%+.3f theta_dot=%+.3f", theta, o[2])
    }
    return picture + "  " + status(step: step, action: action, outcome: outcome)
  }

  /// The action as a status word: Acrobot's torque, MountainCar's push, a continuous value.
  public static func classicActionName(_ env: ClassicControl, discrete: Int?, continuous: Float?) -> String? {
    if let a = discrete {
      switch env {
      case .acrobot: return ["-1", "0", "+1"][a]
      default: return ["left", "none", "right"][a]
      }
    }
    return continuous.map { String(format: "%+.3f", $0) }
  }

  /// Demonstration controllers: push with the velocity (MountainCar, both versions), torque against
  /// the first joint's velocity (Acrobot: the tip clears the bar in about 80 steps), energy pumping then a PD hold near the top (Pendulum).
  static func classicController(_ env: ClassicControl, observation o: [Float]) -> (Int?, Float?) {
    switch env {
    case .mountainCar: return (o[1] >= 0 ? 2 : 0, nil)
    case .mountainCarContinuous: return (nil, o[1] >= 0 ? 1 : -1)
    case .acrobot: return (o[4] >= 0 ? 0 : 2, nil)
    case .pendulum:
      let theta = atan2(o[1], o[0])
      let speed = o[2]
      if o[0] > 0.85 { return (nil, max(-2, min(2, -10 * theta - 2 * speed))) }
      // Energy relative to upright (0 there, -30 hanging still; thdd = 15 sin th): pump it to 0.
      let energy = 0.5 * speed * speed + 15 * (o[0] - 1)
      return (nil, energy < 0 ? (speed >= 0 ? 2 : -2) : (speed >= 0 ? -2 : 2))
    }
  }

  /// Runs one episode of a classic-control environment and renders every step.
  static func classicEpisode(
    _ env: ClassicControl, timeLimit: Int?, policy: Policy, seed: UInt64
  ) -> Episode {
    var environment = TimeLimit(AnyEnvironment(env.makeBase()), maxEpisodeSteps: timeLimit)
    var rng = RandomGenerator(seed: seed, stream: 0)
    var actionRNG = RandomGenerator(seed: seed, stream: 1 << 32)
    var observation = [Float](repeating: 0, count: environment.observationSize)
    observation.withUnsafeMutableBufferPointer { environment.reset(using: &rng, observation: $0) }
    var episode = Episode(
      frames: [classicFrame(env, observation: observation, step: 0, action: nil, outcome: nil)],
      totalReward: 0, length: 0, terminated: false, truncated: false, success: false)
    let bounds = environment.actionSpace.bounds
    while !episode.terminated && !episode.truncated && episode.length < 1_000_000 {
      var (discrete, continuous) = classicController(env, observation: observation)
      if policy == .random {
        if let (low, high) = bounds {
          continuous = Float(actionRNG.uniform(Double(low[0]), Double(high[0])))
        } else {
          discrete = actionRNG.int(below: environment.actionCount)
        }
      }
      let outcome = observation.withUnsafeMutableBufferPointer { obs in
        if let a = discrete { return environment.step(a, using: &rng, observation: obs) }
        return [continuous!].withUnsafeBufferPointer {
          environment.step(continuous: $0, using: &rng, observation: obs)
        }
      }
      episode.length += 1
      episode.totalReward += outcome.reward
      episode.terminated = outcome.terminated
      episode.truncated = outcome.truncated
      episode.success = outcome.terminated
      let name = classicActionName(env, discrete: discrete, continuous: continuous)
      episode.frames.append(
        classicFrame(env, observation: observation, step: episode.length, action: name, outcome: outcome))
    }
    return episode
  }
}
