import Core
import Foundation

/// Gymnasium's Acrobot-v1 (`gymnasium/envs/classic_control/acrobot.py`, version 1.4.0), bit for
/// bit: the "book" dynamics (Sutton & Barto), one classic RK4 step of `dt = 0.2` over the
/// augmented state `[theta1, theta2, dtheta1, dtheta2, torque]`, both angles wrapped to
/// [-pi, pi], velocities bounded by 4 pi and 9 pi, all in float64 with the C library's sin/cos
/// and, for NumPy's `x ** 2`, its `pow`.
/// Actions 0/1/2 apply torque -1/0/+1; reward -1 per step and 0 on the terminating step, which is
/// the one where the tip rises above the bar (`-cos(t1) - cos(t1 + t2) > 1`). The initial state
/// is uniform in [-0.1, 0.1)^4, rounded to float32 as Gymnasium's `astype(np.float32)` does. The
/// 500-step truncation is ``TimeLimit``'s job.
public struct Acrobot: Environment {
  public static let dt = 0.2
  public static let linkLength1 = 1.0
  public static let linkMass1 = 1.0
  public static let linkMass2 = 1.0
  public static let linkCenterOfMass1 = 0.5
  public static let linkCenterOfMass2 = 0.5
  public static let linkMomentOfInertia = 1.0
  public static let maxVelocity1 = 4 * Double.pi
  public static let maxVelocity2 = 9 * Double.pi
  public static let torques: [Double] = [-1.0, 0.0, 1.0]
  public static let gravity = 9.8
  /// Gymnasium's `max_episode_steps` for Acrobot-v1.
  public static let maxEpisodeSteps = 500

  /// `[theta1, theta2, dtheta1, dtheta2]`.
  public var state: (Double, Double, Double, Double) = (0, 0, 0, 0)

  public init() {}

  public var observationSpace: Space {
    let high: [Float] = [1, 1, 1, 1, Float(Acrobot.maxVelocity1), Float(Acrobot.maxVelocity2)]
    return .box(low: high.map { -$0 }, high: high, shape: [6])
  }
  public var actionSpace: Space { .discrete(3) }
  public var observationSize: Int { 6 }
  public var actionCount: Int { 3 }
  public var actionSize: Int { 0 }

  public var stateArray: [Double] { [state.0, state.1, state.2, state.3] }

  public mutating func setState(_ s: [Double]) {
    precondition(s.count == 4, "Acrobot state has 4 numbers, got \(s.count)")
    state = (s[0], s[1], s[2], s[3])
  }

  public mutating func reset(using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>)
  {
    func draw() -> Double { Double(Float(rng.uniform(-0.1, 0.1))) }
    state = (draw(), draw(), draw(), draw())
    writeObservation(observation)
  }

  @inline(__always)
  func writeObservation(_ observation: UnsafeMutableBufferPointer<Float>) {
    observation[0] = Float(Foundation.cos(state.0))
    observation[1] = Float(Foundation.sin(state.0))
    observation[2] = Float(Foundation.cos(state.1))
    observation[3] = Float(Foundation.sin(state.1))
    observation[4] = Float(state.2)
    observation[5] = Float(state.3)
  }

  typealias Vector = (Double, Double, Double, Double)

