#!/usr/bin/env python3
"""Checks a LossLab run folder with TensorBoard's own reader.

Packages: tensorboard (pip install tensorboard). Without it the script prints why it skipped and
exits 0 with "SKIPPED" on its last line, never "PASS".

Usage: check_tensorboard.py RUN_FOLDER [--json OUT]

Loads every events.out.tfevents.* file of the run with tensorboard's EventAccumulator (orphaned
data purged, as TensorBoard does after a restart) and asserts that:
  - every column of metrics.csv (but the step column) is a scalar tag, with one point per CSV row
    that has a value, at the same step, equal to the CSV value rounded to float32
    (TensorBoard scalars are float32 simple_values);
  - the resolved config is a text summary (tag "config");
  - the HParams plugin has an experiment and a session start record.
Exit status 0 on success (last line "PASS"), 1 on a mismatch (last line "FAIL: ...").
"""
import csv
import glob
import json
import math
import os
import struct
import sys


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    run = sys.argv[1]
    out = sys.argv[sys.argv.index("--json") + 1] if "--json" in sys.argv else None
    try:
        from tensorboard.backend.event_processing import event_accumulator
    except ImportError as error:
        print(f"check_tensorboard: skipped: the Python package 'tensorboard' is missing ({error})")
        print("SKIPPED")
        return 0

    files = sorted(glob.glob(os.path.join(run, "events.out.tfevents.*")))
    if not files:
        print(f"FAIL: no events.out.tfevents.* file in {run}")
        return 1
    acc = event_accumulator.EventAccumulator(
        run, size_guidance={"scalars": 0, "tensors": 0}, purge_orphaned_data=True)
    acc.Reload()
    tags = acc.Tags()

    with open(os.path.join(run, "metrics.csv"), newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    step_key = header[0]
    failures = []
    checked = 0
    for column, key in enumerate(header):
        if column == 0:
            continue
        expected = []
        for row in body:
            if row[column] == "":
                continue
            expected.append((int(float(row[0])), float(row[column])))
        if not expected:
            continue
        if key not in tags["scalars"]:
            failures.append(f"scalar tag {key} missing")
            continue
        points = [(e.step, e.value) for e in acc.Scalars(key)]
        if len(points) != len(expected):
            failures.append(f"{key}: {len(points)} points in TensorBoard, {len(expected)} rows in metrics.csv")
            continue
        for (s1, v1), (s2, v2) in zip(points, expected):
            f32 = struct.unpack("f", struct.pack("f", v2))[0] if math.isfinite(v2) else v2
            same = (math.isnan(v1) and math.isnan(f32)) or v1 == f32
            if s1 != s2 or not same:
                failures.append(f"{key}: TensorBoard ({s1}, {v1}) != metrics.csv ({s2}, {v2})")
                break
            checked += 1
    text_tags = [t for t in tags.get("tensors", []) if t.startswith("config")]
    if not text_tags:
        failures.append("no config text summary")
    try:
        plugin_tags = acc.PluginTagToContent("hparams")
    except KeyError:
        plugin_tags = {}
    for needed in ("_hparams_/experiment", "_hparams_/session_start_info"):
        if needed not in plugin_tags:
            failures.append(f"HParams record {needed} missing")
    summary = {"run": run, "event_files": len(files), "scalars_checked": checked,
               "tags": len(tags["scalars"]), "failures": failures}
    if out:
        with open(out, "w") as handle:
            json.dump(summary, handle, indent=2, sort_keys=True)
    print(json.dumps(summary, sort_keys=True))
    if failures:
        print("FAIL: " + failures[0])
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
