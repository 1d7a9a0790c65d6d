"""Which kind of long sentence is hard, without and with attention (issue 14).

Trains the two models of benchmarks/calibrate_corpus.py with its fixed step budgets (noattn 790, attn 574 steps;
about 2 minutes on 2 cores), then prints exact match and BLEU on test_long for each kind of sentence, told apart by
its connectives: lists (commas alone), 然后 chains, 但是, 但是 + 然后, cause and condition, single clauses.

    python wip/bytype.py data/zh_en
"""

import re
import sys
from pathlib import Path

import sacrebleu
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
import calibrate_corpus as cc  # noqa: E402
from helpers.corpus import en_tokens, load_split  # noqa: E402

STEPS = {"noattn": 790, "attn": 574}


def kind(zh):
    if "然后" in zh and "但是" in zh:
        return "but+then"
    if "然后" in zh:
        return "then"
    if "但是" in zh:
        return "but"
    if re.search("所以|如果|因为", zh):
        return "cause"
    return "list" if "，" in zh else "single"


def main(data_dir):
    torch.set_num_threads(2)
    splits = {k: load_split(k, data_dir) for k in ("train", "test_long")}
    sv = cc.Vocab([list(p.zh) for p in splits["train"]])
    tv = cc.Vocab([en_tokens(p.en) for p in splits["train"]])
    data = {k: cc.encode_pairs(v, sv, tv) for k, v in splits.items()}
    words = lambda ids: " ".join(tv.itos[k] for k in ids)  # noqa: E731
    for name, steps in STEPS.items():
        torch.manual_seed(0)
        model = {"noattn": cc.NoAttn, "attn": cc.Attn}[name](len(sv.itos), len(tv.itos), emb=cc.EMB, hidden=cc.HIDDEN)
        cc.train(model, data["train"], 0, 64, 2e-3, 0, steps)
        hyps, refs, _, _ = cc.evaluate(model, data["test_long"], tv)
        groups = {}
        for pair, h, r in zip(splits["test_long"], hyps, refs):
            groups.setdefault(kind(pair.zh), []).append((h, r))
        for k, items in sorted(groups.items()):
            em = 100 * sum(h == r for h, r in items) / len(items)
            bleu = sacrebleu.corpus_bleu([words(h) for h, _ in items], [[words(r) for _, r in items]],
                                         tokenize="none", force=True).score
            print(f"{name:6s} test_long {k:9s} n={len(items):3d} EM {em:5.1f} BLEU {bleu:5.1f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
