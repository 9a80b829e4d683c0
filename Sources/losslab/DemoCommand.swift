import ArgumentParser
import Benchmarks
import Foundation
import NeuralNets
import Runs
import Tensors

/// `losslab demo ...`: short end-to-end runs that show the library working.
struct DemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Short end-to-end demonstrations.",
    subcommands: [DemoRegressionCommand.self])
}

/// `losslab demo regression --out runs/demo`: an MLP fits a noisy 2-D function in a few seconds.
struct DemoRegressionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "regression",
    abstract: "Fit an MLP to sin(3 x1) cos(2 x2) + noise; print the held-out error; save a checkpoint.")

  @Option(name: .long, help: "Output folder for model.safetensors (default: runs/demo).")
  var out: String = "runs/demo"

  @Option(name: .long, help: "Adam steps (default: 3000).")
  var steps: Int = 3000

  @Option(name: .long, help: "Samples per step (default: 256).")
  var batchSize: Int = 256

  @Option(name: .long, help: "Initial learning rate, annealed linearly to 0 (default: 0.003).")
  var learningRate: Float = 3e-3

  @Option(name: .long, help: "Random seed (default: 0).")
  var seed: UInt64 = 0

  @OptionGroup var threads: ThreadsOption

  func validate() throws {
    try Allowed.path("--out", out)
    try Allowed.check("--steps", steps, 1...Limits.demoSteps)
    try Allowed.check("--batch-size", batchSize, 1...Limits.batch)
    // Any finite rate: a diverging one is stopped by the NaN guard (exit 1, no checkpoint).
    try Allowed.check(
      "--learning-rate", Double(learningRate), above: 0, upTo: Double(Float.greatestFiniteMagnitude))
  }

  func run() throws {
    threads.apply()
    var config = RegressionDemo.Config()
    config.steps = steps
    config.batchSize = batchSize
    config.learningRate = learningRate
    config.seed = seed
    let demo = RegressionDemo(config: config)
    print(
      "MLP \(config.widths.map(String.init).joined(separator: "-")) (tanh), \(demo.model.parameterCount) parameters, "
        + "Adam lr \(learningRate) linearly annealed, batch \(batchSize), \(BLAS.threads) BLAS thread(s)")
    let start = Date()
    let interactive = isatty(STDOUT_FILENO) != 0
    var lastLoss: Float = 0
    let testMSE = demo.train { p in
      lastLoss = p.trainLoss
      let line = String(
        format: "step %5d/%d  train loss %.5f  lr %.2e  %.1f s", p.step, p.steps, p.trainLoss, p.learningRate,
        Date().timeIntervalSince(start))
      if interactive {
        print("\r" + line, terminator: "")
        fflush(nil)  // all C streams: print goes through stdio
      } else if p.step == p.steps || p.step % 1000 == 0 {
        print(line)
      }
    }
    if interactive { print() }
    // The one NaN/Inf guard: a diverged fit fails (exit 1) and saves no checkpoint.
    try NumericGuard.check(
      [("train loss", Double(lastLoss)), ("held-out MSE", Double(testMSE))], step: steps)
    let folder = URL(fileURLWithPath: out, isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let checkpoint = folder.appendingPathComponent("model.safetensors")
    try SafeTensors.save(
      demo.model.namedTensors(prefix: "model") + demo.optimizer.stateTensors(),
      metadata: demo.optimizer.stateMetadata().merging(
        [
          "widths": config.widths.map(String.init).joined(separator: ","), "activation": "tanh",
          "seed": String(seed),
        ]
      ) { a, _ in a },
      to: checkpoint)
    let noiseFloor = config.noise * config.noise
    print(
      String(
        format: "final held-out MSE %.5f (noise floor %.5f) after %d steps in %.1f s", testMSE, noiseFloor,
        steps,
        Date().timeIntervalSince(start)))
    print("checkpoint: \((out as NSString).appendingPathComponent("model.safetensors"))")
  }
}
