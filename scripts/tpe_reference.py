#!/usr/bin/env python3
"""Records Optuna's TPE Parzen estimator on fixed inputs, for LossLab's TPESampler tests.

Needs: optuna (tested with 5.1.0), numpy. Prints "SKIPPED: <why>" and exits 0 when they are
missing. Writes Tests/Fixtures/sweep/tpe_reference.json (or the path given): for each case, the
parameter, the observations, Optuna's kernel centres, bandwidths and weights
(`_ParzenEstimator` with the defaults of `TPESampler`: prior_weight=1, consider_magic_clip=True,
consider_endpoints=False, default_weights) and `log_pdf` at fixed points; plus `default_gamma` and
`default_weights`. `make tpe-reference` runs it.
"""
import json
import os
import sys

try:
    import numpy as np
    import optuna
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
    from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
    from optuna.samplers._tpe.sampler import default_gamma, default_weights
except ImportError as error:  # never a silent pass
    print(f"SKIPPED: {error} (pip install optuna numpy)")
    sys.exit(0)

PARAMETERS = _ParzenEstimatorParameters(
    prior_weight=1.0, consider_magic_clip=True, consider_endpoints=False, weights=default_weights,
    multivariate=False)

rng = np.random.RandomState(0)
CASES = [
    # name, LossLab kind, Optuna distribution, observations, points
    ("uniform", {"type": "uniform", "low": -1.0, "high": 1.0}, FloatDistribution(-1.0, 1.0),
     [0.3, -0.2, 0.5, 0.9], [-1.0, -0.5, 0.0, 0.25, 0.6, 1.0]),
    ("uniform-one", {"type": "uniform", "low": 0.0, "high": 10.0}, FloatDistribution(0.0, 10.0),
     [7.5], [0.0, 2.0, 7.5, 9.9]),
    ("uniform-none", {"type": "uniform", "low": 0.0, "high": 10.0}, FloatDistribution(0.0, 10.0),
     [], [0.0, 5.0, 9.0]),
    ("uniform-30", {"type": "uniform", "low": 0.0, "high": 1.0}, FloatDistribution(0.0, 1.0),
     [float(x) for x in np.round(rng.uniform(0, 1, 30), 6)], [0.05, 0.33, 0.5, 0.77, 0.99]),
    ("loguniform", {"type": "loguniform", "low": 1e-5, "high": 1e-1}, FloatDistribution(1e-5, 1e-1, log=True),
     [1e-3, 3e-3, 5e-2], [1e-5, 1e-4, 1e-3, 2e-3, 1e-2, 1e-1]),
    ("int-step", {"type": "int", "low": 4, "high": 20, "step": 4}, IntDistribution(4, 20, step=4),
     [8, 8, 16], [4, 8, 12, 16, 20]),
    ("int", {"type": "int", "low": 1, "high": 64}, IntDistribution(1, 64),
     [20, 21, 40, 3, 64], [1, 2, 20, 33, 64]),
    ("int-log", {"type": "int", "low": 1, "high": 64, "log": True}, IntDistribution(1, 64, log=True),
     [2, 20, 33], [1, 2, 10, 33, 64]),
    ("choice", {"type": "choice", "values": ["a", "b", "c"]}, CategoricalDistribution(["a", "b", "c"]),
     [1, 1, 2], [0, 1, 2]),
    ("choice-none", {"type": "choice", "values": ["a", "b", "c", "d"]}, CategoricalDistribution(["a", "b", "c", "d"]),
     [], [0, 3]),
]


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "Tests", "Fixtures", "sweep", "tpe_reference.json")
    cases = []
    for name, kind, distribution, observations, points in CASES:
        obs = np.asarray(observations, dtype=float)
        estimator = _ParzenEstimator({"p": obs}, {"p": distribution}, PARAMETERS)
        mixture = estimator._mixture_distribution
        d = mixture.distributions[0]
        record = {
            "name": name, "parameter": kind, "observations": observations, "points": points,
            "weights": mixture.weights.tolist(),
            "log_pdf": estimator.log_pdf({"p": np.asarray(points, dtype=float)}).tolist(),
        }
        if hasattr(d, "mu"):
            record["mus"] = d.mu.tolist()
            record["sigmas"] = d.sigma.tolist()
        else:
            record["choice_weights"] = d.weights.tolist()
        cases.append(record)
    result = {
        "optuna": optuna.__version__,
        "gamma": {str(n): default_gamma(n) for n in [0, 1, 10, 11, 100, 250, 300]},
        "weights_30": default_weights(30).tolist(),
        "cases": cases,
    }
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(f"wrote {out_path}: {len(cases)} cases from optuna {optuna.__version__}")


if __name__ == "__main__":
    main()
