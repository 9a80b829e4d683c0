#!/usr/bin/env python3
"""Fault injection for LossLab's trainers (docs/reliability.md): SIGKILL at random moments and a
full disk. Python standard library only; needs a built `losslab` (default .build/release/losslab).

For each trainer (PPO `rl train`, CTC `ctc train`, MRT `mrt train`) with a small budget:
  1. an uninterrupted reference run;
  2. the same run killed with SIGKILL at random moments (--kills per trainer, some aimed at a
     checkpoint write: the kill is sent as soon as a checkpoint's temporary file appears), resumed
     after each kill (--resume, or --out DIR --overwrite when no checkpoint was reached yet);
     after every kill the folder is checked: every JSON file parses, every metrics row is
     complete, `latest` names a complete checkpoint whose safetensors header is valid, and
     status.json tells the truth (`running`, at the newest checkpoint's step);
  3. the killed run, once finished, must equal the reference: metrics.csv and metrics.jsonl
     value for value apart from the wall-clock columns, and the final checkpoint's .safetensors
     (and MRT's best.safetensors) byte for byte.
Disk full (root only; prints SKIPPED otherwise): a PPO run in a small tmpfs that is filled up
after its first checkpoint; the run must stop with exit 1 and a message naming the lack of space,
keep its last checkpoint and metrics readable, and `--resume` must finish it (equal to the
reference) once space is back.

Usage: scripts/test_faults.py [--bin PATH] [--kills N] [--seed S] [--trainers ppo,ctc,mrt]
"""

import argparse
import csv
import io
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

WALL_CLOCK = {"time/fps", "time/time_elapsed"}


def fail(message):
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


class Trainer:
    def __init__(self, name, new_args, resume_args):
        self.name = name
        self.new_args = new_args  # run from scratch; "--out DIR" appended
        self.resume_args = resume_args  # "--resume DIR" appended


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def temporaries(folder):
    found = []
    for sub in (folder, os.path.join(folder, "checkpoints")):
        if os.path.isdir(sub):
            found += [n for n in os.listdir(sub) if n.startswith(".") and (".tmp-" in n or n.endswith(".partial"))]
    return found


