#!/usr/bin/env python3
"""Records rliable's aggregate metrics on fixed score matrices as Tests/Fixtures/rliable/rliable.json.

Packages: rliable (Agarwal et al. 2021; pulls in arch), scipy, numpy; rliable 1.2 needs arch < 8,
and arch 7 needs pandas < 3 (`pip install rliable 'arch<8' 'pandas<3'`). Prints SKIPPED when they
are missing (never a silent pass).

Point estimates (IQM, mean, median, optimality gap, performance-profile points, probability of
improvement) are recorded exactly; the Swift tests compare them to 1e-9. Bootstrap CIs come from
rliable's own stratified bootstrap (arch's RNG, which LossLab does not reproduce), so the Swift
tests compare them statistically: with many resamples the interval ends must lie close to these.

Usage: python3 scripts/rliable_fixtures.py [OUT.json]   (default Tests/Fixtures/rliable/rliable.json)
       python3 scripts/rliable_fixtures.py --check [FIXTURE.json]
--check recomputes the point estimates only (fast) and compares them with the recorded fixture
(exit 1 on a difference above 1e-12), so `make check-rliable` notices when rliable changes.
"""
import json
import os
import sys
from importlib.metadata import version

try:
    import numpy as np
    import scipy
    import scipy.stats
    import rliable
    from rliable import library as rly
    from rliable import metrics
except ImportError as error:  # pragma: no cover - the message is the point
    print(f"SKIPPED: rliable_fixtures.py needs rliable, scipy and numpy ({error}); pip install rliable 'arch<8' 'pandas<3'")
    sys.exit(0)

# Resamples for the recorded CIs: rliable's defaults are 50,000 for interval estimates and 2,000
# for profiles; 4,000 keeps the Monte Carlo error of the recorded ends at a few percent of the
# interval width and the script within minutes (rliable's probability of improvement calls
# scipy.stats.mannwhitneyu per task per resample, about a millisecond each).
REPS = 4_000
LEVEL = 0.95


def cases():
    """Fixed inputs: (name, {algorithm: scores (runs x tasks)}, optional normalisation, taus)."""
    rng = np.random.default_rng(20211203)
    out = []
    # One task, ten runs, many ties (integers 0..4 scaled to [0, 1]).
    out.append((
        "one_task_ties",
        {
            "A": np.array([[0.0], [0.25], [0.25], [0.5], [0.5], [0.5], [0.75], [0.75], [1.0], [1.0]]),
            "B": np.array([[0.25], [0.25], [0.5], [0.5], [0.5], [0.5], [0.75], [0.75], [0.75], [1.0]]),
            "C": np.array([[0.0], [0.0], [0.0], [0.25], [0.25], [0.5], [0.5], [0.5], [0.75], [1.0]]),
        },
        None,
        np.linspace(0.0, 1.0, 9),
    ))
    # Three tasks, five runs, raw returns normalised by per-task random and optimal scores; some
    # runs beat the optimum (normalised > 1) so the optimality gap clips them.
    raw_random = np.array([22.0, -500.0, 0.0])
    raw_optimal = np.array([500.0, -100.0, 0.9])
    algorithms = {}
    for name, skill in [("ppo", 0.8), ("ppo_shaped", 0.9), ("random_search", 0.3)]:
        level = raw_random + skill * (raw_optimal - raw_random)
        spread = 0.25 * (raw_optimal - raw_random)
        scores = level + spread * rng.standard_normal((5, 3))
        algorithms[name] = np.round(scores, 3)
    out.append(("three_tasks_normalised", algorithms, (raw_random, raw_optimal), np.linspace(-0.5, 1.5, 21)))
    # Two tasks, seven runs (trim count floor(0.25 * 14) = 3), an algorithm identical to another
    # (probability of improvement exactly 0.5) and exact ties between algorithms.
    base = np.round(rng.uniform(0, 1, (7, 2)), 2)
    out.append((
        "two_tasks_identical",
        {"X": base, "Y": base.copy(), "Z": np.round(np.clip(base + 0.1, 0, 1.2), 2)},
        None,
        np.linspace(0.0, 1.2, 13),
    ))
    # One task, a single run each.
    out.append(("single_run", {"P": np.array([[0.4]]), "Q": np.array([[0.6]])}, None, np.array([0.0, 0.5, 1.0])))
    return out


