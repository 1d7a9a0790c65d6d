"""Padding, masks (True = may attend), teacher forcing, bucketed batches."""

import random
import warnings
from collections import namedtuple

import pytest
import torch
import torch.nn.functional as F

from helpers.batching import (
    Batch, BucketBatchSampler, TranslationDataset, causal_mask, collate, make_loader, pad_sequences,
    padding_mask, padding_waste,
)
from helpers.tokenize import BOS_ID, EOS_ID, PAD_ID, UNK_ID, UnknownTokenWarning, build_vocabs

ZH, EN = "我你他她们看书买吃了吗在的", ["i", "you", "he", "read", "a", "book", "buy", "eat", "did", "the"]


def synthetic_pairs(n=600, seed=0):
    """Sentence pairs of widely varying length (1-30 tokens), correlated between sides."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        k = rng.randint(1, 30)
        pairs.append(("".join(rng.choices(ZH, k=k)), " ".join(rng.choices(EN, k=max(1, k + rng.randint(-2, 2)))) + "."))
    return pairs


@pytest.fixture(scope="module")
def dataset():
    pairs = synthetic_pairs()
    src, tgt = build_vocabs(pairs)
    return TranslationDataset(pairs, src, tgt)


def test_pad_sequences():
    out = pad_sequences([[5, 6, 7], [8], torch.tensor([9, 10])])
    assert out.dtype == torch.long and out.shape == (3, 3)
    assert out.tolist() == [[5, 6, 7], [8, 0, 0], [9, 10, 0]]
    assert pad_sequences([[1]], pad_id=-1).tolist() == [[1]]
    with pytest.raises(ValueError, match="at least one"):
        pad_sequences([])


def test_padding_mask_true_marks_real_tokens():
    m = padding_mask([3, 1, 0], 4)
    assert m.dtype == torch.bool and m.shape == (3, 4)
    assert m.tolist() == [[True, True, True, False], [True, False, False, False], [False] * 4]
    assert padding_mask(torch.tensor([2, 1])).shape == (2, 2)
    with pytest.raises(ValueError, match="max_len=2"):
        padding_mask([3], 2)


def test_causal_mask_is_lower_triangular_and_matches_sdpa():
    m = causal_mask(4)
    assert m.dtype == torch.bool and m.shape == (4, 4)
    assert torch.equal(m, torch.tril(torch.ones(4, 4, dtype=torch.bool)))
    assert m[2, :3].all() and not m[2, 3]  # position 2 may attend 0..2, not the future
    q = k = v = torch.randn(1, 1, 4, 8)
    ours = F.scaled_dot_product_attention(q, k, v, attn_mask=m)
    assert torch.allclose(ours, F.scaled_dot_product_attention(q, k, v, is_causal=True), atol=1e-6)


def test_collate_teacher_forcing_shift():
    b = collate([(0, [5, 6, 7], [10, 11]), (1, [8], [12, 13, 14, 15])])
    assert isinstance(b, Batch) and len(b) == 2
    assert b.src.shape == (2, 3) and b.tgt_in.shape == b.tgt_out.shape == (2, 5)
    assert b.tgt_in.tolist() == [[BOS_ID, 10, 11, 0, 0], [BOS_ID, 12, 13, 14, 15]]
    assert b.tgt_out.tolist() == [[10, 11, EOS_ID, 0, 0], [12, 13, 14, 15, EOS_ID]]
    assert b.src_lengths.tolist() == [3, 1] and b.tgt_lengths.tolist() == [3, 5]
    assert b.src_mask.tolist() == [[True] * 3, [True, False, False]]
    assert b.index.tolist() == [0, 1] and b.num_tokens == 8
    for t in (b.src, b.tgt_in, b.tgt_out, b.src_lengths, b.index):
        assert t.dtype == torch.long
    assert b.src_mask.dtype == b.tgt_mask.dtype == torch.bool
    moved = b.to("cpu")
    assert isinstance(moved, Batch) and torch.equal(moved.tgt_out, b.tgt_out)


def test_dataset_batches_are_consistent(dataset):
    b = next(iter(make_loader(dataset, 16, shuffle=True, seed=1)))
    both = b.tgt_mask[:, 1:]
    assert torch.equal(b.tgt_in[:, 1:][both], b.tgt_out[:, :-1][both])  # the one-step shift
    assert (b.tgt_in[:, 0] == BOS_ID).all()
    assert (b.tgt_out.gather(1, (b.tgt_lengths - 1)[:, None]) == EOS_ID).all()
    assert (b.tgt_out[~b.tgt_mask] == PAD_ID).all() and (b.src[~b.src_mask] == PAD_ID).all()
    assert torch.equal(b.src_mask.sum(1), b.src_lengths)
    for row, i in enumerate(b.index.tolist()):  # index joins a row back to its sentence
        zh, _ = dataset.pairs[i]
        assert b.src_lengths[row] == len(zh)


def test_dataset_accepts_pair_objects_and_reports_unknowns():
    Pair = namedtuple("Pair", "zh en")
    src, tgt = build_vocabs([("我看书", "I read."), ("你买书", "You buy.")])
    with pytest.warns(UnknownTokenWarning, match="猫") as record:
        ds = TranslationDataset([Pair("我看猫", "I read."), Pair("猫买书", "You buy.")], src, tgt)
    assert len(record) == 1  # one warning for the whole dataset
    assert ds[0].src[-1] == UNK_ID and ds[1].index == 1


def test_dataset_bad_input_errors():
    src, tgt = build_vocabs([("我看书", "I read a book.")])
    with pytest.raises(ValueError, match="empty"):
        TranslationDataset([("  ", "I read.")], src, tgt)
    with pytest.raises(ValueError, match=r"source is 3 tokens, max_src_len=2"):
        TranslationDataset([("我看书", "I read a book.")], src, tgt, max_src_len=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = TranslationDataset([("我看书", "I read a book."), ("我", "I.")], src, tgt, max_tgt_len=4, drop_long=True)
    assert len(ds) == 1 and ds.dropped == 1 and ds[0].index == 1


def test_bucket_sampler_covers_every_index_once_and_is_deterministic(dataset):
    lengths = dataset.lengths
    s = BucketBatchSampler(lengths, batch_size=16, seed=3, bucket_size_multiplier=5)
    epoch0, epoch1 = list(s), list(s)  # iter() advances the epoch
    for batches in (epoch0, epoch1):
        flat = [i for b in batches for i in b]
        assert sorted(flat) == list(range(len(lengths)))
        assert len(batches) == len(s) == -(-len(lengths) // 16)
    assert epoch0 != epoch1
    again = BucketBatchSampler(lengths, batch_size=16, seed=3, bucket_size_multiplier=5)
    assert list(again) == epoch0
    again.set_epoch(1)
    assert list(again) == epoch1
    assert list(BucketBatchSampler(lengths, 16, seed=4, bucket_size_multiplier=5)) != epoch0
    dropped = BucketBatchSampler(lengths, 16, seed=3, drop_last=True)
    assert all(len(b) == 16 for b in dropped) and len(list(dropped)) == len(dropped) == len(lengths) // 16
    assert list(BucketBatchSampler([3, 1, 2], 2, shuffle=False)) == [[1, 2], [0]]


def test_bucketing_wastes_less_padding_than_random_batches(dataset):
    bucketed = padding_waste(make_loader(dataset, 32, seed=0, bucketed=True))
    plain = padding_waste(make_loader(dataset, 32, seed=0, bucketed=False))
    assert bucketed < plain / 2, (bucketed, plain)


def test_make_loader_is_reproducible(dataset):
    def order(loader):
        return [b.index.tolist() for b in loader]

    for bucketed in (True, False):
        assert order(make_loader(dataset, 32, seed=5, bucketed=bucketed)) == order(make_loader(dataset, 32, seed=5, bucketed=bucketed))
