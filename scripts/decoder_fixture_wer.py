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
case and the time of each setting (the whole `losslab ctc decode` process: start, loading,
decoding). With flashlight-text and numpy installed it also times flashlight-text's decoders
(torchaudio's backend) on the same emissions and settings, decoding only.
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
    flashlight = flashlight_seconds(cases)
    print(f"{'setting':52s} {'WER':>7s} {'CER':>7s} {'seconds':>8s}")
    for name, hypotheses, seconds in rows:
        print(f"{name:52s} {100 * jiwer.wer(truth, hypotheses):6.2f}% {100 * jiwer.cer(truth, hypotheses):6.2f}% "
              f"{seconds:8.2f}")
    for name, seconds in flashlight:
        print(f"{'flashlight-text: ' + name:52s} {'':7s} {'':7s} {seconds:8.2f}")
    print("PASS")
    return 0


def flashlight_seconds(cases):
    """Decoding time of flashlight-text (torchaudio's backend) on the same emissions and settings,
    LM loading excluded; empty without flashlight-text and numpy."""
    try:
        import numpy as np
        from flashlight.lib.text.decoder import (CriterionType, KenLM, LexiconDecoder, LexiconDecoderOptions,
                                                 LexiconFreeDecoder, LexiconFreeDecoderOptions, SmearingMode,
                                                 Trie, ZeroLM)
        from flashlight.lib.text.dictionary import Dictionary, create_word_dict, load_words
    except ImportError as error:
        print(f"(flashlight-text timing skipped: {error})")
        return []
    tokens = Dictionary(os.path.join(FIXTURES, "tokens.txt"))
    blank, sil = tokens.get_index("-"), tokens.get_index("|")
    lexicon = load_words(os.path.join(FIXTURES, "lexicon.txt"))
    words = create_word_dict(lexicon)
    lm = KenLM(os.path.join(FIXTURES, "lm.arpa"), words)
    trie = Trie(tokens.index_size(), sil)
    start = lm.start(False)
    for word, spellings in lexicon.items():
        _, score = lm.score(start, words.get_index(word))
        for spelling in spellings:
            trie.insert([tokens.get_index(t) for t in spelling], words.get_index(word), score)
    trie.smear(SmearingMode.MAX)
    emissions = [np.ascontiguousarray(np.array(c["emissions"], dtype=np.float32)) for c in cases]
    decoders = [
        ("lexicon-free beam 50, no LM", LexiconFreeDecoder(LexiconFreeDecoderOptions(
            beam_size=50, beam_size_token=29, beam_threshold=25.0, lm_weight=0.0, sil_score=0.0, log_add=False,
            criterion_type=CriterionType.CTC), ZeroLM(), sil, blank, [])),
        ("lexicon + word trigram (lm-weight 2)", LexiconDecoder(LexiconDecoderOptions(
            beam_size=50, beam_size_token=29, beam_threshold=25.0, lm_weight=2.0, word_score=0.0,
            unk_score=float("-inf"), sil_score=0.0, log_add=False, criterion_type=CriterionType.CTC),
            trie, lm, sil, blank, words.get_index("<unk>"), [], False)),
    ]
    out = []
    for name, decoder in decoders:
        start_time = time.perf_counter()
        for e in emissions:
            decoder.decode(e.ctypes.data, e.shape[0], e.shape[1])
        out.append((name, time.perf_counter() - start_time))
    return out


if __name__ == "__main__":
    sys.exit(main())
