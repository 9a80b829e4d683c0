#!/usr/bin/env python3
"""Checks an ONNX policy exported by `losslab rl export` with ONNX's checker and onnxruntime.

Packages: onnx, onnxruntime, numpy (pip install onnx onnxruntime). Without them the script prints
why it skipped and exits 0 with "SKIPPED" on its last line, never "PASS".

Usage: check_onnx.py MODEL.onnx REFERENCE.json [--tolerance 1e-5]

REFERENCE.json is written by `losslab rl export RUN --onnx MODEL.onnx --reference-inputs N
--reference-out REFERENCE.json`: random observations and LossLab's own logits, actions and values
on them. The script
  - runs onnx.checker.check_model (full check) and onnx.shape_inference on the model;
  - states the model's IR version and opset;
  - runs the observations through onnxruntime (CPU) in one batch and asserts that logits and values
    agree with LossLab's within the tolerance (|onnx - losslab| <= tol * max(1, |losslab|)), and
    that the argmax actions are equal wherever LossLab's best logit leads the runner-up by more
    than the tolerance (ties within rounding may break either way); for a box action space
    (reference with `mean`), the mean, the deterministic (clipped or squashed) action and the value
    agree within the tolerance.
Exit status 0 on success (last line "PASS"), 1 on a mismatch (last line "FAIL: ...").
"""
import json
import sys


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__)
        return 2
    model_path, reference_path = args[0], args[1]
    tolerance = float(args[args.index("--tolerance") + 1]) if "--tolerance" in args else 1e-5
    try:
        import numpy as np
        import onnx
        import onnxruntime as ort
    except ImportError as error:
        print(f"check_onnx: skipped: a Python package is missing ({error}); pip install onnx onnxruntime")
        print("SKIPPED")
        return 0

    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    opsets = {o.domain or "ai.onnx": o.version for o in model.opset_import}
    print(f"checker: ok (IR version {model.ir_version}, opsets {opsets}, onnx {onnx.__version__})")

    with open(reference_path) as handle:
        reference = json.load(handle)
    observations = np.asarray(reference["observation"], dtype=np.float32)
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    outputs = dict(zip(names, session.run(None, {session.get_inputs()[0].name: observations})))
    print(f"onnxruntime {ort.__version__}: {len(observations)} observations, outputs {names}")

    failures = []
    box = "mean" in reference  # a Gaussian policy: mean and a float action, compared like values
    for key in ("mean", "action", "value") if box else ("logits", "value"):
        ours = np.asarray(reference[key], dtype=np.float32)
        theirs = outputs[key]
        if ours.shape != theirs.shape:
            failures.append(f"{key}: shape {theirs.shape} in onnxruntime, {ours.shape} in LossLab")
            continue
        error = np.abs(theirs.astype(np.float64) - ours) / np.maximum(1.0, np.abs(ours))
        print(f"{key}: max scaled difference {error.max():.3g} (tolerance {tolerance:g})")
        if not error.max() <= tolerance:
            failures.append(f"{key}: max scaled difference {error.max():.3g} > {tolerance:g}")
    if box:
        return report(failures)
    logits = np.asarray(reference["logits"], dtype=np.float64)
    ours = np.asarray(reference["action"], dtype=np.int64)
    theirs = outputs["action"]
    ordered = np.sort(logits, axis=1)
    clear = (ordered[:, -1] - ordered[:, -2]) > tolerance * np.maximum(1.0, np.abs(ordered[:, -1]))
    mismatched = int(np.sum((ours != theirs) & clear))
    print(f"action: {int(np.sum(ours == theirs))}/{len(ours)} equal, {mismatched} clear disagreements")
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
