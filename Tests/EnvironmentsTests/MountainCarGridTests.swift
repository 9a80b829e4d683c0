import Environments
import Testing

@testable import Environments

/// The discretised MountainCar the shaping tests solve exactly.
@Suite struct MountainCarGridTests {
  @Test func transitionsAreTheExactDynamicsSnapped() {
    let grid = MountainCarGrid(positionCount: 19, velocityCount: 15)
    #expect(grid.positions.first == -1.2 && grid.positions.last == 0.6 && grid.positions.count == 19)
    #expect(grid.velocities.first == -0.07 && grid.velocities.last == 0.07)
    #expect(grid.table.stateCount == 19 * 15 && grid.table.actionCount == 3)
    let start = grid.point(grid.table.initialState)
    #expect(abs(start.position + 0.5) < 1e-12 && start.velocity == 0)
    for s in 0..<grid.table.stateCount {
      let p = grid.point(s)
      #expect(grid.state(position: p.position, velocity: p.velocity) == s)
      for a in 0..<3 {
        let outcomes = Array(grid.table.outcomes(state: s, action: a))
        #expect(outcomes.count == 1 && outcomes[0].probability == 1)
        if grid.isGoal(s) {
          // Absorbing flag.
          #expect(outcomes[0] == .init(probability: 1, next: s, reward: 0, terminated: true, success: false))
          continue
        }
        let (x, v) = MountainCar.nextState((p.position, p.velocity), action: a)
        let reached = x >= 0.5 && v >= 0
        #expect(
          outcomes[0].reward == -1 && outcomes[0].terminated == reached && outcomes[0].success == reached)
        // Snapped to the nearest grid point.
        let q = grid.point(outcomes[0].next)
        #expect(abs(q.position - x) <= 0.05 + 1e-12 && abs(q.velocity - v) <= 0.005 + 1e-12)
      }
    }
    // Outside the bounds the nearest edge point.
    #expect(grid.state(position: 9, velocity: -9) == grid.state(positionIndex: 18, velocityIndex: 0))
  }

  @Test func theFlagIsReachableFromEveryStateOnAFineGrid() {
    let grid = MountainCarGrid(positionCount: 91, velocityCount: 71)
    let solution = ValueIteration.solve(grid.table, gamma: 0.99, tolerance: 1e-10)
    #expect(solution.values.allSatisfy { $0 > -99 })
    #expect(abs(grid.observations[grid.table.initialState][0] + 0.5) < 1e-6)
  }
}
