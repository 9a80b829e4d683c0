import ArgumentParser
import Benchmarks
import NeuralNets
import Tensors

/// `losslab bench tensor --json`: matmul through the tensor layer vs raw sgemm, an MLP training
/// step vs its bare BLAS floor, a GRU forward+backward, and the thread sweep.
struct BenchTensorCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tensor",
    abstract: "Tensor-layer benchmark: matmul, MLP training step, GRU (prints one JSON object).")

  @Flag(name: .long, help: "Print the JSON object (the only output format; kept for scripts).")
  var json = false

  @Flag(name: .long, help: "Short timings (about a second instead of ~15 s; for smoke tests).")
  var quick = false

  @OptionGroup var threads: ThreadsOption

  func run() throws {
    threads.apply()
    let report = TensorBenchmark.run(threads: threads.resolved, quick: quick)
    print(TensorBenchmark.json(report))
  }
}
