// swift-tools-version:6.0
import PackageDescription

// libFuzzer harnesses for every LossLab parser (see docs/reliability.md). Built by
// scripts/fuzz/run.sh with address sanitizer and libFuzzer coverage instrumentation; each
// executable defines its own entry point and calls libFuzzer's LLVMFuzzerRunDriver (FuzzSupport).
let harnesses: [(name: String, products: [String])] = [
  ("FuzzGridMap", ["LossLab"]),
  ("FuzzPreset", ["LossLab"]),
  ("FuzzShaping", ["LossLab"]),
  ("FuzzSafeTensors", ["LossLab"]),
  ("FuzzWAV", ["LossLab"]),
  ("FuzzManifest", ["LossLab"]),
  ("FuzzBLEU", ["LossLab"]),
  ("FuzzJSON", ["LossLab"]),
  ("FuzzReplay", ["LossLab"]),
  ("FuzzARPA", ["LossLab"]),
  ("FuzzSweepSpace", ["LossLab"]),
  ("FuzzCorpora", ["LossLab"]),
]

let package = Package(
  name: "LossLabFuzz",
  dependencies: [.package(name: "LossLab", path: "../..")],
  targets: [.target(name: "FuzzSupport", swiftSettings: [.swiftLanguageMode(.v5)])]
    + harnesses.map { harness in
      .executableTarget(
        name: harness.name,
        dependencies: ["FuzzSupport"] + harness.products.map { .product(name: $0, package: "LossLab") },
        swiftSettings: [.swiftLanguageMode(.v5)])
    }
)
