/// Reward scaling as Stable-Baselines3's `VecNormalize(norm_reward=True)`: each copy keeps a
/// discounted return `R <- gamma * R + r`; the batch of returns after every step is folded into a
/// running (scalar) variance (Chan et al.'s parallel update, `count` starting at 1e-4, like the
/// observation statistics); the agent learns from `clip(r / sqrt(var + 1e-8), -c, c)` (the mean is
/// not subtracted); a copy's return restarts at 0 when its episode ends. Statistics change only
/// while training (``update(rewards:)``); evaluation and the logged returns use true rewards.
public struct RewardNormalizer: Sendable, Equatable {
  /// Running statistics of the discounted return (SB3's `ret_rms`).
  public private(set) var mean: Double
  public private(set) var variance: Double
  public private(set) var count: Double
  /// The running discounted return of each copy (SB3's `returns`).
  public private(set) var returns: [Double]
  public let gamma: Double
  public let clip: Double
  public static let epsilon = 1e-8

  public init(numEnvs: Int, gamma: Double, clip: Double = 10) {
    mean = 0
    variance = 1
    count = 1e-4
    returns = [Double](repeating: 0, count: numEnvs)
    self.gamma = gamma
    self.clip = clip
  }

  /// Restores saved statistics.
  public init(mean: Double, variance: Double, count: Double, returns: [Double], gamma: Double, clip: Double) {
    self.mean = mean
    self.variance = variance
    self.count = count
    self.returns = returns
    self.gamma = gamma
    self.clip = clip
  }

  /// Accumulates the step's rewards into the returns and the returns into the statistics.
  public mutating func update(rewards: [Float]) {
    let n = returns.count
    guard n > 0, rewards.count == n else { return }
    for i in 0..<n { returns[i] = returns[i] * gamma + Double(rewards[i]) }
    var m = 0.0
    for r in returns { m += r }
    m /= Double(n)
    var v = 0.0
    for r in returns { v += (r - m) * (r - m) }
    v /= Double(n)
    let delta = m - mean
    let total = count + Double(n)
    let m2 = variance * count + v * Double(n) + delta * delta * count * Double(n) / total
    mean += delta * Double(n) / total
    variance = m2 / total
    count = total
  }

  /// `clip(r / sqrt(var + 1e-8), -clip, clip)` for each reward.
  public func normalize(_ rewards: [Float]) -> [Float] {
    let scale = (variance + RewardNormalizer.epsilon).squareRoot()
    return rewards.map { Float(Swift.min(Swift.max(Double($0) / scale, -clip), clip)) }
  }

  /// Restarts the returns of the copies whose episode ended.
  public mutating func resetReturns(done: [Bool]) {
    for i in 0..<Swift.min(done.count, returns.count) where done[i] { returns[i] = 0 }
  }
}