  /// `_dsdt` for the book dynamics: the time derivative of `[t1, t2, dt1, dt2]` under torque `a`
  /// (the torque's own derivative is 0), with Gymnasium's operation order.
  @inline(__always)
  static func derivatives(_ s: Vector, torque a: Double) -> Vector {
    let m1 = linkMass1
    let m2 = linkMass2
    let l1 = linkLength1
    let lc1 = linkCenterOfMass1
    let lc2 = linkCenterOfMass2
    let i1 = linkMomentOfInertia
    let i2 = linkMomentOfInertia
    let g = gravity
    let (theta1, theta2, dtheta1, dtheta2) = s
    let cos2 = Foundation.cos(theta2)
    let sin2 = Foundation.sin(theta2)
    let d1 = m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * cos2) + i1 + i2
    let d2 = m2 * (lc2 * lc2 + l1 * lc2 * cos2) + i2
    let phi2 = m2 * lc2 * g * Foundation.cos(theta1 + theta2 - Double.pi / 2.0)
    let phi1 =
      -m2 * l1 * lc2 * pythonSquare(dtheta2) * sin2 - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin2
      + (m1 * lc1 + m2 * l1) * g * Foundation.cos(theta1 - Double.pi / 2) + phi2
    let ddtheta2 =
      (a + d2 / d1 * phi1 - m2 * l1 * lc2 * pythonSquare(dtheta1) * sin2 - phi2)
      / (m2 * (lc2 * lc2) + i2 - pythonSquare(d2) / d1)
    let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
    return (dtheta1, dtheta2, ddtheta1, ddtheta2)
  }

  /// Gymnasium's `wrap`: shifts by `M - m` until `x` is in [m, M].
  @inline(__always)
  static func wrap(_ x: Double, _ m: Double, _ M: Double) -> Double {
    let diff = M - m
    // Gymnasium's loop never ends on a non-finite angle and runs for ages on a huge one (a
    // hostile replay document hung `env replay`; found by scripts/fuzz FuzzReplay). Dynamics
    // never get there (angles are wrapped every step): such an angle becomes NaN.
    guard x.isFinite, abs(x) <= 1e6 else { return .nan }
    var x = x
    while x > M { x = x - diff }
    while x < m { x = x + diff }
    return x
  }

  /// Gymnasium's `bound`: `min(max(x, m), M)` with Python's `min`/`max` (NaN passes through).
  @inline(__always)
  static func bound(_ x: Double, _ m: Double, _ M: Double) -> Double {
    let lower = m > x ? m : x
    return M < lower ? M : lower
  }

  /// One step: RK4 over `[0, dt]`, then wrapping and velocity bounds.
  @inline(__always)
  public static func nextState(_ s: (Double, Double, Double, Double), action: Int) -> (
    Double, Double, Double, Double
  ) {
    let a = torques[action]
    let dt = Acrobot.dt - 0
    let dt2 = dt / 2.0
    @inline(__always) func add(_ y: Vector, _ h: Double, _ k: Vector) -> Vector {
      (y.0 + h * k.0, y.1 + h * k.1, y.2 + h * k.2, y.3 + h * k.3)
    }
    let k1 = derivatives(s, torque: a)
    let k2 = derivatives(add(s, dt2, k1), torque: a)
    let k3 = derivatives(add(s, dt2, k2), torque: a)
    let k4 = derivatives(add(s, dt, k3), torque: a)
    let h = dt / 6.0
    @inline(__always) func combine(_ y: Double, _ a: Double, _ b: Double, _ c: Double, _ d: Double) -> Double
    {
      y + h * (a + 2 * b + 2 * c + d)
    }
    let n0 = combine(s.0, k1.0, k2.0, k3.0, k4.0)
    let n1 = combine(s.1, k1.1, k2.1, k3.1, k4.1)
    let n2 = combine(s.2, k1.2, k2.2, k3.2, k4.2)
    let n3 = combine(s.3, k1.3, k2.3, k3.3, k4.3)
    return (
      wrap(n0, -Double.pi, Double.pi), wrap(n1, -Double.pi, Double.pi),
      bound(n2, -maxVelocity1, maxVelocity1), bound(n3, -maxVelocity2, maxVelocity2)
    )
  }

  /// The tip is above the bar: `-cos(t1) - cos(t2 + t1) > 1`.
  public static func isTerminal(_ s: (Double, Double, Double, Double)) -> Bool {
    -Foundation.cos(s.0) - Foundation.cos(s.1 + s.0) > 1.0
  }

  public mutating func step(
    _ action: Int, using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>
  ) -> StepOutcome {
    state = Acrobot.nextState(state, action: action)
    writeObservation(observation)
    let terminated = Acrobot.isTerminal(state)
    return StepOutcome(
      reward: terminated ? 0.0 : -1.0, terminated: terminated, truncated: false, success: terminated)
  }
}
