import Foundation

extension Error {
  /// A short plain reason for a file error ("no such file or directory", "is a directory",
  /// "permission denied"), instead of Foundation's "The operation could not be completed.
  /// (NSCocoaErrorDomain error 256.)"; other errors keep their description. Callers put the path
  /// in front: "cannot read PATH: REASON".
  public var plainReason: String {
    if let decoding = self as? DecodingError { return Self.plain(decoding) }
    let ns = self as NSError
    if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
    guard ns.domain == NSCocoaErrorDomain else {
      return String(describing: self)
    }
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain
    {
      return String(cString: strerror(Int32(underlying.code)))
    }
    let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
    var isDirectory: ObjCBool = false
    if let path, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
      isDirectory.boolValue
    {
      return "is a directory, not a file"
    }
    switch CocoaError.Code(rawValue: ns.code) {
    case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or directory"
    case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
    case .fileWriteOutOfSpace: return "no space left on the device"
    case .fileWriteVolumeReadOnly: return "read-only file system"
    case .fileReadInapplicableStringEncoding, .fileReadCorruptFile: return "not UTF-8 text"
    case .fileWriteFileExists: return "the file exists"
    default:
      if let path, !FileManager.default.fileExists(atPath: path) { return "no such file or directory" }
      return "file system error \(ns.code)"
    }
  }

  /// "expected Int at iterations: ..." instead of `DecodingError.typeMismatch(Swift.Int, ...)`.
  static func plain(_ error: DecodingError) -> String {
    func at(_ path: [CodingKey]) -> String {
      path.isEmpty
        ? "" : " at " + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case .dataCorrupted(let c):
      let underlying =
        (c.underlyingError as NSError?).map { ": \($0.userInfo["NSDebugDescription"] ?? $0.code)" } ?? ""
      return "not valid JSON\(at(c.codingPath)) (\(c.debugDescription)\(underlying))"
    case .keyNotFound(let key, let c): return "missing key '\(key.stringValue)'\(at(c.codingPath))"
    case .typeMismatch(let type, let c): return "expected \(type)\(at(c.codingPath)) (\(c.debugDescription))"
    case .valueNotFound(let type, let c): return "missing \(type) value\(at(c.codingPath))"
    @unknown default: return "\(error)"
    }
  }
}
