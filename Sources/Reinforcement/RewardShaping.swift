import Environments
import Foundation

/// A reward shaping as a ``RewardTransform`` of the vector runner: the agent learns from the
/// shaped reward while the runner's episode statistics keep the true return (and the shaped
/// return beside it).
///
/// Potential-based shaping (Ng, Harada and Russell 1999, theorem 1):
/// `r' = r + k * (gamma * Phi(s') - Phi(s))` with `gamma` the agent's own discount. On termination
/// `Phi(s') = 0` (the terminal state has no future, so an episode that terminates adds
/// `-k * Phi(s)`); on truncation `Phi(s')` is kept, since `s'` (the final observation, not the
/// next episode's first one) is not terminal and the agent bootstraps from it.
public struct RewardShaping: RewardTransform {
  /// What the transform computes, resolved for one environment.
  public enum Rule: Sendable, Equatable {
    case identity
    /// `r + factor * (gamma * Phi(s') - Phi(s))`.
    case potential(Potential, gamma: Double, factor: Double)
    /// `r + bonus` when `distance[s'] < distance[s]`.
    case progress(distance: [Double], bonus: Double)
    /// `r + bonus * closeness[s']`, `closeness = 1 - d / d_max` (0 where the goal is unreachable).
    case proximity(closeness: [Double], bonus: Double)
    /// `r + bonus * |v'| / maxSpeed`, `v'` = `nextObservation[1]` (MountainCar).
    case velocity(bonus: Double, maxSpeed: Double)
    /// `scale * r - penalty`.
    case affine(scale: Double, penalty: Double)
  }

  public let spec: ShapingSpec
  public let rule: Rule
  /// The gridworld map (decodes observations into cells); nil for CartPole.
  public let map: GridMap?

  /// Resolves `spec` for `environment`; `gamma` is the agent's discount. Relative potential-file
  /// paths are read from the current directory.
  public init(spec: ShapingSpec, environment: EnvironmentSpec, gamma: Double) throws {
    self.spec = spec
    map = environment.gridMap
    func unfit(_ needs: String) -> ShapingError {
      ShapingError(
        "shaping '\(spec.name)' needs \(needs) (for \(environment.name) use \(ShapingSpec.available(for: environment).joined(separator: ", ")))"
      )
    }
    func needsGrid() throws -> GridMap {
      guard let map = environment.gridMap else { throw unfit("a gridworld") }
      return map
    }
    func needsMountainCar() throws -> MountainCarPotentials.Physics {
      guard let env = environment.classicControl, let physics = MountainCarPotentials.physics(env) else {
        throw unfit("mountaincar or mountaincar-continuous")
      }
      return physics
    }
    switch spec.kind {
    case .none: rule = .identity
    case .stepPenalty(let c): rule = .affine(scale: 1, penalty: c)
    case .scale(let k): rule = .affine(scale: k, penalty: 0)
    case .potentialBased(let source):
      let phi: Potential
      switch source {
      case .bfs: phi = try GridPotentials.negativeShortestPath(try needsGrid())
      case .manhattan: phi = try GridPotentials.negativeManhattan(try needsGrid())
      case .optimal: phi = GridPotentials.optimalValue(try needsGrid(), gamma: gamma)
      case .file(let path):
        phi = try PotentialFile.load(contentsOf: URL(fileURLWithPath: path), map: try needsGrid())
      case .upright:
        guard case .cartPole = environment.kind else { throw unfit("cartpole") }
        phi = .cartPoleUpright
      case .height: phi = .mountainCarHeight(try needsMountainCar())
      case .energy: phi = .mountainCarEnergy(try needsMountainCar())
      }
      rule = .potential(phi, gamma: gamma, factor: spec.factor)
    case .naiveProgress:
      let d = RewardShaping.distances(try needsGrid())
      rule = .progress(distance: d, bonus: ShapingSpec.naiveBonus * spec.factor)
    case .naiveVelocity:
      let physics = try needsMountainCar()
      rule = .velocity(bonus: MountainCarPotentials.velocityBonus * spec.factor, maxSpeed: physics.maxSpeed)
    case .naiveProximity:
      let d = RewardShaping.distances(try needsGrid())
      let finite = d.filter { $0.isFinite }
      let dMax = max(finite.max() ?? 1, 1)
      rule = .proximity(
        closeness: d.map { $0.isFinite ? 1 - $0 / dMax : 0 }, bonus: ShapingSpec.naiveBonus * spec.factor)
    }
  }

