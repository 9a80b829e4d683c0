import Core
import Foundation

/// Gymnasium's Pendulum-v1 (`gymnasium/envs/classic_control/pendulum.py`, version 1.4.0), bit for
/// bit with NumPy 2's promotion rules: the float32 action is clipped to [-2, 2] (`u`, float32);
/// cost `angle_normalize(th)^2 + 0.1 thdot^2 + 0.001 u^2` with the last term a float32 product
/// (the squares are NumPy's `** 2`, the C library's `pow`/`powf`);
/// `thdot += (3 g / (2 l) sin(th) + 3 / (m l^2) u) dt` with `3 u` a float32 product and the rest
/// float64, `thdot` clipped to [-8, 8], then `th += thdot dt`. The angle in the state is not
/// wrapped (only the cost normalises it); the observation is `[cos th, sin th, thdot]` as float32.
/// Reward is minus the cost, never terminated. Initial state uniform in [-pi, pi) x [-1, 1).
/// The 200-step truncation is ``TimeLimit``'s job.
public struct Pendulum: Environment {
  public static let maxSpeed = 8.0
  public static let maxTorque: Float = 2.0
  public static let dt = 0.05
  public static let mass = 1.0
  public static let length = 1.0
  /// Gymnasium's `max_episode_steps` for Pendulum-v1.
  public static let maxEpisodeSteps = 200

  /// `(theta, theta_dot)`, theta unwrapped.
  public var state: (Double, Double) = (0, 0)
  /// Gravity (Gymnasium's `g`, default 10).
  public var g: Double

  public init(g: Double = 10.0) { self.g = g }

  public var observationSpace: Space {
    let high: [Float] = [1, 1, Float(Pendulum.maxSpeed)]
    return .box(low: high.map { -$0 }, high: high, shape: [3])
  }
  public var actionSpace: Space { .box(low: [-Pendulum.maxTorque], high: [Pendulum.maxTorque], shape: [1]) }
  public var observationSize: Int { 3 }
  public var actionCount: Int { 0 }
  public var actionSize: Int { 1 }

  public var stateArray: [Double] { [state.0, state.1] }

  public mutating func setState(_ s: [Double]) {
    precondition(s.count == 2, "Pendulum state has 2 numbers, got \(s.count)")
    state = (s[0], s[1])
  }

  public mutating func reset(using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>)
  {
    state = (rng.uniform(-Double.pi, Double.pi), rng.uniform(-1, 1))
    writeObservation(observation)
  }

  @inline(__always)
  func writeObservation(_ observation: UnsafeMutableBufferPointer<Float>) {
    observation[0] = Float(Foundation.cos(state.0))
    observation[1] = Float(Foundation.sin(state.0))
    observation[2] = Float(state.1)
  }

  /// `((x + pi) % (2 pi)) - pi` with Python's (and NumPy's) floored modulo.
  @inline(__always)
  public static func angleNormalize(_ x: Double) -> Double {
    let a = x + Double.pi
    let b = 2 * Double.pi
    var mod = Foundation.fmod(a, b)
    if mod != 0 {
      if (b < 0) != (mod < 0) { mod += b }
    } else {
      mod = Double(signOf: b, magnitudeOf: 0)
    }
    return mod - Double.pi
  }

  /// NumPy's `clip` of a float32 array element with float32 bounds (NaN passes through).
  @inline(__always)
  static func clip(_ u: Float, _ low: Float, _ high: Float) -> Float {
    u.isNaN ? u : min(max(u, low), high)
  }

  /// Cost of the state `(th, thdot)` under the clipped torque `u`.
  @inline(__always)
  public static func cost(_ s: (Double, Double), torque u: Float) -> Double {
    let an = angleNormalize(s.0)
    return pythonSquare(an) + 0.1 * pythonSquare(s.1) + Double(Float(0.001) * pythonSquare(u))
  }

  /// One step of the dynamics under the clipped torque `u`.
  @inline(__always)
  public static func nextState(_ s: (Double, Double), torque u: Float, g: Double) -> (Double, Double) {
    let (th, thdot) = s
    let threeU = Float(3.0 / (mass * (length * length))) * u
    var newThdot = thdot + (3 * g / (2 * length) * Foundation.sin(th) + Double(threeU)) * dt
    if !newThdot.isNaN { newThdot = min(max(newThdot, -maxSpeed), maxSpeed) }
    return (th + newThdot * dt, newThdot)
  }

  public mutating func step(
    _ action: Int, using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>
  ) -> StepOutcome {
    preconditionFailure("Pendulum has a Box action space: use step(continuous:)")
  }

  public mutating func step(
    continuous action: UnsafeBufferPointer<Float>, using rng: inout RandomGenerator,
    observation: UnsafeMutableBufferPointer<Float>
  ) -> StepOutcome {
    let u = Pendulum.clip(action[0], -Pendulum.maxTorque, Pendulum.maxTorque)
    let costs = Pendulum.cost(state, torque: u)
    state = Pendulum.nextState(state, torque: u, g: g)
    writeObservation(observation)
    return StepOutcome(reward: -costs, terminated: false, truncated: false)
  }
}
