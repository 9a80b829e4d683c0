import Testing

@testable import Environments

/// Replay inputs found by the fuzz harness FuzzReplay (scripts/fuzz, docs/reliability.md).
@Suite struct HostileReplayTests {
  /// A replay document with a huge Acrobot angle hung `env replay` in Gymnasium's wrap loop.
  @Test func acrobotWrapEndsOnHugeAndNonFiniteAngles() {
    #expect(Acrobot.wrap(1e300, -.pi, .pi).isNaN)
    #expect(Acrobot.wrap(.infinity, -.pi, .pi).isNaN)
    #expect(Acrobot.wrap(.nan, -.pi, .pi).isNaN)
    #expect(Acrobot.wrap(3 * .pi, -.pi, .pi) == 3 * .pi - 2 * .pi)
    #expect(Acrobot.wrap(0.5, -.pi, .pi) == 0.5)
  }
}
