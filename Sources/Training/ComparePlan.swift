import Environments
import Foundation
import Reports

/// One (shaping, seed) training run of a comparison: an ordinary `losslab rl train` run.
public struct CompareRun: Sendable, Equatable {
  public var shaping: String
  public var seed: UInt64
  /// The run folder, `OUT/runs/<variant slug>/seed-<seed>`.
  public var folder: URL
  /// The `rl train` arguments (after the executable).
  public var arguments: [String]
  /// The arguments that continue an interrupted run from its checkpoint (`rl train --resume`);
  /// empty: start over.
  public var resumeArguments: [String] = []
  /// The configuration's name (``CompareVariant/name``) when it is not the shaping (`--vary`).
  public var variantName: String? = nil
  /// The configuration's name: the shaping unless `--vary` is used.
  public var variant: String { variantName ?? shaping }

  /// The run as an executor's job (`steps`: its environment-step budget).
  public func job(steps: Int) -> TrainingJob {
    TrainingJob(
      label: "\(ComparePlan.slug(variant))/seed-\(seed)", folder: folder, arguments: arguments,
      resumeArguments: resumeArguments, steps: steps)
  }

  /// The run as one shell command line, with `OPENBLAS_NUM_THREADS` set (for `--dry-run`).
  public func shellCommand(executable: String, threads: Int) -> String {
    "OPENBLAS_NUM_THREADS=\(threads) " + ([executable] + arguments).map(Shell.quote).joined(separator: " ")
  }
}

/// One configuration of a comparison: a shaping with `--vary` assignments.
public struct CompareVariant: Sendable, Equatable {
  /// `shaping, key=value, ...` (``RunVariant/label(shaping:assignments:includeShaping:)``), as the
  /// report names the group.
  public var name: String
  public var shaping: String
  /// `KEY=VALUE` overrides applied after the plan's `--set` ones.
  public var assignments: [(key: String, value: String)]

  public static func == (a: CompareVariant, b: CompareVariant) -> Bool {
    a.name == b.name && a.shaping == b.shaping && a.assignments.map(\.key) == b.assignments.map(\.key)
      && a.assignments.map(\.value) == b.assignments.map(\.value)
  }
}

/// What `losslab rl compare` runs: every variant (shaping x `--vary` values) under every seed,
/// each as its own `rl train`.
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
  /// `--vary KEY=a,b,c`: preset keys with their values (canonical text,
  /// ``RunVariant/canonicalValue(key:value:)``); the variants are the cross product with the shapings.
  public var variations: [(key: String, values: [String])] = []
  public var evalFreq: Int = 5_000
  public var evalEpisodes: Int = 20
  /// BLAS threads per run.
  public var threads: Int = 1
  /// The comparison folder (runs go under `runs/`, the report at the top).
  public var out: URL

  /// The `rl train` request of one run, as the library resolves it (``PPORunRequest/resolve()``).
  /// - Throws: ``EnvironmentError`` for a malformed `--env-option`.
  public func request(shaping: String, seed: UInt64) throws -> PPORunRequest {
    try request(variant: CompareVariant(name: shaping, shaping: shaping, assignments: []), seed: seed)
  }

  /// The `rl train` request of one run of `variant`.
  public func request(variant: CompareVariant, seed: UInt64) throws -> PPORunRequest {
    var request = PPORunRequest(env: env, preset: preset)
    request.envOptions = try EnvironmentSpec.parseOptions(envOptions)
    request.overrides = overrides + variant.assignments.map { "\($0.key)=\($0.value)" }
    request.shaping = variant.shaping
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

  /// The configurations, shaping-major: every shaping with every combination of the `--vary`
  /// values (the first key varying slowest). Without `--vary`, one per shaping, named by it.
  public func variants() -> [CompareVariant] {
    var combinations: [[(key: String, value: String)]] = [[]]
    for (key, values) in variations {
      combinations = combinations.flatMap { prefix in values.map { prefix + [(key: key, value: $0)] } }
    }
    let includeShaping = shapings.count > 1 || variations.isEmpty
    return shapings.flatMap { shaping in
      combinations.map {
        CompareVariant(
          name: RunVariant.label(shaping: shaping, assignments: $0, includeShaping: includeShaping),
          shaping: shaping, assignments: $0)
      }
    }
  }

  /// Every run, variant-major; throws if two variants map to the same folder.
  public func runs() throws -> [CompareRun] {
    let variants = variants()
    var slugs: [String: String] = [:]
    for v in variants {
      let slug = ComparePlan.slug(v.name)
      if let other = slugs[slug], other != v.name {
        throw CompareError("variants '\(other)' and '\(v.name)' would share the run folder runs/\(slug)")
      }
      slugs[slug] = v.name
    }
    let runsRoot = out.appendingPathComponent("runs", isDirectory: true)
    var result: [CompareRun] = []
    for variant in variants {
      let shaping = variant.shaping
      for k in 0..<UInt64(seeds) {
        let seed = firstSeed + k
        let folder = runsRoot.appendingPathComponent(ComparePlan.slug(variant.name), isDirectory: true)
          .appendingPathComponent("seed-\(seed)", isDirectory: true)
        var args = ["rl", "train", "--env", env]
        for o in envOptions { args += ["--env-option", o] }
        if let preset { args += ["--preset", preset] }
        for o in overrides { args += ["--set", o] }
        for a in variant.assignments { args += ["--set", "\(a.key)=\(a.value)"] }
        args += ["--shaping", shaping, "--seed", String(seed)]
        if let steps { args += ["--steps", String(steps)] }
        args += [
          "--eval-freq", String(evalFreq), "--eval-episodes", String(evalEpisodes), "--threads",
          String(threads),
          "--no-progress", "--out", folder.relativePath,
        ]
        var run = CompareRun(shaping: shaping, seed: seed, folder: folder, arguments: args)
        if variant.name != shaping { run.variantName = variant.name }
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
