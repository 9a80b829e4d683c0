import Core
import Environments
import Foundation
import Tensors
import Testing

@testable import Environments

@Suite struct CartPoleTests {
  let reference: CartPoleReference

  init() throws { reference = try CartPoleReference.load() }

  static func close(_ a: [Double], _ b: [Double], _ tolerance: Double) -> Bool {
    zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
  }

  @Test func fixtureHasBothRewardVariants() {
    #expect(reference.cases.count >= 24)
    #expect(
      reference.cases.contains { $0.suttonBartoReward }
        && reference.cases.contains { !$0.suttonBartoReward })
  }

  /// FORMAT.md: set to the previous reference state, one step reproduces the next state to 1e-15,
  /// and every reward and flag exactly. The observation is the float32 cast of the state.
  @Test func oneStepMatchesEveryReferenceStep() {
    var steps = 0
    for c in reference.cases {
      var env = TimeLimit(CartPole(suttonBartoReward: c.suttonBartoReward), maxEpisodeSteps: 500)
      var rng = RandomGenerator(seed: 0)
      var obs = [Float](repeating: 0, count: 4)
      obs.withUnsafeMutableBufferPointer { env.reset(using: &rng, observation: $0) }
      var previous = c.initialState
      for (t, step) in c.steps.enumerated() {
        env.base.setState(previous)
        let outcome = obs.withUnsafeMutableBufferPointer {
          env.step(step.action, using: &rng, observation: $0)
        }
        let state = env.base.stateArray
        #expect(Self.close(state, step.state, 1e-15), "seed \(c.seed) step \(t): \(state) vs \(step.state)")
        #expect(outcome.reward == step.reward, "seed \(c.seed) step \(t)")
        #expect(outcome.terminated == step.terminated, "seed \(c.seed) step \(t)")
        #expect(outcome.truncated == step.truncated, "seed \(c.seed) step \(t)")
        #expect(step.state.map { Double(Float($0)) } == step.obs, "float32 observation = Float(state)")
        #expect(obs.map(Double.init) == state.map { Double(Float($0)) })
        previous = step.state
        steps += 1
      }
    }
    #expect(steps > 5000)
  }

  /// Free-running from `initial_state` under the reference actions: 1e-9 for the first 200 steps.
  @Test func freeRunMatchesFirst200Steps() {
    for c in reference.cases {
      var session = EnvironmentSession(
        TimeLimit(CartPole(suttonBartoReward: c.suttonBartoReward), maxEpisodeSteps: 500))
      _ = session.reset(seed: 0)
      session.environment.base.setState(c.initialState)
      for (t, step) in c.steps.prefix(200).enumerated() {
        let result = session.step(step.action)
        let state = session.environment.base.stateArray
        #expect(Self.close(state, step.state, 1e-9), "seed \(c.seed) step \(t)")
        #expect(
          zip(result.observation, step.obs).allSatisfy { abs(Double($0) - $1) <= 1e-6 * max(1, abs($1)) })
        #expect(
          result.reward == step.reward && result.terminated == step.terminated
            && result.truncated == step.truncated)
      }
    }
  }

  @Test func rewardVariantsAndTruncationAt500() {
    // Balance with the rendering controller: 500 steps, truncated, reward 1 (0 for Sutton-Barto) each.
    for sutton in [false, true] {
      var session = EnvironmentSession(TimeLimit(CartPole(suttonBartoReward: sutton), maxEpisodeSteps: 500))
      _ = session.reset(seed: 3)
      var total = 0.0
      var last: StepResult? = nil
      var n = 0
      while last.map({ !$0.terminated && !$0.truncated }) ?? true {
        last = session.step(Rendering.cartPoleController(session.environment.base.state))
        total += last!.reward
        n += 1
      }
      #expect(n == 500 && last!.truncated && !last!.terminated)
      #expect(total == (sutton ? 0 : 500))
    }
    // Always pushing left falls over: the terminating step pays 1 (or -1 for Sutton-Barto).
    for sutton in [false, true] {
      var session = EnvironmentSession(TimeLimit(CartPole(suttonBartoReward: sutton), maxEpisodeSteps: 500))
      _ = session.reset(seed: 1)
      var result = session.step(0)
      while !result.terminated { result = session.step(0) }
      #expect(result.reward == (sutton ? -1 : 1))
      #expect(!result.truncated)
    }
  }

  @Test func constantsAndInitialState() {
    #expect(CartPole.thetaThresholdRadians == 12 * 2 * Double.pi / 360)
    #expect(CartPole.totalMass == 1.1 && CartPole.poleMassLength == 0.05)
    var rng = RandomGenerator(seed: 9)
    var env = CartPole()
    var obs = [Float](repeating: 0, count: 4)
    for _ in 0..<1000 {
      obs.withUnsafeMutableBufferPointer { env.reset(using: &rng, observation: $0) }
      #expect(env.stateArray.allSatisfy { $0 >= -0.05 && $0 < 0.05 })
    }
  }
}
