import Environments
import TestSupport
import Testing

@testable import Environments

@Suite struct GridMapParserTests {
  func error(_ text: String) -> String? {
    do {
      _ = try GridMap.parse(text, file: "m.map", name: "m")
      return nil
    } catch let e as GridMapError {
      return e.description
    } catch {
      return "unexpected \(error)"
    }
  }

  @Test func headerAndGrid() throws {
    let text = """
      # A corridor.
      slippery = true
      success_rate = 1/3
      step_reward = -1
      time_limit = none
      action_order = up,right,down,left
      ---
      S.FG
      #HC.

      """
    let map = try GridMap.parse(text, file: "c.map", name: "c")
    #expect(map.rows == 2 && map.cols == 4 && map.start == 0 && map.goals == [3])
    #expect(map.cells == [.start, .free, .free, .goal, .wall, .hole, .cliff, .free])
    #expect(map.description == "A corridor.")
    #expect(map.settings.slippery == .true && map.settings.successRate == 1.0 / 3.0)
    #expect(map.settings.stepReward == -1 && map.settings.timeLimit == nil)
    #expect(map.settings.actionOrder == [.up, .right, .down, .left])
  }

  @Test func gridWithoutHeader() throws {
    let map = try GridMap.parse("SG\n", file: "g.map", name: "g")
    #expect(map.settings == GridSettings())
  }

  @Test func raggedRow() {
    #expect(error("S..\n..\n..G\n") == "m.map:2:3: ragged row: 2 cells where the first row has 3")
  }
  @Test func longRow() {
    #expect(error("S..\n....\n..G\n") == "m.map:2:4: ragged row: 4 cells where the first row has 3")
  }
  @Test func noStart() {
    #expect(error("# h\n---\n...\n..G\n") == "m.map:3:1: the map has no start cell 'S'")
  }
  @Test func severalStarts() {
    #expect(error("# h\n---\nS..\n.SG\n") == "m.map:4:2: a second start cell 'S' (the first is at 3:1)")
  }
  @Test func noGoal() { #expect(error("S..\n...\n") == "m.map:1:1: the map has no goal cell 'G'") }
  @Test func unknownCharacter() {
    #expect(
      error("S.x\n..G\n")
        == "m.map:1:3: unknown map character 'x' (allowed: . or F free, S start, G goal, # wall, H hole, C cliff)"
    )
  }
  @Test func unreachableGoal() {
    #expect(error("S.#..\n..#.G\n") == "m.map:2:5: the goal cannot be reached from the start")
    // Holes and cliffs block too.
    #expect(error("S.H.G\n") == "m.map:1:5: the goal cannot be reached from the start")
    #expect(error("S.C.G\n") == "m.map:1:5: the goal cannot be reached from the start")
  }
  @Test func badHeaderValues() {
    #expect(
      error("slippery = maybe\n---\nSG\n")
        == "m.map:1:11: invalid value 'maybe' for slippery (allowed: false|true|others)")
    #expect(
      error("time_limit = -3\n---\nSG\n")?.hasPrefix("m.map:1:13: invalid value '-3' for time_limit") == true)
    #expect(
      error("colour = red\n---\nSG\n")?.hasPrefix("m.map:1:1: unknown setting 'colour' (allowed: slippery,")
        == true)
    #expect(
      error("slippery\n---\nSG\n") == "m.map:1:1: expected 'key = value', '# comment' or '---' in the header")
    #expect(
      error("action_order = up,down,left,right\n---\nSG\n")?.hasPrefix("m.map:1:15: invalid value") == true)
  }
  @Test func emptyGrid() { #expect(error("a = 1\n---\n\n") != nil) }

  @Test func shippedMapsParseAndOverridesAreChecked() throws {
    let names = EnvironmentSpec.availableMaps(in: Fixtures.mapsDirectory)
    #expect(
      Set(names).isSuperset(of: [
        "frozenlake-4x4", "frozenlake-8x8", "cliffwalking", "fourrooms", "maze-21x21",
      ]))
    for name in names {
      _ = try EnvironmentSpec.parse("gridworld:\(name)", mapsDirectory: Fixtures.mapsDirectory)
    }
    let fourRooms = try #require(
      try EnvironmentSpec.parse("gridworld:fourrooms", mapsDirectory: Fixtures.mapsDirectory).gridMap)
    #expect(fourRooms.rows == 13 && fourRooms.cols == 13)
    #expect(fourRooms.cells.filter { $0 != .wall }.count == 104)  // 11x11 interior: 4 rooms + 4 hallways
    do {
      _ = try EnvironmentSpec.parse(
        "gridworld:frozenlake-4x4", options: ["slipery": "false"], mapsDirectory: Fixtures.mapsDirectory)
      Issue.record("unknown key accepted")
    } catch let e as EnvironmentError {
      #expect(e.message.contains("unknown setting 'slipery'") && e.message.contains("slippery"))
    }
    do {
      _ = try EnvironmentSpec.parse("gridworld:nowhere", mapsDirectory: Fixtures.mapsDirectory)
      Issue.record("unknown map accepted")
    } catch let e as EnvironmentError {
      #expect(e.message.contains("frozenlake-8x8"))
    }
    #expect(throws: EnvironmentError.self) {
      try EnvironmentSpec.parse("cartpole", options: ["sutton_barto_reward": "yes"])
    }
    #expect(throws: EnvironmentError.self) { try EnvironmentSpec.parse("MountainCar-v1") }
    #expect(
      try EnvironmentSpec.parseOptions(["slippery=false", "time_limit=7"]) == [
        "slippery": "false", "time_limit": "7",
      ])
    #expect(throws: EnvironmentError.self) { try EnvironmentSpec.parseOptions(["slippery"]) }
  }
}
