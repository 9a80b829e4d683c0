#!/usr/bin/env python3
"""Records jiwer's WER/CER alignment counts on a fixed set of reference/hypothesis pairs.

Package: jiwer (pip install jiwer; it brings rapidfuzz). Without it the script prints why it
skipped and exits 0 with "SKIPPED" on its last line.

Usage: jiwer_fixtures.py [OUT.json]   (default Tests/Fixtures/error_rates/jiwer.json)

For every pair it records jiwer.process_words and jiwer.process_characters (default transforms):
hits, substitutions, deletions, insertions, wer / cer; and for the whole list (corpus level) the
same counts and rates. Swift's `ErrorRateJiwerTests` compares them exactly.
"""
import json
import os
import random
import sys

FIXED = [
    ("the cat sat on the mat", "the cat sat on the mat"),
    ("the cat sat on the mat", "the cat sat on mat"),
    ("the cat sat on the mat", "a cat sat on the red mat"),
    ("the cat sat on the mat", "cat the sat mat on the"),
    ("one two three", "one  two   three "),
    ("  leading and trailing  ", "leading and trailing"),
    ("a b c d e", "x y z"),
    ("a", "b c d e f"),
    ("kitten", "sitting"),
    ("intention", "execution"),
    ("loss functions for deep learning", "lost functions or deep learning rate"),
    ("abc abc abc", "abc abc"),
    ("abc abc", "abc abc abc abc"),
    ("flaw lawn", "lawn flaw"),
    ("innovation is often born at the intersection of disciplines",
     "innovation is often born at the intersection on disciplines"),
    ("reference", ""),
    ("x y", "y x"),
    ("a a a b b b", "b b b a a a"),
]


def random_pairs(count, seed):
    rng = random.Random(seed)
    vocabulary = ["a", "ab", "b", "ba", "c", "the", "then", "he", "a b"]
    pairs = []
    for _ in range(count):
        ref = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 9)))
        hyp = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 9)))
        pairs.append((ref, hyp))
    return pairs


def counts(output):
    return {
        "hits": output.hits,
        "substitutions": output.substitutions,
        "deletions": output.deletions,
        "insertions": output.insertions,
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/error_rates/jiwer.json"
    try:
        import jiwer
        from importlib.metadata import version
    except ImportError as error:
        print(f"jiwer_fixtures: skipped: a Python package is missing ({error}); pip install jiwer")
        print("SKIPPED")
        return 0
    pairs = FIXED + random_pairs(120, seed=15)
    records = []
    for ref, hyp in pairs:
        w = jiwer.process_words(ref, hyp)
        record = {"reference": ref, "hypothesis": hyp, "words": counts(w), "wer": w.wer}
        if ref.strip():
            c = jiwer.process_characters(ref, hyp)
            record["characters"] = counts(c)
            record["cer"] = c.cer
        records.append(record)
    refs = [r for r, _ in pairs]
    hyps = [h for _, h in pairs]
    w = jiwer.process_words(refs, hyps)
    c = jiwer.process_characters(refs, hyps)
    corpus = {"words": counts(w), "wer": w.wer, "characters": counts(c), "cer": c.cer}
    document = {
        "generator": f"scripts/jiwer_fixtures.py with jiwer {version('jiwer')}",
        "pairs": records,
        "corpus": corpus,
    }
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "w") as f:
        json.dump(document, f, indent=1)
        f.write("\n")
    print(f"wrote {out}: {len(records)} pairs, corpus WER {w.wer:.6f}, CER {c.cer:.6f}")
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
