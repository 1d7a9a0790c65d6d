"""Unpaired text, then a few pairs: the pre-train → fine-tune experiment of notebook 06 (part b).

The article's claim: paired data is scarce, plain text is not, and a decoder-only model can
learn from plain text. The experiment, at one setting ``UnpairedSetup``:

1. **pre-train** a GPT on monolingual sentences: Chinese from one half of the training pairs,
   English from the *other* half, so no sentence meets its translation;
2. **fine-tune** it on ``K`` translation pairs (``<zh> … <en> …``, loss on the English);
3. compare with the same GPT trained on the same ``K`` pairs **from scratch**, and with an
   encoder–decoder Transformer of the same width trained on them from scratch.

``run_unpaired(data, vocab, ks=(250, 1000), seeds=(0,))`` returns BLEU on the test pairs for
every arm, ``K`` and seed. ``scripts/why_decoder_only.py`` runs the full sweep and stores it.
"""

from __future__ import annotations

import random
import time
from dataclasses import asdict, dataclass
from typing import Any, Sequence

from . import task_models as tm
from . import text_tasks as tt


@dataclass(frozen=True)
class UnpairedSetup:
    """Sizes and budgets of the experiment (the defaults fit a notebook on a laptop CPU)."""

    d_model: int = 64            # width of both model families
    n_layer: int = 4             # GPT layers (the Transformer gets 2 encoder + 2 decoder layers)
    pretrain_steps: int = 400    # optimiser steps on unpaired sentences
    finetune_steps: int = 200    # steps on the K pairs, for every arm (fine-tuned, scratch GPT, Transformer)
    batch_size: int = 64         # sentences or pairs per step
    lr: float = 2e-3             # AdamW learning rate, every stage
    n_test: int = 200            # test pairs scored with BLEU


def _gpt_sizes(s: UnpairedSetup) -> dict[str, Any]:
    return dict(d_model=s.d_model, n_layer=s.n_layer, n_head=4, d_ff=4 * s.d_model)


def monolingual_examples(pairs: Sequence) -> list[tt.TaskExample]:
    """Chinese sentences of the first half of ``pairs`` and English ones of the second half, shuffled."""
    half = len(pairs) // 2
    out = tt.make_examples(pairs[:half], "zh") + tt.make_examples(pairs[half:], "en")
    random.Random(0).shuffle(out)
    return out


def pretrain(data, vocab, setup: UnpairedSetup = UnpairedSetup(), *, seed: int = 0, progress: bool = True,
             device=None):
    """The GPT pre-trained on unpaired sentences: ``(model, info)`` (cached like every course model).
    ``device``: where it trains (None: the CPU, as every stored run did)."""
    return tm.train_task_gpt("why-pretrained", vocab, monolingual_examples(data.train), steps=setup.pretrain_steps,
                             batch_size=setup.batch_size, lr=setup.lr, seed=seed, progress=progress,
                             device=device, **_gpt_sizes(setup))


def k_pairs(data, k: int, seed: int = 0) -> list:
    """``k`` training pairs, drawn with a seed (the same draw for every arm)."""
    if not isinstance(k, int) or not 1 <= k <= len(data.train):
        raise ValueError(f"K must be an int between 1 and {len(data.train)}, got {k!r}")
    return random.Random(1000 + seed).sample(list(data.train), k)


ARMS = ("gpt_pretrained", "gpt_scratch", "tf_scratch")


def run_unpaired(data, vocab, ks: Sequence[int] = (250, 1000), seeds: Sequence[int] = (0,),
                 setup: UnpairedSetup = UnpairedSetup(), *, arms: Sequence[str] = ARMS,
                 progress: bool = False, device=None) -> dict[str, Any]:
    """Every arm (of ``ARMS``) at every ``K`` and seed. Returns JSON-able results (one row per K and seed).
    ``device``: where the models train (None: the CPU)."""
    unknown = set(arms) - set(ARMS)
    if unknown:
        raise ValueError(f"unknown arms {sorted(unknown)}; choose from {ARMS}")
    test = tt.make_examples(data.test[:setup.n_test], "zh2en")
    sources = [ex.source for ex in test]
    rows = []
    start = time.perf_counter()
    for seed in seeds:
        base, base_info = pretrain(data, vocab, setup, seed=seed, progress=progress, device=device)
        for k in ks:
            train = tt.make_examples(k_pairs(data, k, seed), "zh2en")
            common = dict(steps=setup.finetune_steps, batch_size=setup.batch_size, lr=setup.lr, seed=seed,
                          progress=progress, device=device)
            row = {"seed": seed, "k": k, "pretrain_seconds": base_info["seconds"]}
            if "gpt_pretrained" in arms:
                tuned, _ = tm.train_task_gpt("why-finetuned", vocab, train, init=base, **common, **_gpt_sizes(setup))
                row["gpt_pretrained"] = tm.score("zh2en", tm.gpt_answers(tuned, vocab, "zh2en", sources), test, vocab)
            if "gpt_scratch" in arms:
                scratch, _ = tm.train_task_gpt("why-scratch", vocab, train, **common, **_gpt_sizes(setup))
                row["gpt_scratch"] = tm.score("zh2en", tm.gpt_answers(scratch, vocab, "zh2en", sources), test, vocab)
            if "tf_scratch" in arms:
                tf, _ = tm.train_task_transformer("why-tf-k", data.src_vocab, data.tgt_vocab, train, **common,
                                                  d_model=setup.d_model, n_heads=4, d_ff=4 * setup.d_model)
                row["tf_scratch"] = tm.score("zh2en", tm.seq2seq_answers(tf, data.src_vocab, data.tgt_vocab, sources),
                                             test, vocab)
            rows.append(row)
    return {"setup": asdict(setup), "ks": list(ks), "seeds": list(seeds), "rows": rows,
            "seconds": time.perf_counter() - start}


def mean_by_k(results: dict[str, Any], arm: str) -> list[float]:
    """The mean over seeds of one arm's BLEU, in the order of ``results["ks"]``."""
    out = []
    for k in results["ks"]:
        vals = [r[arm] for r in results["rows"] if r["k"] == k]
        if not vals:
            raise ValueError(f"no results for K={k}")
        out.append(sum(vals) / len(vals))
    return out
