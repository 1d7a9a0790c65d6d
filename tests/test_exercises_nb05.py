"""Every notebook-05 checker accepts the reference and rejects typical mistakes with the right hint."""

from __future__ import annotations

import pytest
import torch

from helpers.teaching.checks import CheckFailed, reset_attempts
from helpers.teaching.exercises import nb05
from helpers.gpt import GPTConfig


@pytest.fixture(autouse=True)
def _fresh_ladder():
    """Every test starts at the first hint level, whatever ran before it."""
    reset_attempts()


def _stub(*args):
    raise NotImplementedError


def test_shift(capsys):
    assert nb05.check_shift(nb05.shift)
    for wrong, hint in [(nb05._shift_none, "shifted by one"), (nb05._shift_swapped, "swapped"),
                        (nb05._shift_batch_dim, "time dimension"), (nb05._shift_full, "one token shorter")]:
        assert not nb05.check_shift(wrong)
        assert hint in capsys.readouterr().out
    assert not nb05.check_shift(_stub)
    assert "not written yet" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        nb05.check_shift(_stub, strict=True)


def test_causal_mask(capsys):
    assert nb05.check_causal_mask(nb05.causal_mask)
    cases = [
        (lambda t: torch.triu(torch.ones(t, t, dtype=torch.bool)), "lets position 0 see position 1"),
        (lambda t: torch.ones(t, t, dtype=torch.bool), "lets position 0 see position 1"),
        (lambda t: torch.tril(torch.ones(t, t, dtype=torch.bool), diagonal=1), "a token in its future"),
        (lambda t: torch.tril(torch.ones(t, t, dtype=torch.bool), diagonal=-1), "see itself"),
        (lambda t: ~nb05.causal_mask(t), "True = blocked"),
        (lambda t: torch.zeros(t, t).masked_fill(~nb05.causal_mask(t), float("-inf")), "not an additive one"),
        (lambda t: torch.tril(torch.ones(t, t)), "True and False (True = may attend), not numbers"),
        (lambda t: torch.ones(t, t + 1, dtype=torch.bool), "shape"),
        (lambda t: [[True]], "expected a tensor"),
        (_stub, "not written yet"),
    ]
    for wrong, hint in cases:
        assert not nb05.check_causal_mask(wrong)
        assert hint in capsys.readouterr().out
    # the classic off-by-one: position 3 sees position 4
    assert not nb05.check_causal_mask(lambda t: nb05.causal_mask(t) | (torch.arange(t)[:, None] == 3)
                                      & (torch.arange(t)[None, :] == 4))
    assert "lets position 3 see position 4" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        nb05.check_causal_mask(_stub, strict=True)


def test_top_k(capsys):
    assert nb05.check_top_k(nb05.top_k_probs)
    for wrong, hint in [(nb05._top_k_minus_one, "k - 1"), (nb05._top_k_plus_one, "k + 1"),
                        (nb05._top_k_no_renorm, "sum to 1"), (nb05._top_k_zero_logits, "exp(0) = 1"),
                        (nb05._top_k_smallest, "largest")]:
        assert not nb05.check_top_k(wrong)
        assert hint in capsys.readouterr().out
    # the reference agrees with the course's sampler on which tokens survive
    from helpers.teaching.widgets.sampling import filtered_probs

    logits = torch.randn(4, 30, generator=torch.Generator().manual_seed(2))
    assert torch.allclose(nb05.top_k_probs(logits, 7), filtered_probs(logits, top_k=7))


def test_cache_size(capsys):
    cfg = GPTConfig(vocab_size=100, block_size=64, n_layer=4, n_head=4, d_model=128)
    right = 2 * 4 * 10 * 128
    assert nb05.check_cache_size(right, cfg, 10)
    for wrong, hint in [(4 * 10 * 128, "keys *and* the values"), (2 * 10 * 128, "count all the layers"),
                        (2 * 4 * 10 * 32, "all the heads"), (2 * 4 * 64 * 128, "not for the whole context"),
                        (right * 4, "not bytes")]:
        assert not nb05.check_cache_size(wrong, cfg, 10)
        assert hint in capsys.readouterr().out
    assert not nb05.check_cache_size(..., cfg, 10)
    # the cache really holds that many numbers
    from helpers.gpt import GPT

    model = GPT(cfg).eval()
    cache = model.new_cache(1)
    model(torch.zeros(1, 10, dtype=torch.long), cache=cache)
    held = sum(cache.k[i, :, :, :cache.length].numel() + cache.v[i, :, :, :cache.length].numel()
               for i in range(cfg.n_layer))
    assert held == right


# --- the hints come in steps -------------------------------------------------------------------------

def test_shift_hints_come_in_steps(capsys):
    reset_attempts()
    wrong = nb05._shift_swapped
    assert not nb05.check_shift(wrong)
    first = capsys.readouterr().out
    assert "inputs and targets are swapped" in first
    assert "Concept:" not in first and "Code:" not in first and "[:," not in first, first
    assert "hint=2" in first

    assert not nb05.check_shift(wrong)
    second = capsys.readouterr().out
    assert "Concept: a window holds T + 1 tokens" in second
    assert "Code:" not in second and "hint=3" in second, second

    assert not nb05.check_shift(wrong, hint=3)
    assert "Code: return batch[:, :-1], batch[:, 1:]" in capsys.readouterr().out


def test_causal_mask_hints_come_in_steps(capsys):
    reset_attempts()                                              # the hand-built checker uses the same ladder
    wrong = lambda t: torch.ones(t, t, dtype=torch.bool).triu()   # noqa: E731: sees the future
    assert not nb05.check_causal_mask(wrong)
    first = capsys.readouterr().out
    assert "lets position 0 see position 1" in first and "Concept:" not in first and "tril" not in first, first
    assert not nb05.check_causal_mask(wrong)
    second = capsys.readouterr().out
    assert "Concept: query i may attend to key j only when j <= i" in second and "Code:" not in second
    assert not nb05.check_causal_mask(wrong, hint=3)
    assert "Code: return torch.tril(torch.ones(t, t, dtype=torch.bool))" in capsys.readouterr().out
    assert nb05.check_causal_mask(nb05.causal_mask)               # a pass starts the ladder again
    capsys.readouterr()
    assert not nb05.check_causal_mask(wrong)
    assert "Concept:" not in capsys.readouterr().out


def test_cache_size_hints_come_in_steps(capsys):
    reset_attempts()
    cfg = GPTConfig(vocab_size=100, block_size=64, n_layer=4, n_head=4, d_model=128)
    assert not nb05.check_cache_size(2 * 10 * 128, cfg, 10)       # one layer only
    first = capsys.readouterr().out
    assert "count all the layers" in first and "Concept:" not in first
    assert not nb05.check_cache_size(2 * 10 * 128, cfg, 10)
    assert "Concept: numbers = 2 (keys and values) × n_layer × t × d_model" in capsys.readouterr().out
    assert not nb05.check_cache_size(2 * 10 * 128, cfg, 10, hint=3)
    assert "Code: c = gpt.config; cache_numbers = 2 * c.n_layer * 10 * c.d_model" in capsys.readouterr().out
