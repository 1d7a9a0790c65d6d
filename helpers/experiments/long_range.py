"""Long-range dependency *inside* the training lengths: does a translator lose words whose source is far back?

The article behind the course says a decoder-only model "may have trouble with long-range dependencies". In
translation the dependency that matters is between an English word and the Chinese word it translates. A
decoder-only model reads one text, ``<zh> 我 看 书 <en> i read books``, so the English word ``books`` sits
``d`` positions after its source ``书``; the longer the sentence and the later the word, the further back it
must look. An encoder–decoder reads the Chinese through cross-attention, where no such distance exists.

The probe scores every linked English word of sentences *inside* the training lengths (no position the
models never trained on, unlike ``test_long``, which measures length extrapolation) with teacher forcing: the
model sees the correct English so far and is scored on the next word (its cross-entropy and whether its best
guess is right). Words are grouped by ``d``, the distance in the decoder-only text from their nearest linked
Chinese character (``Pair.alignment``), and every arm is scored on the same words. Distance also grows with
sentence length, so a word far from its source is also a word in a longer sentence: the encoder–decoder,
which has no such distance, measures how much harder those words are anyway, and the claim is judged on the
*growth* of the loss from the nearest to the furthest group (``growth``; as a log ratio, so that an arm with lower
losses overall is not favoured), arm against arm, seed by seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import torch
import torch.nn.functional as F

from ..tokenize import tokenize_en, tokenize_zh

__all__ = ["EDGES", "linked_distances", "token_scores", "by_distance", "growth", "Bucket"]

EDGES = (1, 9, 17, 25)          # groups d = 1–8, 9–16, 17–24, 25 and more


def linked_distances(pair) -> list[int | None]:
    """For each English token of ``pair`` (``.zh``, ``.en``, ``.alignment``): how many positions after its
    nearest linked Chinese character it stands in the decoder-only text ``<zh> zh… <en> en…``; ``None`` for an
    unlinked token ("the", "a").

    Character ``i`` sits at position ``1 + i`` and English token ``j`` at ``S + 2 + j`` (``S`` characters), so
    the distance is ``S + 1 + j - i`` for the largest linked ``i``.
    """
    s, n = len(tokenize_zh(pair.zh)), len(tokenize_en(pair.en))
    nearest: dict[int, int] = {}
    for i, j in pair.alignment:
        if not (0 <= i < s and 0 <= j < n):
            raise ValueError(f"link ({i}, {j}) is outside the pair ({s} characters, {n} English tokens): {pair.zh}")
        nearest[j] = max(nearest.get(j, -1), i)
    return [s + 1 + j - nearest[j] if j in nearest else None for j in range(n)]


@torch.no_grad()
def token_scores(model, pairs: Sequence, data, *, vocab=None, prefix_lm: bool = False, batch_size: int = 64,
                 device=None) -> list[tuple[list[float], list[bool]]]:
    """Teacher-forced ``(losses, correct)`` for every English token of every pair (``<eos>`` left out).

    ``model``: an encoder–decoder (``helpers.transformer.Transformer``, called with ``vocab=None``) or a
    decoder-only ``GPT`` (give its joint ``vocab``; ``prefix_lm``: read the Chinese bidirectionally). ``data``:
    the ``TranslationData`` whose vocabularies the model was trained with. One list per pair, in order.
    """
    from ..batching import TranslationDataset, make_loader
    from .task_models import TranslationTextLoader

    device = torch.device(device) if device is not None else next(model.parameters()).device
    was_training = model.training
    model.eval()
    dataset = TranslationDataset(pairs, data.src_vocab, data.tgt_vocab)
    loader = make_loader(dataset, batch_size, shuffle=False, bucketed=False)
    text = TranslationTextLoader(data, vocab, 1, split="valid") if vocab is not None else None
    out: list = [None] * len(dataset)
    for batch in loader:
        n = (batch.tgt_lengths - 1).tolist()                                          # English tokens per pair
        if text is None:
            logits = model(batch.src.to(device), batch.src_mask.to(device), batch.tgt_in.to(device))  # (B, T, V)
            gold = batch.tgt_out.to(device)                                            # (B, T)
            starts = [0] * len(n)
        else:
            idx, targets, prompt = text.convert(batch)                                 # (B, T), (B, T), (B,)
            logits = model(idx.to(device), prefix_len=prompt.to(device) if prefix_lm else None)
            gold = targets.clamp(min=0).to(device)
            starts = [p - 1 for p in prompt.tolist()]                                  # predicts English token 0
        loss = F.cross_entropy(logits.transpose(1, 2), gold, reduction="none")        # (B, T)
        right = logits.argmax(-1) == gold                                              # (B, T)
        for b, (k, s) in enumerate(zip(n, starts)):
            out[int(batch.index[b])] = (loss[b, s:s + k].tolist(), right[b, s:s + k].tolist())
    model.train(was_training)
    return out


@dataclass(frozen=True)
class Bucket:
    """The linked English tokens ``lo <= d <= hi`` positions from their source (``hi`` = inf: no upper end)."""

    lo: int
    hi: float
    tokens: int
    loss: float          # mean teacher-forced cross-entropy (nats)
    accuracy: float      # share of tokens whose best guess is right

    @property
    def label(self) -> str:
        return f"{self.lo}+" if math.isinf(self.hi) else f"{self.lo}–{int(self.hi)}"


def by_distance(pairs: Sequence, scores, edges: Sequence[int] = EDGES) -> list[Bucket]:
    """Group every linked token's score by its distance (``linked_distances``) into ``edges`` buckets."""
    if len(pairs) != len(scores):
        raise ValueError(f"{len(pairs)} pairs but {len(scores)} score lists")
    edges = list(edges)
    if edges != sorted(set(edges)) or edges[0] < 1:
        raise ValueError(f"edges must be increasing and start at 1 or more, got {edges}")
    sums = [[0.0, 0, 0] for _ in edges]                                  # loss sum, right, count
    for pair, (losses, right) in zip(pairs, scores):
        dists = linked_distances(pair)
        if len(dists) != len(losses):
            raise ValueError(f"{len(losses)} scores for {len(dists)} English tokens: {pair.en!r}")
        for d, l, r in zip(dists, losses, right):
            if d is None or d < edges[0]:
                continue
            k = max(i for i, e in enumerate(edges) if d >= e)
            sums[k][0] += l
            sums[k][1] += bool(r)
            sums[k][2] += 1
    his = [e - 1 for e in edges[1:]] + [math.inf]
    return [Bucket(lo, hi, c, s / c if c else math.nan, r / c if c else math.nan)
            for lo, hi, (s, r, c) in zip(edges, his, sums)]


def growth(buckets: Sequence[Bucket], field: str = "loss", log: bool = False) -> float:
    """How much ``field`` changes from the nearest bucket to the furthest: furthest minus nearest, or with
    ``log=True`` the log of their ratio (scale-free: ``log(2)`` means the furthest words cost twice the nearest,
    whether the model's losses are large or small)."""
    full = [b for b in buckets if b.tokens]
    if len(full) < 2:
        raise ValueError("growth needs two buckets that hold tokens")
    near, far = getattr(full[0], field), getattr(full[-1], field)
    if log:
        if not (near > 0 and far > 0):
            raise ValueError(f"a log growth needs positive values, got {near} and {far}")
        return math.log(far / near)
    return far - near
