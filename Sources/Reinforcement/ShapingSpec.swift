import Environments
import Foundation

/// A bad shaping name, potential file or environment combination; the message says what is allowed.
public struct ShapingError: Error, CustomStringConvertible, Sendable, Equatable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// A reward shaping as named on the command line (`--shaping pbrs:bfs*0.5`).
///
/// | name | reward the agent learns from |
/// |---|---|
/// | `none` | `r` |
/// | `pbrs:POTENTIAL[*k]` | `r + k * (gamma * Phi(s') - Phi(s))`, Phi(s') = 0 on termination |
/// | `naive:progress[*k]` | `r + k * 0.1` on each move that lowers the BFS distance to the goal |
/// | `naive:proximity[*k]` | `r + k * 0.1 * (1 - d(s') / d_max)` on every step |
/// | `naive:velocity[*k]` | `r + k * |v'| / 0.07` on every step (MountainCar) |
/// | `step-penalty:C` | `r - C` |
/// | `scale:K` | `K * r` |
///
/// Potentials: `bfs` (`-d / d_max`, BFS distance), `manhattan` (`-m / m_max`), `optimal` (`V*`),
/// `file=PATH` (gridworlds), `upright` (CartPole), `height` and `energy` (MountainCar; see
/// ``MountainCarPotentials``). ``available(for:)`` lists what fits an environment.
public struct ShapingSpec: Sendable, Equatable, CustomStringConvertible {
  public enum PotentialSource: Sendable, Equatable {
    case bfs, manhattan, optimal, upright
    /// MountainCar's track height, ``MountainCarPotentials/height(position:physics:)``.
    case height
    /// MountainCar's mechanical energy, ``MountainCarPotentials/energy(position:velocity:physics:)``.
    case energy
    case file(String)
  }

  public enum Kind: Sendable, Equatable {
    case none
    case potentialBased(PotentialSource)
    /// Bonus per move that reduces the BFS distance (no penalty for moving away: farmable).
    case naiveProgress
    /// Bonus each step growing as the agent nears the goal (dawdling near the goal pays).
    case naiveProximity
    /// MountainCar: a bonus growing with the speed after the step (swinging fast pays by itself).
    case naiveVelocity
    case stepPenalty(Double)
    case scale(Double)
  }

  public let kind: Kind
  /// The `*k` factor (1 when absent): scales the potential or the naive bonus.
  public let factor: Double
  /// The name as given.
  public let name: String

  /// Per-step bonus of the naive shapings before `*k` (the goal pays 1 in LossLab's maps).
  public static let naiveBonus = 0.1

  /// The names `parse` accepts, for help and error messages.
  public static let known = [
    "none", "pbrs:bfs", "pbrs:manhattan", "pbrs:optimal", "pbrs:file=PATH", "pbrs:upright", "pbrs:height",
    "pbrs:energy", "naive:progress", "naive:proximity", "naive:velocity", "step-penalty:C", "scale:K",
  ]

  /// The shapings that fit `environment`, in ``known``'s order (for `env info`, help and errors).
  public static func available(for environment: EnvironmentSpec) -> [String] {
    let specific: [String]
    switch environment.kind {
    case .gridworld:
      specific = [
        "pbrs:bfs", "pbrs:manhattan", "pbrs:optimal", "pbrs:file=PATH", "naive:progress", "naive:proximity",
      ]
    case .cartPole: specific = ["pbrs:upright"]
    case .classic(let env, _):
      specific =
        MountainCarPotentials.physics(env) != nil ? ["pbrs:height", "pbrs:energy", "naive:velocity"] : []
    }
    return ["none"] + specific + ["step-penalty:C", "scale:K"]
  }

  public static var knownDescription: String {
    known.joined(separator: ", ") + " (pbrs:* and naive:* take an optional factor, e.g. pbrs:bfs*0.5)"
  }

