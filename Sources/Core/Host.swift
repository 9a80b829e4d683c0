import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Facts about the machine a process runs on.
public enum Host {
  /// The host name (`gethostname(2)`), `localhost` when it cannot be read.
  public static var name: String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
    let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return name.isEmpty ? "localhost" : name
  }
}
