import Foundation

/// The `environments` folder (gridworld maps, PPO presets, potentials), found the same way by
/// every command wherever the binary runs. The places, in order:
/// 1. `$LOSSLAB_ENVIRONMENTS` (when set, the only place);
/// 2. beside or above the executable, symlinks resolved: `<exe dir>/environments`,
///    `<exe dir>/../environments`, ... (`.build/release/losslab` -> `<checkout>/environments`),
///    and `<exe dir>/../share/losslab/environments` for an installed binary;
/// 3. the checkout this library was built from (`#filePath` at build time);
/// 4. `environments` under the current directory.
public enum EnvironmentsFolder {
  /// The first place that holds an `environments` folder with `gridworld` or `presets` in it.
  public static func locate() -> URL? {
    candidates().first(where: isEnvironmentsFolder)
  }

  /// The folder, or an error listing every place searched.
  public static func require(_ what: String) throws -> URL {
    if let url = locate() { return url }
    throw EnvironmentError(notFoundMessage(what))
  }

  /// "cannot find WHAT: searched A, B, C (set LOSSLAB_ENVIRONMENTS to the environments folder)".
  public static func notFoundMessage(_ what: String) -> String {
    "cannot find \(what): searched \(candidates().map(\.path).joined(separator: ", ")) "
      + "(set LOSSLAB_ENVIRONMENTS to the environments folder)"
  }

  /// Every place searched, in order, without duplicates.
  public static func candidates() -> [URL] {
    let environment = ProcessInfo.processInfo.environment
    if let root = environment["LOSSLAB_ENVIRONMENTS"], !root.isEmpty {
      return [URL(fileURLWithPath: root).standardizedFileURL]
    }
    var places: [URL] = []
    for exe in executables() {
      var dir = exe.deletingLastPathComponent()
      places.append(dir.appendingPathComponent("share/losslab/environments"))
      places.append(dir.deletingLastPathComponent().appendingPathComponent("share/losslab/environments"))
      for _ in 0..<5 {
        places.append(dir.appendingPathComponent("environments"))
        if dir.path == "/" { break }
        dir = dir.deletingLastPathComponent()
      }
    }
    places.append(checkoutRoot().appendingPathComponent("environments"))
    places.append(
      URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("environments"))
    var seen = Set<String>()
    return places.map(\.standardizedFileURL).filter { seen.insert($0.path).inserted }
  }

  /// The running executable, as invoked and with symlinks resolved.
  static func executables() -> [URL] {
    var urls: [URL] = []
    if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      urls.append(URL(fileURLWithPath: link))
    }
    if let exe = Bundle.main.executableURL { urls += [exe, exe.resolvingSymlinksInPath()] }
    if let first = CommandLine.arguments.first, first.contains("/") {
      let url = URL(fileURLWithPath: first)
      urls += [url, url.resolvingSymlinksInPath()]
    }
    return urls
  }

  /// The package root this file was compiled in (`Sources/Environments/..`/..).
  static func checkoutRoot() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
  }

  static func isEnvironmentsFolder(_ url: URL) -> Bool {
    ["gridworld", "presets"].contains { isDirectory(url.appendingPathComponent($0)) }
  }

  static func isDirectory(_ url: URL) -> Bool {
    var d: ObjCBool = false
    return FileManager.default.fileExists(atPath: url.path, isDirectory: &d) && d.boolValue
  }
}
