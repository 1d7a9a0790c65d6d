"""helpers/teaching/exercises/nb04.py: each checker accepts the reference and recognises typical mistakes."""

from __future__ import annotations

import math

import pytest
import torch

from helpers.teaching.checks import CheckFailed
from helpers.teaching.exercises import nb04


def _stub(*args, **kwargs):
    raise NotImplementedError


def _last_line(capsys) -> str:
    return capsys.readouterr().out.strip().splitlines()[-1]


def _assert_hint(capsys, check, wrong, hint):
    assert bool(check(wrong)) is False
    out = _last_line(capsys)
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
        (lambda x, h: x.reshape(x.shape[0], x.shape[1], h, -1), "the head dimension must come before"),
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
        ({"swap": True}, "sin and cos are swapped"),
        ({"base": 1000.0}, "wrong frequency base"),
        ({"exponent_i": True}, "the exponent is 2i / d_model"),
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
        assert hint in _last_line(capsys)
    with pytest.raises(CheckFailed):
        nb04.check_cost_growth(9, strict=True)
