import Core
import Environments
import Foundation
import Tensors
import TestSupport
import Testing

@testable import Environments

/// `shared/reference/gridworld/FORMAT.md`: Gymnasium 1.4.0's `P[state][action]`.
struct GymnasiumTable: Decodable {
  var nS: Int
  var nA: Int
  var desc: [String]?
  var maxEpisodeSteps: Int?
  var initialStateDistribution: [Double]
  var transitions: [String: [String: [[Outcome]]]]
  enum CodingKeys: String, CodingKey {
    case nS, nA, desc
    case transitions = "P"
    case maxEpisodeSteps = "max_episode_steps"
    case initialStateDistribution = "initial_state_distrib"
  }

  /// `[probability, next_state, reward, terminated]`.
  enum Outcome: Decodable {
    case number(Double)
    case flag(Bool)
    init(from decoder: Decoder) throws {
      let c = try decoder.singleValueContainer()
      if let b = try? c.decode(Bool.self) {
        self = .flag(b)
      } else {
        self = .number(try c.decode(Double.self))
      }
    }
    var number: Double {
      if case .number(let x) = self { return x }
      return .nan
    }
    var flag: Bool? {
      if case .flag(let b) = self { return b }
      return nil
    }
  }

  static func load(_ file: String) throws -> GymnasiumTable {
    try JSONDecoder().decode(GymnasiumTable.self, from: Fixtures.data("gridworld/\(file)"))
  }
}

/// Outcomes merged per next state: probability summed, (reward, terminated) required consistent.
struct Merged: Equatable, CustomStringConvertible {
  var probability: Double
  var reward: Double
  var terminated: Bool
  var description: String { "(p \(probability), r \(reward), \(terminated))" }
}

func merge(_ outcomes: [(Double, Int, Double, Bool)]) -> [Int: Merged] {
  var out: [Int: Merged] = [:]
  for (p, next, r, t) in outcomes {
    if var m = out[next] {
      precondition(m.reward == r && m.terminated == t, "inconsistent duplicate outcome")
      m.probability += p
      out[next] = m
    } else {
      out[next] = Merged(probability: p, reward: r, terminated: t)
    }
  }
  return out
}

@Suite struct GridworldTableTests {
  static let cases: [(file: String, map: String, options: [String: String])] = [
    ("frozenlake_4x4_deterministic.json", "frozenlake-4x4", ["slippery": "false"]),
    ("frozenlake_4x4_slippery.json", "frozenlake-4x4", [:]),
    ("frozenlake_8x8_slippery.json", "frozenlake-8x8", [:]),
    ("cliffwalking.json", "cliffwalking", [:]),
  ]

  static func table(_ map: String, _ options: [String: String]) throws -> (GridMap, TransitionTable) {
    let spec = try EnvironmentSpec.parse(
      "gridworld:\(map)", options: options, mapsDirectory: Fixtures.mapsDirectory)
    let grid = try #require(spec.gridMap)
    return (grid, TransitionTable(map: grid))
  }

  @Test(arguments: cases.indices)
  func transitionTableMatchesGymnasium(_ k: Int) throws {
    let (file, name, options) = Self.cases[k]
    let reference = try GymnasiumTable.load(file)
    let (map, table) = try Self.table(name, options)
    #expect(table.stateCount == reference.nS && table.actionCount == reference.nA)
    #expect(map.settings.timeLimit == reference.maxEpisodeSteps, "\(file): time limit")
    #expect(reference.initialStateDistribution[table.initialState] == 1)
    if let desc = reference.desc {
      #expect(map.text.replacingOccurrences(of: ".", with: "F") == desc.joined(separator: "\n"))
    }
    var compared = 0
    for s in 0..<reference.nS {
      for a in 0..<reference.nA {
        let expected = merge(
          try #require(reference.transitions["\(s)"]?["\(a)"]).map {
            ($0[0].number, Int($0[1].number), $0[2].number, $0[3].flag!)
          })
        let ours = merge(
          table.outcomes(state: s, action: a).map { ($0.probability, $0.next, $0.reward, $0.terminated) })
        #expect(Set(ours.keys) == Set(expected.keys), "\(file) P[\(s)][\(a)] next states")
        for (next, e) in expected {
          guard let o = ours[next] else { continue }
          #expect(
            abs(o.probability - e.probability) <= 1e-15, "\(file) P[\(s)][\(a)] -> \(next): \(o) vs \(e)")
          #expect(
            o.reward == e.reward && o.terminated == e.terminated,
            "\(file) P[\(s)][\(a)] -> \(next): \(o) vs \(e)")
          compared += 1
        }
      }
    }
    #expect(compared >= reference.nS * reference.nA)
  }

  /// `env table --json` prints the same outcomes, unmerged, in Gymnasium's order.
  @Test func gymnasiumJSONRoundTrips() throws {
    let reference = try Fixtures.data("gridworld/frozenlake_8x8_slippery.json")
    let (_, table) = try Self.table("frozenlake-8x8", [:])
    let ours = try JSONDecoder().decode(GymnasiumTable.Tables.self, from: Data(table.gymnasiumJSON.utf8))
    let theirs = try JSONDecoder().decode(GymnasiumTable.Tables.self, from: reference)
    #expect(ours.nS == theirs.nS && ours.nA == theirs.nA)
    for (s, actions) in theirs.transitions {
      for (a, outcomes) in actions {
        let mine = try #require(ours.transitions[s]?[a])
        #expect(mine.count == outcomes.count)
        for (x, y) in zip(mine, outcomes) {
          #expect(x[0].number == y[0].number && x[1].number == y[1].number && x[2].number == y[2].number)
          #expect(x[3].flag == y[3].flag)
        }
      }
    }
  }

  /// Stepping samples the table: empirical next-state frequencies from one state-action pair.
  @Test func stepsSampleTheTable() throws {
    let (map, table) = try Self.table("frozenlake-4x4", [:])
    var env = Gridworld(map: map)
    var rng = Core.RandomGenerator(seed: 5)
    var obs = [Float](repeating: 0, count: env.observationSize)
    var counts: [Int: Int] = [:]
    let n = 30_000
    for _ in 0..<n {
      obs.withUnsafeMutableBufferPointer { env.reset(using: &rng, observation: $0) }
      _ = obs.withUnsafeMutableBufferPointer { env.step(1, using: &rng, observation: $0) }  // down from 0
      counts[env.cell, default: 0] += 1
      #expect(obs[env.cell] == 1 && obs.reduce(0, +) == 1)
    }
    for (next, m) in merge(
      table.outcomes(state: 0, action: 1).map { ($0.probability, $0.next, $0.reward, $0.terminated) })
    {
      let p = Double(counts[next] ?? 0) / Double(n)
      #expect(abs(p - m.probability) < 4 * (m.probability * (1 - m.probability) / Double(n)).squareRoot())
    }
  }
}

extension GymnasiumTable {
  struct Tables: Decodable {
    var nS: Int
    var nA: Int
    var transitions: [String: [String: [[Outcome]]]]
    enum CodingKeys: String, CodingKey {
      case nS, nA
      case transitions = "P"
    }
  }
}
