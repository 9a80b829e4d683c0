import ArgumentParser
import Reinforcement

/// `losslab rl ...`: reinforcement learning (PPO) on LossLab's environments.
struct RLCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rl",
    abstract: "Train and evaluate PPO agents (Stable-Baselines3's algorithm, hyperparameters and metrics).",
    subcommands: [
      RLTrainCommand.self, RLEvalCommand.self, RLCompareCommand.self, RLReportCommand.self,
      RLExportCommand.self,
    ])
}
