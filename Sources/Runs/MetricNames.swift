/// Metric names as Stable-Baselines3's logger writes them (`progress.csv`), so LossLab's
/// `metrics.csv` lines up column for column with SB3 runs and CleanRL-style dashboards.
///
/// Use them as ``MetricsLogger`` keys; ``ppo`` is the full PPO column set in SB3's order.
public enum MetricName {
  // time/
  /// Environment steps so far, the x axis of every curve (always the first column).
  public static let totalTimesteps = "time/total_timesteps"
  /// Steps per second since the start of this process (SB3 `time/fps`).
  public static let fps = "time/fps"
  /// Wall-clock seconds since the start.
  public static let timeElapsed = "time/time_elapsed"
  /// Rollout/update cycles done.
  public static let iterations = "time/iterations"

  // rollout/
  /// Mean undiscounted return of the last 100 finished episodes (SB3 `ep_info_buffer`).
  public static let episodeRewardMean = "rollout/ep_rew_mean"
  /// Mean shaped return (the reward the agent learned from) of the last 100 finished episodes,
  /// logged beside the true `rollout/ep_rew_mean` when training with reward shaping.
  public static let episodeShapedRewardMean = "rollout/ep_shaped_rew_mean"
  /// Mean length of the last 100 finished episodes.
  public static let episodeLengthMean = "rollout/ep_len_mean"

  // eval/
  /// Mean return of deterministic evaluation episodes (SB3 `EvalCallback`).
  public static let evalMeanReward = "eval/mean_reward"
  public static let evalMeanEpisodeLength = "eval/mean_ep_length"

  // train/ (PPO)
  public static let loss = "train/loss"
  public static let policyGradientLoss = "train/policy_gradient_loss"
  public static let valueLoss = "train/value_loss"
  public static let entropyLoss = "train/entropy_loss"
  public static let approxKL = "train/approx_kl"
  public static let clipFraction = "train/clip_fraction"
  public static let clipRange = "train/clip_range"
  public static let explainedVariance = "train/explained_variance"
  public static let learningRate = "train/learning_rate"
  public static let updates = "train/n_updates"

  /// The PPO columns, in the order SB3 prints them.
  public static let ppo: [String] = [
    totalTimesteps, fps, timeElapsed, iterations, episodeRewardMean, episodeLengthMean, approxKL,
    clipFraction,
    clipRange, entropyLoss, explainedVariance, learningRate, loss, updates, policyGradientLoss, valueLoss,
  ]
}
