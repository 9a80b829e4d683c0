import Environments
import Foundation
import Reports

/// One (shaping, seed) training run of a comparison: an ordinary `losslab rl train` run.
public struct CompareRun: Sendable, Equatable {
  public var shaping: String
  public var seed: UInt64
  /// The run folder, `OUT/runs/<shaping slug>/seed-<seed>`.
  public var folder: URL
  /// The `rl train` arguments (after the executable).
  public var arguments: [String]
  /// The arguments that continue an interrupted run from its checkpoint (`rl train --resume`);
  /// empty: start over.
  public var resumeArguments: [String] = []

  /// The run as an executor's job (`steps`: its environment-step budget).
  public func job(steps: Int) -> TrainingJob {
    TrainingJob(
      label: "\(ComparePlan.slug(shaping))/seed-\(seed)", folder: folder, arguments: arguments,
      resumeArguments: resumeArguments, steps: steps)
  }

  /// The run as one shell command line, with `OPENBLAS_NUM_THREADS` set (for `--dry-run`).
  public func shellCommand(executable: String, threads: Int) -> String {
    "OPENBLAS_NUM_THREADS=\(threads) " + ([executable] + arguments).map(Shell.quote).joined(separator: " ")
  }
}

/// What `losslab rl compare` runs: every shaping under every seed, each as its own `rl train`.
public struct ComparePlan: Sendable {
  public var env: String
  /// `--env-option KEY=VALUE` arguments passed through to every run.
  public var envOptions: [String] = []
  /// Shaping names in report order (the baseline `none` first when present).
  public var shapings: [String]
  /// Seeds `firstSeed ..< firstSeed + seeds`.
  public var seeds: Int
  public var firstSeed: UInt64 = 0
  /// Environment steps per run; nil: the preset's `n_timesteps`.
  public var steps: Int?
  public var preset: String?
  /// `--set NAME=VALUE` hyperparameter overrides passed through.
  public var overrides: [String] = []
  public var evalFreq: Int = 5_000
  public var evalEpisodes: Int = 20
  /// BLAS threads per run.
  public var threads: Int = 1
  /// The comparison folder (runs go under `runs/`, the report at the top).
  public var out: URL

  /// The `rl train` request of one run, as the library resolves it (``PPORunRequest/resolve()``).
  /// - Throws: ``EnvironmentError`` for a malformed `--env-option`.
  public func request(shaping: String, seed: UInt64) throws -> PPORunRequest {
    var request = PPORunRequest(env: env, preset: preset)
    request.envOptions = try EnvironmentSpec.parseOptions(envOptions)
    request.overrides = overrides
    request.shaping = shaping
    request.seed = seed
    request.steps = steps
    request.evalFreq = evalFreq
    request.evalEpisodes = evalEpisodes
    request.threads = threads
    return request
  }

  public init(env: String, shapings: [String], seeds: Int, out: URL) {
    self.env = env
    self.shapings = shapings
    self.seeds = seeds
    self.out = out
  }

  /// The folder name of a shaping: the name with every character outside `[A-Za-z0-9._-]`
  /// replaced by `-` and `*` by `x` (`pbrs:bfs*0.5` -> `pbrs-bfs-x0.5`).
  public static func slug(_ shaping: String) -> String {
    var out = ""
    for c in shaping {
      if c == "*" {
        out += "-x"
      } else if c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "_" || c == "-") {
        out.append(c)
      } else if !out.hasSuffix("-") {
        out += "-"
      }
    }
    return out.isEmpty ? "shaping" : out
  }

  /// Every run, shaping-major; throws if two shapings map to the same folder.
  public func runs() throws -> [CompareRun] {
    var slugs: [String: String] = [:]
    for s in shapings {
      let slug = ComparePlan.slug(s)
      if let other = slugs[slug], other != s {
        throw CompareError("shapings '\(other)' and '\(s)' would share the run folder runs/\(slug)")
      }
      slugs[slug] = s
    }
    let runsRoot = out.appendingPathComponent("runs", isDirectory: true)
    var result: [CompareRun] = []
    for shaping in shapings {
      for k in 0..<UInt64(seeds) {
        let seed = firstSeed + k
        let folder = runsRoot.appendingPathComponent(ComparePlan.slug(shaping), isDirectory: true)
          .appendingPathComponent("seed-\(seed)", isDirectory: true)
        var args = ["rl", "train", "--env", env]
        for o in envOptions { args += ["--env-option", o] }
        if let preset { args += ["--preset", preset] }
        for o in overrides { args += ["--set", o] }
        args += ["--shaping", shaping, "--seed", String(seed)]
        if let steps { args += ["--steps", String(steps)] }
        args += [
          "--eval-freq", String(evalFreq), "--eval-episodes", String(evalEpisodes), "--threads",
          String(threads),
          "--no-progress", "--out", folder.relativePath,
        ]
        var run = CompareRun(shaping: shaping, seed: seed, folder: folder, arguments: args)
        run.resumeArguments = [
          "rl", "train", "--resume", folder.relativePath, "--threads", String(threads), "--no-progress",
        ]
        result.append(run)
      }
    }
    return result
  }

  /// Every run as an executor's job, in ``runs()`` order (the job list of `rl compare`).
  public func jobs(stepsPerRun: Int) throws -> [TrainingJob] {
    try runs().map { $0.job(steps: stepsPerRun) }
  }

  /// BLAS threads per job so `jobs` processes do not oversubscribe `cores`: `max(1, cores / jobs)`.
  public static func threadsPerJob(cores: Int, jobs: Int) -> Int { max(1, cores / max(jobs, 1)) }
}

/// POSIX shell quoting.
public enum Shell {
  /// `text` unchanged when it is made of safe characters, else in single quotes.
  public static func quote(_ text: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%")
    if !text.isEmpty && text.allSatisfy({ safe.contains($0) }) { return text }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
