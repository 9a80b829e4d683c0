#!/usr/bin/env python3
"""Times LossLab's PPO peers on CartPole-v1 with the RL-Zoo preset, on this machine, now.

- SB3 (packages: stable-baselines3, torch, gymnasium): `PPO.learn(100_000)` with one torch
  thread, training only (no evaluation callback).
- PureJaxRL-style PPO (packages: jax, gymnax, optax): the whole training in one `jax.jit`,
  `jax.vmap` over seeds, on gymnax CartPole-v1; compile (`lower().compile()`) and run timed apart,
  for 1 and 10 seeds.

Each part prints one JSON line, or "SKIPPED: <why>" when its packages are missing. The preset
(RL Zoo's CartPole-v1): 8 envs x 32 steps, batch 256, 20 epochs, gamma 0.98, GAE lambda 0.8,
ent_coef 0, learning rate 1e-3 and clip range 0.2 both annealed linearly, separate 64x64 tanh
actor and critic with orthogonal initialisation, max_grad_norm 0.5, vf_coef 0.5.

    python3 scripts/bench_peers.py [--steps 100000] [--skip-sb3] [--skip-jax]
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false")


def bench_sb3(steps):
    try:
        import torch
        from stable_baselines3 import PPO
        from stable_baselines3.common.env_util import make_vec_env
    except ImportError as e:
        print(f"SKIPPED: SB3 peer needs stable-baselines3, torch, gymnasium ({e})")
        return
    torch.set_num_threads(1)
    env = make_vec_env("CartPole-v1", n_envs=8, seed=0)
    lin = lambda v: (lambda progress: progress * v)  # noqa: E731
    model = PPO("MlpPolicy", env, n_steps=32, batch_size=256, gae_lambda=0.8, gamma=0.98, n_epochs=20,
                ent_coef=0.0, learning_rate=lin(1e-3), clip_range=lin(0.2), seed=0, device="cpu", verbose=0)
    t0, c0 = time.perf_counter(), time.process_time()
    model.learn(total_timesteps=steps)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"tool": "sb3", "version": __import__("stable_baselines3").__version__,
                      "torch_threads": torch.get_num_threads(), "timesteps": steps,
                      "train_wall_seconds": wall, "train_cpu_seconds": cpu}))


def bench_jax(steps):
    try:
        import jax
        import jax.numpy as jnp
        import gymnax
        import optax
    except ImportError as e:
        print(f"SKIPPED: JAX peer needs jax, gymnax, optax ({e})")
        return
    env, env_params = gymnax.make("CartPole-v1")
    n_envs, n_steps, epochs, gamma, lam, clip, lr = 8, 32, 20, 0.98, 0.8, 0.2, 1e-3
    n_updates = steps // (n_envs * n_steps)
    obs_size, n_actions = env.observation_space(env_params).shape[0], env.action_space(env_params).n

    def ortho(key, shape, gain):
        return jax.nn.initializers.orthogonal(gain)(key, shape)

    def init_params(key):
        ks = jax.random.split(key, 6)
        g = jnp.sqrt(2.0)
        mlp = lambda k1, k2: [(ortho(k1, (obs_size, 64), g), jnp.zeros(64)), (ortho(k2, (64, 64), g), jnp.zeros(64))]  # noqa
        return {"pi": mlp(ks[0], ks[1]), "vf": mlp(ks[2], ks[3]),
                "head": (ortho(ks[4], (64, n_actions), 0.01), jnp.zeros(n_actions)),
                "value": (ortho(ks[5], (64, 1), 1.0), jnp.zeros(1))}

    def apply(p, x):
        h, v = x, x
        for w, b in p["pi"]:
            h = jnp.tanh(h @ w + b)
        for w, b in p["vf"]:
            v = jnp.tanh(v @ w + b)
        return h @ p["head"][0] + p["head"][1], (v @ p["value"][0] + p["value"][1])[..., 0]

    schedule = lambda count: lr * (1.0 - (count // epochs) / n_updates)  # noqa: E731
    tx = optax.chain(optax.clip_by_global_norm(0.5), optax.adam(learning_rate=schedule, eps=1e-5))

    def train(key):
        key, k_init, k_reset = jax.random.split(key, 3)
        params = init_params(k_init)
        opt = tx.init(params)
        obs, state = jax.vmap(env.reset, in_axes=(0, None))(jax.random.split(k_reset, n_envs), env_params)

        def update(carry, i):
            params, opt, obs, state, key = carry

            def step(c, _):
                obs, state, key = c
                key, k_a, k_s = jax.random.split(key, 3)
                logits, value = apply(params, obs)
                action = jax.random.categorical(k_a, logits)
                logp = jax.nn.log_softmax(logits)[jnp.arange(n_envs), action]
                out = jax.vmap(env.step, in_axes=(0, 0, 0, None))(
                    jax.random.split(k_s, n_envs), state, action, env_params)
                # gymnax >= 1.0 returns (obs, state, reward, terminated, truncated, info); older
                # (obs, state, reward, done, info). PureJaxRL treats either end as done.
                obs2, state2, reward = out[0], out[1], out[2]
                done = out[3] if len(out) == 5 else jnp.logical_or(out[3], out[4])
                done = done.astype(jnp.float32)
                return (obs2, state2, key), (obs, action, logp, value, reward, done)

            (obs, state, key), (o, a, lp, v, r, d) = jax.lax.scan(step, (obs, state, key), None, n_steps)
            _, last_v = apply(params, obs)

            def gae(c, t):
                adv, nv = c
                done, value, reward = t
                delta = reward + gamma * nv * (1 - done) - value
                adv = delta + gamma * lam * (1 - done) * adv
                return (adv, value), adv

            _, advs = jax.lax.scan(gae, (jnp.zeros(n_envs), last_v), (d, v, r), reverse=True)
            rets = advs + v
            cr = clip * (1.0 - i / n_updates)
            batch = jax.tree_util.tree_map(lambda x: x.reshape((n_envs * n_steps,) + x.shape[2:]),
                                           (o, a, lp, v, advs, rets))

            def epoch(c, _):
                params, opt, key = c
                key, k = jax.random.split(key)
                perm = jax.random.permutation(k, n_envs * n_steps)
                ob, ac, olp, ov, ad, rt = jax.tree_util.tree_map(lambda x: x[perm], batch)

                def loss_fn(p):
                    logits, value = apply(p, ob)
                    logp_all = jax.nn.log_softmax(logits)
                    logp = logp_all[jnp.arange(ac.shape[0]), ac]
                    ratio = jnp.exp(logp - olp)
                    adn = (ad - ad.mean()) / (ad.std(ddof=1) + 1e-8)
                    pg = -jnp.minimum(adn * ratio, adn * jnp.clip(ratio, 1 - cr, 1 + cr)).mean()
                    vl = ((rt - value) ** 2).mean()
                    return pg + 0.5 * vl

                grads = jax.grad(loss_fn)(params)
                updates, opt = tx.update(grads, opt, params)
                return (optax.apply_updates(params, updates), opt, key), None

            (params, opt, key), _ = jax.lax.scan(epoch, (params, opt, key), None, epochs)
            return (params, opt, obs, state, key), r.sum()

        carry, _ = jax.lax.scan(update, (params, opt, obs, state, key), jnp.arange(n_updates))
        return carry[0]

    for seeds in (1, 10):
        keys = jax.random.split(jax.random.PRNGKey(0), seeds)
        fn = jax.jit(jax.vmap(train))
        t0 = time.perf_counter()
        compiled = fn.lower(keys).compile()
        compile_s = time.perf_counter() - t0
        t0, c0 = time.perf_counter(), time.process_time()
        jax.block_until_ready(compiled(keys))
        run_s, run_cpu = time.perf_counter() - t0, time.process_time() - c0
        print(json.dumps({"tool": "purejaxrl-style", "jax": jax.__version__, "seeds": seeds, "timesteps": steps,
                          "compile_seconds": compile_s, "run_wall_seconds": run_s, "run_cpu_seconds": run_cpu}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=100_000)
    ap.add_argument("--skip-sb3", action="store_true")
    ap.add_argument("--skip-jax", action="store_true")
    args = ap.parse_args()
    if not args.skip_jax:
        bench_jax(args.steps)
    if not args.skip_sb3:
        bench_sb3(args.steps)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
