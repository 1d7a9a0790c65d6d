"""Every notebook-02 checker accepts the reference and rejects typical mistakes with the right hint."""

from __future__ import annotations

import pytest

import helpers
from helpers.teaching.checks import reset_attempts
from helpers.teaching.exercises import nb02
from helpers.rnn import RNNConfig, Seq2Seq
from helpers.tokenize import Vocab, tokenize_zh


@pytest.fixture(scope="module")
def tiny():
    helpers.seed_everything(0)
    src_vocab = Vocab.build([tokenize_zh("我昨天在公园看了书。他不喜欢喝咖啡。你买了什么？")])
    model = Seq2Seq(RNNConfig(len(src_vocab), 30, emb_dim=8, hidden_dim=16, attention=False, dropout=0.0))
    return model, src_vocab


@pytest.fixture(autouse=True)
def _fresh_ladder():
    """Every test starts at the first hint level, whatever ran before."""
    reset_attempts()
    yield
    reset_attempts()


def test_teacher_forcing(capsys):
    assert nb02.check_teacher_forcing(nb02.teacher_forcing)
    assert not nb02.check_teacher_forcing(nb02._tf_same)
    assert "shifted by one" in capsys.readouterr().out
    assert not nb02.check_teacher_forcing(nb02._tf_both_specials)
    assert "same length" in capsys.readouterr().out


def test_pad_batch(capsys):
    assert nb02.check_pad_batch(nb02.pad_batch)
    for wrong, hint in [(nb02._pad_left, "pad on the right"), (nb02._pad_float, "integer ids"),
                        (nb02._pad_transposed, "batch first")]:
        assert not nb02.check_pad_batch(wrong)
        assert hint in capsys.readouterr().out


def test_greedy(tiny, capsys):
    model, src_vocab = tiny
    assert nb02.check_greedy(nb02.greedy, model, src_vocab)
    assert not nb02.check_greedy(lambda m, s, n: nb02._greedy_variant(m, s, n, feed_back=False), model, src_vocab) \
        or "feed the token" not in capsys.readouterr().out  # an untrained model may make both choices agree
    # a random model rarely emits <eos>, so "never stops" and "keeps <eos>" are told apart on a crafted case:
    assert not nb02.check_greedy(lambda m, s, n: [], model, src_vocab)
    out = capsys.readouterr().out
    assert "❌" in out


def test_greedy_hints_on_a_model_that_stops(capsys):
    """A model whose decoder always says <eos> after two tokens exposes the stopping mistakes."""
    import torch

    class Scripted(torch.nn.Module):
        config = None

        def encode(self, src, mask):
            return src

        def init_state(self, memory, mask):
            return torch.zeros(memory.size(0), dtype=torch.long)

        def decode_step(self, prev, state, memory, mask):
            logits = torch.zeros(prev.size(0), 10)
            choice = torch.where(state >= 2, torch.full_like(state, 2), 5 + prev % 3)
            logits[torch.arange(prev.size(0)), choice] = 1.0
            return logits, state + 1, None

    src_vocab = Vocab.build([tokenize_zh("我昨天在公园看了书。他不喜欢喝咖啡。你买了什么？")])
    model = Scripted()
    assert nb02.check_greedy(nb02.greedy, model, src_vocab)
    assert not nb02.check_greedy(lambda m, s, n: nb02._greedy_variant(m, s, n, keep_eos=True), model, src_vocab)
    assert "don't include it" in capsys.readouterr().out
    assert not nb02.check_greedy(lambda m, s, n: nb02._greedy_variant(m, s, n, feed_back=False), model, src_vocab)
    assert "feed the token" in capsys.readouterr().out


def test_context_size(tiny, capsys):
    model, _ = tiny
    assert nb02.check_context_size(16, model)
    assert not nb02.check_context_size(8, model)
    assert "embedding" in capsys.readouterr().out
    assert not nb02.check_context_size(32, model)          # 2 × hidden_dim: both directions, before the projection
    assert "two directions" in capsys.readouterr().out
    assert not nb02.check_context_size(..., model)


def test_the_hints_come_in_steps(capsys):
    """A nudge in words first, then the concept on the next failure, the code only with hint=3."""
    reset_attempts()
    assert not nb02.check_teacher_forcing(nb02._tf_same)
    out = capsys.readouterr().out
    assert "Hint: the target is the input shifted by one place" in out
    assert "Concept:" not in out and "Code:" not in out and "[*ids" not in out
    assert "hint=2" in out                                          # says how to ask for more
    assert not nb02.check_teacher_forcing(nb02._tf_same)
    out = capsys.readouterr().out
    assert "Concept: for a sentence y1 … yn, the input is <bos> y1 … yn" in out and "Code:" not in out
    assert "hint=3" in out
    assert not nb02.check_teacher_forcing(nb02._tf_same, hint=3)
    out = capsys.readouterr().out
    assert "Code: return [1, *ids], [*ids, 2]" in out and "Concept:" in out and "shifted by one" in out
    # a dtype mistake: the first hint says it in words, the code names the dtype
    reset_attempts()
    assert not nb02.check_pad_batch(nb02._pad_float)
    out = capsys.readouterr().out
    assert "whole numbers" in out and "torch.long" not in out
    assert not nb02.check_pad_batch(nb02._pad_float, hint=3)
    assert "dtype=torch.long" in capsys.readouterr().out
    # passing starts the ladder again
    assert nb02.check_teacher_forcing(nb02.teacher_forcing)
    assert not nb02.check_teacher_forcing(nb02._tf_swapped)
    assert "Concept:" not in capsys.readouterr().out


def test_context_size_ladder(tiny, capsys):
    model, _ = tiny
    assert not nb02.check_context_size(8, model)
    out = capsys.readouterr().out
    assert "embedding" in out and "Concept:" not in out
    assert not nb02.check_context_size(7, model)                      # outside the catalogue: the ladder's concept
    out = capsys.readouterr().out
    assert "Hint: look at the model's config" in out and "Concept: the decoder's first state" in out
    assert not nb02.check_context_size(7, model, hint=3)
    assert "Code: context_size = plain_model.config.hidden_dim" in capsys.readouterr().out
