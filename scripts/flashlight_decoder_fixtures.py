#!/usr/bin/env python3
"""Records flashlight-text's decoders on the decoder fixture's emissions, in the modes
`Tests/Fixtures/ctc_decoder/cases.json` does not cover: lexicon-free without an LM, lexicon-free
with a character 5-gram, and the lexicon decoder with a finite `unk_score` (unknown words
allowed), with and without the word trigram.

Packages: flashlight-text (its wheels include KenLM), numpy (pip install flashlight-text numpy).
Without them the script prints why it skipped and exits 0 with "SKIPPED" on its last line.

Usage: flashlight_decoder_fixtures.py [OUT.json]   (default Tests/Fixtures/ctc_decoder_modes/cases.json)

The lexicon trie is built as torchaudio builds it (each spelling inserted with the word's LM score
after <s>, smeared with SmearingMode.MAX). The character LM (`char5.arpa`, written by
`losslab lm build` from the lexicon's spellings) is loaded with the token list as its dictionary,
so token i is scored as the LM word spelled like token i. For each of the first 30 cases and
each setting: the best hypothesis's raw tokens (T + 2), words, score, lm_score,
emitting_model_score, and the words/tokens of up to 5 best.
"""
import json
import os
import sys

FIXTURES = "Tests/Fixtures/ctc_decoder"
MODES = "Tests/Fixtures/ctc_decoder_modes"

SETTINGS = [
    {"name": "free-nolm", "lexicon": False, "lm": None, "beam_size": 30, "beam_size_token": 29,
     "beam_threshold": 20.0, "lm_weight": 0.0, "word_score": 0.0, "unk_score": 0.0, "sil_score": 0.0,
     "log_add": False},
    {"name": "free-char-lm", "lexicon": False, "lm": "char5.arpa", "beam_size": 30, "beam_size_token": 12,
     "beam_threshold": 20.0, "lm_weight": 0.5, "word_score": 0.0, "unk_score": 0.0, "sil_score": -0.3,
     "log_add": True},
    {"name": "lexicon-unk-nolm", "lexicon": True, "lm": None, "beam_size": 30, "beam_size_token": 29,
     "beam_threshold": 25.0, "lm_weight": 0.0, "word_score": 0.5, "unk_score": -4.0, "sil_score": 0.0,
     "log_add": False},
    {"name": "lexicon-unk-lm", "lexicon": True, "lm": "lm.arpa", "beam_size": 40, "beam_size_token": 15,
     "beam_threshold": 25.0, "lm_weight": 1.5, "word_score": 1.0, "unk_score": -2.0, "sil_score": 0.2,
     "log_add": True},
]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(MODES, "cases.json")
    try:
        import numpy as np
        from flashlight.lib.text.decoder import (CriterionType, KenLM, LexiconDecoder, LexiconDecoderOptions,
                                                 LexiconFreeDecoder, LexiconFreeDecoderOptions, SmearingMode,
                                                 Trie, ZeroLM)
        from flashlight.lib.text.dictionary import Dictionary, create_word_dict, load_words
        from importlib.metadata import version
    except ImportError as error:
        print(f"flashlight_decoder_fixtures: skipped: a Python package is missing ({error}); "
              "pip install flashlight-text numpy")
        print("SKIPPED")
        return 0
    with open(os.path.join(FIXTURES, "cases.json")) as f:
        cases = json.load(f)["cases"][:30]
    tokens = Dictionary(os.path.join(FIXTURES, "tokens.txt"))
    blank, sil = tokens.get_index("-"), tokens.get_index("|")
    lexicon = load_words(os.path.join(FIXTURES, "lexicon.txt"))
    word_dict = create_word_dict(lexicon)
    records = []
    for s in SETTINGS:
        if s["lexicon"]:
            lm = KenLM(os.path.join(FIXTURES, s["lm"]), word_dict) if s["lm"] else ZeroLM()
            trie = Trie(tokens.index_size(), sil)
            start = lm.start(False)
            for word, spellings in lexicon.items():
                index = word_dict.get_index(word)
                _, score = lm.score(start, index)
                for spelling in spellings:
                    trie.insert([tokens.get_index(t) for t in spelling], index, score)
            trie.smear(SmearingMode.MAX)
            options = LexiconDecoderOptions(
                beam_size=s["beam_size"], beam_size_token=s["beam_size_token"], beam_threshold=s["beam_threshold"],
                lm_weight=s["lm_weight"], word_score=s["word_score"], unk_score=s["unk_score"],
                sil_score=s["sil_score"], log_add=s["log_add"], criterion_type=CriterionType.CTC)
            decoder = LexiconDecoder(options, trie, lm, sil, blank, word_dict.get_index("<unk>"), [], False)
        else:
            lm = KenLM(os.path.join(MODES, s["lm"]), tokens) if s["lm"] else ZeroLM()
            options = LexiconFreeDecoderOptions(
                beam_size=s["beam_size"], beam_size_token=s["beam_size_token"], beam_threshold=s["beam_threshold"],
                lm_weight=s["lm_weight"], sil_score=s["sil_score"], log_add=s["log_add"],
                criterion_type=CriterionType.CTC)
            decoder = LexiconFreeDecoder(options, lm, sil, blank, [])
        for c in cases:
            emissions = np.ascontiguousarray(np.array(c["emissions"], dtype=np.float32))
            t, n = emissions.shape
            results = decoder.decode(emissions.ctypes.data, t, n)
            best = results[0]
            words = lambda r: " ".join(word_dict.get_entry(w) for w in r.words if w >= 0)
            records.append({
                "setting": s["name"], "case": c["id"], "tokens": list(best.tokens), "words": words(best),
                "score": best.score, "lm_score": best.lmScore, "emitting_model_score": best.emittingModelScore,
                "nbest_words": [words(r) for r in results[:5]],
                "nbest_tokens": [list(r.tokens) for r in results[:5]],
            })
    document = {"generator": f"scripts/flashlight_decoder_fixtures.py with flashlight-text {version('flashlight-text')}",
                "settings": SETTINGS, "cases": [c["id"] for c in cases], "results": records}
    with open(out, "w") as f:
        json.dump(document, f)
        f.write("\n")
    print(f"wrote {out}: {len(records)} decodes")
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
