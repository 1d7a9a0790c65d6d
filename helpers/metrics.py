"""How good is a translation, and does attention look where it should?

- ``bleu`` / ``chrf``: corpus scores through ``sacrebleu`` (never a hand-written BLEU), on
  detokenised sentences, so the numbers are comparable with published ones in kind
  (not in size: our corpus is synthetic).
- ``exact_match``: the share of sentences translated exactly.
- ``quality_by_length``: the same scores, grouped by source length (the bottleneck plot).
- ``alignment_error_rate``: attention against the corpus's gold word alignments;
  ``diagonal_alignment`` is the trivial baseline any alignment must beat.
- ``perplexity``: exp of a mean cross-entropy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

Link = tuple[int, int]  # (source index, target index)


def _check_parallel(hyps: Sequence[str], refs: Sequence[str]) -> None:
    if isinstance(hyps, str) or isinstance(refs, str):
        raise TypeError("pass lists of sentences, not a single string")
    if len(hyps) != len(refs):
        raise ValueError(f"{len(hyps)} hypotheses but {len(refs)} references: they must pair up one to one")
    if not hyps:
        raise ValueError("no sentences to score")


def bleu(hyps: Sequence[str], refs: Sequence[str]) -> float:
    """Corpus BLEU (0–100) of detokenised hypotheses against one reference each (sacrebleu defaults)."""
    import sacrebleu

    _check_parallel(hyps, refs)
    return float(sacrebleu.corpus_bleu(list(hyps), [list(refs)]).score)


def chrf(hyps: Sequence[str], refs: Sequence[str]) -> float:
    """Corpus chrF (0–100): character n-gram F-score, kinder than BLEU to near misses."""
    import sacrebleu

    _check_parallel(hyps, refs)
    return float(sacrebleu.corpus_chrf(list(hyps), [list(refs)]).score)


def exact_match(hyps: Sequence[str], refs: Sequence[str]) -> float:
    """Percentage of hypotheses equal to their reference (ignoring surrounding spaces)."""
    _check_parallel(hyps, refs)
    return 100.0 * sum(h.strip() == r.strip() for h, r in zip(hyps, refs)) / len(refs)


@dataclass(frozen=True)
class LengthBucket:
    """Scores of the sentences whose source length lies in ``[low, high]``."""

    low: int
    high: int
    count: int
    bleu: float
    chrf: float
    exact: float

    @property
    def label(self) -> str:
        return f"{self.low}–{self.high}"


def quality_by_length(
    src_lengths: Sequence[int],
    hyps: Sequence[str],
    refs: Sequence[str],
    edges: Sequence[int] | None = None,
    n_buckets: int = 4,
) -> list[LengthBucket]:
    """Group sentences by source length and score each group.

    ``edges`` are inclusive upper bounds of the buckets, e.g. ``[15, 30, 45, 1000]``;
    without them, ``n_buckets`` buckets of (nearly) equal size are made from the
    lengths' quantiles. Empty buckets are left out.
    """
    _check_parallel(hyps, refs)
    if len(src_lengths) != len(refs):
        raise ValueError(f"{len(src_lengths)} source lengths for {len(refs)} sentences")
    lengths = [int(n) for n in src_lengths]
    if edges is None:
        ordered = sorted(lengths)
        edges = sorted({ordered[min(len(ordered) - 1, math.ceil(len(ordered) * k / n_buckets) - 1)]
                        for k in range(1, n_buckets + 1)})
    buckets, low = [], min(lengths)
    for high in edges:
        idx = [i for i, n in enumerate(lengths) if low <= n <= high]
        if idx:
            h = [hyps[i] for i in idx]
            r = [refs[i] for i in idx]
            buckets.append(LengthBucket(low, high, len(idx), bleu(h, r), chrf(h, r), exact_match(h, r)))
        low = high + 1
    return buckets


def attention_links(attention, src_len: int, tgt_len: int) -> set[Link]:
    """Hard alignment from a soft one: each target word links to its most-attended source position.

    ``attention``: ``(tgt_len', src_len')`` weights (tensor or array), rows = target
    words; only the top-left ``(tgt_len, src_len)`` block (the real tokens) is used.
    """
    import numpy as np

    a = attention.detach().float().cpu().numpy() if hasattr(attention, "detach") else np.asarray(attention)
    if a.ndim != 2 or a.shape[0] < tgt_len or a.shape[1] < src_len:
        raise ValueError(f"attention of shape {a.shape} cannot cover {tgt_len} target x {src_len} source tokens")
    best = a[:tgt_len, :src_len].argmax(axis=1)
    return {(int(s), t) for t, s in enumerate(best)}


def diagonal_alignment(src_len: int, tgt_len: int) -> set[Link]:
    """The trivial baseline: target word t links to the source position at the same relative place."""
    if src_len <= 0 or tgt_len <= 0:
        raise ValueError("lengths must be positive")
    return {(min(src_len - 1, int((t + 0.5) * src_len / tgt_len)), t) for t in range(tgt_len)}


def alignment_error_rate(predicted: Iterable[set[Link]], gold: Iterable[Iterable[Link]]) -> float:
    """Alignment error rate (Och & Ney 2003) of predicted links against gold links, in percent.

    AER = 1 − (|A∩S| + |A∩P|) / (|A| + |S|), with A the predicted links, P ("possible")
    every gold link, and S ("sure") the gold links of target words aligned to exactly
    one source position. A target word aligned to a two-character Chinese word (公园 →
    park) has two possible links, and hitting either is right. Only target words with a
    gold link are scored: a link predicted for an unaligned word (e.g. an English article)
    is neither right nor wrong. Lower is better; 0 means every scored target word points
    at one of its gold source positions.
    """
    from collections import Counter

    hit_sure = hit_possible = n_pred = n_sure = pairs = 0
    for pred, g in zip(predicted, gold):
        possible = {(int(s), int(t)) for s, t in g}
        per_target = Counter(t for _, t in possible)
        sure = {(s, t) for s, t in possible if per_target[t] == 1}
        pred = {(int(s), int(t)) for s, t in pred if t in per_target}
        hit_sure += len(pred & sure)
        hit_possible += len(pred & possible)
        n_pred += len(pred)
        n_sure += len(sure)
        pairs += 1
    if pairs == 0 or n_pred + n_sure == 0:
        raise ValueError("no alignments to score")
    return 100.0 * (1.0 - (hit_sure + hit_possible) / (n_pred + n_sure))


def perplexity(mean_cross_entropy: float) -> float:
    """exp(mean cross-entropy in nats): the number of equally likely choices the model is torn between."""
    return float(math.exp(mean_cross_entropy))


def relative_rank(matrix, rtol: float = 1e-4) -> float:
    """Numerical rank of a square matrix divided by its size (1.0 = full rank).

    Singular values below ``rtol`` times the largest count as zero. ``matrix``: ``(T, T)``,
    e.g. one head's attention weights.
    """
    import torch

    # float64 on the CPU: MPS has no float64, and a tiny SVD is faster on the host than launched on a GPU
    m = torch.as_tensor(matrix).detach().cpu().double()
    if m.dim() != 2 or m.shape[0] != m.shape[1] or m.shape[0] == 0:
        raise ValueError(f"relative_rank needs a non-empty square matrix, got shape {tuple(m.shape)}")
    return int(torch.linalg.matrix_rank(m, rtol=rtol)) / m.shape[0]
