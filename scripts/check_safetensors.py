#!/usr/bin/env python3
"""Opens every checkpoint of LossLab run folders with the reference safetensors library and checks
the documented tensor names, dtypes and shapes (docs/files.md, "Checkpoint tensors").

Packages: safetensors, numpy (pip install safetensors numpy). Without them the script prints why
it skipped and exits 0 with "SKIPPED" on its last line, never "PASS".

Usage: check_safetensors.py RUN [RUN ...] [--json]

Each RUN is a folder written by `losslab rl train` (PPO), `losslab ctc train` (CTC) or `losslab
mrt train` (seq2seq, MLE or MRT); the kind is read from its config.json. Every
checkpoints/step-*.safetensors (and MRT's best.safetensors) is opened with
safetensors.safe_open(framework="numpy"); the script asserts that
  - the tensor names are exactly the documented ones (model parameters under `policy.` or
    `model.` with PyTorch / SB3 names, Adam's `optimizer.exp_avg.<i>` and `optimizer.exp_avg_sq.<i>`
    for parameter i in the listed order; best.safetensors holds the model only);
  - every tensor is F32 (float32) with the documented shape, computed from config.json (and, for
    PPO, the observation and action sizes read off the first layer and the action head, for MRT
    the vocabulary sizes from vocab.json);
  - the metadata holds `optimizer.step` (a whole number) in every resumable checkpoint;
  - every value is finite.
With --json it prints, per file, its kind and the sorted list of (name, dtype, shape) as one JSON
object per line. Exit status 0 on success (last line "PASS"), 1 on a mismatch ("FAIL: ...").
"""
import glob
import json
import os
import sys


def gru(prefix, input_size, hidden, layers, bidirectional):
    """PyTorch nn.GRU parameter names and shapes, in LossLab's (and PyTorch's) order."""
    out = []
    directions = 2 if bidirectional else 1
    for layer in range(layers):
        width = input_size if layer == 0 else directions * hidden
        for direction in range(directions):
            suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
            out += [
                (f"{prefix}.weight_ih{suffix}", [3 * hidden, width]),
                (f"{prefix}.weight_hh{suffix}", [3 * hidden, hidden]),
                (f"{prefix}.bias_ih{suffix}", [3 * hidden]),
                (f"{prefix}.bias_hh{suffix}", [3 * hidden]),
            ]
    return out


def linear(prefix, inputs, outputs, bias=True):
    return [(f"{prefix}.weight", [outputs, inputs])] + ([(f"{prefix}.bias", [outputs])] if bias else [])


BOX_ENVS = ("pendulum", "Pendulum-v1", "mountaincar-continuous", "MountainCarContinuous-v0")


def ppo_parameters(config, shapes):
    """SB3 MlpPolicy names under `policy.`: mlp_extractor.{policy,value,shared}_net.{0,2,..}, heads."""
    ppo = config["ppo"]
    arch = ppo["net_arch"]
    first = "policy.mlp_extractor.shared_net.0.weight" if ppo["shared_trunk"] else \
        "policy.mlp_extractor.policy_net.0.weight"
    observations = shapes.get(first, [0, 0])[1]
    actions = shapes.get("policy.action_net.weight", [0, 0])[0]
    widths = [observations] + arch
    out = []
    if config.get("env") in BOX_ENVS:  # Gaussian policy: log_std [A], or gSDE's [latent, A or 1]
        out.append(("policy.log_std", [widths[-1], actions if ppo["full_std"] else 1] if ppo["use_sde"]
                    else [actions]))
    stacks = ["shared_net"] if ppo["shared_trunk"] else ["policy_net", "value_net"]
    for stack in stacks:
        for i in range(len(arch)):
            out += linear(f"policy.mlp_extractor.{stack}.{2 * i}", widths[i], widths[i + 1])
    out += linear("policy.action_net", widths[-1], actions)
    out += linear("policy.value_net", widths[-1], 1)
    return out


def ctc_parameters(config, shapes):
    """AcousticModel under `model.`: frontend (Linear over stacked frames), bidirectional GRU, output."""
    m = config["model"]
    window = m["stacking"]["stride"] + 2 * m["stacking"]["context"]
    return (
        linear("model.frontend", window * m["bands"], m["frontendWidth"])
        + gru("model.gru", m["frontendWidth"], m["hidden"], m["layers"], True)
        + linear("model.output", 2 * m["hidden"], m["classes"])
    )