def record(name, algorithms, normalisation, taus, intervals=True):
    raw = {k: v.tolist() for k, v in algorithms.items()}
    if normalisation is not None:
        random, optimal = normalisation
        algorithms = {k: (v - random) / (optimal - random) for k, v in algorithms.items()}
    point = {}
    interval = {}
    seed = 0
    for key, scores in algorithms.items():
        point[key] = {
            "iqm": float(metrics.aggregate_iqm(scores)),
            "mean": float(metrics.aggregate_mean(scores)),
            "median": float(metrics.aggregate_median(scores)),
            "optimality_gap": float(metrics.aggregate_optimality_gap(scores, gamma=1)),
            "trim_mean": float(scipy.stats.trim_mean(scores, proportiontocut=0.25, axis=None)),
        }
    single = intervals and len(next(iter(algorithms.values()))) > 1
    for metric, func in [
        ("iqm", metrics.aggregate_iqm),
        ("mean", metrics.aggregate_mean),
        ("median", metrics.aggregate_median),
        ("optimality_gap", metrics.aggregate_optimality_gap),
    ]:
        if not single:
            break
        _, cis = rly.get_interval_estimates(
            algorithms, func, reps=REPS, confidence_interval_size=LEVEL,
            random_state=np.random.RandomState(seed))
        for key, ci in cis.items():
            interval.setdefault(key, {})[metric] = [float(v) for v in np.asarray(ci).ravel()]
    profiles, profile_cis = rly.create_performance_profile(
        algorithms, taus, reps=REPS if single else 2, confidence_interval_size=LEVEL)
    for key in algorithms:
        point[key]["profile"] = [float(v) for v in profiles[key]]
        if single:
            interval[key]["profile_low"] = [float(v) for v in profile_cis[key][0]]
            interval[key]["profile_high"] = [float(v) for v in profile_cis[key][1]]
    names = list(algorithms)
    pairs = {f"{x},{y}": (algorithms[x], algorithms[y]) for x in names for y in names if x != y}
    poi_point = {k: float(metrics.probability_of_improvement(*v)) for k, v in pairs.items()}
    poi_ci = {}
    if single:
        _, poi_ci = rly.get_interval_estimates(
            pairs, metrics.probability_of_improvement, reps=REPS, confidence_interval_size=LEVEL,
            random_state=np.random.RandomState(seed))
    poi = []
    for key, value in poi_point.items():
        x, y = key.split(",")
        entry = {"x": x, "y": y, "estimate": value}
        if key in poi_ci:
            entry["ci"] = [float(v) for v in np.asarray(poi_ci[key]).ravel()]
        poi.append(entry)
    case = {
        "name": name,
        "scores": raw,
        "taus": [float(t) for t in taus],
        "point": point,
        "interval": interval,
        "probability_of_improvement": poi,
    }
    if normalisation is not None:
        case["random"] = [float(v) for v in normalisation[0]]
        case["optimal"] = [float(v) for v in normalisation[1]]
    return case


def check(path):
    """Recomputes the point estimates and compares them with the fixture at `path`."""
    with open(path) as f:
        recorded = {c["name"]: c for c in json.load(f)["cases"]}
    problems = []
    compared = 0
    for c in cases():
        ours = record(*c, intervals=False)
        theirs = recorded.get(ours["name"])
        if theirs is None:
            problems.append(f"{ours['name']}: not in {path}")
            continue
        for key, metrics_ in ours["point"].items():
            for metric, value in metrics_.items():
                want = theirs["point"][key][metric]
                values = value if isinstance(value, list) else [value]
                wants = want if isinstance(want, list) else [want]
                compared += len(values)
                if len(values) != len(wants) or any(abs(a - b) > 1e-12 for a, b in zip(values, wants)):
                    problems.append(f"{ours['name']} {key} {metric}: {value} != recorded {want}")
        recorded_poi = {(p["x"], p["y"]): p["estimate"] for p in theirs["probability_of_improvement"]}
        for p in ours["probability_of_improvement"]:
            compared += 1
            if abs(p["estimate"] - recorded_poi.get((p["x"], p["y"]), float("nan"))) > 1e-12 or not (
                (p["x"], p["y"]) in recorded_poi
            ):
                problems.append(f"{ours['name']} P({p['x']} > {p['y']}): {p['estimate']} != recorded")
    for problem in problems:
        print("FAIL:", problem)
    if problems:
        sys.exit(1)
    print(f"PASS: {compared} point estimates from rliable {version('rliable')} "
          f"equal {os.path.basename(path)} to 1e-12")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    default = os.path.join(root, "Tests/Fixtures/rliable/rliable.json")
    args = sys.argv[1:]
    if args and args[0] == "--check":
        check(args[1] if len(args) > 1 else default)
        return
    path = args[0] if args else default
    document = {
        "generator": "scripts/rliable_fixtures.py",
        "layout": "scores[algorithm][run][task] (rliable's (num_runs, num_tasks) matrix), raw; "
        "normalised by (score - random[task]) / (optimal[task] - random[task]) when random/optimal are given",
        "versions": {name: version(name) for name in ["rliable", "arch", "pandas", "scipy", "numpy"]},
        "reps": REPS,
        "level": LEVEL,
        "cases": [record(*c) for c in cases()],
    }
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = json.dumps(document, indent=1, sort_keys=True) + "\n"
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    n = sum(len(c["point"]) for c in document["cases"])
    print(f"PASS: recorded {len(document['cases'])} cases ({n} algorithms) with rliable "
          f"{version('rliable')}, SciPy {scipy.__version__} to {os.path.relpath(path, root)}")


if __name__ == "__main__":
    main()
