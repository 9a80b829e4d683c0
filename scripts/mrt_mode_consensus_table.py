"""Table of the mode-vs-consensus experiment (docs/mrt.md) from scripts/mrt-mode-consensus.sh's
output folder: test BLEU per seed of MLE, MLE continued, MBR over MLE samples and MRT, means, 95%
t intervals, paired t-tests against MLE with Holm-Bonferroni adjustment, beside the split's mode
score and Bayes ceiling (ceilings.json). Needs scipy for p-values (prints SKIPPED without it).

Usage: python3 scripts/mrt_mode_consensus_table.py OUT
"""
import json
import os
import re
import sys


def main(out):
    try:
        from scipy import stats
    except ImportError:
        stats = None
        print("SKIPPED: scipy is not installed; p-values and intervals omitted")
    ceilings = json.load(open(os.path.join(out, "data", "ceilings.json")))["test"]
    methods = [("MLE", "mle"), ("MLE continued", "mlec"), ("MBR (20 MLE samples)", "mbr"), ("MRT", "mrt")]
    seeds = sorted(
        int(m.group(1)) for f in os.listdir(out) if (m := re.fullmatch(r"eval-mrt-(\d+)\.json", f))
    )
    scores = {}
    for label, key in methods:
        scores[label] = []
        for s in seeds:
            path = os.path.join(out, f"eval-{key}-{s}.json")
            try:
                scores[label].append(json.load(open(path))["bleu"])
            except (OSError, ValueError, KeyError):
                scores[label].append(None)  # missing or still being written
    complete = [i for i, s in enumerate(seeds) if all(scores[l][i] is not None for l, _ in methods)]
    print(f"test mode score {ceilings['mode']['bleu']:.2f} ({ceilings['mode']['policy']}), "
          f"Bayes ceiling {ceilings['bayes']['bleu']:.2f} ({ceilings['bayes']['policy']}; expected "
          f"{ceilings['bayes']['expectedBLEU']:.2f} +- {ceilings['bayes']['standardError']:.2f})")
    print("| seed | " + " | ".join(l for l, _ in methods) + " |")
    print("|---" * (len(methods) + 1) + "|")
    for i, s in enumerate(seeds):
        cells = [f"{scores[l][i]:.2f}" if scores[l][i] is not None else "-" for l, _ in methods]
        print(f"| {s} | " + " | ".join(cells) + " |")
    if len(complete) < 2:
        return
    mean = lambda xs: sum(xs) / len(xs)
    rows = {l: [scores[l][i] for i in complete] for l, _ in methods}
    print(f"| mean ({len(complete)} seeds) | " + " | ".join(f"{mean(rows[l]):.2f}" for l, _ in methods) + " |")
    if stats is None:
        return
    n = len(complete)
    half = lambda xs: stats.t.ppf(0.975, n - 1) * stats.sem(xs)
    print("| 95% CI | " + " | ".join(f"{mean(rows[l]) - half(rows[l]):.2f}-{mean(rows[l]) + half(rows[l]):.2f}" for l, _ in methods) + " |")
    tests = [(l, stats.ttest_rel(rows[l], rows["MLE"])) for l, _ in methods[1:]]
    ps = [t.pvalue for _, t in tests]
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    holm, running = [0.0] * len(ps), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(ps) - rank) * ps[i]))
        holm[i] = running
    for (label, t), h in zip(tests, holm):
        d = mean(rows[label]) - mean(rows["MLE"])
        print(f"{label} - MLE: {d:+.2f} BLEU, paired t = {t.statistic:.2f}, p = {t.pvalue:.4g}, Holm p = {h:.4g}")
    bayes = ceilings["bayes"]["bleu"]
    print(f"MRT mean vs Bayes ceiling: {mean(rows['MRT']) - bayes:+.2f}; MLE mean vs mode score: "
          f"{mean(rows['MLE']) - ceilings['mode']['bleu']:+.2f}")


if __name__ == "__main__":
    main(sys.argv[1])
