#!/usr/bin/env python3
"""LossLab's CTC beam decoders against flashlight-text's, same emissions, same settings.

Packages: flashlight-text (the decoder library that torchaudio's `ctc_decoder` wraps; its wheels
include KenLM) and numpy. torchaudio itself is not used: `torchaudio.models.decoder.ctc_decoder`
only forwards to flashlight-text's LexiconDecoder / LexiconFreeDecoder (and torchaudio is not
installed here). Without the packages, LossLab's figures are printed and the last line says
SKIPPED.

usage: bench_ctc_decode.py LOSSLAB_BINARY [--emissions E.safetensors --tokens T --lexicon L
                           --lm LM] [--frame-seconds 0.03] [--repeats 3] [--out results.json]

Without --emissions the decoder fixture (Tests/Fixtures/ctc_decoder: 60 utterances, 29 classes)
is written as a safetensors batch. Runs `losslab bench ctc-decode --json` (lexicon-free without
LM, lexicon without LM, lexicon + word LM; beam sizes 1, 10, 50, 100; beam_size_token = all
classes; beam_threshold 25), then times flashlight-text on every setting in this same process
run (one warm-up pass, median of --repeats passes, decoding only), checks that every best
hypothesis is identical (words with a lexicon, merged tokens without) and the scores within 1e-3,
and prints utterances/s and real-time factors side by side.
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import time

FIXTURES = "Tests/Fixtures/ctc_decoder"


def read_safetensors(path):
    import numpy as np
    with open(path, "rb") as f:
        blob = f.read()
    (size,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + size])
    base = 8 + size
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = {"F32": np.float32, "I64": np.int64, "I32": np.int32}[info["dtype"]]
        out[name] = np.frombuffer(blob[base + start:base + end], dtype=dtype).reshape(info["shape"])
    return out


def collapse(tokens, blank):
    out, previous = [], None
    for t in tokens:
        if t != previous and t != blank:
            out.append(t)
        previous = t
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--emissions")
    parser.add_argument("--tokens", default=os.path.join(FIXTURES, "tokens.txt"))
    parser.add_argument("--lexicon", default=os.path.join(FIXTURES, "lexicon.txt"))
    parser.add_argument("--lm", default=os.path.join(FIXTURES, "lm.arpa"))
    parser.add_argument("--frame-seconds", default="0.03")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=".build/bench-ctc-decode/results.json")
    args = parser.parse_args()
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    emissions_path = args.emissions
    if emissions_path is None:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from decoder_fixture_wer import write_batch
        with open(os.path.join(FIXTURES, "cases.json")) as f:
            cases = json.load(f)["cases"]
        emissions_path = os.path.join(os.path.dirname(args.out), "emissions.safetensors")
        write_batch(cases, len(open(args.tokens).read().split()), emissions_path)

    command = [args.binary, "bench", "ctc-decode", "--emissions", emissions_path, "--tokens", args.tokens,
               "--lexicon", args.lexicon, "--lm", args.lm, "--frame-seconds", args.frame_seconds,
               "--repeats", str(args.repeats), "--json"]
    ours = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)

    try:
        import numpy as np
        from flashlight.lib.text.decoder import (CriterionType, KenLM, LexiconDecoder, LexiconDecoderOptions,
                                                 LexiconFreeDecoder, LexiconFreeDecoderOptions, SmearingMode,
                                                 Trie, ZeroLM)
        from flashlight.lib.text.dictionary import Dictionary, create_word_dict, load_words
    except ImportError as error:
        print(f"{'decoder':14s} {'LM':3s} {'beam':>4s} {'utt/s':>9s} {'RTF':>9s}")
        for r in ours["results"]:
            print(f"{r['decoder']:14s} {'yes' if r['lm'] else 'no':3s} {r['beam_size']:4d} "
                  f"{r['utterances_per_second']:9.1f} {r['real_time_factor']:9.5f}")
        print(f"SKIPPED: flashlight-text comparison: a Python package is missing ({error}); "
              "pip install flashlight-text numpy")
        return 0

    batch = read_safetensors(emissions_path)
    em, lengths = batch["emissions"], batch["lengths"]
    classes = em.shape[2]
    items = [np.ascontiguousarray(em[i, :lengths[i]], dtype=np.float32) for i in range(em.shape[0])]
    tokens = Dictionary(args.tokens)
    blank, sil = tokens.get_index("-"), tokens.get_index("|")
    lexicon = load_words(args.lexicon)
    words = create_word_dict(lexicon)
    kenlm = KenLM(args.lm, words)
    zero = ZeroLM()

    def trie_for(lm):
        trie = Trie(tokens.index_size(), sil)
        start = lm.start(False)
        for word, spellings in lexicon.items():
            _, score = lm.score(start, words.get_index(word))
            for spelling in spellings:
                trie.insert([tokens.get_index(t) for t in spelling], words.get_index(word), score)
        trie.smear(SmearingMode.MAX)
        return trie

    tries = {False: trie_for(zero), True: trie_for(kenlm)}
    frames = int(sum(lengths))
    frame_seconds = float(args.frame_seconds)
    rows, mismatches = [], 0
    for r in ours["results"]:
        lm = kenlm if r["lm"] else zero
        if r["decoder"] == "lexicon":
            decoder = LexiconDecoder(LexiconDecoderOptions(
                beam_size=r["beam_size"], beam_size_token=classes, beam_threshold=r["beam_threshold"],
                lm_weight=r["lm_weight"], word_score=0.0, unk_score=float("-inf"), sil_score=0.0,
                log_add=False, criterion_type=CriterionType.CTC),
                tries[r["lm"]], lm, sil, blank, words.get_index("<unk>"), [], False)
        else:
            decoder = LexiconFreeDecoder(LexiconFreeDecoderOptions(
                beam_size=r["beam_size"], beam_size_token=classes, beam_threshold=r["beam_threshold"],
                lm_weight=r["lm_weight"], sil_score=0.0, log_add=False, criterion_type=CriterionType.CTC),
                lm, sil, blank, [])

        def run_pass():
            return [decoder.decode(e.ctypes.data, e.shape[0], e.shape[1])[0] for e in items]

        best = run_pass()
        times, cpu_times = [], []
        for _ in range(args.repeats):
            cpu_start = time.thread_time()
            start = time.perf_counter()
            run_pass()
            times.append(time.perf_counter() - start)
            cpu_times.append(time.thread_time() - cpu_start)
        seconds = sorted(times)[len(times) // 2]
        cpu_seconds = sorted(cpu_times)[len(cpu_times) // 2]
        same = True
        for h, b in zip(r["hypotheses"], best):
            if r["decoder"] == "lexicon":
                theirs = [words.get_entry(w) for w in b.words if w >= 0]
                same &= h["words"] == theirs
            else:
                same &= h["tokens"] == collapse(list(b.tokens), blank)
            same &= abs(h["score"] - b.score) <= 1e-3
        mismatches += 0 if same else 1
        rows.append({"decoder": r["decoder"], "lm": r["lm"], "beam_size": r["beam_size"],
                     "losslab_utterances_per_second": r["utterances_per_second"],
                     "losslab_real_time_factor": r["real_time_factor"],
                     "flashlight_utterances_per_second": len(items) / seconds,
                     "flashlight_real_time_factor": seconds / (frames * frame_seconds),
                     "losslab_cpu_seconds": r["cpu_seconds"], "flashlight_cpu_seconds": cpu_seconds,
                     "identical": same})
    print(f"{len(items)} utterances, {frames} frames, {frame_seconds} s per frame; median of {args.repeats}")
    print("wall clock (utt/s, real-time factor) and CPU seconds of the decoding thread per pass; "
          "speed-up = flashlight CPU s / LossLab CPU s")
    print(f"{'decoder':14s} {'LM':3s} {'beam':>4s} {'LossLab utt/s':>14s} {'RTF':>9s} {'CPU s':>7s} "
          f"{'flashlight utt/s':>17s} {'RTF':>9s} {'CPU s':>7s} {'speed-up':>8s} identical")
    for row in rows:
        print(f"{row['decoder']:14s} {'yes' if row['lm'] else 'no':3s} {row['beam_size']:4d} "
              f"{row['losslab_utterances_per_second']:14.1f} {row['losslab_real_time_factor']:9.5f} "
              f"{row['losslab_cpu_seconds']:7.3f} "
              f"{row['flashlight_utterances_per_second']:17.1f} {row['flashlight_real_time_factor']:9.5f} "
              f"{row['flashlight_cpu_seconds']:7.3f} "
              f"{row['flashlight_cpu_seconds'] / max(row['losslab_cpu_seconds'], 1e-9):8.2f} "
              f"{'yes' if row['identical'] else 'NO'}")
    with open(args.out, "w") as f:
        json.dump({"frames": frames, "utterances": len(items), "rows": rows}, f, indent=1)
    if mismatches:
        print(f"FAIL: {mismatches} settings differ from flashlight-text")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
