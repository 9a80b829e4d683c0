// swift-tools-version:6.0
import PackageDescription

// Targets read bottom to top: each depends only on the ones listed before it
// (docs/architecture.md draws the graph).
let package = Package(
  name: "LossLab",
  products: [
    .executable(name: "losslab", targets: ["losslab"]),
    .library(
      name: "LossLab",
      targets: [
        "Core", "Tensors", "NeuralNets", "Environments", "Reinforcement", "CTC", "Speech", "BLEU",
        "Translation", "Statistics", "Runs", "Reports", "Training", "Benchmarks", "TensorBoard", "ONNX",
        "Corpora",
      ]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
  ],
  targets: [
    // Base: seeded RNG, JSON, atomic durable files, CSV/tables, errors, version. No dependencies.
    .target(name: "Core"),
    .systemLibrary(
      name: "COpenBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]),
    // Small dense kernels in C (AVX-512 / AVX2+FMA / portable, chosen at startup) for the fused
    // PPO update.
    .target(name: "CKernels"),
    // Numerics.
    .target(name: "Tensors", dependencies: ["Core", "COpenBLAS"]),
    .target(name: "NeuralNets", dependencies: ["Core", "Tensors"]),
    // Reinforcement learning.
    .target(name: "Environments", dependencies: ["Core"]),
    .target(
      name: "Reinforcement", dependencies: ["Core", "CKernels", "Tensors", "NeuralNets", "Environments"]),
    // Sequences.
    .target(name: "Speech", dependencies: ["Core", "Tensors"]),
    .target(name: "CTC", dependencies: ["Core", "Tensors", "NeuralNets", "Speech"]),
    .target(name: "BLEU", dependencies: ["Core"]),
    .target(name: "Translation", dependencies: ["Core", "Tensors", "NeuralNets", "BLEU"]),
    // Real corpora: SWORD zText Bible modules (zlib from the system), OSIS markup, byte-pair encoding.
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .target(name: "Corpora", dependencies: ["Core", "CZlib"]),
    // Experiments: statistics, run folders, reports, the training drivers.
    .target(name: "Statistics", dependencies: ["Core"]),
    // TensorBoard event files: TFRecord framing, CRC-32C, swift-protobuf messages (generated code
    // committed; `make protos` regenerates it from tensorboard.proto).
    .target(
      name: "TensorBoard",
      dependencies: ["Core", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
      exclude: ["tensorboard.proto"]),
    // ONNX models: a graph builder over swift-protobuf messages generated from an onnx.proto subset
    // (generated code committed; `make protos` regenerates it). IR 8, opset 17.
    .target(
      name: "ONNX",
      dependencies: ["Core", "Tensors", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
      exclude: ["onnx.proto"]),
    .target(name: "Runs", dependencies: ["Core", "Statistics", "TensorBoard"]),
    .target(
      name: "Reports", dependencies: ["Core", "Statistics", "Runs", "Environments", "Reinforcement"]),
    .target(
      name: "Training",
      dependencies: [
        "Core", "Tensors", "NeuralNets", "Environments", "Reinforcement", "Speech", "CTC", "BLEU",
        "Translation", "Statistics", "Runs", "Reports", "ONNX", "Corpora",
        .product(name: "Yams", package: "Yams"),
      ]),
    .target(
      name: "Benchmarks",
      dependencies: [
        "Core", "COpenBLAS", "Tensors", "NeuralNets", "Environments", "Reinforcement", "Speech", "CTC",
        "BLEU", "Runs", "Training", "Translation",
      ]),
    .executableTarget(
      name: "losslab",
      dependencies: [
        "Core", "Tensors", "NeuralNets", "Environments", "Reinforcement", "Speech", "CTC", "BLEU",
        "Translation", "Statistics", "Runs", "Reports", "Training", "Benchmarks", "Corpora",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    // Tests: one target per library area, shared helpers in TestSupport; only CLITests runs the
    // executable.
    .target(
      name: "TestSupport", dependencies: ["Core", "Tensors", "BLEU"], path: "Tests/TestSupport"),
    .testTarget(name: "CoreTests", dependencies: ["Core", "TestSupport"]),
    .testTarget(name: "TensorsTests", dependencies: ["Tensors", "Core", "TestSupport"]),
    .testTarget(name: "NeuralNetsTests", dependencies: ["NeuralNets", "Tensors", "Core", "TestSupport"]),
    .testTarget(name: "EnvironmentsTests", dependencies: ["Environments", "Core", "TestSupport"]),
    .testTarget(
      name: "ReinforcementTests",
      dependencies: [
        "Reinforcement", "CKernels", "Environments", "NeuralNets", "Tensors", "Core", "TestSupport",
      ]),
    .testTarget(name: "SpeechTests", dependencies: ["Speech", "Tensors", "Core", "TestSupport"]),
    .testTarget(
      name: "CTCTests", dependencies: ["CTC", "Speech", "NeuralNets", "Tensors", "Core", "TestSupport"]),
    .testTarget(name: "BLEUTests", dependencies: ["BLEU", "Core", "TestSupport"]),
    .testTarget(
      name: "TranslationTests",
      dependencies: ["Translation", "BLEU", "NeuralNets", "Tensors", "Core", "TestSupport"]),
    .testTarget(name: "CorporaTests", dependencies: ["Corpora", "Core", "TestSupport"]),
    .testTarget(name: "StatisticsTests", dependencies: ["Statistics", "Core", "TestSupport"]),
    .testTarget(name: "TensorBoardTests", dependencies: ["TensorBoard", "Core", "TestSupport"]),
    .testTarget(
      name: "ONNXTests",
      dependencies: [
        "ONNX", "Training", "Reinforcement", "CTC", "Speech", "NeuralNets", "Tensors", "Core", "TestSupport",
      ]),
    .testTarget(name: "RunsTests", dependencies: ["Runs", "Statistics", "Core", "TestSupport"]),
    .testTarget(
      name: "ReportsTests",
      dependencies: ["Reports", "Training", "Runs", "Statistics", "Core", "TestSupport"]),
    .testTarget(
      name: "TrainingTests",
      dependencies: [
        "Training", "Runs", "Reports", "Reinforcement", "Environments", "Speech", "CTC", "Translation",
        "BLEU",
        "NeuralNets", "Tensors", "Core", "TestSupport",
      ]),
    .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "Core", "TestSupport"]),
    .testTarget(
      name: "CLITests",
      dependencies: [
        "losslab", "Training", "Runs", "Environments", "NeuralNets", "Tensors", "Core", "TestSupport",
      ]),
  ]
)