def mrt_parameters(config, folder):
    """Seq2Seq under `model.`: embeddings, bidirectional GRU encoder, bridge, attention, decoder cell."""
    with open(os.path.join(folder, "vocab.json")) as handle:
        vocab = json.load(handle)
    source, target = len(vocab["source"]["words"]), len(vocab["target"]["words"])
    e, h = config["embeddingSize"], config["hiddenSize"]
    return (
        [("model.source_embedding.weight", [source, e]), ("model.target_embedding.weight", [target, e])]
        + gru("model.encoder", e, h // 2, 1, True)
        + linear("model.bridge", h, h)
        + linear("model.attention_key", h, h, bias=False)
        + [
            ("model.decoder.weight_ih", [3 * h, e + h]), ("model.decoder.weight_hh", [3 * h, h]),
            ("model.decoder.bias_ih", [3 * h]), ("model.decoder.bias_hh", [3 * h]),
        ]
        + linear("model.combine", 2 * h, h, bias=False)
        + linear("model.output", h, target)
    )


def kind_of(config):
    if "ppo" in config:
        return "ppo"
    if "model" in config and "stacking" in config["model"]:
        return "ctc"
    if "embeddingSize" in config:
        return "mrt"
    return None


def main():
    args = [a for a in sys.argv[1:] if a != "--json"]
    as_json = "--json" in sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    try:
        import numpy as np
        import safetensors
        from safetensors import safe_open
    except ImportError as error:
        print(f"SKIPPED: check_safetensors: a Python package is missing ({error}); pip install safetensors numpy")
        print("SKIPPED")
        return 0

    failures = []
    checked = 0
    for folder in args:
        with open(os.path.join(folder, "config.json")) as handle:
            config = json.load(handle)
        kind = kind_of(config)
        label = kind if kind != "mrt" else f"seq2seq ({config.get('objective', 'mle')})"
        if kind is None:
            failures.append(f"{folder}: config.json is not a PPO, CTC or MRT run's")
            continue
        files = sorted(glob.glob(os.path.join(folder, "checkpoints", "step-*.safetensors")))
        best = os.path.join(folder, "best.safetensors")
        if kind == "mrt" and os.path.exists(best):
            files.append(best)
        if not files:
            failures.append(f"{folder}: no checkpoints")
        for path in files:
            with safe_open(path, framework="numpy") as handle:
                names = list(handle.keys())
                metadata = handle.metadata() or {}
                tensors = {name: handle.get_tensor(name) for name in names}
            shapes = {name: list(t.shape) for name, t in tensors.items()}
            if kind == "ppo":
                parameters = ppo_parameters(config, shapes)
            elif kind == "ctc":
                parameters = ctc_parameters(config, shapes)
            else:
                parameters = mrt_parameters(config, folder)
            expected = list(parameters)
            resumable = os.path.basename(path) != "best.safetensors"
            problems = []
            if resumable:
                for moment in ("exp_avg", "exp_avg_sq"):
                    expected += [(f"optimizer.{moment}.{i}", shape) for i, (_, shape) in enumerate(parameters)]
                step = metadata.get("optimizer.step", "")
                if not step.isdigit():
                    problems.append(f"metadata optimizer.step is {step!r}, not a whole number")
            if sorted(names) != sorted(n for n, _ in expected):
                missing = sorted(set(n for n, _ in expected) - set(names))
                extra = sorted(set(names) - set(n for n, _ in expected))
                problems.append(f"names differ (missing {missing[:5]}, unexpected {extra[:5]})")
            for name, shape in expected:
                if name not in tensors:
                    continue
                t = tensors[name]
                if t.dtype != np.float32:
                    problems.append(f"{name}: dtype {t.dtype}, documented float32")
                if list(t.shape) != shape:
                    problems.append(f"{name}: shape {list(t.shape)}, documented {shape}")
                if not np.all(np.isfinite(t)):
                    problems.append(f"{name}: non-finite values")
            failures += [f"{path}: {p}" for p in problems]
            checked += 1
            parameter_count = sum(int(np.prod(s)) for _, s in parameters)
            if as_json:
                listing = [[n, "F32" if tensors[n].dtype == np.float32 else str(tensors[n].dtype), shapes[n]]
                           for n in sorted(names)]
                print(json.dumps({"kind": label, "file": os.path.basename(path), "tensors": listing}))
            print(
                f"{label} {path}: {len(names)} tensors ({len(parameters)} parameters, {parameter_count} values"
                f"{', + Adam moments' if resumable else ''}): "
                + ("names, float32 dtypes, shapes and metadata as documented" if not problems
                   else f"{len(problems)} problems")
            )
    print(f"safetensors {safetensors.__version__}: {checked} files checked")
    if failures:
        print("FAIL: " + "; ".join(failures[:20]))
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
