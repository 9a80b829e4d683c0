import Foundation
import TestSupport
import Testing

@testable import Training

/// The Parzen estimators of ``TPESampler`` against Optuna 5.1's `_ParzenEstimator` on the fixed
/// inputs of `scripts/tpe_reference.py` (recorded in `Tests/Fixtures/sweep/tpe_reference.json`):
/// kernel centres, bandwidths, mixture weights, categorical kernels and log densities.
@Suite struct TPEReferenceTests {
  static func reference() throws -> [String: Any] {
    try #require(
      JSONSerialization.jsonObject(with: Fixtures.data("sweep/tpe_reference.json")) as? [String: Any])
  }

  static func close(_ a: [Double], _ b: [Double], tolerance: Double = 1e-9) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * Swift.max(1, abs($1)) }
  }

  /// The parameter a case describes (`type`, `low`, `high`, `step`, `log`, `values`).
  static func parameter(_ spec: [String: Any]) throws -> SweepParameter {
    let low = spec["low"] as? Double ?? 0
    let high = spec["high"] as? Double ?? 0
    switch spec["type"] as? String {
    case "uniform": return SweepParameter(name: "p", kind: .uniform(low: low, high: high))
    case "loguniform": return SweepParameter(name: "p", kind: .logUniform(low: low, high: high))
    case "int":
      return SweepParameter(
        name: "p",
        kind: .int(
          low: Int(low), high: Int(high), step: spec["step"] as? Int ?? 1, log: spec["log"] as? Bool ?? false)
      )
    default: return SweepParameter(name: "p", kind: .choice(try #require(spec["values"] as? [String])))
    }
  }

  @Test func gammaAndWeightsMatchOptuna() throws {
    let reference = try Self.reference()
    let gamma = try #require(reference["gamma"] as? [String: Int])
    for (n, g) in gamma { #expect(TPESampler.gamma(Int(n)!) == g, "gamma(\(n))") }
    let weights = try #require(reference["weights_30"] as? [Double])
    #expect(Self.close(TPESampler.weights(30), weights, tolerance: 1e-15))
  }

  @Test func parzenEstimatorsMatchOptuna() throws {
    let cases = try #require(Self.reference()["cases"] as? [[String: Any]])
    #expect(cases.count == 10)
    for c in cases {
      let name = c["name"] as? String ?? "?"
      let spec = try #require(c["parameter"] as? [String: Any])
      let parameter = try Self.parameter(spec)
      func value(_ x: Double) -> SweepValue {
        switch parameter.kind {
        case .choice: return .choice(Int(x))
        case .int: return .integer(Int(x))
        default: return .real(x)
        }
      }
      let observations = (c["observations"] as? [Double] ?? []).map(value)
      let estimator = ParzenEstimator(parameter, observations: observations, priorWeight: 1)
      #expect(Self.close(estimator.weights, c["weights"] as? [Double] ?? []), "\(name) weights")
      if let mus = c["mus"] as? [Double], let sigmas = c["sigmas"] as? [Double] {
        #expect(Self.close(estimator.mus, mus), "\(name) mus \(estimator.mus) vs \(mus)")
        #expect(Self.close(estimator.sigmas, sigmas), "\(name) sigmas \(estimator.sigmas) vs \(sigmas)")
      } else {
        let rows = try #require(c["choice_weights"] as? [[Double]])
        #expect(estimator.choiceWeights.count == rows.count)
        for (mine, theirs) in zip(estimator.choiceWeights, rows) {
          #expect(Self.close(mine, theirs), "\(name)")
        }
      }
      let points = (c["points"] as? [Double] ?? []).map(value)
      let logPDF = points.map(estimator.logDensity)
      #expect(
        Self.close(logPDF, c["log_pdf"] as? [Double] ?? []), "\(name) log_pdf \(logPDF) vs \(c["log_pdf"]!)")
    }
  }
}
