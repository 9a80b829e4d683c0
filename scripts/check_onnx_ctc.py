#!/usr/bin/env python3
"""Checks a CTC acoustic model exported by `losslab ctc export` with ONNX's checker and onnxruntime.

Packages: onnx, onnxruntime, numpy (pip install onnx onnxruntime). Without them the script prints
why it skipped and exits 0 with "SKIPPED" on its last line, never "PASS".

Usage: check_onnx_ctc.py MODEL.onnx REFERENCE.json [--tolerance 1e-5]

REFERENCE.json is written by `losslab ctc export RUN --onnx MODEL.onnx --data CORPUS --split test
--reference-utterances N --reference-out REFERENCE.json`: a zero-padded batch of test utterances'
log-mel features [batch, frames, bands] with their lengths, and LossLab's own log-probabilities
[batch, steps, classes] and output lengths. The script
  - runs onnx.checker.check_model (full check) and onnx.shape_inference on the model;
  - states the model's IR version, opset and operators;
  - runs the whole batch through onnxruntime (CPU) in one call and asserts that output_lengths
    are equal and that every log-probability of every valid output frame agrees with LossLab's
    within the tolerance (|onnx - losslab| <= tol * max(1, |losslab|)); frames at or after an
    item's output length are padding and not compared;
  - reports how many frames' greedy (argmax) labels agree, for information.
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
        print(f"SKIPPED: check_onnx_ctc: a Python package is missing ({error}); pip install onnx onnxruntime")
        print("SKIPPED")
        return 0

    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    opsets = {o.domain or "ai.onnx": o.version for o in model.opset_import}
    ops = sorted({node.op_type for node in model.graph.node})
    print(f"checker: ok (IR version {model.ir_version}, opsets {opsets}, onnx {onnx.__version__})")
    print(f"operators: {', '.join(ops)}")

    with open(reference_path) as handle:
        reference = json.load(handle)
    features = np.asarray(reference["features"], dtype=np.float32)
    lengths = np.asarray(reference["lengths"], dtype=np.int64)
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    outputs = dict(zip(names, session.run(None, {"features": features, "lengths": lengths})))
    print(
        f"onnxruntime {ort.__version__}: batch of {features.shape[0]} utterances, "
        f"{features.shape[1]} frames x {features.shape[2]} bands (lengths {lengths.min()}..{lengths.max()}), "
        f"outputs {names}"
    )

    failures = []
    ours_lengths = np.asarray(reference["output_lengths"], dtype=np.int64)
    if not np.array_equal(outputs["output_lengths"], ours_lengths):
        failures.append(f"output_lengths {outputs['output_lengths'].tolist()} != LossLab's {ours_lengths.tolist()}")
    ours = np.asarray(reference["log_probs"], dtype=np.float32)
    theirs = outputs["log_probs"]
    if ours.shape != theirs.shape:
        failures.append(f"log_probs: shape {theirs.shape} in onnxruntime, {ours.shape} in LossLab")
    else:
        valid = np.arange(ours.shape[1])[None, :] < ours_lengths[:, None]  # [batch, steps]
        a = theirs[valid].astype(np.float64)
        b = ours[valid].astype(np.float64)
        absolute = np.abs(a - b)
        scaled = absolute / np.maximum(1.0, np.abs(b))
        print(
            f"log_probs: {int(valid.sum())} valid frames x {ours.shape[2]} classes; max absolute difference "
            f"{absolute.max():.3g}, max scaled difference {scaled.max():.3g} (tolerance {tolerance:g})"
        )
        if not scaled.max() <= tolerance:
            failures.append(f"log_probs: max scaled difference {scaled.max():.3g} > {tolerance:g}")
        same = int(np.sum(np.argmax(a.reshape(-1, ours.shape[2]), 1) == np.argmax(b.reshape(-1, ours.shape[2]), 1)))
        print(f"greedy labels: {same}/{int(valid.sum())} frames equal")
    if failures:
        print("FAIL: " + "; ".join(failures))
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
