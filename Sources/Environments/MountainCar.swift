import Core
import Foundation

/// Gymnasium's MountainCar-v0 (`gymnasium/envs/classic_control/mountain_car.py`, version 1.4.0),
/// bit for bit in float64: `v += (a - 1) * 0.001 + cos(3 x) * (-0.0025)`, `v` clipped to
/// [-0.07, 0.07], `x += v` clipped to [-1.2, 0.6], `v = 0` at the left wall when moving left;
/// terminated (a success: the flag) when `x >= 0.5` and `v >= goal_velocity` (0); reward -1 on every step. Actions
/// 0/1/2 push left/none/right. Initial state: `x` uniform in [-0.6, -0.4), `v = 0`. The 200-step
/// truncation is ``TimeLimit``'s job.
public struct MountainCar: Environment {
  public static let minPosition = -1.2
  public static let maxPosition = 0.6
  public static let maxSpeed = 0.07
  public static let goalPosition = 0.5
  public static let force = 0.001
  public static let gravity = 0.0025
  /// Gymnasium's `max_episode_steps` for MountainCar-v0.
  public static let maxEpisodeSteps = 200

  /// `(position, velocity)`.
  public var state: (Double, Double) = (0, 0)
  public var goalVelocity: Double

  public init(goalVelocity: Double = 0) { self.goalVelocity = goalVelocity }

  public var observationSpace: Space {
    .box(
      low: [Float(MountainCar.minPosition), Float(-MountainCar.maxSpeed)],
      high: [Float(MountainCar.maxPosition), Float(MountainCar.maxSpeed)], shape: [2])
  }
  public var actionSpace: Space { .discrete(3) }
  public var observationSize: Int { 2 }
  public var actionCount: Int { 3 }
  public var actionSize: Int { 0 }

  public var stateArray: [Double] { [state.0, state.1] }

  public mutating func setState(_ s: [Double]) {
    precondition(s.count == 2, "MountainCar state has 2 numbers, got \(s.count)")
    state = (s[0], s[1])
  }

  public mutating func reset(using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>)
  {
    state = (rng.uniform(-0.6, -0.4), 0)
    observation[0] = Float(state.0)
    observation[1] = Float(state.1)
  }

  /// One step of the dynamics; returns the new state.
  @inline(__always)
  public static func nextState(_ s: (Double, Double), action: Int) -> (Double, Double) {
    var (position, velocity) = s
    velocity += Double(action - 1) * force + Foundation.cos(3 * position) * (-gravity)
    velocity = clip(velocity, -maxSpeed, maxSpeed)
    position += velocity
    position = clip(position, minPosition, maxPosition)
    if position == minPosition && velocity < 0 { velocity = 0 }
    return (position, velocity)
  }

  /// NumPy's `clip` of a float64 scalar: `min(max(x, low), high)` (NaN passes through).
  @inline(__always)
  static func clip(_ x: Double, _ low: Double, _ high: Double) -> Double {
    x < low ? low : (x > high ? high : x)
  }

  public mutating func step(
    _ action: Int, using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>
  ) -> StepOutcome {
    state = MountainCar.nextState(state, action: action)
    observation[0] = Float(state.0)
    observation[1] = Float(state.1)
    let terminated = state.0 >= MountainCar.goalPosition && state.1 >= goalVelocity
    return StepOutcome(reward: -1.0, terminated: terminated, truncated: false, success: terminated)
  }
}
