import Environments
import Foundation
import Reinforcement
import Testing

@testable import Reinforcement

@Suite struct ShapingParsingTests {
  @Test func namesAndFactors() throws {
    #expect(try ShapingSpec.parse("none").kind == .none)
    #expect(try ShapingSpec.parse("pbrs:bfs").kind == .potentialBased(.bfs))
    let scaled = try ShapingSpec.parse("pbrs:bfs*0.5")
    #expect(scaled.kind == .potentialBased(.bfs) && scaled.factor == 0.5 && scaled.name == "pbrs:bfs*0.5")
    #expect(
      try ShapingSpec.parse("pbrs:file=maps/my*pot.txt").kind == .potentialBased(.file("maps/my*pot.txt")))
    #expect(try ShapingSpec.parse("pbrs:file=p.txt*2").factor == 2)
    #expect(try ShapingSpec.parse("naive:progress*3").kind == .naiveProgress)
    #expect(try ShapingSpec.parse("step-penalty:0.01").kind == .stepPenalty(0.01))
    #expect(try ShapingSpec.parse("scale:0.1").kind == .scale(0.1))
  }

  @Test func unknownNamesListTheKnownOnes() {
    #expect {
      try ShapingSpec.parse("pbrs:euclid")
    } throws: { error in
      let message = (error as? ShapingError)?.message ?? ""
      return message.contains("unknown shaping 'pbrs:euclid'")
        && ShapingSpec.known.allSatisfy { message.contains($0) }
    }
    #expect(throws: ShapingError.self) { try ShapingSpec.parse("scale:0.1*2") }
    #expect(throws: ShapingError.self) { try ShapingSpec.parse("step-penalty:abc") }
    #expect(throws: ShapingError.self) { try ShapingSpec.parse("pbrs:bfs*0") }
  }

  @Test func shapingsCheckTheEnvironment() throws {
    let cartpole = try EnvironmentSpec.parse("cartpole")
    #expect(throws: ShapingError.self) {
      try RewardShaping(name: "pbrs:bfs", environment: cartpole, gamma: 0.99)
    }
    #expect(throws: ShapingError.self) {
      try RewardShaping(name: "naive:progress", environment: cartpole, gamma: 0.99)
    }
    let map = try ShapingMaps.load("fourrooms")
    #expect(throws: ShapingError.self) {
      try RewardShaping(name: "pbrs:upright", environment: ShapingMaps.spec(map), gamma: 0.99)
    }
  }

  @Test func mountainCarShapings() throws {
    #expect(try ShapingSpec.parse("pbrs:height").kind == .potentialBased(.height))
    #expect(try ShapingSpec.parse("pbrs:energy*0.5").factor == 0.5)
    #expect(try ShapingSpec.parse("naive:velocity*2").kind == .naiveVelocity)
    #expect(ShapingSpec(kind: .naiveVelocity, factor: 2).name == "naive:velocity*2.0")
    let car = try EnvironmentSpec.parse("MountainCar-v0")
    #expect(
      ShapingSpec.available(for: car) == [
        "none", "pbrs:height", "pbrs:energy", "naive:velocity", "step-penalty:C", "scale:K",
      ])
    #expect(
      ShapingSpec.available(for: try EnvironmentSpec.parse("mountaincar-continuous")).contains("pbrs:energy"))
    #expect(
      ShapingSpec.available(for: try EnvironmentSpec.parse("cartpole")) == [
        "none", "pbrs:upright", "step-penalty:C", "scale:K",
      ])
    #expect(
      ShapingSpec.available(for: try EnvironmentSpec.parse("pendulum")) == [
        "none", "step-penalty:C", "scale:K",
      ])
    for name in ["pbrs:height", "pbrs:energy*2", "naive:velocity"] {
      _ = try RewardShaping(name: name, environment: car, gamma: 0.99)
    }
    // Specs that do not fit the environment name what it needs and what fits.
    func message(_ name: String, _ env: String) -> String {
      do {
        _ = try RewardShaping(name: name, environment: try EnvironmentSpec.parse(env), gamma: 0.99)
        return "no error"
      } catch { return (error as? ShapingError)?.message ?? "\(error)" }
    }
    #expect(
      message("pbrs:height", "cartpole")
        == "shaping 'pbrs:height' needs mountaincar or mountaincar-continuous (for cartpole use none, pbrs:upright, step-penalty:C, scale:K)"
    )
    #expect(message("naive:velocity", "Acrobot-v1").contains("for acrobot use none, step-penalty:C, scale:K"))
    #expect(
      message("pbrs:bfs", "mountaincar").contains("needs a gridworld (for mountaincar use none, pbrs:height"))
    #expect(message("pbrs:upright", "mountaincar").hasPrefix("shaping 'pbrs:upright' needs cartpole"))
    let map = try ShapingMaps.load("fourrooms")
    #expect(throws: ShapingError.self) {
      try RewardShaping(name: "pbrs:energy", environment: ShapingMaps.spec(map), gamma: 0.99)
    }
  }

  // MARK: potential files

  let map = { () -> GridMap in
    try! GridMap.parse("---\n#####\n#S.G#\n#####\n", file: "t.map", name: "tiny")
  }()

  func parse(_ text: String) throws -> Potential {
    try PotentialFile.parse(text, map: map, path: "pot.txt")
  }

  func message(_ text: String) -> String {
    do {
      _ = try parse(text)
      return "no error"
    } catch {
      return (error as? ShapingError)?.message ?? "\(error)"
    }
  }

  @Test func potentialFileParses() throws {
    let phi = try parse("# a comment\nx x x x x\n\nx -2 -1.5 0 x\n x x x x x \n")
    #expect(phi.gridValues == [0, 0, 0, 0, 0, 0, -2, -1.5, 0, 0, 0, 0, 0, 0, 0])
    // Round trip through the writer.
    let text = PotentialFile.format(phi.gridValues!, map: map, comment: "tiny\nPhi")
    #expect(try parse(text) == phi)
  }

  @Test func potentialFileErrorsNameLineAndColumn() {
    #expect(
      message("x x x x x\nx -2 abc 0 x\nx x x x x\n")
        == "pot.txt:2:6: expected a finite number or x, got 'abc'")
    #expect(
      message("x x x x x\nx -2 -1 0\nx x x x x\n")
        == "pot.txt:2:10: row 2 has 4 values; the map has 5 columns")
    #expect(message("x x x x x\nx -2 -1 0 x 7\n") == "pot.txt:2:13: row 2 has more than the map's 5 columns")
    #expect(
      message("x x x x x\nx x -1 0 x\nx x x x x\n").hasPrefix("pot.txt:2:3: 'x' is only allowed for walls"))
    #expect(message("x x x x x\nx -2 -1 0 x\n") == "pot.txt:3:1: the file has 2 rows; the map 'tiny' has 3")
    #expect(
      message("x x x x x\nx -2 -1 0 x\nx x x x x\n1 1 1 1 1\n")
        == "pot.txt:4:1: more rows than the map 'tiny' has (3 rows of 5 cells)")
    #expect(message("x x x x x\nx -2 inf 0 x\nx x x x x\n").hasPrefix("pot.txt:2:6:"))
  }

  @Test func shippedExamplePotentialsLoad() throws {
    let folder = ShapingMaps.root.appendingPathComponent("environments/potentials")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
      $0.hasSuffix(".txt")
    }
    #expect(!files.isEmpty)
    for file in files {
      // Example files are named <map>.<what>.txt.
      let mapName = String(file.split(separator: ".")[0])
      let map = try ShapingMaps.load(mapName)
      let phi = try PotentialFile.load(contentsOf: folder.appendingPathComponent(file), map: map)
      #expect(phi.gridValues?.count == map.cellCount)
    }
  }
}
