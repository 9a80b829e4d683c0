import Core
import Foundation

/// Gymnasium's CartPole-v1 (`gymnasium/envs/classic_control/cartpole.py`, version 1.4.0), bit for
/// bit: the same constants computed the same way, float64 state, explicit Euler integration,
/// float32 observation `Float(state)`, termination at |x| > 2.4 or |theta| > 12 degrees, and the
/// initial state uniform in [-0.05, 0.05)^4. The 500-step truncation is ``TimeLimit``'s job.
///
/// Rewards: 1 on every step including the terminating one; with `suttonBartoReward`, 0 per step
/// and -1 on the terminating step (Gymnasium 1.x's `sutton_barto_reward=True`).
public struct CartPole: Environment {
  public static let gravity = 9.8
  public static let massCart = 1.0
  public static let massPole = 0.1
  public static let totalMass = massPole + massCart
  /// Half the pole's length.
  public static let length = 0.5
  public static let poleMassLength = massPole * length
  public static let forceMagnitude = 10.0
  /// Seconds between state updates.
  public static let tau = 0.02
  public static let thetaThresholdRadians = 12 * 2 * Double.pi / 360
  public static let xThreshold = 2.4
  /// Gymnasium's `max_episode_steps` for CartPole-v1.
  public static let maxEpisodeSteps = 500

  /// `[x, x_dot, theta, theta_dot]`.
  public var state: (Double, Double, Double, Double) = (0, 0, 0, 0)
  public var suttonBartoReward: Bool
  /// Gymnasium's `steps_beyond_terminated`: nil until the episode terminates.
  public private(set) var stepsBeyondTerminated: Int? = nil

  public init(suttonBartoReward: Bool = false) {
    self.suttonBartoReward = suttonBartoReward
  }

  public var observationSpace: Space {
    // Gymnasium: high = [2 * x_threshold, inf, 2 * theta_threshold, inf] as float32.
    let high: [Float] = [
      Float(CartPole.xThreshold * 2), .infinity, Float(CartPole.thetaThresholdRadians * 2), .infinity,
    ]
    return .box(low: high.map { -$0 }, high: high, shape: [4])
  }
  public var actionSpace: Space { .discrete(2) }
  public var observationSize: Int { 4 }
  public var actionCount: Int { 2 }

  /// The state as an array `[x, x_dot, theta, theta_dot]`.
  public var stateArray: [Double] { [state.0, state.1, state.2, state.3] }

  /// Sets the internal state (for replaying a reference trajectory) and clears the termination flag.
  public mutating func setState(_ s: [Double]) {
    precondition(s.count == 4, "CartPole state has 4 numbers, got \(s.count)")
    state = (s[0], s[1], s[2], s[3])
    stepsBeyondTerminated = nil
  }

  public mutating func reset(using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>)
  {
    state = (
      rng.uniform(-0.05, 0.05), rng.uniform(-0.05, 0.05), rng.uniform(-0.05, 0.05), rng.uniform(-0.05, 0.05)
    )
    stepsBeyondTerminated = nil
    writeObservation(observation)
  }

  @inline(__always)
  func writeObservation(_ observation: UnsafeMutableBufferPointer<Float>) {
    observation[0] = Float(state.0)
    observation[1] = Float(state.1)
    observation[2] = Float(state.2)
    observation[3] = Float(state.3)
  }

  /// One Euler step of the cart-pole equations (Florian 2007, as in Gymnasium), in float64.
  @inline(__always)
  public static func nextState(
    _ s: (Double, Double, Double, Double), action: Int
  ) -> (Double, Double, Double, Double) {
    let (x, xDot, theta, thetaDot) = s
    let force = action == 1 ? forceMagnitude : -forceMagnitude
    let cosTheta = Foundation.cos(theta)
    let sinTheta = Foundation.sin(theta)
    let temp = (force + poleMassLength * (thetaDot * thetaDot) * sinTheta) / totalMass
    let thetaAcc =
      (gravity * sinTheta - cosTheta * temp)
      / (length * (4.0 / 3.0 - massPole * (cosTheta * cosTheta) / totalMass))
    let xAcc = temp - poleMassLength * thetaAcc * cosTheta / totalMass
    return (x + tau * xDot, xDot + tau * xAcc, theta + tau * thetaDot, thetaDot + tau * thetaAcc)
  }

  public mutating func step(
    _ action: Int, using rng: inout RandomGenerator, observation: UnsafeMutableBufferPointer<Float>
  ) -> StepOutcome {
    state = CartPole.nextState(state, action: action)
    writeObservation(observation)
    let (x, _, theta, _) = state
    let terminated =
      x < -CartPole.xThreshold || x > CartPole.xThreshold || theta < -CartPole.thetaThresholdRadians
      || theta > CartPole.thetaThresholdRadians
    let reward: Double
    if !terminated {
      reward = suttonBartoReward ? 0 : 1
    } else if stepsBeyondTerminated == nil {
      stepsBeyondTerminated = 0
      reward = suttonBartoReward ? -1 : 1
    } else {
      // Stepping past termination: Gymnasium warns and pays 0 (-1 for the Sutton-Barto variant).
      stepsBeyondTerminated! += 1
      reward = suttonBartoReward ? -1 : 0
    }
    return StepOutcome(reward: reward, terminated: terminated, truncated: false)
  }
}
