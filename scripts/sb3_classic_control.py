#!/usr/bin/env python3
"""Stable-Baselines3 PPO with the RL Zoo's ppo.yml presets on the classic-control envs: trains
one run per seed (one torch thread), evaluates the final policy deterministically over N episodes
(VecNormalize frozen, true rewards) and prints one JSON line per seed with wall and CPU seconds.

Packages: stable-baselines3, gymnasium, torch. Prints "SKIPPED: <why>" when they are missing.

usage: scripts/sb3_classic_control.py ENV_ID --seeds 0 1 2 [--steps N] [--episodes 100]
"""
import argparse
import json
import sys
import time

try:
    import numpy as np
    import torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.evaluation import evaluate_policy
    from stable_baselines3.common.vec_env import VecNormalize
except ImportError as error:  # pragma: no cover
    print(f"SKIPPED: {error} (pip install stable-baselines3 gymnasium torch)")
    sys.exit(0)

# rl-baselines3-zoo hyperparams/ppo.yml (commit 22e3ff2); environments/presets/*.yaml translate these.
ZOO = {
    "Acrobot-v1": dict(normalize=True, n_envs=16, n_timesteps=1_000_000, n_steps=256, gae_lambda=0.94,
                       gamma=0.99, n_epochs=4, ent_coef=0.0),
    "MountainCar-v0": dict(normalize=True, n_envs=16, n_timesteps=1_000_000, n_steps=16, gae_lambda=0.98,
                           gamma=0.99, n_epochs=4, ent_coef=0.0),
    "MountainCarContinuous-v0": dict(normalize=True, n_envs=1, n_timesteps=20_000, batch_size=256, n_steps=8,
                                     gamma=0.9999, learning_rate=7.77e-05, ent_coef=0.00429, clip_range=0.1,
                                     n_epochs=10, gae_lambda=0.9, max_grad_norm=5, vf_coef=0.19, use_sde=True,
                                     policy_kwargs=dict(log_std_init=-3.29, ortho_init=False)),
    "Pendulum-v1": dict(n_envs=4, n_timesteps=100_000, n_steps=1024, gae_lambda=0.95, gamma=0.9, n_epochs=10,
                        ent_coef=0.0, learning_rate=1e-3, clip_range=0.2, use_sde=True, sde_sample_freq=4),
}


def run(env_id, seed, steps, episodes):
    hp = dict(ZOO[env_id])
    normalize = hp.pop("normalize", False)
    n_envs = hp.pop("n_envs")
    budget = steps or hp.pop("n_timesteps")
    hp.pop("n_timesteps", None)
    env = make_vec_env(env_id, n_envs=n_envs, seed=seed)
    if normalize:
        env = VecNormalize(env, gamma=hp["gamma"])
    model = PPO("MlpPolicy", env, seed=seed, verbose=0, device="cpu", **hp)
    wall, cpu = time.perf_counter(), time.process_time()
    model.learn(total_timesteps=budget)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    eval_env = make_vec_env(env_id, n_envs=1, seed=seed + 12345)
    if normalize:
        eval_env = VecNormalize(eval_env, training=False, norm_reward=False)
        eval_env.obs_rms = env.obs_rms
    mean, std = evaluate_policy(model, eval_env, n_eval_episodes=episodes, deterministic=True)
    return dict(env=env_id, seed=seed, timesteps=model.num_timesteps, wall_seconds=wall, cpu_seconds=cpu,
                steps_per_second=model.num_timesteps / wall, mean_return=float(mean), std_return=float(std),
                episodes=episodes)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("env", choices=sorted(ZOO))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--steps", type=int, default=0)
    parser.add_argument("--episodes", type=int, default=100)
    args = parser.parse_args()
    torch.set_num_threads(1)
    for seed in args.seeds:
        print(json.dumps(run(args.env, seed, args.steps, args.episodes), sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
