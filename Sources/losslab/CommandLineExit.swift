import ArgumentParser
import Foundation

/// How `losslab` ends: 0 on success (and for --help/--version), 2 for a bad command line (a
/// value out of range, a missing or malformed option; the message names the flag and what is
/// allowed, followed by the usage of the subcommand that was called), 1 for a failure while
/// running (with a plain message naming the file involved), 130 after Ctrl-C.
enum CommandLineExit {
  /// Exit status for values the command line cannot take.
  static let badValue: Int32 = 2
  /// Exit status for a failure while running.
  static let failure: Int32 = 1

  /// Parses `arguments` as `Root`, runs the chosen command and returns the exit status; all
  /// output goes to standard output and standard error.
  static func run<Root: ParsableCommand>(_ root: Root.Type, arguments: [String]) -> Int32 {
    var command: ParsableCommand
    do {
      command = try root.parseAsRoot(arguments)
    } catch {
      let code = root.exitCode(for: error)
      let text = root.fullMessage(for: error)
      if code == .success {
        print(text)
        return 0
      }
      writeError(text)
      return code == .validationFailure ? badValue : code.rawValue
    }
    do {
      try command.run()
      return 0
    } catch let exit as ExitCode {
      return exit.rawValue
    } catch let error as ValidationError {
      // Found while running (a file's content, a preset): the subcommand's usage, not the root's.
      let name = commandPath(root, type(of: command))
      writeError(
        "Error: \(error.message)\nUsage: \(root.usageString(for: type(of: command)))\n"
          + "  See '\(name) --help' for more information.")
      return badValue
    } catch {
      let code = root.exitCode(for: error)
      if code == .success {
        print(root.fullMessage(for: error))
        return 0
      }
      writeError("Error: \(describe(error))")
      return failure
    }
  }

  /// `losslab rl train` for `RLTrainCommand`.
  static func commandPath(_ root: ParsableCommand.Type, _ command: ParsableCommand.Type) -> String {
    func search(_ type: ParsableCommand.Type, _ path: [String]) -> [String]? {
      let here = path + [type._commandName]
      if type == command { return here }
      for sub in type.configuration.subcommands {
        if let found = search(sub, here) { return found }
      }
      return nil
    }
    return (search(root, []) ?? [root._commandName]).joined(separator: " ")
  }

  /// A plain sentence for an error, naming the file when Foundation's error knows it (instead of
  /// `NSCocoaErrorDomain Code=512` or `DecodingError.dataCorrupted(...)`).
  static func describe(_ error: Error) -> String {
    if let error = error as? CocoaError {
      let path = (error.userInfo[NSFilePathErrorKey] as? String) ?? error.filePath ?? error.url?.path
      var reason: String
      if let underlying = error.underlying as? POSIXError {
        reason = String(cString: strerror(underlying.code.rawValue))
      } else if let posix = error.userInfo[NSUnderlyingErrorKey] as? NSError,
        posix.domain == NSPOSIXErrorDomain
      {
        reason = String(cString: strerror(Int32(posix.code)))
      } else {
        switch error.code {
        case .fileNoSuchFile, .fileReadNoSuchFile: reason = "no such file or directory"
        case .fileReadNoPermission, .fileWriteNoPermission: reason = "permission denied"
        case .fileWriteOutOfSpace: reason = "no space left on the device"
        case .fileReadCorruptFile: reason = "the file is not in the expected format"
        case .fileReadInapplicableStringEncoding: reason = "the file is not UTF-8 text"
        case .fileWriteFileExists: reason = "the file exists"
        default: reason = "file system error \(error.code.rawValue)"
        }
      }
      let verb = error.code.rawValue >= 512 ? "cannot write" : "cannot read"
      return path.map { "\(verb) \($0): \(reason)" } ?? "\(verb) a file: \(reason)"
    }
    if let error = error as? DecodingError { return "invalid JSON: \(describe(decoding: error))" }
    if let error = error as? POSIXError { return String(cString: strerror(error.code.rawValue)) }
    return String(describing: error)
  }

  static func describe(decoding error: DecodingError) -> String {
    func at(_ path: [CodingKey]) -> String {
      path.isEmpty
        ? "" : " at " + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case .dataCorrupted(let c): return "\(c.debugDescription)\(at(c.codingPath))"
    case .keyNotFound(let key, let c): return "missing key '\(key.stringValue)'\(at(c.codingPath))"
    case .typeMismatch(let type, let c): return "expected \(type)\(at(c.codingPath)): \(c.debugDescription)"
    case .valueNotFound(let type, let c): return "missing \(type) value\(at(c.codingPath))"
    @unknown default: return "\(error)"
    }
  }

  static func writeError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
  }
}
