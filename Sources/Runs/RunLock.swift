import Core
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The lock that keeps two processes out of one run folder: `flock(2)` on `.lock` in the
/// folder, holding the owner's PID, host and start time for the refusal message. The kernel
/// releases it when the owner exits in any way (a SIGKILL too), so a lock is never stale; the
/// file left behind is only a note (a stale note is overwritten by the next owner). `rl compare`
/// takes it on the comparison folder too, so two comparisons (or a comparison and a sweep) never
/// share one.
public final class RunLock {
  public static let fileName = ".lock"
  private let fd: Int32

  /// Takes the lock of `folder` (which must exist).
  /// - Throws: ``RunLifecycleError/usage(_:)`` naming the owner when another process holds it;
  ///   ``FileError`` when the lock file cannot be opened.
  public init(folder: URL) throws {
    let url = folder.appendingPathComponent(RunLock.fileName)
    let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw FileError(path: url.path, reason: "cannot open the run lock: \(errnoText())") }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      let owner = (try? String(contentsOf: url, encoding: .utf8))?.trimmingCharacters(
        in: .whitespacesAndNewlines)
      close(fd)
      throw RunLifecycleError.usage(
        "\(folder.path) is in use by another losslab process (\(owner ?? "owner unknown")); "
          + "wait for it to end or stop it, then resume")
    }
    self.fd = fd
    let note = "pid \(getpid()) on \(Host.name) since \(RunFolder.iso8601(Date()))\n"
    _ = ftruncate(fd, 0)
    try? writeAll(Data(note.utf8), to: fd, path: url.path)
  }

  deinit {
    flock(fd, LOCK_UN)
    close(fd)
  }
}
