import Benchmarks
import Foundation
import Tensors
import Testing

@testable import NeuralNets
@testable import Tensors

@Suite("Regression demo and tensor benchmark")
struct DemoAndBenchmarkTests {
  @Test func regressionDemoLearnsAndIsDeterministic() {
    var config = RegressionDemo.Config()
    config.steps = 400
    config.testSize = 1024
    func run() -> (Float, [Tensor]) {
      let demo = RegressionDemo(config: config)
      var before: Float = 0
      var reports = 0
      let mse = demo.train(reportEvery: 100) { p in
        reports += 1
        if p.step == 100 { before = p.trainLoss }
      }
      #expect(reports == 4)
      #expect(before > 0)
      return (mse, demo.model.parameters.map(\.value))
    }
    let (mse, weights) = run()
    // The target's variance is about 0.12; 400 steps bring the held-out error near the noise
    // floor of 0.01.
    #expect(mse < 0.03, "held-out MSE \(mse)")
    let (mse2, weights2) = run()
    #expect(mse == mse2 && weights == weights2)
  }

  @Test func quickBenchmarkPrintsEveryRecord() throws {
    let report = TensorBenchmark.run(threads: 1, sweep: [1], quick: true)
    let json = TensorBenchmark.json(report)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let matmul = try #require(object["matmul"] as? [[String: Any]])
    #expect(matmul.compactMap { $0["n"] as? Int } == [64, 256, 1024])
    for record in matmul {
      for key in ["tensor_gflops", "raw_gflops", "ratio"] { #expect((record[key] as? Double ?? 0) > 0) }
    }
    let mlp = try #require(object["mlp"] as? [[String: Any]])
    #expect(mlp.compactMap { $0["batch"] as? Int } == [64, 256])
    #expect(
      mlp.allSatisfy { ($0["step_us"] as? Double ?? 0) > 0 && ($0["blas_floor_us"] as? Double ?? 0) > 0 })
    #expect(((object["gru"] as? [String: Any])?["forward_backward_ms"] as? Double ?? 0) > 0)
    #expect((object["thread_sweep"] as? [Any])?.count == 1)
  }
}
