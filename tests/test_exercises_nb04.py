"""helpers/teaching/exercises/nb04.py: each checker accepts the reference and recognises typical mistakes."""

from __future__ import annotations

import math

import pytest
import torch

from helpers.teaching.checks import CheckFailed, reset_attempts
from helpers.teaching.exercises import nb04


@pytest.fixture(autouse=True)
def _fresh_ladder():
    """Every test starts at the first hint level, whatever ran before it."""
    reset_attempts()


def _stub(*args, **kwargs):
    raise NotImplementedError


def _last_line(capsys) -> str:
    return capsys.readouterr().out.strip().splitlines()[-1]


def _assert_hint(capsys, check, wrong, hint):
    assert bool(check(wrong)) is False
    out = capsys.readouterr().out      # the hint ladder spans several lines
    assert "❌" in out and hint in out, out
    with pytest.raises(CheckFailed):
        check(wrong, strict=True)


# --- exercise 1: split_heads -------------------------------------------------------------------

def test_split_heads_reference_and_helpers_pass(capsys):
    from helpers.attention import split_heads

    assert bool(nb04.check_split_heads(nb04.split_heads, strict=True)) is True
    assert nb04.check_split_heads(split_heads)
    assert nb04.check_split_heads(lambda x, h: x.unflatten(-1, (h, -1)).permute(0, 2, 1, 3))
    assert "✅" in _last_line(capsys)


def test_split_heads_stub_is_reported_not_raised(capsys):
    assert bool(nb04.check_split_heads(_stub)) is False
    assert "not written yet" in _last_line(capsys)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda x, h: x.reshape(x.shape[0], h, x.shape[1], -1), "reshaping (B, L, D) straight to"),
        (lambda x, h: x.reshape(x.shape[0], x.shape[1], h, -1), "The head dimension must come before"),
        (lambda x, h: x.reshape(x.shape[0], x.shape[1], -1, h).permute(0, 3, 1, 2), "one contiguous slice"),
    ],
)
def test_split_heads_typical_mistakes(capsys, wrong, hint):
    _assert_hint(capsys, nb04.check_split_heads, wrong, hint)


# --- exercise 2: causal mask -------------------------------------------------------------------

def test_causal_mask_reference_and_helpers_pass(capsys):
    from helpers.attention import causal_mask

    assert bool(nb04.check_causal_mask(nb04.causal_mask, strict=True)) is True
    assert nb04.check_causal_mask(lambda n: causal_mask(n))
    assert nb04.check_causal_mask(lambda n: torch.arange(n)[None, :] <= torch.arange(n)[:, None])
    assert "✅" in _last_line(capsys)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda n: torch.ones(n, n, dtype=torch.bool).triu(), "lets position 3 see position 4"),
        (lambda n: torch.arange(n)[None, :] < torch.arange(n)[:, None], "hides each position from itself"),
        (lambda n: torch.ones(n, n, dtype=torch.bool).triu(1), "True means 'may attend'"),
        (lambda n: torch.ones(n, n).tril(), "boolean tensor"),
    ],
)
def test_causal_mask_typical_mistakes(capsys, wrong, hint):
    _assert_hint(capsys, nb04.check_causal_mask, wrong, hint)


# --- exercise 3: sinusoidal encoding -----------------------------------------------------------

def test_sinusoidal_reference_and_helpers_pass(capsys):
    from helpers.transformer import sinusoidal_encoding

    assert bool(nb04.check_sinusoidal_encoding(nb04.sinusoidal_encoding, strict=True)) is True
    assert nb04.check_sinusoidal_encoding(sinusoidal_encoding)
    assert "✅" in _last_line(capsys)


def _pe(max_len, d, *, base=10000.0, swap=False, halves=False, exponent_i=False):
    pe = torch.zeros(max_len, d)
    for p in range(max_len):
        for i in range(d // 2):
            angle = p / base ** ((i if exponent_i else 2 * i) / d)
            a, b = (math.cos(angle), math.sin(angle)) if swap else (math.sin(angle), math.cos(angle))
            if halves:
                pe[p, i], pe[p, d // 2 + i] = a, b
            else:
                pe[p, 2 * i], pe[p, 2 * i + 1] = a, b
    return pe


@pytest.mark.parametrize(
    ("kwargs", "hint"),
    [
        ({"swap": True}, "sine and cosine are swapped"),
        ({"base": 1000.0}, "wrong frequency base"),
        ({"exponent_i": True}, "not the pair number i"),
        ({"halves": True}, "interleave the columns"),
    ],
)
def test_sinusoidal_typical_mistakes(capsys, kwargs, hint):
    _assert_hint(capsys, nb04.check_sinusoidal_encoding, lambda n, d: _pe(n, d, **kwargs), hint)


def test_sinusoidal_loop_version_passes():
    assert nb04.check_sinusoidal_encoding(lambda n, d: _pe(n, d))


# --- exercise 4: cost growth -------------------------------------------------------------------

def _flops(length, d=128, d_ff=512, products=2):
    return 2 * length * (4 * d * d + 2 * d * d_ff) + products * 2 * length ** 2 * d


def test_cost_growth(capsys):
    right = _flops(300) / _flops(100)
    assert 3.6 < right < 3.8
    assert bool(nb04.check_cost_growth(right, strict=True)) is True
    assert nb04.check_cost_growth(round(right, 2))
    assert not nb04.check_cost_growth(...)
    assert "not answered yet" in _last_line(capsys)
    for wrong, hint in ((3, "feed-forward network alone"), (9, "attention alone"), (12, "ratio of the sums"),
                        (_flops(300, products=1) / _flops(100, products=1), "count both attention products"),
                        (5, "is not the expected answer")):
        assert not nb04.check_cost_growth(wrong)
        assert hint in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        nb04.check_cost_growth(9, strict=True)


# --- the hints come in steps -------------------------------------------------------------------------

def test_split_heads_hints_come_in_steps(capsys):
    reset_attempts()
    wrong = nb04._sh_heads_last                                   # (B, L, H, d_head): the transpose is missing
    assert not nb04.check_split_heads(wrong)
    first = capsys.readouterr().out
    assert "The head dimension must come before the length" in first
    assert "Concept:" not in first and "Code:" not in first and "transpose" not in first, first
    assert "hint=2" in first                                      # it says how to ask for more

    assert not nb04.check_split_heads(wrong)
    second = capsys.readouterr().out
    assert "Concept: the target shape is (B, H, L, d_head)" in second
    assert "Code:" not in second and "hint=3" in second, second

    assert not nb04.check_split_heads(wrong, hint=3)
    third = capsys.readouterr().out
    assert "Code: x.view(B, L, n_heads, D // n_heads).transpose(1, 2)" in third, third

    assert nb04.check_split_heads(nb04.split_heads)               # a pass starts the ladder again
    capsys.readouterr()
    assert not nb04.check_split_heads(wrong)
    assert "Concept:" not in capsys.readouterr().out


def test_cost_growth_hints_come_in_steps(capsys):
    reset_attempts()
    assert not nb04.check_cost_growth(5)                          # no known mistake: the exercise's own ladder
    first = capsys.readouterr().out
    assert "Hint: the encoder has two parts" in first and "Concept:" not in first
    assert not nb04.check_cost_growth(5)
    assert "Concept: for one layer, FLOPs(L) =" in capsys.readouterr().out
    assert not nb04.check_cost_growth(5, hint=3)
    assert "Code: cost_factor = sum(encoder_flops(300))" in capsys.readouterr().out
