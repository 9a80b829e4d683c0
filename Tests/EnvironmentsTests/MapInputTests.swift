import Environments
import Testing

@testable import Environments

/// Map text as other tools write it, and settings a user can push too far.
@Suite struct MapInputTests {
  @Test func crlfLineEndsParseLikeLF() throws {
    let lf = "# A corridor.\nslippery = false\ntime_limit = 7\n---\nS.FG\n#HC.\n"
    let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
    let a = try GridMap.parse(lf, file: "lf.map", name: "m")
    let b = try GridMap.parse(crlf, file: "crlf.map", name: "m")
    #expect(a.rows == b.rows && a.cols == b.cols && a.cells == b.cells)
    #expect(a.settings == b.settings && b.settings.timeLimit == 7 && a.description == b.description)
  }

  @Test func crlfErrorsPointAtTheRightColumn() {
    do {
      _ = try GridMap.parse("S.xG\r\n", file: "m.map", name: "m")
      Issue.record("accepted")
    } catch let error as GridMapError {
      #expect(error.line == 1 && error.column == 3, "\(error)")
    } catch {
      Issue.record("\(error)")
    }
  }

  /// The finite-horizon solver keeps a table per step, so the limit is capped (and said so).
  @Test func timeLimitIsCapped() throws {
    var settings = GridSettings()
    try settings.set("time_limit", "\(GridSettings.maximumTimeLimit)")
    #expect(settings.timeLimit == GridSettings.maximumTimeLimit)
    #expect(throws: SettingError.self) { try settings.set("time_limit", "100000000") }
    #expect(throws: EnvironmentError.self) {
      try EnvironmentSpec.parse("cartpole", options: ["time_limit": "9999999999999"])
    }
  }

  /// With LOSSLAB_ENVIRONMENTS unset, the checkout's folder is among the places searched.
  @Test func environmentsFolderCandidatesIncludeTheCheckout() {
    let places = EnvironmentsFolder.candidates().map(\.path)
    #expect(places.contains(EnvironmentsFolder.checkoutRoot().appendingPathComponent("environments").path))
    #expect(EnvironmentsFolder.locate() != nil)
  }
}