  public init(kind: Kind, factor: Double = 1, name: String? = nil) {
    self.kind = kind
    self.factor = factor
    self.name = name ?? ShapingSpec.canonicalName(kind, factor)
  }

  public var description: String { name }

  public var isNone: Bool { kind == .none }

  /// Parses a shaping name.
  public static func parse(_ text: String) throws -> ShapingSpec {
    let name = text.trimmingCharacters(in: .whitespaces)
    func unknown() -> ShapingError {
      ShapingError("unknown shaping '\(name)' (known: \(knownDescription))")
    }
    var body = name
    var factor = 1.0
    var hasFactor = false
    // The factor is a trailing `*NUMBER`; a file path may itself contain `*`, so only a numeric tail counts.
    if let star = name.lastIndex(of: "*"), let k = Double(name[name.index(after: star)...]) {
      guard k.isFinite, k != 0 else {
        throw ShapingError("shaping '\(name)': the factor must be finite and non-zero")
      }
      body = String(name[..<star])
      factor = k
      hasFactor = true
    }
    let kind: Kind
    switch body {
    case "none": kind = .none
    case "pbrs:bfs": kind = .potentialBased(.bfs)
    case "pbrs:manhattan": kind = .potentialBased(.manhattan)
    case "pbrs:optimal": kind = .potentialBased(.optimal)
    case "pbrs:upright": kind = .potentialBased(.upright)
    case "pbrs:height": kind = .potentialBased(.height)
    case "pbrs:energy": kind = .potentialBased(.energy)
    case "naive:velocity": kind = .naiveVelocity
    case "naive:progress": kind = .naiveProgress
    case "naive:proximity": kind = .naiveProximity
    default:
      if body.hasPrefix("pbrs:file=") {
        let path = String(body.dropFirst("pbrs:file=".count))
        guard !path.isEmpty else { throw ShapingError("shaping '\(name)': pbrs:file= needs a path") }
        kind = .potentialBased(.file(path))
      } else if body.hasPrefix("step-penalty:") || body.hasPrefix("scale:") {
        let isPenalty = body.hasPrefix("step-penalty:")
        let number = body.dropFirst(isPenalty ? "step-penalty:".count : "scale:".count)
        guard let x = Double(number), x.isFinite else {
          throw ShapingError(
            "shaping '\(name)': \(isPenalty ? "step-penalty:C needs a number C (e.g. step-penalty:0.01)" : "scale:K needs a number K (e.g. scale:0.1)")"
          )
        }
        kind = isPenalty ? .stepPenalty(x) : .scale(x)
      } else {
        throw unknown()
      }
    }
    if hasFactor {
      switch kind {
      case .potentialBased, .naiveProgress, .naiveProximity, .naiveVelocity: break
      default:
        throw ShapingError("shaping '\(name)': a *factor applies only to pbrs:* and naive:* shapings")
      }
    }
    return ShapingSpec(kind: kind, factor: factor, name: name)
  }

  static func canonicalName(_ kind: Kind, _ factor: Double) -> String {
    let suffix = factor == 1 ? "" : "*\(factor)"
    switch kind {
    case .none: return "none"
    case .potentialBased(let p):
      switch p {
      case .bfs: return "pbrs:bfs" + suffix
      case .manhattan: return "pbrs:manhattan" + suffix
      case .optimal: return "pbrs:optimal" + suffix
      case .upright: return "pbrs:upright" + suffix
      case .height: return "pbrs:height" + suffix
      case .energy: return "pbrs:energy" + suffix
      case .file(let path): return "pbrs:file=\(path)" + suffix
      }
    case .naiveProgress: return "naive:progress" + suffix
    case .naiveProximity: return "naive:proximity" + suffix
    case .naiveVelocity: return "naive:velocity" + suffix
    case .stepPenalty(let c): return "step-penalty:\(c)"
    case .scale(let k): return "scale:\(k)"
    }
  }
}
