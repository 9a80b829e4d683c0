import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Graceful Ctrl-C / SIGTERM for training loops.
///
/// The first signal only sets a flag and prints one line: the loop checks ``isRequested`` between
/// updates, saves a checkpoint, marks the run `interrupted` and returns. A second signal ends the
/// process at once (exit status 128 + signal number, as shells report it).
///
/// ```swift
/// let interrupt = InterruptHandler.install()
/// defer { interrupt.uninstall() }
/// while step < total {
///   try update()
///   if interrupt.isRequested {
///     try run.saveCheckpoint(...)
///     try run.writeStatus(.interrupted)
///     break
///   }
/// }
/// ```
///
/// Implementation note: the handler is a plain C signal handler that only touches lock-free
/// atomics and calls `write(2)` / `_exit(2)` (all async-signal-safe). `DispatchSourceSignal` was
/// tried first and is unreliable on Linux in a multi-threaded process: swift-corelibs-libdispatch
/// reads signals through a `signalfd` on its own thread, and a signal delivered to any other
/// thread (the training loop, a test runner worker) stays pending there; in our test the first
/// SIGUSR1 was never seen in 5 s. Signal dispositions are process-wide, so there is one shared
/// state: install one handler at a time. Thread-safe (`Sendable`).
public final class InterruptHandler: Sendable {
  private let signals: [Int32]

  private init(signals: [Int32]) { self.signals = signals }

  /// Starts catching `signals` (Ctrl-C and SIGTERM by default) and clears any earlier request.
  /// Call ``uninstall()`` when the loop is over to restore the default actions.
  public static func install(signals: [Int32] = [SIGINT, SIGTERM]) -> InterruptHandler {
    install(signals: signals, exitOnSecondSignal: true)
  }

  /// `exitOnSecondSignal: false` lets tests send a second signal without ending the test process.
  static func install(signals: [Int32], exitOnSecondSignal: Bool) -> InterruptHandler {
    // Touch every static before a handler can run: first access of a static runs a lazy
    // initialiser (swift_once), which is not async-signal-safe.
    InterruptState.count.store(0, ordering: .sequentiallyConsistent)
    InterruptState.lastSignal.store(0, ordering: .sequentiallyConsistent)
    InterruptState.exitOnSecond.store(exitOnSecondSignal, ordering: .sequentiallyConsistent)
    // A parent may have spawned us with these signals blocked (test runners, some supervisors):
    // unblock them, or a Ctrl-C would stay pending and the run would not stop.
    var mask = sigset_t()
    sigemptyset(&mask)
    for number in signals { sigaddset(&mask, number) }
    _ = sigprocmask(SIG_UNBLOCK, &mask, nil)
    for number in signals {
      // glibc's signal() has BSD semantics: the handler stays installed and SA_RESTART is set, so
      // blocking calls in the loop are not failed with EINTR.
      _ = signal(number, interruptSignalHandler)
    }
    return InterruptHandler(signals: signals)
  }

  /// True once a signal arrived (or ``request()`` was called): stop after the current update.
  public var isRequested: Bool { InterruptState.count.load(ordering: .acquiring) > 0 }

  /// The signal that requested the stop (`SIGINT`, `SIGTERM`), or `nil` if none (or only
  /// ``request()``).
  public var receivedSignal: Int32? {
    let s = InterruptState.lastSignal.load(ordering: .acquiring)
    return s == 0 ? nil : s
  }

  /// Signals received since ``install(signals:)`` (tests; a second one normally exits).
  var signalCount: Int { InterruptState.count.load(ordering: .acquiring) }

  /// Requests a stop from code (a time budget running out, say), as a first signal would.
  public func request() { InterruptState.count.add(1, ordering: .releasing) }

  /// Restores the default action of the caught signals (Ctrl-C kills the process again).
  public func uninstall() {
    for number in signals { _ = signal(number, SIG_DFL) }
  }
}

/// Process-wide state shared with the C signal handler (lock-free atomics only).
enum InterruptState {
  static let count = Atomic<Int>(0)
  static let lastSignal = Atomic<Int32>(0)
  static let exitOnSecond = Atomic<Bool>(true)
  static let firstMessage: StaticString =
    "\nlosslab: stop requested: finishing the current update, saving a checkpoint and exiting (press Ctrl-C again to quit immediately)\n"
  static let secondMessage: StaticString =
    "\nlosslab: second stop request: quitting immediately without saving\n"
}

/// The signal handler: async-signal-safe operations only (atomics, write, _exit).
private func interruptSignalHandler(_ number: Int32) {
  InterruptState.lastSignal.store(number, ordering: .releasing)
  let n = InterruptState.count.add(1, ordering: .acquiringAndReleasing).newValue
  let message = n == 1 ? InterruptState.firstMessage : InterruptState.secondMessage
  _ = write(STDERR_FILENO, message.utf8Start, message.utf8CodeUnitCount)
  if n > 1 && InterruptState.exitOnSecond.load(ordering: .acquiring) {
    _exit(128 + number)
  }
}
