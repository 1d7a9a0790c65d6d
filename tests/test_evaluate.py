"""helpers.generate.translate and helpers.evaluate on a toy Chinese→English task (numbers read backwards)."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest
import torch

import helpers
from helpers.batching import TranslationDataset, make_loader
from helpers.evaluate import evaluate_translation, forced_attention
from helpers.generate import translate
from helpers.rnn import RNNConfig, Seq2Seq
from helpers.tokenize import build_vocabs
from helpers.train import train

DIGITS = dict(zip("一二三四五六七八九", "one two three four five six seven eight nine".split()))


@dataclass(frozen=True)
class ToyPair:
    zh: str
    en: str
    alignment: tuple


def toy_pairs(n, seed):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        zh = "".join(rng.choice(list(DIGITS)) for _ in range(rng.randint(2, 7)))
        words = [DIGITS[c] for c in reversed(zh)]
        en = " ".join(words).capitalize() + "."
        k = len(zh)
        alignment = tuple((k - 1 - j, j) for j in range(k)) + ((k, k),)  # digits reversed; 。 -> .
        out.append(ToyPair(zh + "。", en, alignment))
    return out


@pytest.fixture(scope="module")
def trained():
    helpers.seed_everything(0)
    train_pairs = toy_pairs(3000, 0)
    src_vocab, tgt_vocab = build_vocabs(train_pairs)
    loader = make_loader(TranslationDataset(train_pairs, src_vocab, tgt_vocab), batch_size=64, seed=0)
    model = Seq2Seq(RNNConfig(len(src_vocab), len(tgt_vocab), emb_dim=32, hidden_dim=64, attn_dim=32, dropout=0.0))
    train(model, loader, steps=600, lr=5e-3, progress=False)
    return model, src_vocab, tgt_vocab


def test_translate_returns_text_in_input_order(trained):
    model, src_vocab, tgt_vocab = trained
    out = translate(model, ["三一。", "九八七六五四。", "二。"], src_vocab, tgt_vocab)
    assert [o.source for o in out] == ["三一。", "九八七六五四。", "二。"]
    assert out[0].text == "One three."
    assert out[1].attention.shape == (len(out[1].tokens) + 1, 7)
    beam = translate(model, ["三一。"], src_vocab, tgt_vocab, beam_size=3)
    assert beam[0].text == "One three."


def test_translate_bad_input_is_explained(trained):
    model, src_vocab, tgt_vocab = trained
    with pytest.raises(ValueError, match="empty"):
        translate(model, ["   "], src_vocab, tgt_vocab)
    with pytest.raises(ValueError, match="at most max_len=4"):
        translate(model, ["一二三四五六。"], src_vocab, tgt_vocab, max_src_len=4)
    with pytest.warns(UserWarning, match="猫"):
        out = translate(model, ["猫一。"], src_vocab, tgt_vocab)
    assert out[0].source_tokens[0] == "<unk>"


def test_evaluate_translation_scores_and_alignment(trained):
    model, src_vocab, tgt_vocab = trained
    report = evaluate_translation(model, toy_pairs(200, 1), src_vocab, tgt_vocab, n_buckets=2)
    assert report.bleu > 90 and report.exact > 90, report.summary()
    assert sum(b.count for b in report.by_length) == 200
    assert report.aer is not None and report.aer < report.aer_diagonal / 2, report.summary()
    attn = forced_attention(model, toy_pairs(3, 2), src_vocab, tgt_vocab)
    assert attn[0].shape[1] == len(toy_pairs(3, 2)[0].zh)
    assert torch.allclose(attn[0].sum(-1), torch.ones(attn[0].shape[0]), atol=1e-5)
