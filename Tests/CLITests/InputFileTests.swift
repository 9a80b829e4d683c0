import Foundation
import Testing

/// Files that are missing, folders where a file belongs, unusual files, and where the
/// `environments` folder is found: all through the real binary.
@Suite struct InputFileTests {
  /// Every option that names a file or folder to read, given a missing path and a directory:
  /// exit status 1 or 2 with the path in the message, never a trap.
  @Test func missingFilesAndDirectoriesAreErrors() throws {
    let folder = try CLI.temporaryFolder("inputs")
    defer { try? FileManager.default.removeItem(at: folder) }
    let missing = folder.appendingPathComponent("missing").path
    let directory = folder.appendingPathComponent("a-folder")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let out = folder.appendingPathComponent("out").path
    let reference = folder.appendingPathComponent("ref.txt")
    try Data("a b c\n".utf8).write(to: reference)
    let cases: [(String) -> [String]] = [
      { ["bleu", $0, "-i", reference.path] },
      { ["bleu", reference.path, "-i", $0] },
      { ["env", "replay", "cartpole", "--trajectories", $0, "--output", out + ".json"] },
      { ["env", "render", "gridworld:\($0).map"] },
      { ["env", "solve", "gridworld:\($0).map"] },
      { ["ctc", "cases", $0, out + ".json"] },
      { ["ctc", "train", "--data", $0, "--out", out + "-ctc"] },
      { ["ctc", "eval", $0, "--data", $0] },
      { ["ctc", "decode", "--emissions", $0, "--tokens", $0] },
      { ["lm", "build", $0, "--out", out + ".arpa"] },
      { ["ctc", "decode", "--emissions", $0, "--tokens", CLI.fixture("ctc_decoder/tokens.txt").path] },
      {
        [
          "ctc", "decode", "--emissions", $0, "--tokens", CLI.fixture("ctc_decoder/tokens.txt").path, "--lm",
          $0,
        ]
      },
      { ["rl", "eval", $0] },
      { ["rl", "export", $0, "--onnx", out + ".onnx"] },
      { ["rl", "report", $0] },
      { ["rl", "train", "--preset", $0 + ".yaml", "--out", out + "-rl"] },
      { ["rl", "train", "--env", "cartpole", "--resume", $0] },
      { ["bench", "ppo", "--preset", $0 + ".yaml"] },
      { ["mrt", "train", "--data", $0, "--out", out + "-mrt"] },
      { ["mrt", "eval", $0] },
      { ["mrt", "compare", "--mle", $0, "--mle", $0, "--mrt", $0, "--mrt", $0] },
    ]
    for make in cases {
      for path in [missing, directory.path] {
        let arguments = make(path)
        let r = try CLI.run(arguments)
        #expect(
          !r.signaled && (r.status == 1 || r.status == 2), "losslab \(arguments): \(r.status)\n\(r.stderr)")
        #expect(r.stderr.hasPrefix("Error: "), "losslab \(arguments): \(r.stderr)")
        #expect(r.stderr.contains(path), "losslab \(arguments): \(r.stderr)")
        #expect(
          !r.stderr.contains("NSCocoaErrorDomain") && !r.stderr.contains("DecodingError"), "\(r.stderr)")
      }
    }
  }

  /// A map with CRLF line ends reads like the same map with LF.
  @Test func crlfMapsParse() throws {
    let folder = try CLI.temporaryFolder("crlf")
    defer { try? FileManager.default.removeItem(at: folder) }
    let original = CLI.fixture("../../environments/gridworld/frozenlake-4x4.map")
    let text = try String(contentsOf: original, encoding: .utf8)
    let crlf = folder.appendingPathComponent("lake.map")
    try Data(text.replacingOccurrences(of: "\n", with: "\r\n").utf8).write(to: crlf)
    let a = try CLI.run(["env", "solve", "gridworld:" + original.path])
    let b = try CLI.run(["env", "solve", "gridworld:" + crlf.path])
    #expect(b.status == 0, "\(b.stderr)")
    #expect(a.stdout.split(separator: "\n").dropFirst() == b.stdout.split(separator: "\n").dropFirst())
  }

  /// An oversized time limit in a map file is refused with the cap, before any allocation.
  @Test func hugeTimeLimitInAMapIsRefused() throws {
    let folder = try CLI.temporaryFolder("limit")
    defer { try? FileManager.default.removeItem(at: folder) }
    let map = folder.appendingPathComponent("long.map")
    try Data("time_limit = 100000000\n---\nS..G\n".utf8).write(to: map)
    let r = try CLI.run(["env", "solve", "gridworld:" + map.path])
    #expect(r.status == 2)
    #expect(
      r.stderr.contains(
        "long.map:1:13: invalid value '100000000' for time_limit (allowed: an integer in 1...10000"))
  }

  /// Run from elsewhere, the binary still finds the checkout's environments; a copy installed as
  /// PREFIX/bin/losslab finds PREFIX/share/losslab/environments first; with
  /// LOSSLAB_ENVIRONMENTS pointing at an empty folder, a preset or map is an error listing the
  /// places searched, never a fallback to library defaults.
  @Test func environmentsAreFoundWhereverTheBinaryRuns() throws {
    let folder = try CLI.temporaryFolder("where")
    defer { try? FileManager.default.removeItem(at: folder) }
    let render = try CLI.run(
      ["env", "render", "gridworld:frozenlake-4x4", "--final", "--plain"], directory: folder)
    #expect(render.status == 0, "\(render.stderr)")

    let prefix = folder.appendingPathComponent("prefix")
    let bin = prefix.appendingPathComponent("bin")
    let maps = prefix.appendingPathComponent("share/losslab/environments/gridworld")
    try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: maps, withIntermediateDirectories: true)
    try Data("---\nSG\n".utf8).write(to: maps.appendingPathComponent("tiny.map"))
    let installed = bin.appendingPathComponent("losslab")
    try FileManager.default.copyItem(at: CLI.executable, to: installed)
    let list = try CLI.run(["env", "list"], executable: installed, directory: folder)
    #expect(list.status == 0, "\(list.stderr)")
    #expect(list.stdout.contains("gridworld:tiny\n") && !list.stdout.contains("frozenlake"), "\(list.stdout)")

    let empty = folder.appendingPathComponent("empty")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    let train = try CLI.run(
      ["rl", "train", "--env", "cartpole", "--out", folder.appendingPathComponent("run").path],
      environment: ["LOSSLAB_ENVIRONMENTS": empty.path], directory: folder)
    #expect(train.status == 1, "\(train.stdout)\n\(train.stderr)")
    #expect(
      train.stderr.contains("cannot find the preset folder environments/presets: searched \(empty.path)"))
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("run/metrics.csv").path))
    let map = try CLI.run(
      ["env", "solve", "gridworld:frozenlake-4x4"], environment: ["LOSSLAB_ENVIRONMENTS": empty.path])
    #expect(map.status == 2 && map.stderr.contains("searched \(empty.path)"), "\(map.stderr)")
  }

  /// The option table of `BadValueTests` lists every option of every subcommand
  /// (`--experimental-dump-help` is ArgumentParser's description of the whole tree).
  @Test func tableListsEveryOption() throws {
    let r = try CLI.run(["--experimental-dump-help"])
    #expect(r.status == 0)
    let root = try #require(
      try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    var found: [String: Set<String>] = [:]
    func walk(_ command: [String: Any], _ path: [String]) {
      let subcommands = command["subcommands"] as? [[String: Any]] ?? []
      if subcommands.isEmpty, !path.isEmpty, path != ["help"] {
        var names = Set<String>()
        for argument in command["arguments"] as? [[String: Any]] ?? [] {
          let kind = argument["kind"] as? String
          if kind == "positional", let value = argument["valueName"] as? String {
            names.insert("<\(value)>")
          } else if kind == "option" {
            let all = (argument["names"] as? [[String: Any]] ?? []).compactMap { entry -> String? in
              guard let name = entry["name"] as? String, entry["kind"] as? String == "long" else {
                return nil
              }
              return "--" + name
            }
            if let first = all.first { names.insert(first) }
          }
        }
        found[path.joined(separator: " ")] = names
      }
      for sub in subcommands { walk(sub, path + [sub["commandName"] as? String ?? "?"]) }
    }
    walk(try #require(root["command"] as? [String: Any]), [])
    let table = Dictionary(
      uniqueKeysWithValues: OptionTable.commands.map {
        ($0.path.joined(separator: " "), Set($0.options.map(\.name)))
      })
    #expect(
      Set(found.keys) == Set(table.keys), "subcommands: \(found.keys.sorted()) vs \(table.keys.sorted())")
    for (command, names) in found {
      #expect(
        names == table[command] ?? [],
        "losslab \(command): binary \(names.sorted()), table \((table[command] ?? []).sorted())")
    }
  }
}
