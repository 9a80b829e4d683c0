import Core
import Foundation
import TestSupport
import Testing

@testable import Training

@Suite struct SweepSpaceTests {
  static func parse(_ text: String) throws -> SweepSpace { try SweepSpace.parse(text, file: "space.yaml") }

  /// The error message of a space that must be refused.
  static func refusal(_ text: String) -> String {
    do {
      _ = try parse(text)
      return "accepted"
    } catch let error as ConfigError {
      return error.message
    } catch {
      return "\(error)"
    }
  }

  @Test func exampleFilesParse() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let cartpole = try SweepSpace.load(
      contentsOf: root.appendingPathComponent("environments/sweeps/cartpole-ppo.yaml"))
    #expect(cartpole.parameters.map(\.name) == ["learning_rate", "n_epochs", "gamma", "ent_coef"])
    #expect(cartpole.parameters[0].kind == .logUniform(low: 1e-4, high: 3e-3))
    #expect(cartpole.parameters[0].text(.real(0.001)) == "lin_0.001")
    #expect(cartpole.parameters[1].kind == .int(low: 4, high: 20, step: 4, log: false))
    #expect(cartpole.parameters[1].cardinality == 5)
    #expect(cartpole.parameters[2].kind == .choice(["0.95", "0.98", "0.99"]))
    let rooms = try SweepSpace.load(
      contentsOf: root.appendingPathComponent("environments/sweeps/fourrooms-ppo.yaml"))
    #expect(rooms.parameters[1].kind == .choice(["32,32", "64,64"]))
    #expect(rooms.parameters[2].kind == .int(low: 32, high: 256, step: 1, log: true))
    #expect(rooms.parameters[3].isShaping)
  }

  @Test func valuesRoundTripThroughText() throws {
    let space = try Self.parse(
      """
      parameters:
        gamma: {type: uniform, low: 0.9, high: 0.999}
        n_epochs: {type: int, low: 1, high: 30}
        activation_fn: {type: choice, values: [tanh, relu]}
      """)
    let values: [SweepValue] = [.real(0.912_345_678_912_345_6), .integer(17), .choice(1)]
    for (p, v) in zip(space.parameters, values) { #expect(p.value(fromText: p.rawText(v)) == v) }
    #expect(space.parameters[0].value(fromText: "1.5") == nil)
    #expect(space.parameters[2].value(fromText: "sigmoid") == nil)
  }

  @Test(arguments: [
    ("parameters:\n  gama: {type: uniform, low: 0, high: 1}\n", "space.yaml:2:3: unknown parameter 'gama'"),
    (
      "parameters:\n  gamma: {type: normal, low: 0, high: 1}\n",
      "space.yaml:2:17: gamma: unknown type 'normal'"
    ),
    ("parameters:\n  gamma: {type: uniform, low: 0.9}\n", "space.yaml:2:10: gamma: missing `high`"),
    (
      "parameters:\n  gamma: {type: uniform, low: 0.9, high: 0.5}\n",
      "space.yaml:2:42: gamma: `high` 0.5 must be above"
    ),
    (
      "parameters:\n  gamma: {type: uniform, low: 0.9, high: 1.5}\n",
      "space.yaml:2:31: invalid value '1.5' for gamma"
    ),
    (
      "parameters:\n  learning_rate: {type: loguniform, low: 0, high: 1}\n",
      "space.yaml:2:42: learning_rate: `low` 0.0 must be positive"
    ),
    (
      "parameters:\n  gamma:\n    type: choice\n    values: [0.9, 2]\n",
      "space.yaml:4:13: invalid value '2' for gamma"
    ),
    (
      "parameters:\n  gamma: {type: choice, values: []}\n",
      "space.yaml:2:33: gamma: `values` must be a non-empty list"
    ),
    (
      "parameters:\n  n_epochs: {type: int, low: 1, high: 10, step: 4}\n",
      "n_epochs: `high` - `low` (9) must be a multiple"
    ),
    (
      "parameters:\n  n_epochs: {type: int, low: 0, high: 10, log: true}\n",
      "n_epochs: `low` 0 must be at least 1"
    ),
    (
      "parameters:\n  n_epochs: {type: int, low: 1, high: 10, foo: 1}\n",
      "space.yaml:2:43: n_epochs: unknown field 'foo'"
    ),
    ("parameters:\n  n_epochs: {type: choice, values: [1], low: 3}\n", "`low` does not apply to type choice"),
    (
      "parameters:\n  shaping: {type: choice, values: [none, 'pbrs:nope']}\n",
      "space.yaml:2:35: shaping: unknown"
    ),
    ("parameters:\n  n_timesteps: {type: int, low: 1, high: 10}\n", "unknown parameter 'n_timesteps'"),
    ("params:\n  gamma: 1\n", "space.yaml:1:1: unknown key 'params' (allowed: parameters)"),
    ("parameters:\n  gamma: [1, 2\n", "space.yaml:3:1: not valid YAML"),
    ("parameters: {}\n", "space.yaml:1:13: `parameters` must be a non-empty mapping"),
    ("- a\n", "space.yaml:1:1: expected a mapping"),
  ])
  func refusalsNameFileLineAndColumn(text: String, expected: String) {
    let message = Self.refusal(text)
    #expect(message.contains(expected), "\(message)")
  }
}
