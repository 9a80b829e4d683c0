#!/usr/bin/env python3
"""Loads a policy exported by `losslab rl export RUN --sb3 DIR` into Stable-Baselines3 and checks
that SB3 acts as LossLab does.

Packages: stable-baselines3 (with torch and gymnasium), safetensors, numpy
(pip install stable-baselines3 safetensors). Without them the script prints why it skipped and
exits 0 with "SKIPPED" on its last line, never "PASS".

Usage: check_sb3.py DIR REFERENCE.json [--tolerance 1e-5]

DIR holds policy.safetensors and sb3_kwargs.json; REFERENCE.json is written by `losslab rl export
RUN --reference-inputs N --reference-out REFERENCE.json` (random raw observations and LossLab's
logits, deterministic actions and values). The script does what docs/export.md shows an SB3 user:
  - builds PPO("MlpPolicy", env, policy_kwargs=..., **ppo_kwargs) from sb3_kwargs.json (env:
    gymnasium.make(env_id), or a stand-in with the same spaces for LossLab-only environments);
  - loads the weights with safetensors.torch.load_file and policy.load_state_dict (strict: every
    name and shape must match);
  - wraps the env in VecNormalize(norm_obs=True, norm_reward=False, training=False) with obs_rms,
    clip_obs and epsilon from the file (when the run normalised observations) and normalises the
    reference observations with its normalize_obs;
  - asserts that model.predict(obs, deterministic=True) equals LossLab's deterministic action on
    every observation whose best logit leads the runner-up by more than the tolerance (ties within
    rounding may break either way), and that SB3's log-probabilities and values agree with
    LossLab's within the tolerance (|sb3 - losslab| <= tol * max(1, |losslab|)); for a box action
    space (Gaussian or gSDE policy: the reference has `mean`), that SB3's mean, predicted action
    (clipped, or unscaled from tanh) and value agree within the tolerance.
Exit status 0 on success (last line "PASS"), 1 on a mismatch (last line "FAIL: ...").
"""
import json
import os
import sys


