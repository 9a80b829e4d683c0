import Core

/// `losslab env replay cartpole`: ``EnvironmentReplay`` on CartPole-v1 (500-step limit), each
/// case's `sutton_barto_reward` choosing the reward variant (the format of
/// `shared/reference/cartpole/FORMAT.md`).
public enum CartPoleReplay {
  public static func replay(_ document: JSONValue) throws -> JSONValue {
    try EnvironmentReplay.replay(
      document,
      spec: EnvironmentSpec(
        name: "cartpole", kind: .cartPole(suttonBartoReward: false, timeLimit: CartPole.maxEpisodeSteps)))
  }
}
