import Core
import Environments
import Foundation
import TestSupport
import Testing

@testable import Environments

/// Acrobot-v1, MountainCar-v0, MountainCarContinuous-v0 and Pendulum-v1 against trajectories
/// recorded from Gymnasium 1.4.0 (Tests/Fixtures/classic_control/FORMAT.md).
@Suite struct ClassicControlTests {
  let reference: ClassicControlReference

  init() throws { reference = try ClassicControlReference.load() }

  static func close(_ a: [Double], _ b: [Double], _ tolerance: Double) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
  }

  func cases(_ env: ClassicControl) throws -> [ClassicControlReference.Case] {
    try #require(reference.envs[env.gymnasiumID]).cases
  }

  @Test func fixtureCoversEveryEnvironment() throws {
    #expect(Set(reference.envs.keys) == Set(ClassicControl.allCases.map(\.gymnasiumID)))
    for env in ClassicControl.allCases {
      let cases = try cases(env)
      #expect(cases.count == 6)
      #expect(
        reference.envs[env.gymnasiumID]!.stateDtype == (env == .mountainCarContinuous ? "float32" : "float64")
      )
      #expect(cases.allSatisfy { $0.steps.count == $0.length })
      if env != .pendulum { #expect(cases.contains { $0.steps.last!.terminated }, "\(env): goal reached") }
      #expect(cases.contains { $0.steps.last!.truncated }, "\(env): time limit reached")
    }
  }

  /// FORMAT.md: set to the previous reference state, one step reproduces the next state to 1e-12
  /// (MountainCarContinuous: the float32 state exactly), the reward exactly (1e-12 for the
  /// continuous envs) and the flags exactly. The time limit is checked in the free run.
  @Test(arguments: ClassicControl.allCases)
  func oneStepMatchesEveryReferenceStep(_ env: ClassicControl) throws {
    let continuous = env == .mountainCarContinuous || env == .pendulum
    var steps = 0
    var worst = 0.0
    for c in try cases(env) {
      var probe = ReplayProbe(env)
      var previous = c.initialState
      for (t, step) in c.steps.enumerated() {
        probe.set(previous, afterReset: t == 0)
        let outcome = probe.step(step.action)
        let state = probe.state
        let label = "\(env.gymnasiumID) seed \(c.seed) step \(t)"
        if env == .mountainCarContinuous {
          #expect(state == step.state, "\(label): \(state) vs \(step.state)")
          #expect(probe.observation.map(Double.init) == step.obs, "\(label): obs")
        } else {
          #expect(Self.close(state, step.state, 1e-12), "\(label): \(state) vs \(step.state)")
          for (a, b) in zip(state, step.state) { worst = max(worst, abs(a - b)) }
        }
        if continuous {
          #expect(abs(outcome.reward - step.reward) <= 1e-12 * max(1, abs(step.reward)), "\(label): reward")
        } else {
          #expect(outcome.reward == step.reward, "\(label): reward")
        }
        #expect(outcome.terminated == step.terminated, "\(label): terminated")
        #expect(!outcome.truncated)
        previous = step.state
        steps += 1
      }
    }
    #expect(steps > 900)
    print("\(env.gymnasiumID): \(steps) one-step transitions, largest state difference \(worst)")
  }

  /// Free-running from `initial_state` under the reference actions with Gymnasium's time limit:
  /// the first 200 steps of every case to 1e-12 (MountainCarContinuous: exactly), with the
  /// observation, reward and flags; and every case ends where the reference's does.
  @Test(arguments: ClassicControl.allCases)
  func freeRunMatchesTheReference(_ env: ClassicControl) throws {
    let continuous = env == .mountainCarContinuous || env == .pendulum
    for c in try cases(env) {
      var session = EnvironmentSession(
        TimeLimit(AnyEnvironment(env.makeBase()), maxEpisodeSteps: env.defaultTimeLimit))
      _ = session.reset(seed: 0)
      var base = session.environment.base.base as! any ReplayableEnvironment
      base.setState(c.initialState, afterReset: true)
      session.environment.base = AnyEnvironment(base)
      var exactSteps = 0
      for (t, step) in c.steps.enumerated() {
        let result =
          continuous ? session.step(continuous: [Float(step.action)]) : session.step(Int(step.action))
        let state = (session.environment.base.base as! any ReplayableEnvironment).stateArray
        let label = "\(env.gymnasiumID) seed \(c.seed) step \(t)"
        if state == step.state && result.observation.map(Double.init) == step.obs { exactSteps += 1 }
        if t < 200 {
          #expect(Self.close(state, step.state, env == .mountainCarContinuous ? 0 : 1e-12), "\(label)")
          #expect(
            zip(result.observation, step.obs).allSatisfy { abs(Double($0) - $1) <= 1e-6 * max(1, abs($1)) },
            "\(label): obs")
          #expect(abs(result.reward - step.reward) <= 1e-12 * max(1, abs(step.reward)), "\(label): reward")
          #expect(
            result.terminated == step.terminated && result.truncated == step.truncated, "\(label): flags")
        }
        if t == c.steps.count - 1 {
          #expect(result.terminated == step.terminated && result.truncated == step.truncated, "\(label): end")
        }
      }
      print(
        "\(env.gymnasiumID) seed \(c.seed): \(exactSteps) of \(c.steps.count) steps bit-exact free-running")
    }
  }

  /// The observation `reset` writes is Gymnasium's function of the state (checked on the
  /// reference's initial states), and the initial states lie in Gymnasium's ranges.
  @Test(arguments: ClassicControl.allCases)
  func resetDistributionAndInitialObservation(_ env: ClassicControl) throws {
    for c in try cases(env) {
      var probe = ReplayProbe(env)
      probe.set(c.initialState, afterReset: true)
      var obs = [Float](repeating: 0, count: probe.base.observationSize)
      switch env {
      case .acrobot:
        let s = c.initialState
        obs = [
          Float(cos(s[0])), Float(sin(s[0])), Float(cos(s[1])), Float(sin(s[1])), Float(s[2]), Float(s[3]),
        ]
      case .pendulum:
        obs = [Float(cos(c.initialState[0])), Float(sin(c.initialState[0])), Float(c.initialState[1])]
      default: obs = c.initialState.map { Float($0) }
      }
      #expect(obs.map(Double.init) == c.initialObs, "\(env) seed \(c.seed)")
    }
    var rng = RandomGenerator(seed: 17)
    var base = env.makeBase() as! any ReplayableEnvironment
    var observation = [Float](repeating: 0, count: base.observationSize)
    for _ in 0..<2000 {
      observation.withUnsafeMutableBufferPointer { base.reset(using: &rng, observation: $0) }
      let s = base.stateArray
      switch env {
      case .acrobot: #expect(s.allSatisfy { $0 >= -0.1 && $0 <= 0.1 && Double(Float($0)) == $0 })
      case .mountainCar, .mountainCarContinuous: #expect(s[0] >= -0.6 && s[0] < -0.4 && s[1] == 0)
      case .pendulum: #expect(s[0] >= -Double.pi && s[0] < Double.pi && s[1] >= -1 && s[1] < 1)
      }
    }
  }

  @Test func spacesAndTimeLimitsAreGymnasiums() throws {
    let acrobotHigh: [Float] = [1, 1, 1, 1, Float(4 * Double.pi), Float(9 * Double.pi)]
    #expect(Acrobot().observationSpace == .box(low: acrobotHigh.map { -$0 }, high: acrobotHigh, shape: [6]))
    #expect(Acrobot().actionSpace == .discrete(3) && MountainCar().actionSpace == .discrete(3))
    #expect(MountainCarContinuous().actionSpace == .box(low: [-1], high: [1], shape: [1]))
    #expect(Pendulum().actionSpace == .box(low: [-2], high: [2], shape: [1]))
    #expect(Pendulum().observationSpace == .box(low: [-1, -1, -8], high: [1, 1, 8], shape: [3]))
    #expect(
      MountainCar().observationSpace
        == .box(low: [Float(-1.2), Float(-0.07)], high: [Float(0.6), Float(0.07)], shape: [2]))
    #expect(ClassicControl.allCases.map(\.defaultTimeLimit) == [500, 200, 999, 200])
    #expect(Pendulum.angleNormalize(3 * Double.pi / 2) == -Double.pi / 2 + 0)
    #expect(Pendulum.angleNormalize(-Double.pi) == -Double.pi)
  }

  /// Gymnasium ids and LossLab names give the same spec; options and errors.
  @Test func namesAndIDs() throws {
    for env in ClassicControl.allCases {
      let byID = try EnvironmentSpec.parse(env.gymnasiumID)
      let byName = try EnvironmentSpec.parse(env.name)
      #expect(byID.name == env.name && byName.name == env.name && byID.classicControl == env)
      #expect(byID.timeLimit == env.defaultTimeLimit && byID.gymnasiumID == env.gymnasiumID)
      #expect(try EnvironmentSpec.parse(env.name, options: ["time_limit": "none"]).timeLimit == nil)
      #expect(throws: EnvironmentError.self) { try EnvironmentSpec.parse(env.name, options: ["g": "9.8"]) }
    }
    #expect(try EnvironmentSpec.parse("CartPole-v1").name == "cartpole")
    let maps = Fixtures.mapsDirectory
    #expect(try EnvironmentSpec.parse("FrozenLake-v1", mapsDirectory: maps).gridMap?.name == "frozenlake-4x4")
    #expect(try EnvironmentSpec.parse("CliffWalking-v1", mapsDirectory: maps).gridMap?.name == "cliffwalking")
    do {
      _ = try EnvironmentSpec.parse("Pendulum-v0")
      Issue.record("Pendulum-v0 accepted")
    } catch let error as EnvironmentError {
      #expect(error.message.contains("Pendulum-v1") && error.message.contains("mountaincar-continuous"))
    }
  }
}
