import Core
import Foundation

/// Gymnasium's MountainCarContinuous-v0 (`continuous_mountain_car.py`, version 1.4.0), bit for
/// bit, including NumPy 2's float32 arithmetic (NEP 50: a Python float meeting a float32 operand
/// is rounded to float32 first):
/// - `force = min(max(a, -1), 1)` with `a` the float32 action; `velocity += force * 0.0015 -
///   0.0025 * cos(3 position)`: when `a` is inside the bounds, `force * 0.0015` is a float32
///   product and `0.0025 * cos(...)` (float64) is rounded to float32 before the subtraction;
/// - the state is stored as float32 after every step, so every step after the first runs in
///   float32 (`3 * position`, the velocity and position updates, the comparisons with the bounds
///   and the goal); the first step after `reset` runs on the float64 initial state;
/// - velocity clipped to [-0.07, 0.07], position to [-1.2, 0.6], `v = 0` at the left wall when
///   moving left; terminated at `position >= 0.45` and `velocity >= goal_velocity` (0);
/// - reward `100` on the terminating step, minus `0.1 a^2` of the unclipped action (float64).
/// Initial state: position uniform in [-0.6, -0.4), velocity 0. The 999-step truncation is
/// ``TimeLimit``'s job.
public struct MountainCarContinuous: Environment {
  public static let minAction: Float = -1.0
  public static let maxAction: Float = 1.0
  public static let minPosition = -1.2
  public static let maxPosition = 0.6
  public static let maxSpeed = 0.07
  public static let goalPosition = 0.45
  public static let power = 0.0015
  /// Gymnasium's `max_episode_steps` for MountainCarContinuous-v0.
  public static let maxEpisodeSteps = 999

  public private(set) var position = 0.0
  public private(set) var velocity = 0.0
  /// False right after `reset` (Gymnasium's initial state is a float64 array), true after a step.
  public private(set) var stateIsFloat32 = false
  public var goalVelocity: Double

  public init(goalVelocity: Double = 0) { self.goalVelocity = goalVelocity }

  public var observationSpace: Space {
    .box(
      low: [Float(MountainCarContinuous.minPosition), Float(-MountainCarContinuous.maxSpeed)],
      high: [Float(MountainCarContinuous.maxPosition), Float(MountainCarContinuous.maxSpeed)], shape: [2])
  }
  public var actionSpace: Space {
    .box(low: [MountainCarContinuous.minAction], high: [MountainCarContinuous.maxAction], shape: [1])
  }
  public var observationSize: Int { 2 }
  public var actionCount: Int { 0 }
  public var actionSize: Int { 1 }

  public var stateArray: [Double] { [position, velocity] }

  /// Sets the state: as `reset` leaves it (float64) when `afterReset`, else as a step leaves it
  /// (rounded to float32).
  public mutating func setState(_ s: [Double], afterReset: Bool) {
    precondition(s.count == 2, "MountainCarContinuous state has 2 numbers, got \(s.count)")
    stateIsFloat32 = !afterReset
    position = afterReset ? s[0] : Double(Float(s[0]))
    velocity = afterReset ? s[1] : Double(Float(s[1]))
  }

  public mutating func reset(using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>)
  {
    position = rng.uniform(-0.6, -0.4)
    velocity = 0
    stateIsFloat32 = false
    observation[0] = Float(position)
    observation[1] = Float(velocity)
  }

  public mutating func step(
    _ action: Int, using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>
  ) -> StepOutcome {
    preconditionFailure("MountainCarContinuous has a Box action space: use step(continuous:)")
  }

  /// The velocity increment `force * power - 0.0025 * cos(3 position)` as NumPy computes it:
  /// float32 when the action was inside the bounds (the force is then the float32 action),
  /// float64 when it was clipped (the force is then the Python float -1.0 or 1.0).
  @inline(__always)
  static func acceleration(action a: Float, cosine c: Double) -> Double {
    // Python's max(a, -1.0) returns a unless -1.0 > a; min(x, 1.0) returns x unless 1.0 < x.
    if minAction > a { return -1.0 * power - c }
    if maxAction < a { return 1.0 * power - c }
    return Double(a * Float(power) - Float(c))
  }

  public mutating func step(
    continuous action: UnsafeBufferPointer<Float>, using rng: inout RandomGenerator,
    observation: UnsafeMutableBufferPointer<Float>
  ) -> StepOutcome {
    let a = action[0]
    let terminated: Bool
    if stateIsFloat32 {
      let p = Float(position)
      let c = 0.0025 * Foundation.cos(Double(3 * p))
      let dv = MountainCarContinuous.acceleration(action: a, cosine: c)
      var v = Float(velocity) + Float(dv)
      let maxSpeed = Float(MountainCarContinuous.maxSpeed)
      if v > maxSpeed { v = maxSpeed }
      if v < -maxSpeed { v = -maxSpeed }
      var x = p + v
      let maxPosition = Float(MountainCarContinuous.maxPosition)
      let minPosition = Float(MountainCarContinuous.minPosition)
      if x > maxPosition { x = maxPosition }
      if x < minPosition { x = minPosition }
      if x == minPosition && v < 0 { v = 0 }
      terminated = x >= Float(MountainCarContinuous.goalPosition) && v >= Float(goalVelocity)
      position = Double(x)
      velocity = Double(v)
    } else {
      var x = position
      let c = 0.0025 * Foundation.cos(3 * x)
      let dv = MountainCarContinuous.acceleration(action: a, cosine: c)
      var v = velocity + dv
      if v > MountainCarContinuous.maxSpeed { v = MountainCarContinuous.maxSpeed }
      if v < -MountainCarContinuous.maxSpeed { v = -MountainCarContinuous.maxSpeed }
      x += v
      if x > MountainCarContinuous.maxPosition { x = MountainCarContinuous.maxPosition }
      if x < MountainCarContinuous.minPosition { x = MountainCarContinuous.minPosition }
      if x == MountainCarContinuous.minPosition && v < 0 { v = 0 }
      terminated = x >= MountainCarContinuous.goalPosition && v >= goalVelocity
      position = Double(Float(x))
      velocity = Double(Float(v))
      stateIsFloat32 = true
    }
    observation[0] = Float(position)
    observation[1] = Float(velocity)
    let a64 = Double(a)
    let reward = (terminated ? 100.0 : 0.0) - pythonSquare(a64) * 0.1
    return StepOutcome(reward: reward, terminated: terminated, truncated: false, success: terminated)
  }
}
