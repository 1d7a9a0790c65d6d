"""From sentence pairs to padded batches: padding, masks, teacher forcing, bucketing.

Mask convention (the whole package, as in ``scaled_dot_product_attention``): a boolean
mask where **True means "may attend"** (a real token); False marks padding or the future.

A ``Batch`` for teacher forcing, for the pair 我爱你 → "i love you" (ids shown as tokens):

    src     = 我 爱 你 <pad>         src_mask = T T T F
    tgt_in  = <bos> i love you       the decoder reads this ...
    tgt_out = i love you <eos>       ... and must predict this, one step ahead
    tgt_mask= T T T T

Padding uses id 0 (``<pad>``) everywhere, so the loss is
``cross_entropy(logits.flatten(0, 1), tgt_out.flatten(), ignore_index=0)``.

Length bucketing: random batches mix a 4-token sentence with a 25-token one, and the CPU
spends most of its time on padding. ``BucketBatchSampler`` shuffles, cuts the data into
large chunks, sorts each chunk by length and slices it into batches of similar lengths,
then shuffles the batch order; ``padding_waste`` measures the padding saved.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass, fields
from typing import Iterable, Iterator, NamedTuple, Sequence

import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from .tokenize import BOS_ID, EOS_ID, PAD_ID, UnknownTokenWarning, Vocab, tokenize_en, tokenize_zh

__all__ = [
    "pad_sequences", "padding_mask", "causal_mask", "Batch", "Example", "TranslationDataset",
    "collate", "BucketBatchSampler", "make_loader", "padding_waste",
]


def pad_sequences(seqs: Sequence[Sequence[int]], pad_id: int = PAD_ID) -> torch.Tensor:
    """Right-pad id sequences (lists or 1-D tensors) to one ``LongTensor`` of shape ``(B, L)``.

    ``L`` is the longest sequence's length.
    """
    if len(seqs) == 0:
        raise ValueError("pad_sequences needs at least one sequence")
    rows = [torch.as_tensor(s, dtype=torch.long) for s in seqs]
    if any(r.dim() != 1 for r in rows):
        raise ValueError("pad_sequences expects 1-D sequences of ids")
    out = torch.full((len(rows), max(len(r) for r in rows)), pad_id, dtype=torch.long)  # (B, L)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


def padding_mask(lengths, max_len: int | None = None) -> torch.Tensor:
    """``BoolTensor (B, max_len)``: True at the first ``lengths[b]`` positions (real tokens, may attend).

    ``lengths``: ``(B,)`` ints (list or tensor); ``max_len`` defaults to ``max(lengths)``.
    """
    lengths = torch.as_tensor(lengths, dtype=torch.long)
    if lengths.dim() != 1:
        raise ValueError(f"lengths must be 1-D (B,), got shape {tuple(lengths.shape)}")
    longest = int(lengths.max()) if len(lengths) else 0
    max_len = longest if max_len is None else max_len
    if longest > max_len or (len(lengths) and int(lengths.min()) < 0):
        raise ValueError(f"lengths must lie in 0..max_len={max_len}, got min {int(lengths.min())}, max {longest}")
    return torch.arange(max_len, device=lengths.device)[None, :] < lengths[:, None]  # (B, L)


def causal_mask(size: int, device=None) -> torch.Tensor:
    """``BoolTensor (T, T)``: True on and below the diagonal; query ``i`` may attend keys ``0..i``."""
    if size < 0:
        raise ValueError(f"size must be non-negative, got {size}")
    return torch.ones(size, size, dtype=torch.bool, device=device).tril()


@dataclass
class Batch:
    """A padded batch of translation pairs (all tensors batch-first; padding id 0).

    src:         (B, S) long, source ids (no <bos>/<eos>)
    src_mask:    (B, S) bool, True = real token (may attend)
    src_lengths: (B,)   long
    tgt_in:      (B, T) long, decoder input  <bos> y1 .. yn
    tgt_out:     (B, T) long, decoder target y1 .. yn <eos>
    tgt_mask:    (B, T) bool, True = real token in tgt_in / tgt_out
    tgt_lengths: (B,)   long, n + 1
    index:       (B,)   long or None, positions of the pairs in their dataset
    """

    src: torch.Tensor
    src_mask: torch.Tensor
    src_lengths: torch.Tensor
    tgt_in: torch.Tensor
    tgt_out: torch.Tensor
    tgt_mask: torch.Tensor
    tgt_lengths: torch.Tensor
    index: torch.Tensor | None = None

    def __len__(self) -> int:
        return self.src.shape[0]

    def to(self, device) -> "Batch":
        """A copy with every tensor moved to ``device``."""
        return Batch(**{f.name: None if getattr(self, f.name) is None else getattr(self, f.name).to(device)
                        for f in fields(self)})

    @property
    def num_tokens(self) -> int:
        """Number of target tokens the loss counts (non-padding positions of ``tgt_out``)."""
        return int(self.tgt_mask.sum())


class Example(NamedTuple):
    """One encoded pair: its position in the dataset, source ids, target ids (no specials)."""

    index: int
    src: list[int]
    tgt: list[int]


def collate(examples: Sequence[Example], pad_id: int = PAD_ID) -> Batch:
    """Pad a list of ``Example`` (or ``(index, src_ids, tgt_ids)``) into a ``Batch``.

    Adds ``<bos>``/``<eos>`` to build the teacher-forcing pair ``tgt_in``/``tgt_out``.
    Usable directly as a ``DataLoader``'s ``collate_fn``.
    """
    if len(examples) == 0:
        raise ValueError("collate needs at least one example")
    index, srcs, tgts = zip(*examples)
    src = pad_sequences(srcs, pad_id)                               # (B, S)
    tgt_in = pad_sequences([[BOS_ID, *t] for t in tgts], pad_id)    # (B, T)
    tgt_out = pad_sequences([[*t, EOS_ID] for t in tgts], pad_id)   # (B, T)
    src_lengths = torch.tensor([len(s) for s in srcs], dtype=torch.long)
    tgt_lengths = torch.tensor([len(t) + 1 for t in tgts], dtype=torch.long)
    return Batch(src, padding_mask(src_lengths, src.shape[1]), src_lengths, tgt_in, tgt_out,
                 padding_mask(tgt_lengths, tgt_in.shape[1]), tgt_lengths, torch.tensor(index, dtype=torch.long))


class TranslationDataset(Dataset):
    """(zh, en) string pairs, tokenised and encoded once; items are ``Example``.

    ``pairs``: ``(zh, en)`` tuples or objects with ``.zh``/``.en`` (e.g. ``corpus.Pair``).
    ``max_src_len`` / ``max_tgt_len`` limit the source tokens / target tokens + 1 (for
    <bos> or <eos>); a longer pair raises ``ValueError``, or is skipped with
    ``drop_long=True`` (``.dropped`` counts them). Unknown tokens become ``<unk>`` with one
    ``UnknownTokenWarning`` for the whole dataset. Empty sentences raise ``ValueError``.
    ``Example.index`` is the pair's position in ``pairs``, so results join back to sentences.
    """

    def __init__(self, pairs, src_vocab: Vocab, tgt_vocab: Vocab, max_src_len: int | None = None,
                 max_tgt_len: int | None = None, drop_long: bool = False):
        self.src_vocab, self.tgt_vocab = src_vocab, tgt_vocab
        self.pairs = [(p.zh, p.en) if hasattr(p, "zh") else tuple(p)[:2] for p in pairs]
        self.examples: list[Example] = []
        self.dropped = 0
        unknown: Counter = Counter()
        for i, (zh, en) in enumerate(self.pairs):
            src, tgt = tokenize_zh(zh), tokenize_en(en)
            if not src or not tgt:
                raise ValueError(f"pair {i} ({zh!r}, {en!r}) has an empty sentence")
            too_long = []
            if max_src_len is not None and len(src) > max_src_len:
                too_long.append(f"source is {len(src)} tokens, max_src_len={max_src_len}")
            if max_tgt_len is not None and len(tgt) + 1 > max_tgt_len:
                too_long.append(f"target is {len(tgt)} tokens + <eos>, max_tgt_len={max_tgt_len}")
            if too_long:
                if drop_long:
                    self.dropped += 1
                    continue
                raise ValueError(f"pair {i} ({zh!r}, {en!r}) is too long: {'; '.join(too_long)} "
                                 "(pass drop_long=True to skip such pairs)")
            unknown.update(src_vocab.unknown(src) + tgt_vocab.unknown(tgt))
            self.examples.append(Example(i, src_vocab.encode(src, on_unknown="ignore"),
                                         tgt_vocab.encode(tgt, on_unknown="ignore")))
        if unknown:
            top = " ".join(t for t, _ in unknown.most_common(20))
            warnings.warn(f"{len(unknown)} distinct tokens are not in the vocabularies and were mapped to <unk> "
                          f"(most frequent: {top})", UnknownTokenWarning, stacklevel=2)

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, i: int) -> Example:
        return self.examples[i]

    @property
    def lengths(self) -> list[tuple[int, int]]:
        """``(source length, target length + 1)`` per example: the sort key for bucketing."""
        return [(len(e.src), len(e.tgt) + 1) for e in self.examples]


class BucketBatchSampler(Sampler):
    """Batches of indices with similar lengths, for ``DataLoader(batch_sampler=...)``.

    Each epoch: shuffle the indices (a ``torch.Generator`` seeded with ``seed + epoch``),
    cut them into chunks of ``batch_size * bucket_size_multiplier``, sort each chunk by
    ``lengths`` (ints, or tuples such as ``(src_len, tgt_len)``), slice it into batches and
    shuffle the batch order. Every index appears exactly once per epoch (the short last
    batch is dropped with ``drop_last``). Each ``iter()`` uses the current epoch and then
    advances it; ``set_epoch(e)`` chooses it, so epoch ``e`` is reproducible.
    With ``shuffle=False`` chunks follow the index order and batches keep their order.
    """

    def __init__(self, lengths: Sequence, batch_size: int, shuffle: bool = True, seed: int = 0,
                 bucket_size_multiplier: int = 50, drop_last: bool = False):
        if batch_size < 1 or bucket_size_multiplier < 1:
            raise ValueError(f"batch_size and bucket_size_multiplier must be >= 1, got {batch_size}, {bucket_size_multiplier}")
        self.lengths = list(lengths)
        self.batch_size, self.shuffle, self.seed = batch_size, shuffle, seed
        self.bucket_size_multiplier, self.drop_last = bucket_size_multiplier, drop_last
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        n, b = len(self.lengths), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self) -> Iterator[list[int]]:
        g = torch.Generator().manual_seed(self.seed + self.epoch)
        self.epoch += 1
        n = len(self.lengths)
        order = torch.randperm(n, generator=g).tolist() if self.shuffle else list(range(n))
        chunk = self.batch_size * self.bucket_size_multiplier
        batches = []
        for start in range(0, n, chunk):
            part = sorted(order[start:start + chunk], key=lambda i: (self.lengths[i], i))
            batches += [part[k:k + self.batch_size] for k in range(0, len(part), self.batch_size)]
        if self.drop_last and batches and len(batches[-1]) < self.batch_size:
            batches.pop()  # only the last chunk can end in a short batch
        if self.shuffle:
            batches = [batches[k] for k in torch.randperm(len(batches), generator=g).tolist()]
        return iter(batches)


def make_loader(dataset: TranslationDataset, batch_size: int, shuffle: bool = True, seed: int = 0,
                bucketed: bool = True, drop_last: bool = False, **bucket_kw) -> DataLoader:
    """A ``DataLoader`` of ``Batch`` over ``dataset``, bucketed by length or plain random.

    Seeded either way, so the batch order repeats run after run.
    """
    if bucketed:
        sampler = BucketBatchSampler(dataset.lengths, batch_size, shuffle=shuffle, seed=seed,
                                     drop_last=drop_last, **bucket_kw)
        return DataLoader(dataset, batch_sampler=sampler, collate_fn=collate)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, collate_fn=collate,
                      generator=torch.Generator().manual_seed(seed))


def padding_waste(batches: Iterable[Batch]) -> float:
    """Fraction of all source and target positions that are padding (0 = none wasted)."""
    pad = total = 0
    for b in batches:
        pad += int((~b.src_mask).sum() + (~b.tgt_mask).sum())
        total += b.src_mask.numel() + b.tgt_mask.numel()
    if total == 0:
        raise ValueError("padding_waste got no batches")
    return pad / total