def read_safetensors_header(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        fail(f"{path}: {len(data)} bytes, shorter than a safetensors header")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        fail(f"{path}: header of {n} bytes beyond the file ({len(data)} bytes)")
    header = json.loads(data[8 : 8 + n])
    end = max([v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"] + [0])
    if 8 + n + end != len(data):
        fail(f"{path}: torn: data ends at {8 + n + end}, file has {len(data)} bytes")
    return header


def latest_step(folder):
    pointer = os.path.join(folder, "checkpoints", "latest")
    if not os.path.exists(pointer):
        return None
    name = open(pointer).read().strip()
    if not name.startswith("step-"):
        fail(f"{pointer}: '{name}' is not a checkpoint name")
    return int(name[len("step-") :])


def check_not_torn(folder, allow_finished):
    """Every file a reader opens is complete; status.json tells the truth. Returns the status."""
    for sub in (folder, os.path.join(folder, "checkpoints")):
        if not os.path.isdir(sub):
            continue
        for name in os.listdir(sub):
            path = os.path.join(sub, name)
            if name.startswith(".") or not os.path.isfile(path):
                continue
            if name.endswith(".json"):
                try:
                    with open(path) as f:
                        json.load(f)
                except ValueError as e:
                    fail(f"{path}: torn JSON after a kill: {e}")
            elif name.endswith(".safetensors"):
                read_safetensors_header(path)
    for name in ("metrics.csv", "metrics.jsonl"):
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            continue
        text = open(path).read()
        if text and not text.endswith("\n"):
            fail(f"{path}: torn last line after a kill: {text.splitlines()[-1][:80]!r}")
        if name.endswith(".csv"):
            rows = list(csv.reader(io.StringIO(text)))
            for i, row in enumerate(rows[1:], start=2):
                if len(row) != len(rows[0]):
                    fail(f"{path}:{i}: {len(row)} fields, the header has {len(rows[0])}")
        else:
            for i, line in enumerate(text.splitlines(), start=1):
                try:
                    json.loads(line)
                except ValueError as e:
                    fail(f"{path}:{i}: torn JSON line: {e}")
    step = latest_step(folder)
    if step is not None:
        for ext in (".safetensors", ".json"):
            if not os.path.exists(os.path.join(folder, "checkpoints", f"step-{step}{ext}")):
                fail(f"{folder}: latest names step-{step} but step-{step}{ext} is missing")
    status_path = os.path.join(folder, "status.json")
    if not os.path.exists(status_path):
        if step is not None:
            fail(f"{folder}: a checkpoint but no status.json")
        return None
    status = json.load(open(status_path))
    if status["status"] == "finished" and allow_finished:
        return status
    if status["status"] != "running":
        fail(f"{status_path}: '{status['status']}' after SIGKILL (expected running)")
    # The step is the newest checkpoint's, or the one before it when the kill fell between the
    # `latest` pointer and the status write.
    steps = sorted(
        int(n[5:-5]) for n in os.listdir(os.path.join(folder, "checkpoints")) if n.startswith("step-") and n.endswith(".json")
    ) if os.path.isdir(os.path.join(folder, "checkpoints")) else []
    if step is None:
        if status.get("step", 0) != 0:
            fail(f"{status_path}: step {status.get('step')} but no checkpoint")
    elif status.get("step") not in steps[-2:]:
        fail(f"{status_path}: step {status.get('step')}, newest checkpoints {steps[-2:]}")
    return status


def metrics_without_wall_clock(folder):
    rows = list(csv.reader(open(os.path.join(folder, "metrics.csv"))))
    keep = [i for i, k in enumerate(rows[0]) if k not in WALL_CLOCK]
    table = [[row[i] for i in keep] for row in rows]
    lines = []
    for line in open(os.path.join(folder, "metrics.jsonl")):
        obj = json.loads(line)
        lines.append({k: v for k, v in obj.items() if k not in WALL_CLOCK})
    return table, lines


def final_weights(folder):
    step = latest_step(folder)
    files = {"final": open(os.path.join(folder, "checkpoints", f"step-{step}.safetensors"), "rb").read()}
    best = os.path.join(folder, "best.safetensors")
    if os.path.exists(best):
        files["best"] = open(best, "rb").read()
    return step, files


def compare_runs(reference, candidate, what):
    a, b = metrics_without_wall_clock(reference), metrics_without_wall_clock(candidate)
    if a[0] != b[0]:
        for i, (x, y) in enumerate(zip(a[0], b[0])):
            if x != y:
                fail(f"{what}: metrics.csv row {i + 1} differs from the uninterrupted run:\n  {x}\n  {y}")
        fail(f"{what}: metrics.csv has {len(b[0])} rows, the uninterrupted run {len(a[0])}")
    if a[1] != b[1]:
        fail(f"{what}: metrics.jsonl differs from the uninterrupted run")
    sa, wa = final_weights(reference)
    sb, wb = final_weights(candidate)
    if sa != sb or wa != wb:
        fail(f"{what}: final weights differ (steps {sa} vs {sb}; files {sorted(wa)} vs {sorted(wb)})")


class Tally:
    def __init__(self):
        self.kills = 0
        self.during_checkpoint = 0
        self.resumes = 0
        self.restarts = 0
        self.rounds = 0
        self.identical = 0


def killed_round(binary, trainer, folder, delay_max, rng, tally, kills_wanted):
    """Runs the trainer in `folder` to the end, killing it at random moments until kills_wanted
    kills are done (or it finishes). Returns when the run has finished."""
    first = True
    while True:
        if first:
            cmd = [binary] + trainer.new_args + ["--out", folder]
        elif latest_step(folder) is None:
            cmd = [binary] + trainer.new_args + ["--out", folder, "--overwrite"]
            tally.restarts += 1
        else:
            cmd = [binary] + trainer.resume_args + ["--resume", folder]
            tally.resumes += 1
        first = False
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if tally.kills >= kills_wanted:
            _, err = proc.communicate()
            if proc.returncode != 0:
                fail(f"{trainer.name}: {' '.join(cmd)} exited {proc.returncode}: {err.strip()[-400:]}")
            if (check_not_torn(folder, allow_finished=True) or {}).get("status") != "finished":
                fail(f"{trainer.name}: exit 0 but status.json does not say finished")
            return
        aim_at_checkpoint = rng.random() < 0.5
        deadline = time.monotonic() + rng.uniform(0.02, delay_max)
        while proc.poll() is None and time.monotonic() < deadline:
            if aim_at_checkpoint and temporaries(folder):
                break
            time.sleep(0.0005 if aim_at_checkpoint else 0.005)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        if proc.returncode != -signal.SIGKILL:  # it ended by itself before the kill
            err = proc.stderr.read()
            if proc.returncode != 0:
                fail(f"{trainer.name}: {' '.join(cmd)} exited {proc.returncode}: {err.strip()[-400:]}")
            if (check_not_torn(folder, allow_finished=True) or {}).get("status") != "finished":
                fail(f"{trainer.name}: exit 0 but status.json does not say finished")
            return
        proc.stderr.close()
        tally.kills += 1
        if temporaries(folder):
            tally.during_checkpoint += 1
        check_not_torn(folder, allow_finished=False)


def disk_full(binary, trainer, reference, scratch):
    if os.geteuid() != 0:
        print("SKIPPED: disk-full test needs root (mount -t tmpfs)", flush=True)
        return
    mount = os.path.join(scratch, "tmpfs")
    os.makedirs(mount)
    if run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount]).returncode != 0:
        print("SKIPPED: disk-full test: cannot mount a tmpfs here", flush=True)
        return
    try:
        folder = os.path.join(mount, "run")
        proc = subprocess.Popen(
            [binary] + trainer.new_args + ["--out", folder], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        while proc.poll() is None and latest_step(folder) is None:
            time.sleep(0.002)
        filler = os.path.join(mount, "filler")
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)  # fill every remaining byte
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError:
            pass
        try:
            while True:
                os.write(fd, b"\0")
        except OSError:
            pass
        os.close(fd)
        _, err = proc.communicate()
        if proc.returncode == 0:
            fail("disk full: the run finished although the disk was full")
        if proc.returncode != 1 or "space" not in err.lower():
            fail(f"disk full: exit {proc.returncode}, message without 'space': {err.strip()[-300:]}")
        message = err.strip().splitlines()[-1]
        step = latest_step(folder)
        if step is None:
            fail("disk full: the run lost its checkpoint")
        read_safetensors_header(os.path.join(folder, "checkpoints", f"step-{step}.safetensors"))
        json.load(open(os.path.join(folder, "checkpoints", f"step-{step}.json")))
        os.remove(filler)
        resumed = run([binary] + trainer.resume_args + ["--resume", folder])
        if resumed.returncode != 0:
            fail(f"disk full: --resume after freeing space exited {resumed.returncode}: {resumed.stderr[-300:]}")
        compare_runs(reference, folder, "disk full then --resume")
        print(f"disk full: stopped with exit 1 ({message[:160]}), checkpoint step-{step} intact, "
              "--resume finished it identical to the uninterrupted run", flush=True)
    finally:
        run(["umount", mount])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=".build/release/losslab")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--trainers", default="ppo,ctc,mrt")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        fail(f"{binary} not found: build it first (make build)")
    rng = random.Random(args.seed)
    print(f"fault injection: seed {args.seed} (rerun with --seed {args.seed}), {args.kills} kills per trainer")
    scratch = tempfile.mkdtemp(prefix="losslab-faults-")
    try:
        data_ctc = os.path.join(scratch, "speech")
        data_mrt = os.path.join(scratch, "toy")
        trainers = {
            "ppo": Trainer(
                "ppo",
                ["rl", "train", "--env", "cartpole", "--seed", "3", "--steps", "12288", "--set", "n_envs=4",
                 "--set", "n_steps=64", "--checkpoint-freq", "1", "--eval-freq", "4096", "--eval-episodes", "2",
                 "--no-progress"],
                ["rl", "train", "--no-progress"]),
            "ctc": Trainer(
                "ctc",
                ["ctc", "train", "--data", data_ctc, "--epochs", "24", "--hidden", "8", "--frontend", "8",
                 "--batch-size", "4"],
                ["ctc", "train"]),
            "mrt": Trainer(
                "mrt",
                ["mrt", "train", "--data", data_mrt, "--max-steps", "240", "--eval-every", "10",
                 "--dev-sentences", "10", "--embedding", "8", "--hidden", "16", "--batch-size", "8", "--quiet"],
                ["mrt", "train", "--quiet"]),
        }
        chosen = [t for t in args.trainers.split(",") if t]
        if "ctc" in chosen:
            r = run([binary, "ctc", "synth", "--out", data_ctc, "--utterances", "16", "--seed", "1", "--max-words",
                     "2", "--speakers", "9", "--held-out-speakers", "2"])
            if r.returncode != 0:
                fail(f"ctc synth: {r.stderr}")
        if "mrt" in chosen:
            r = run([binary, "mrt", "data", "--out", data_mrt, "--train", "200", "--dev", "10", "--test", "5"])
            if r.returncode != 0:
                fail(f"mrt data: {r.stderr}")
        summary = []
        for name in chosen:
            trainer = trainers[name]
            reference = os.path.join(scratch, f"{name}-reference")
            start = time.monotonic()
            r = run([binary] + trainer.new_args + ["--out", reference])
            elapsed = time.monotonic() - start
            if r.returncode != 0:
                fail(f"{name}: reference run exited {r.returncode}: {r.stderr[-400:]}")
            # Each attempt lasts up to ~1/8 of a whole run: about 20 kills fit in one run.
            delay_max = max(0.3, elapsed / 8)
            tally = Tally()
            while tally.kills < args.kills or tally.rounds == 0:
                tally.rounds += 1
                folder = os.path.join(scratch, f"{name}-killed-{tally.rounds}")
                killed_round(binary, trainer, folder, delay_max, rng, tally, args.kills)
                compare_runs(reference, folder, f"{name} round {tally.rounds}")
                tally.identical += 1
                shutil.rmtree(folder)
            line = (f"{name}: {tally.kills} kills ({tally.during_checkpoint} inside a write: a temporary file left), "
                    f"{tally.resumes} resumes, {tally.restarts} restarts before a first checkpoint, "
                    f"{tally.identical}/{tally.rounds} runs identical to the uninterrupted run "
                    f"(reference run {elapsed:.1f} s)")
            print(line, flush=True)
            summary.append(line)
            if name == "ppo":
                disk_full(binary, trainer, reference, scratch)
        print("PASS: " + "; ".join(summary))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
