"""BART-style pre-training of an encoder–decoder on unpaired sentences: the fair rival of the pre-trained
decoder-only model in notebook 06b.

A decoder-only model learns from plain text by predicting each next token. An encoder–decoder can learn from the
same text too: corrupt a sentence, and train the model to write the original back (Lewis et al. 2020, *BART:
Denoising Sequence-to-Sequence Pre-training for Natural Language Generation, Translation, and Comprehension*; T5
pre-trained its encoder–decoder in a similar way). Of BART's noises, **text infilling** worked best: spans of
tokens, their lengths drawn from a Poisson distribution (mean 3), are each replaced by a single mask token until
about 30 % of the tokens are hidden, so the model must also work out how many tokens are missing.

To pre-train on Chinese *and* English sentences and then translate, the encoder and the decoder share one
vocabulary (the decoder-only model's ``TaskVocab``), and the source ends with the marker of the language to write:
``我 <unk> 书 。 <zh>`` → ``我 看 了 书 。`` while pre-training, ``我 看 了 书 。 <en>`` → ``i read a book .`` when
translating (the mask token is ``<unk>``: the vocabulary has no other token for "a piece not shown").
"""

from __future__ import annotations

import math
import random
from typing import Sequence

from ..tokenize import UNK
from .text_tasks import TaskExample

__all__ = ["MASK", "infill", "denoising_examples", "translation_examples", "ed_sizes"]

MASK = UNK
_WRITE = {"zh": "<zh>", "en": "<en>"}


def _poisson(rng: random.Random, mean: float) -> int:
    """One draw from a Poisson distribution (Knuth's method: fine for small means)."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def infill(tokens: Sequence[str], rng: random.Random, ratio: float = 0.3, mean_span: float = 3.0) -> tuple[str, ...]:
    """``tokens`` with spans replaced by one ``MASK`` each until ``round(ratio * len)`` tokens (at least one,
    for two tokens or more) are hidden. Span lengths: Poisson(``mean_span``), at least 1."""
    if not 0 < ratio < 1:
        raise ValueError(f"ratio must be between 0 and 1, got {ratio}")
    n = len(tokens)
    budget = max(1, round(ratio * n)) if n >= 2 else 0
    hidden = [False] * n
    count = 0
    while count < budget:
        length = min(max(1, _poisson(rng, mean_span)), budget - count)
        starts = [i for i in range(n - length + 1) if not any(hidden[i:i + length])]
        if not starts:                                   # no room for a span this long: try a shorter one
            length = 1
            starts = [i for i in range(n) if not hidden[i]]
        i = rng.choice(starts)
        for j in range(i, i + length):
            hidden[j] = True
        count += length
    out: list[str] = []
    for j, tok in enumerate(tokens):
        if not hidden[j]:
            out.append(tok)
        elif j == 0 or not hidden[j - 1]:                # a run of hidden tokens is one mask
            out.append(MASK)
    return tuple(out)


def denoising_examples(examples: Sequence[TaskExample], seed: int = 0, ratio: float = 0.3,
                       mean_span: float = 3.0) -> list[TaskExample]:
    """Pre-training pairs from monolingual examples (tasks ``"zh"`` / ``"en"``): source = the sentence with
    spans masked, then the marker of its language; target = the sentence. Seeded: the same noise every run."""
    rng = random.Random(seed)
    out = []
    for ex in examples:
        if ex.task not in _WRITE:
            raise ValueError(f"denoising needs monolingual examples (task 'zh' or 'en'), got {ex.task!r}")
        out.append(TaskExample("denoise", (*infill(ex.source, rng, ratio, mean_span), _WRITE[ex.task]), ex.source))
    return out


def translation_examples(examples: Sequence[TaskExample]) -> list[TaskExample]:
    """zh→en examples written for the shared-vocabulary encoder–decoder: the source ends with ``<en>``."""
    out = []
    for ex in examples:
        if ex.task != "zh2en":
            raise ValueError(f"expected zh2en examples, got {ex.task!r}")
        out.append(TaskExample("zh2en", (*ex.source, "<en>"), ex.target))
    return out


def ed_sizes(d_model: int, n_layer: int) -> dict:
    """The encoder–decoder that matches a GPT of ``n_layer`` layers: half the layers on each side, same width."""
    if n_layer < 2 or n_layer % 2:
        raise ValueError(f"the matched encoder–decoder needs an even number of layers >= 2, got {n_layer}")
    return dict(d_model=d_model, n_heads=4, d_ff=4 * d_model, n_enc_layers=n_layer // 2, n_dec_layers=n_layer // 2)
