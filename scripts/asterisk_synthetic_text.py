#!/usr/bin/env python3
"""Training text for espeak-ng synthetic speech aimed at the Asterisk prompts.

Standard library only. Reads the corpus folder written by `losslab ctc corpus asterisk`:
lexicon.txt (every word of every prompt, dev and test) and dev-text.txt (the dev transcripts),
and writes to stdout:
  - every dev transcript once, and
  - N random sentences of 3-12 words drawn uniformly from the lexicon's words (seeded),
so that every word of the prompts is spoken by the synthetic voices, but no test transcript is.

usage: scripts/asterisk_synthetic_text.py data/asterisk [--sentences 3000] [--seed 1] > text.txt
"""
import argparse
import os
import random
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--sentences", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.sentences < 0:
        print("--sentences must be >= 0", file=sys.stderr)
        return 2
    try:
        with open(os.path.join(args.corpus, "lexicon.txt"), encoding="utf-8") as f:
            words = [line.split("\t")[0] for line in f if line.strip()]
        with open(os.path.join(args.corpus, "dev-text.txt"), encoding="utf-8") as f:
            dev = [line.strip() for line in f if line.strip()]
    except OSError as error:
        print(f"cannot read the corpus (run `losslab ctc corpus asterisk` first): {error}", file=sys.stderr)
        return 1
    rng = random.Random(args.seed)
    out = list(dev)
    for _ in range(args.sentences):
        out.append(" ".join(rng.choice(words) for _ in range(rng.randint(3, 12))))
    sys.stdout.write("".join(line + "\n" for line in out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
