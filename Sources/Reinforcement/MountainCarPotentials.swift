import Environments
import Foundation

/// Shaping potentials and the naive velocity bonus for MountainCar-v0 and
/// MountainCarContinuous-v0 (`pbrs:height`, `pbrs:energy`, `naive:velocity`).
///
/// **The physics behind them.** Gymnasium's update is `v' = v + push - g cos(3x)` with
/// `g = 0.0025` (`gravity`), then `x' = x + v'`: one step is one time unit and `x` is treated as
/// the distance along the track. The gravity term is minus the slope of a potential energy
/// `U(x) = g h(x)` with
///
///     h(x) = sin(3x) / 3        (dU/dx = g cos(3x))
///
/// so the track the dynamics imply has height `sin(3x) / 3` (Gymnasium draws it as
/// `0.45 sin(3x) + 0.55`, a rendering choice that does not enter the dynamics), and the mechanical
/// energy per unit mass is
///
///     E(x, v) = 0.5 v^2 + g sin(3x) / 3.
///
/// Without a push `E` is conserved up to the discretisation; a push `p` does work `p v` per step.
///
/// **Scale.** Both potentials are normalised by the same two energies, `E_valley = -g / 3` (at
/// rest at the valley bottom `x = -pi / 6`) and `E_flag = g sin(3 x_goal) / 3` (at rest at the
/// flag), so that 0 is "at rest in the valley" and 1 is "just enough energy to stand at the flag":
///
///     pbrs:height  Phi(s) = K (sin(3x) + 1) / (sin(3 x_goal) + 1)          (0 .. 1 for K = 1)
///     pbrs:energy  Phi(s) = K (E(x, v) - E_valley) / (E_flag - E_valley)   (0 .. 2.46 for K = 1)
///
/// with `K` = ``scale`` = 10 (`pbrs:energy*k` multiplies it by `k`). With `K = 10` a climb from
/// the valley to the flag is worth about 10 in the shaped return (5% of the worst true return,
/// -200), and pushing with rather than against the velocity `v` changes `Phi` by about
/// `2 K 0.001 |v| / (E_flag - E_valley)` = `12 |v|` per step (0.36 at `|v|` = 0.03), a clear signal
/// next to the constant -1. `height` ignores speed, so it also pays for being high on the left
/// hill, and its shaping penalises the swing back that MountainCar needs; `energy` rewards exactly
/// the work done by pushing with the motion.
///
/// **The naive bonus** `naive:velocity`: `r + c |v'| / v_max` on every step, `c` = ``velocityBonus``
/// = 1 (times the factor), `v'` the velocity after the step. It is not a potential difference: a
/// fast car earns it on every step, so the shaped optimum trades reaching the flag soon for
/// swinging fast (on the 121 x 101 grid of the tests the shaped-optimal path from the start takes
/// 103 steps instead of 96).
public enum MountainCarPotentials {
  /// The constants of one MountainCar variant the potentials depend on.
  public struct Physics: Sendable, Equatable {
    public var gravity: Double
    public var goalPosition: Double
    public var maxSpeed: Double

    public init(gravity: Double, goalPosition: Double, maxSpeed: Double) {
      self.gravity = gravity
      self.goalPosition = goalPosition
      self.maxSpeed = maxSpeed
    }
  }

  /// `K` of both potentials (before the spec's `*k`).
  public static let scale = 10.0
  /// `c` of `naive:velocity` (before the spec's `*k`): the bonus at top speed.
  public static let velocityBonus = 1.0

  /// MountainCar-v0's and MountainCarContinuous-v0's constants; nil for the other environments.
  public static func physics(_ env: ClassicControl) -> Physics? {
    switch env {
    case .mountainCar:
      return Physics(
        gravity: MountainCar.gravity, goalPosition: MountainCar.goalPosition, maxSpeed: MountainCar.maxSpeed)
    case .mountainCarContinuous:
      // The continuous variant uses the same 0.0025 cos(3x) gravity term.
      return Physics(
        gravity: MountainCar.gravity, goalPosition: MountainCarContinuous.goalPosition,
        maxSpeed: MountainCarContinuous.maxSpeed)
    case .acrobot, .pendulum: return nil
    }
  }

  /// `E(x, v) = 0.5 v^2 + g sin(3x) / 3`, the mechanical energy per unit mass the dynamics conserve.
  @inline(__always)
  public static func mechanicalEnergy(position x: Double, velocity v: Double, gravity g: Double) -> Double {
    0.5 * v * v + g * Foundation.sin(3 * x) / 3
  }

  /// `(sin(3x) + 1) / (sin(3 x_goal) + 1)`: 0 at the valley bottom, 1 at the flag (unscaled).
  @inline(__always)
  public static func height(position x: Double, physics: Physics) -> Double {
    (Foundation.sin(3 * x) + 1) / (Foundation.sin(3 * physics.goalPosition) + 1)
  }

  /// `(E(x, v) - E_valley) / (E_flag - E_valley)`: 0 at rest in the valley, 1 at rest at the flag
  /// (unscaled).
  @inline(__always)
  public static func energy(position x: Double, velocity v: Double, physics: Physics) -> Double {
    let g = physics.gravity
    let valley = -g / 3
    let flag = g * Foundation.sin(3 * physics.goalPosition) / 3
    return (mechanicalEnergy(position: x, velocity: v, gravity: g) - valley) / (flag - valley)
  }
}