def schedule(value):
    """A float, or RL-Zoo's `lin_X` (linear from X to 0) as SB3's callable of progress_remaining."""
    if isinstance(value, str):
        kind, *numbers = value.split("_")
        numbers = [float(x) for x in numbers]
        if kind == "lin" and len(numbers) == 1:
            return lambda progress_remaining: progress_remaining * numbers[0]
        if kind == "lin" and len(numbers) == 2:
            start, end = numbers
            return lambda progress_remaining: end + (start - end) * progress_remaining
        raise ValueError(f"schedule {value!r} has no SB3 equivalent here")
    return value


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__)
        return 2
    folder, reference_path = args[0], args[1]
    tolerance = float(args[args.index("--tolerance") + 1]) if "--tolerance" in args else 1e-5
    try:
        import gymnasium as gym
        import numpy as np
        import stable_baselines3
        import torch
        from safetensors.torch import load_file
        from stable_baselines3 import PPO
        from stable_baselines3.common.env_util import make_vec_env
        from stable_baselines3.common.vec_env import VecNormalize
    except ImportError as error:
        print(
            f"SKIPPED: check_sb3: a Python package is missing ({error}); "
            "pip install stable-baselines3 safetensors (torch is a large download)"
        )
        print("SKIPPED")
        return 0

    with open(os.path.join(folder, "sb3_kwargs.json")) as handle:
        kw = json.load(handle)
    if kw["env_id"]:
        make_env = kw["env_id"]
    else:  # a LossLab-only environment: a stand-in with the same spaces is enough to act
        class StandIn(gym.Env):
            observation_space = gym.spaces.Box(-np.inf, np.inf, (kw["observation_size"],), np.float32)
            action_space = gym.spaces.Discrete(kw["action_count"])

        make_env = StandIn
    env = make_vec_env(make_env, n_envs=kw["n_envs"])  # the run's n_envs, so n_steps * n_envs is its rollout
    policy_kwargs = dict(kw["policy_kwargs"])
    policy_kwargs["activation_fn"] = getattr(torch.nn, policy_kwargs["activation_fn"])
    ppo_kwargs = {k: schedule(v) for k, v in kw["ppo_kwargs"].items()}
    model = PPO("MlpPolicy", env, policy_kwargs=policy_kwargs, device="cpu", **ppo_kwargs)
    model.policy.load_state_dict(load_file(os.path.join(folder, "policy.safetensors")))
    print(
        f"stable-baselines3 {stable_baselines3.__version__}, torch {torch.__version__}: "
        f"PPO('MlpPolicy', {kw['env_id'] or 'stand-in env'}, net_arch={kw['policy_kwargs']['net_arch']}, "
        f"activation_fn={kw['policy_kwargs']['activation_fn']}); load_state_dict: "
        f"{len(model.policy.state_dict())} tensors, strict"
    )

    with open(reference_path) as handle:
        reference = json.load(handle)
    observations = np.asarray(reference["observation"], dtype=np.float32)
    if kw["vec_normalize"]:
        vn_kw = kw["vec_normalize"]
        venv = VecNormalize(
            make_vec_env(make_env, n_envs=1), training=False, norm_obs=True, norm_reward=False,
            clip_obs=vn_kw["clip_obs"], epsilon=vn_kw["epsilon"],
        )
        venv.obs_rms.mean = np.asarray(vn_kw["obs_rms"]["mean"], dtype=np.float64)
        venv.obs_rms.var = np.asarray(vn_kw["obs_rms"]["var"], dtype=np.float64)
        venv.obs_rms.count = vn_kw["obs_rms"]["count"]
        observations = venv.normalize_obs(observations)
        print(f"VecNormalize: obs_rms from the run (count {vn_kw['obs_rms']['count']:g}), clip_obs {vn_kw['clip_obs']:g}")
    actions, _ = model.predict(observations, deterministic=True)
    with torch.no_grad():
        obs_tensor = torch.as_tensor(observations)
        distribution = model.policy.get_distribution(obs_tensor).distribution
        values = model.policy.predict_values(obs_tensor).numpy().reshape(-1)
        if "mean" in reference:  # box action space: Gaussian (or gSDE) mean, clipped/squashed action
            means = distribution.mean.numpy()
        else:
            log_probs = distribution.logits.numpy()

    failures = []
    if "mean" in reference:
        for key, theirs, ours in (
            ("mean", means, np.asarray(reference["mean"], dtype=np.float64)),
            ("value", values, np.asarray(reference["value"], dtype=np.float64)),
            ("action", np.asarray(actions), np.asarray(reference["action"], dtype=np.float64)),
        ):
            error = np.abs(theirs.astype(np.float64) - ours) / np.maximum(1.0, np.abs(ours))
            print(f"{key}: max scaled difference {error.max():.3g} (tolerance {tolerance:g})")
            if not error.max() <= tolerance:
                failures.append(f"{key}: max scaled difference {error.max():.3g} > {tolerance:g}")
        return report(failures)
    logits = np.asarray(reference["logits"], dtype=np.float64)
    ours_log_probs = logits - np.log(np.sum(np.exp(logits - logits.max(1, keepdims=True)), 1, keepdims=True)) \
        - logits.max(1, keepdims=True)
    for key, theirs, ours in (
        ("log_probs", log_probs, ours_log_probs),
        ("value", values, np.asarray(reference["value"], dtype=np.float64)),
    ):
        error = np.abs(theirs.astype(np.float64) - ours) / np.maximum(1.0, np.abs(ours))
        print(f"{key}: max scaled difference {error.max():.3g} (tolerance {tolerance:g})")
        if not error.max() <= tolerance:
            failures.append(f"{key}: max scaled difference {error.max():.3g} > {tolerance:g}")
    ours_actions = np.asarray(reference["action"], dtype=np.int64)
    ordered = np.sort(logits, axis=1)
    clear = (ordered[:, -1] - ordered[:, -2]) > tolerance * np.maximum(1.0, np.abs(ordered[:, -1]))
    mismatched = int(np.sum((ours_actions != actions) & clear))
    print(
        f"predict(deterministic=True): {int(np.sum(ours_actions == actions))}/{len(ours_actions)} actions equal "
        f"to LossLab's, {mismatched} clear disagreements"
    )
    if mismatched:
        failures.append(f"action: {mismatched} observations with a clear argmax disagree")
    return report(failures)


def report(failures):
    if failures:
        print("FAIL: " + "; ".join(failures))
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
