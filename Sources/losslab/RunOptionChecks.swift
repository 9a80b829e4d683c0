import Environments
import Reinforcement

/// Checks shared by the commands that launch many `rl train` runs (`rl compare`, `sweep`).
extension Allowed {
  /// `--env`, `--out`, `--preset`, `--set NAME=VALUE` (preset keys) and `--env-option KEY=VALUE`.
  static func runOptions(
    env: String, out: String, preset: String?, overrides: [String], envOptions: [String]
  ) throws {
    try name("--env", env)
    try path("--out", out)
    try name("--preset", preset)
    try assignments("--set", overrides, names: PPOConfig.keys)
    try assignments(
      "--env-option", envOptions,
      names: EnvironmentSpec.cartPoleKeys.map(\.key) + GridSettings.keys.map(\.key))
  }

  /// `--seeds N` with `--first-seed FIRST`: the last seed, FIRST + N - 1, must fit in 64 bits.
  static func seeds(_ seeds: Int, first: UInt64) throws {
    try check("--seeds", seeds, 1...Limits.seeds)
    if first > UInt64.max - UInt64(seeds - 1) {
      throw error(
        "--first-seed", "\(first)", "0...\(UInt64.max - UInt64(seeds - 1))",
        "the last seed, FIRST + --seeds - 1, must fit in 64 bits")
    }
  }
}
