import ArgumentParser
import Foundation
import Tensors

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
      let path = error.filePath ?? error.url?.path
      let verb = (512..<1024).contains(error.code.rawValue) ? "cannot write" : "cannot read"
      return path.map { "\(verb) \($0): \(error.plainReason)" } ?? "\(verb) a file: \(error.plainReason)"
    }
    if error is DecodingError || error is POSIXError { return error.plainReason }
    return String(describing: error)
  }

  static func writeError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
  }
}