  /// Parses `name` and resolves it (the factory the training driver calls).
  public init(name: String, environment: EnvironmentSpec, gamma: Double) throws {
    try self.init(spec: try ShapingSpec.parse(name), environment: environment, gamma: gamma)
  }

  /// BFS distances with `+inf` for cells that cannot reach a goal.
  static func distances(_ map: GridMap) -> [Double] {
    GridPotentials.shortestPathDistances(map).map { $0.map(Double.init) ?? .infinity }
  }

  public func transform(
    reward: Double, observation: UnsafeBufferPointer<Float>, action: Int,
    nextObservation: UnsafeBufferPointer<Float>, terminated: Bool, truncated: Bool
  ) -> Double {
    switch rule {
    case .identity: return reward
    case .affine(let scale, let penalty): return scale * reward - penalty
    case .potential(let phi, let gamma, let factor):
      let current = phi.value(observation: observation, map: map)
      let next = terminated ? 0 : phi.value(observation: nextObservation, map: map)
      return reward + factor * (gamma * next - current)
    case .velocity(let bonus, let maxSpeed):
      return reward + bonus * abs(Double(nextObservation[1])) / maxSpeed
    case .progress, .proximity:
      return shapedReward(
        reward: reward, cell: map!.cell(fromObservation: observation),
        nextCell: map!.cell(fromObservation: nextObservation), terminated: terminated)
    }
  }

  /// The shaped reward of a gridworld transition between cells (what ``transform`` computes from
  /// observations; also used to build the shaped MDP for the solver).
  public func shapedReward(reward: Double, cell: Int, nextCell: Int, terminated: Bool) -> Double {
    switch rule {
    case .identity: return reward
    case .affine(let scale, let penalty): return scale * reward - penalty
    case .potential(let phi, let gamma, let factor):
      guard let values = phi.gridValues else {
        preconditionFailure("shapedReward(cell:) needs a gridworld potential, got \(spec.name)")
      }
      return reward + factor * (gamma * (terminated ? 0 : values[nextCell]) - values[cell])
    case .progress(let distance, let bonus):
      return reward + (distance[nextCell] < distance[cell] ? bonus : 0)
    case .proximity(let closeness, let bonus):
      return reward + bonus * closeness[nextCell]
    case .velocity:
      preconditionFailure("shapedReward(cell:) needs a gridworld shaping, got \(spec.name)")
    }
  }

  /// The MDP the agent learns on when state `s` is observed as `observations[s]` (a discretised
  /// classic-control environment such as ``MountainCarGrid``): `table` with every outcome's reward
  /// replaced by ``transform(reward:observation:action:nextObservation:terminated:truncated:)`` of
  /// the two states' observations, exactly what the vector runner computes.
  public func shapedTable(_ table: TransitionTable, observations: [[Float]]) -> TransitionTable {
    precondition(observations.count == table.stateCount, "one observation per state")
    var rows: [[[TransitionTable.Outcome]]] = []
    for s in 0..<table.stateCount {
      rows.append(
        (0..<table.actionCount).map { a in
          table.outcomes(state: s, action: a).map { o in
            var shaped = o
            shaped.reward = observations[s].withUnsafeBufferPointer { current in
              observations[o.next].withUnsafeBufferPointer { next in
                transform(
                  reward: o.reward, observation: current, action: a, nextObservation: next,
                  terminated: o.terminated, truncated: false)
              }
            }
            return shaped
          }
        })
    }
    return TransitionTable(
      stateCount: table.stateCount, actionCount: table.actionCount, initialState: table.initialState,
      outcomes: rows)
  }

  /// The MDP the agent effectively learns on: `table` with every outcome's reward shaped
  /// (gridworlds). Solving it with value iteration shows whether a shaping changes the optimal
  /// policy.
  public func shapedTable(_ table: TransitionTable) -> TransitionTable {
    precondition(map != nil, "shapedTable needs a gridworld shaping, got one for a non-grid environment")
    var rows: [[[TransitionTable.Outcome]]] = []
    for s in 0..<table.stateCount {
      rows.append(
        (0..<table.actionCount).map { a in
          table.outcomes(state: s, action: a).map { o in
            var shaped = o
            shaped.reward = shapedReward(
              reward: o.reward, cell: s, nextCell: o.next, terminated: o.terminated)
            return shaped
          }
        })
    }
    return TransitionTable(
      stateCount: table.stateCount, actionCount: table.actionCount, initialState: table.initialState,
      outcomes: rows)
  }
}
