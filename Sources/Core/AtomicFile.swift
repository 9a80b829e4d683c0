import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// An I/O failure with the path it concerns, so a message reads "cannot write runs/a/status.json: ...".
public struct FileError: Error, CustomStringConvertible, Sendable {
  /// The file or folder the operation was about.
  public let path: String
  /// What went wrong, in words.
  public let reason: String

  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}

/// Atomic whole-file writes: readers see either the old file or the complete new one, never a
/// half-written file, even if the process is killed mid-write.
///
/// The bytes go to a temporary file in the *same folder* (so the final `rename(2)` stays on one
/// file system and is atomic), the temporary file is `fsync`ed so the data is on disk before the
/// rename makes it visible, then the folder is `fsync`ed so the rename itself survives a crash.
/// Missing parent folders are created.
public enum AtomicFile {
  /// Writes `data` to `url` atomically, creating parent folders as needed.
  /// - Throws: ``FileError`` naming the path when any step fails.
  public static func write(_ data: Data, to url: URL) throws {
    let path = url.path
    let folder = url.deletingLastPathComponent().path
    try createFolder(url.deletingLastPathComponent())

    var template = Array("\(folder)/.\(url.lastPathComponent).tmp-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else {
      throw FileError(path: path, reason: "cannot create a temporary file: \(errnoText())")
    }
    let temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    var closed = false
    defer {
      if !closed { close(fd) }
    }
    do {
      // mkstemp creates files 0600; results are ordinary user files.
      _ = fchmod(fd, 0o644)
      try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
        var offset = 0
        while offset < raw.count {
          let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
          if n < 0 {
            if errno == EINTR { continue }
            throw FileError(path: path, reason: "cannot write: \(errnoText())")
          }
          offset += n
        }
      }
      guard fsync(fd) == 0 else { throw FileError(path: path, reason: "cannot fsync: \(errnoText())") }
      closed = true
      guard close(fd) == 0 else { throw FileError(path: path, reason: "cannot close: \(errnoText())") }
      guard rename(temporaryPath, path) == 0 else {
        throw FileError(path: path, reason: "cannot rename the temporary file into place: \(errnoText())")
      }
    } catch {
      unlink(temporaryPath)
      throw error
    }
    syncFolder(folder)
  }

  /// Writes `string` as UTF-8 to `url` atomically, creating parent folders as needed.
  public static func write(_ string: String, to url: URL) throws {
    try write(Data(string.utf8), to: url)
  }

  /// Creates `url` and its missing parents as folders; succeeds if it already exists.
  public static func createFolder(_ url: URL) throws {
    do {
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    } catch {
      throw FileError(path: url.path, reason: "cannot create folder: \(error.plainReason)")
    }
  }

  /// Makes a completed rename durable; best effort (some file systems refuse to fsync folders).
  private static func syncFolder(_ folder: String) {
    let fd = open(folder, O_RDONLY)
    guard fd >= 0 else { return }
    _ = fsync(fd)
    close(fd)
  }
}

/// The C library's `write(2)`, under a name that does not collide with `AtomicFile.write`.
@inline(__always)
public func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  #if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
  #elseif canImport(Musl)
    return Musl.write(fd, buffer, count)
  #else
    return Darwin.write(fd, buffer, count)
  #endif
}

/// `strerror(errno)` as a Swift string.
public func errnoText() -> String { String(cString: strerror(errno)) }
