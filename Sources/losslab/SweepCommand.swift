import ArgumentParser
import Core
import Environments
import Foundation
import Reinforcement
import Runs
import Training

extension SweepSamplerKind: ExpressibleByArgument {}
extension SweepMetric: ExpressibleByArgument {}
extension SweepPrunerKind: ExpressibleByArgument {}

/// `losslab sweep`: a hyperparameter search over PPO runs (docs/sweep.md).
struct SweepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract:
      "Tune PPO hyperparameters: grid, random or TPE search over a YAML space, with seeds and pruning.",
    discussion: """
      Each trial trains --seeds rl train runs in OUT/trials/trial-NNNN/seed-K (--executor local: --jobs \
      processes here; slurm: one sbatch job array per rung of each batch, files in OUT/slurm/) and is scored by --metric \
      of the deterministic evaluation return. Pruners run trials to rung budgets (--min-steps * --eta^k) \
      and continue the promising ones with rl train --resume. Writes trials.csv, best.yaml (a preset for \
      rl train --preset) and report.md. Rerunning the same command continues the sweep. See docs/sweep.md.
      """)

  @Option(help: "Search space YAML file (docs/sweep.md; e.g. environments/sweeps/cartpole-ppo.yaml).")
  var space: String

  @Option(
    help:
      "Environment: a name from `losslab env list` (cartpole, acrobot, gridworld:NAME, ...) or a Gymnasium id."
  )
  var env: String

  @Option(name: .customLong("env-option"), help: "Environment setting KEY=VALUE for every run (repeatable).")
  var envOptions: [String] = []

  @Option(help: "Base preset name or YAML path (default: the environment's).")
  var preset: String?

  @Option(name: .customLong("set"), help: "Fixed hyperparameter NAME=VALUE under every trial (repeatable).")
  var overrides: [String] = []

  @Option(help: "Sampler: grid, random or tpe (Tree-structured Parzen Estimator).")
  var sampler: SweepSamplerKind = .tpe

  @Option(help: "Trials to sample (a grid stops when it is used up).")
  var trials: Int = 20

  @Option(help: "Seed of the sampler.")
  var seed: UInt64 = 0

  @Option(help: "Training seeds per trial (FIRST ..< FIRST + N).")
  var seeds: Int = 1

  @Option(name: .customLong("first-seed"), help: "First training seed.")
  var firstSeed: UInt64 = 0

  @Option(help: "Environment steps per trial, the full budget (default: the preset's n_timesteps).")
  var steps: Int?

  @Option(
    help:
      "Trial score over seeds: iqm or mean of the last evaluation return, or auc (mean level of the curve).")
  var metric: SweepMetric = .iqm

  @Option(help: "Pruner: none, median (median rule at each rung) or asha (successive halving).")
  var pruner: SweepPrunerKind = .none

  @Option(help: "Rung growth factor and successive halving's reduction factor.")
  var eta: Int = 3

  @Option(name: .customLong("min-steps"), help: "First rung budget with a pruner (default: --steps / eta^2).")
  var minSteps: Int?

  @Option(help: "Trials sampled and run together (the sampler sees every trial of earlier batches).")
  var batch: Int = 1

  @Option(name: .customLong("eval-freq"), help: "Deterministic evaluation every N steps (and at every rung).")
  var evalFreq: Int = 5_000

  @Option(name: .customLong("eval-episodes"), help: "Episodes per evaluation.")
  var evalEpisodes: Int = 10

  @OptionGroup var execution: ExecutorOptions

  @Option(help: "Sweep folder.")
  var out: String

  @Flag(
    name: .customLong("dry-run"), help: "Print the rungs and the first trials' commands instead of running.")
  var dryRun = false

  var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

  func validate() throws {
    try Allowed.path("--space", space)
    try Allowed.runOptions(
      env: env, out: out, preset: preset, overrides: overrides, envOptions: envOptions)
    try Allowed.check("--trials", trials, 1...SweepCommand.maximumTrials)
    try Allowed.seeds(seeds, first: firstSeed)
    try Allowed.check("--steps", steps, 1...Limits.environmentSteps)
    try Allowed.check("--eta", eta, 2...100)
    try Allowed.check("--min-steps", minSteps, 1...Limits.environmentSteps)
    if let minSteps, let steps, minSteps > steps {
      throw Allowed.error("--min-steps", "\(minSteps)", "1...\(steps)", "at most --steps")
    }
    try Allowed.check("--batch", batch, 1...SweepCommand.maximumTrials)
    try Allowed.check("--eval-freq", evalFreq, 1...Limits.steps)
    try Allowed.check("--eval-episodes", evalEpisodes, 1...Limits.repeats)
  }

  static let maximumTrials = 100_000

  /// The search space, with file errors as usage errors (exit 2, FILE:LINE:COLUMN).
  func loadSpace() throws -> (SweepSpace, String) {
    let url = URL(fileURLWithPath: space)
    let text: String
    do { text = try String(contentsOf: url, encoding: .utf8) } catch {
      throw ValidationError("--space \(space): cannot read (\(error.plainReason))")
    }
    do { return (try SweepSpace.parse(text, file: space), text) } catch let error as ConfigError {
      throw ValidationError("--space: \(error.message)")
    }
  }

  func run() throws {
    let (searchSpace, spaceText) = try loadSpace()
    var base = PPORunRequest(env: env, preset: preset)
    do { base.envOptions = try EnvironmentSpec.parseOptions(envOptions) } catch let error as EnvironmentError
    {
      throw ValidationError(error.message)
    }
    base.overrides = overrides
    base.steps = steps
    let fullSteps = try RLTrainCommand.resolve(base).totalTimesteps
    let rungs = SweepPlan.rungs(steps: fullSteps, minSteps: minSteps, eta: eta, pruner: pruner)
    let jobs = execution.jobs ?? cores
    let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    let outURL = URL(fileURLWithPath: out)
    var training = SweepTraining(
      space: searchSpace, env: env, seeds: seeds, out: outURL, executable: executable)
    training.envOptions = envOptions
    training.preset = preset
    training.overrides = overrides
    training.firstSeed = firstSeed
    training.evalFreq = evalFreq
    training.evalEpisodes = evalEpisodes
    training.metric = metric
    training.threads = execution.threadsPerRun(cores: cores)
    let execution = self.execution
    let cores = self.cores
    training.makeExecutor = { folder in
      execution.make(executable: executable, cores: cores, folder: folder, jobName: "losslab-sweep")
    }
    let samplerImpl = sampler.make(space: searchSpace, seed: seed)
    // Every value of the space must resolve with the environment and preset (fail before training).
    try checkValues(searchSpace, base: base)
    if dryRun {
      printPlan(searchSpace, rungs: rungs, training: training, sampler: samplerImpl)
      return
    }
    let folder: SweepFolder
    do {
      folder = try SweepFolder(url: outURL)
      try folder.adopt(
        SweepSettings(
          space: spaceText, env: env, envOptions: envOptions, preset: preset, overrides: overrides,
          sampler: sampler,
          seed: seed, seeds: seeds, firstSeed: firstSeed, steps: fullSteps, metric: metric, pruner: pruner,
          eta: eta,
          rungs: rungs, batch: batch, evalFreq: evalFreq, evalEpisodes: evalEpisodes))
    } catch let error as RunLifecycleError {
      throw ValidationError(error.description)
    }
    let saved: [SweepTrial]
    do { saved = try SweepTrialsFile.read(from: outURL, space: searchSpace) } catch let error as ConfigError {
      throw ValidationError(error.message)
    }
    let interrupt = InterruptHandler.install()
    defer { interrupt.uninstall() }
    training.interrupt = interrupt
    training.log = { line in
      print(line)
      fflush(nil)  // all C streams: progress lines reach a log file as they happen
    }
    var plan = SweepPlan(trials: trials, rungs: rungs)
    plan.batch = batch
    plan.pruner = pruner
    plan.eta = eta
    var study = SweepStudy(plan: plan, sampler: samplerImpl, trials: saved)
    study.onChange = { trials in
      try SweepTrialsFile.write(trials, space: searchSpace, to: outURL)
      try AtomicFile.write(
        SweepTrialsFile.csv(trials, space: searchSpace, rungs: rungs, seeds: seeds),
        to: outURL.appendingPathComponent(SweepTrialsFile.csvName))
    }
    let done = saved.filter(\.isFinal).count
    if done > 0 { print("continuing \(out): \(done) trials already finished") }
    print(
      "sweep: \(sampler.rawValue) sampler, pruner \(pruner.rawValue), rungs \(rungs.map(String.init).joined(separator: ", ")) steps, \(seeds) seed(s) per trial, executor \(execution.executor.rawValue)\(execution.executor == .local ? " (\(jobs) jobs)" : "")"
    )
    let finished = try study.run(&training)
    let command = (["losslab"] + CommandLine.arguments.dropFirst()).map(Shell.quote).joined(separator: " ")
    let report = SweepReport(
      space: searchSpace, trials: study.trials, training: training, rungs: rungs, command: command,
      sampler: sampler,
      pruner: pruner)
    try report.write(to: outURL)
    let counts = Dictionary(grouping: study.trials, by: \.state).mapValues(\.count)
    print(
      "\(study.trials.count) trials: \(counts[.complete] ?? 0) complete, \(counts[.pruned] ?? 0) pruned, \(counts[.failed] ?? 0) failed"
    )
    if let best = study.best {
      let values = zip(searchSpace.parameters, best.values).map { "\($0.name)=\($0.rawText($1))" }.joined(
        separator: " ")
      print(
        String(format: "best: trial %d, %@ %.4g: ", best.number, metric.rawValue, best.score ?? .nan) + values
      )
      print("preset: \(outURL.appendingPathComponent("best.yaml").path)")
    }
    print("report: \(outURL.appendingPathComponent("report.md").path)")
    for t in study.trials where t.state == .failed { print("FAILED trial \(t.number): \(t.reason ?? "")") }
    if !finished {
      print("interrupted: rerun the same command to continue the sweep")
      throw ExitCode(130)
    }
    if counts[.complete] == nil && counts[.failed] != nil { throw ExitCode(1) }
  }

  /// Resolves one run per value of each parameter (the others at their first grid value).
  func checkValues(_ space: SweepSpace, base: PPORunRequest) throws {
    let axes = space.parameters.map(GridSampler.axis)
    let first = axes.map { $0[0] }
    for (k, p) in space.parameters.enumerated() {
      let probe: [SweepValue] =
        p.cardinality.map { $0 <= 50 } ?? false ? axes[k] : [axes[k].first!, axes[k].last!]
      for v in probe {
        var values = first
        values[k] = v
        var request = base
        for (q, value) in zip(space.parameters, values) {
          if q.isShaping {
            request.shaping = q.text(value)
          } else {
            request.overrides.append("\(q.name)=\(q.text(value))")
          }
        }
        do { _ = try RLTrainCommand.resolve(request) } catch let error as ValidationError {
          throw ValidationError("--space \(self.space): \(p.name)=\(p.rawText(v)): \(error.message)")
        }
      }
    }
  }

  func printPlan(_ space: SweepSpace, rungs: [Int], training: SweepTraining, sampler: any SweepSampler) {
    print(
      "# rung budgets: \(rungs.map(String.init).joined(separator: ", ")) steps; pruner \(pruner.rawValue)")
    let independent =
      self.sampler == .tpe ? Swift.min(trials, 10) : Swift.min(trials, sampler.capacity ?? trials)
    for n in 0..<independent {
      guard let values = sampler.sample(number: n, history: []) else { break }
      let t = SweepTrial(number: n, values: values)
      for seed in training.seedList {
        let args = training.arguments(t, seed: seed, budget: rungs[0])
        print(
          "OPENBLAS_NUM_THREADS=\(training.threads) "
            + ([CommandLine.arguments[0]] + args).map(Shell.quote).joined(separator: " "))
      }
    }
    if independent < trials {
      print(
        "# trials \(independent)..<\(trials) depend on earlier results (TPE after its 10 random startup trials)"
      )
    }
  }
}
