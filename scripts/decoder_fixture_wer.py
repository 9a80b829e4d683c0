#!/usr/bin/env python3
"""WER/CER of `losslab ctc decode` settings on the decoder fixture's 60 synthetic utterances.

Package: jiwer (pip install jiwer). Without it the script prints why it skipped and exits 0 with
"SKIPPED" on its last line.

Usage: decoder_fixture_wer.py LOSSLAB_BINARY [WORK_FOLDER]   (default .build/decoder-wer)

Writes the emissions of Tests/Fixtures/ctc_decoder/cases.json as a safetensors batch
(`emissions` float32 [N, T, C] padded with blank frames, `lengths` int64 [N]), builds a character
5-gram from the lexicon's spellings with `losslab lm build`, decodes with greedy (argmax, computed
here), lexicon-free beam search without and with the character LM, the lexicon without an LM,
and the lexicon with the fixture's word trigram, and prints WER/CER against the `truth` of each
case and the decoding time of each setting.
"""
import json
import os
import struct
import subprocess
import sys
import time

FIXTURES = "Tests/Fixtures/ctc_decoder"


def write_batch(cases, classes, path):
    frames = max(len(c["emissions"]) for c in cases)
    data = bytearray()
    for c in cases:
        for f in range(frames):
            row = c["emissions"][f] if f < len(c["emissions"]) else [0.0] + [-30.0] * (classes - 1)
            data += struct.pack("<%df" % classes, *row)
    lengths = struct.pack("<%dq" % len(cases), *[len(c["emissions"]) for c in cases])
    header = {
        "emissions": {"dtype": "F32", "shape": [len(cases), frames, classes], "data_offsets": [0, len(data)]},
        "lengths": {"dtype": "I64", "shape": [len(cases)], "data_offsets": [len(data), len(data) + len(lengths)]},
    }
    text = json.dumps(header, separators=(",", ":")).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data + lengths)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    binary = sys.argv[1]
    work = sys.argv[2] if len(sys.argv) > 2 else ".build/decoder-wer"
    try:
        import jiwer
    except ImportError as error:
        print(f"decoder_fixture_wer: skipped: a Python package is missing ({error}); pip install jiwer")
        print("SKIPPED")
        return 0
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(FIXTURES, "cases.json")) as f:
        document = json.load(f)
    cases = document["cases"]
    tokens = open(os.path.join(FIXTURES, "tokens.txt")).read().split()
    truth = [c["truth"] for c in cases]
    emissions = os.path.join(work, "emissions.safetensors")
    write_batch(cases, len(tokens), emissions)

    greedy = []
    for c in cases:
        out, previous = [], None
        for row in c["emissions"]:
            best = max(range(len(row)), key=lambda k: row[k])
            if best != previous and best != 0:
                out.append(tokens[best])
            previous = best
        greedy.append(" ".join("".join(out).replace("|", " ").split()))
    rows = [("greedy (argmax)", greedy, 0.0)]

    spellings = os.path.join(work, "spellings.txt")
    with open(os.path.join(FIXTURES, "lexicon.txt")) as f, open(spellings, "w") as out:
        for line in f:
            fields = line.split()
            if len(fields) > 1:
                out.write(" ".join(fields[1:]) + "\n")
    char_lm = os.path.join(work, "char5.arpa")
    subprocess.run([binary, "lm", "build", spellings, "--order", "5", "--out", char_lm], check=True)

    base = [binary, "ctc", "decode", "--emissions", emissions, "--tokens", os.path.join(FIXTURES, "tokens.txt"),
            "--beam-size", "50", "--beam-threshold", "25", "--json"]
    lexicon = ["--lexicon", os.path.join(FIXTURES, "lexicon.txt")]
    settings = [
        ("lexicon-free beam 50, no LM", []),
        ("lexicon-free beam 50, char 5-gram (lm-weight 0.5)", ["--lm", char_lm, "--lm-weight", "0.5"]),
        ("lexicon, no LM", lexicon),
        ("lexicon + word trigram (lm-weight 2)", lexicon + ["--lm", os.path.join(FIXTURES, "lm.arpa")]),
    ]
    for name, extra in settings:
        start = time.perf_counter()
        result = subprocess.run(base + extra, check=True, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        hypotheses = [" ".join(u["words"]) for u in json.loads(result.stdout)["utterances"]]
        rows.append((name, hypotheses, seconds))
    print(f"{'setting':52s} {'WER':>7s} {'CER':>7s} {'seconds':>8s}")
    for name, hypotheses, seconds in rows:
        print(f"{name:52s} {100 * jiwer.wer(truth, hypotheses):6.2f}% {100 * jiwer.cer(truth, hypotheses):6.2f}% "
              f"{seconds:8.2f}")
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
