import Foundation
import Runs
import Testing

@testable import Runs

/// Collects what a progress bar writes and lets a test set the clock.
final class FakeTerminal {
  var output = ""
  var now = 0.0
}

@Suite struct ProgressBarTests {
  func makeBar(_ terminal: FakeTerminal, style: ProgressBar.Style, total: Int = 1000, initial: Int = 0)
    -> ProgressBar
  {
    ProgressBar(
      total: total, initial: initial, label: "train", rateUnit: "SPS", style: style, barWidth: 10,
      write: { terminal.output += $0 }, clock: { terminal.now })
  }

  @Test func renderedLine() {
    let terminal = FakeTerminal()
    let bar = makeBar(terminal, style: .interactive)
    terminal.now = 10
    bar.update(450, extras: [("ep_rew_mean", 123.4)])
    // 45% of 10 cells = 4.5 cells: 4 full blocks and a half block. 450 steps in 10 s = 45 SPS;
    // 550 left at 45/s = 12.2 s.
    #expect(terminal.output == "\rtrain  45%|████▌     | 450/1000 [00:10<00:12, 45.00 SPS] ep_rew_mean=123.4")
  }

  @Test func interactiveRedrawsAtMostTenTimesPerSecond() {
    let terminal = FakeTerminal()
    let bar = makeBar(terminal, style: .interactive)
    for i in 1...100 {
      terminal.now = Double(i) * 0.01  // 100 updates in one second
      bar.update(i)
    }
    let draws = terminal.output.filter { $0 == "\r" }.count
    #expect(draws >= 9 && draws <= 11, "\(draws) redraws")
    bar.finish()
    #expect(terminal.output.hasSuffix("\n"))
    #expect(!terminal.output.dropLast().contains("\n"))  // one line, redrawn in place
  }

  @Test func linesModePrintsEveryTenPercent() {
    let terminal = FakeTerminal()
    let bar = makeBar(terminal, style: .lines)
    for step in stride(from: 7, through: 1000, by: 7) {
      terminal.now += 0.01
      bar.update(step)
    }
    bar.finish(done: 1000)
    let lines = terminal.output.split(separator: "\n")
    // 10%, 20%, ..., 90% plus the final line.
    #expect(lines.count == 10, "\(lines)")
    #expect(lines.first!.hasPrefix("train  10%"))
    #expect(lines.last!.hasPrefix("train 100%|██████████| 1000/1000"))
    #expect(!terminal.output.contains("\r"))
  }

  @Test func resumedBarCountsOnlyNewSteps() {
    let terminal = FakeTerminal()
    let bar = makeBar(terminal, style: .lines, initial: 500)
    terminal.now = 5
    bar.finish(done: 1000)
    #expect(terminal.output.contains("[00:05<00:00, 100 SPS]"))
  }

  @Test func formatting() {
    #expect(ProgressBar.duration(3725) == "1:02:05")
    #expect(ProgressBar.duration(65) == "01:05")
    #expect(ProgressBar.value(123.4) == "123.4")
    #expect(ProgressBar.value(0.01234) == "0.01234")
    #expect(ProgressBar.value(12345.6) == "12346")
    #expect(ProgressBar.value(.nan) == "nan")
    #expect(ProgressBar.bar(1, width: 4) == "████")
    #expect(ProgressBar.bar(0, width: 4) == "    ")
  }
}

@Suite(.serialized) struct InterruptTests {
  @Test func signalsAreCountedAndFlagged() async throws {
    // SIGUSR1 instead of SIGINT so the test runner's own Ctrl-C handling is not disturbed; the
    // second signal is counted instead of ending the test process.
    let handler = InterruptHandler.install(signals: [SIGUSR1], exitOnSecondSignal: false)
    defer { handler.uninstall() }
    #expect(!handler.isRequested && handler.receivedSignal == nil)
    kill(getpid(), SIGUSR1)
    var waited = 0
    while !handler.isRequested && waited < 200 {
      try await Task.sleep(nanoseconds: 10_000_000)
      waited += 1
    }
    #expect(handler.isRequested)
    #expect(handler.receivedSignal == SIGUSR1)
    kill(getpid(), SIGUSR1)
    waited = 0
    while handler.signalCount < 2 && waited < 200 {
      try await Task.sleep(nanoseconds: 10_000_000)
      waited += 1
    }
    #expect(handler.signalCount == 2)
  }

  /// The real second-signal path ends the process, so it runs in a child: this same test binary,
  /// filtered to this test, with an environment variable that selects the child's role.
  @Test func secondSignalExitsImmediately() async throws {
    if ProcessInfo.processInfo.environment["LOSSLAB_INTERRUPT_CHILD"] == "1" {
      let handler = InterruptHandler.install(signals: [SIGUSR1])
      kill(getpid(), SIGUSR1)
      while !handler.isRequested { try await Task.sleep(nanoseconds: 1_000_000) }
      kill(getpid(), SIGUSR1)
      try await Task.sleep(nanoseconds: 5_000_000_000)
      Issue.record("the second signal did not end the process")
      return
    }
    let binary = URL(fileURLWithPath: CommandLine.arguments[0])
    try #require(binary.path.hasSuffix(".xctest"), "test binary not found: \(binary.path)")
    let child = Process()
    child.executableURL = binary
    child.arguments = ["--testing-library", "swift-testing", "--filter", "secondSignalExitsImmediately"]
    var environment = ProcessInfo.processInfo.environment
    environment["LOSSLAB_INTERRUPT_CHILD"] = "1"
    child.environment = environment
    let errors = Pipe()
    child.standardError = errors
    child.standardOutput = FileHandle.nullDevice
    try child.run()
    let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    child.waitUntilExit()
    #expect(child.terminationReason == .exit)
    #expect(child.terminationStatus == 128 + SIGUSR1, "child stderr: \(output)")
    #expect(output.contains("saving a checkpoint") && output.contains("quitting immediately"))
  }

  @Test func requestFromCode() {
    let handler = InterruptHandler.install(signals: [], exitOnSecondSignal: false)
    #expect(!handler.isRequested)
    handler.request()
    #expect(handler.isRequested && handler.receivedSignal == nil)
  }
}

@Suite struct NumericGuardTests {
  @Test func namesMetricAndStep() throws {
    try NumericGuard.check([("train/loss", 0.5), ("train/value_loss", 2)], step: 10)
    do {
      try NumericGuard.check(
        [("train/loss", 0.5), ("train/value_loss", .nan), ("train/entropy", -.infinity)], step: 2048)
      Issue.record("expected a NonFiniteMetricError")
    } catch let error as NonFiniteMetricError {
      #expect(error.metric == "train/value_loss" && error.step == 2048)
      #expect(error.allMetrics == ["train/value_loss", "train/entropy"])
      #expect(
        error.description.hasPrefix("train/value_loss is nan at step 2048 (also non-finite: train/entropy)"))
    }
    #expect(throws: NonFiniteMetricError.self) { try NumericGuard.check(["b": 1, "a": .infinity], step: 1) }
  }
}
