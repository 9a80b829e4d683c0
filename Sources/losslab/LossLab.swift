import ArgumentParser
import BLEU
import Core
import Foundation
import Reinforcement
import Tensors

@main
struct LossLab: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "losslab",
    abstract: "A workbench for the losses that drive modern learning: PPO, reward shaping, CTC, BLEU.",
    version: LossLabVersion.string,
    subcommands: [
      RLCommand.self, EnvCommand.self, CTCCommand.self, BLEUCommand.self, MRTCommand.self,
      BenchCommand.self, DemoCommand.self, SweepCommand.self, LMCommand.self,
    ])

  static func main() {
    // OpenBLAS's workers spin at start-up; commands that use BLAS restart them on demand.
    BLAS.stopIdleWorkers()
    Foundation.exit(CommandLineExit.run(LossLab.self, arguments: Array(CommandLine.arguments.dropFirst())))
  }
}
