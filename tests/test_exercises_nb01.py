"""helpers/teaching/exercises/nb01.py: each checker accepts the reference and recognises typical mistakes."""

from __future__ import annotations

import math

import pytest
import torch

from helpers.teaching.checks import CheckFailed
from helpers.teaching.exercises import nb01


def _stub(*args, **kwargs):
    raise NotImplementedError


def _last_line(capsys) -> str:
    return capsys.readouterr().out.strip().splitlines()[-1]


# --- exercise 1 ----------------------------------------------------------------------------

def test_masked_softmax_reference_passes(capsys):
    assert bool(nb01.check_masked_softmax(nb01.masked_softmax, strict=True)) is True
    assert "✅" in _last_line(capsys)


def test_masked_softmax_accepts_helpers_version_and_large_negative_fill():
    from helpers.attention import masked_softmax

    assert nb01.check_masked_softmax(masked_softmax)
    assert nb01.check_masked_softmax(lambda s, m: torch.softmax(s.masked_fill(~m, -1e9), -1))


def test_masked_softmax_stub_is_reported_not_raised(capsys):
    assert bool(nb01.check_masked_softmax(_stub)) is False
    assert "❌" in (out := _last_line(capsys)) and "not written yet" in out


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda s, m: torch.softmax(s, -1), "the mask is not used"),
        (lambda s, m: torch.softmax(s.masked_fill(~m, 0.0), -1), "still gets weight"),
        (lambda s, m: torch.softmax(s.masked_fill(m, float("-inf")), -1), "True means 'may attend'"),
        (lambda s, m: torch.softmax(s.masked_fill(~m, float("-inf")), 0), "sum to 1 over the keys"),
        (lambda s, m: torch.softmax(s, -1) * m, "no longer sum to 1"),
    ],
)
def test_masked_softmax_typical_mistakes(capsys, wrong, hint):
    assert bool(nb01.check_masked_softmax(wrong)) is False
    out = _last_line(capsys)
    assert "❌" in out and hint in out
    with pytest.raises(CheckFailed):
        nb01.check_masked_softmax(wrong, strict=True)


# --- exercise 2 ----------------------------------------------------------------------------

def test_attention_reference_and_helpers_pass(capsys):
    from helpers.attention import scaled_dot_product_attention

    assert bool(nb01.check_attention(nb01.attention, strict=True)) is True
    assert nb01.check_attention(lambda q, k, v, mask=None: scaled_dot_product_attention(q, k, v, mask))
    assert "✅" in _last_line(capsys)


def _att(q, k, v, mask=None, *, div=None, dim=-1, use_mask=True):
    s = q @ k.transpose(-2, -1) / (math.sqrt(q.shape[-1]) if div is None else div(q.shape[-1]))
    if mask is not None and use_mask:
        s = s.masked_fill(~mask, float("-inf"))
    w = torch.softmax(s, dim)
    return w @ v, w


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda q, k, v, mask=None: _att(q, k, v, mask, div=lambda d: 1), "divide the scores by √d_k"),
        (lambda q, k, v, mask=None: _att(q, k, v, mask, div=lambda d: d), "not by d_k itself"),
        (lambda q, k, v, mask=None: _att(q, k, v, mask, use_mask=False), "use the mask"),
        (lambda q, k, v, mask=None: _att(q, k, v, mask)[::-1], "order (output, weights)"),
    ],
)
def test_attention_typical_mistakes(capsys, wrong, hint):
    assert bool(nb01.check_attention(wrong)) is False
    out = _last_line(capsys)
    assert "❌" in out and hint in out


def test_attention_stub_and_crash_are_reported(capsys):
    assert bool(nb01.check_attention(_stub)) is False
    assert "not written yet" in _last_line(capsys)
    assert bool(nb01.check_attention(lambda q, k, v, mask=None: q @ k @ v)) is False  # a shape error inside
    assert "raised RuntimeError" in _last_line(capsys)


# --- exercise 3 ----------------------------------------------------------------------------

def test_shapes_right_answer(capsys):
    assert nb01.check_attention_shapes((2, 4, 7), (2, 4, 32), strict=True)
    assert nb01.check_attention_shapes([2, 4, 7], torch.Size([2, 4, 32]))
    assert capsys.readouterr().out.count("✅") == 4


@pytest.mark.parametrize(
    ("weights", "output", "hint"),
    [
        ((2, 7, 4), (2, 4, 32), "rows are queries"),
        ((2, 4, 16), (2, 4, 32), "sums over d_k"),
        ((2, 4, 7), (2, 4, 7), "that is the weights' shape"),
        ((2, 4, 7), (2, 7, 32), "one output per query"),
    ],
)
def test_shapes_typical_mistakes(capsys, weights, output, hint):
    assert bool(nb01.check_attention_shapes(weights, output)) is False
    out = capsys.readouterr().out
    assert "❌" in out and hint in out


def test_shapes_unanswered(capsys):
    assert bool(nb01.check_attention_shapes(..., ...)) is False
    assert capsys.readouterr().out.count("not answered yet") == 2


# --- exercise 4 ----------------------------------------------------------------------------

def test_padding_mask_reference_passes(capsys):
    assert bool(nb01.check_padding_mask(nb01.padding_mask, strict=True)) is True
    assert "✅" in _last_line(capsys)
    assert nb01.padding_mask(torch.tensor([2, 0]), 3).tolist() == [[True, True, False], [False, False, False]]


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda n, m: torch.arange(m)[None, :] >= n[:, None], "you marked the padding"),
        (lambda n, m: torch.arange(m)[None, :] <= n[:, None], "compare with <"),
        (lambda n, m: (torch.arange(m)[None, :] < n[:, None]).long(), "boolean tensor"),
        (lambda n, m: (torch.arange(m)[None, :] < n[:, None]).T, "one row per sentence"),
    ],
)
def test_padding_mask_typical_mistakes(capsys, wrong, hint):
    assert bool(nb01.check_padding_mask(wrong)) is False
    out = _last_line(capsys)
    assert "❌" in out and hint in out


def test_padding_mask_stub(capsys):
    assert bool(nb01.check_padding_mask(_stub)) is False
    assert "not written yet" in _last_line(capsys)


# --- exercise 5 ----------------------------------------------------------------------------

def test_self_attention_reference_and_helpers_pass(capsys):
    from helpers.attention import scaled_dot_product_attention

    assert bool(nb01.check_self_attention(nb01.self_attention, strict=True)) is True
    assert "✅" in _last_line(capsys)
    assert nb01.check_self_attention(lambda x, wq, wk, wv: scaled_dot_product_attention(x @ wq, x @ wk, x @ wv))


def _sa(x, wq, wk, wv, *, scale=None):
    q, k, v = x @ wq, x @ wk, x @ wv
    w = torch.softmax(q @ k.transpose(-2, -1) / (math.sqrt(q.shape[-1]) if scale is None else scale(x, q)), -1)
    return w @ v, w


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda x, wq, wk, wv: _sa(x, wq, wk, wv, scale=lambda x, q: 1.0), "divide the scores by √d_k"),
        (lambda x, wq, wk, wv: _sa(x, wq, wk, wv, scale=lambda x, q: math.sqrt(x.shape[-1])), "not the size d_model"),
        (lambda x, wq, wk, wv: _sa(x, wq, wk, torch.eye(x.shape[-1])), "v = x @ W_V"),
        (lambda x, wq, wk, wv: _sa(x, wk, wq, wv), "queries come from W_Q"),
        (lambda x, wq, wk, wv: _sa(x, wq, wq, wv), "k = x @ W_K"),
        (lambda x, wq, wk, wv: _sa(x, wq, wk, wv)[::-1], "order (output, weights)"),
    ],
)
def test_self_attention_typical_mistakes(capsys, wrong, hint):
    assert bool(nb01.check_self_attention(wrong)) is False
    out = _last_line(capsys)
    assert "❌" in out and hint in out
    with pytest.raises(CheckFailed):
        nb01.check_self_attention(wrong, strict=True)


def test_self_attention_stub_and_crash_are_reported(capsys):
    assert bool(nb01.check_self_attention(_stub)) is False
    assert "not written yet" in _last_line(capsys)
    assert bool(nb01.check_self_attention(lambda x, wq, wk, wv: (wq @ x, None))) is False  # (d_model, d_k) @ x: wrong side
    assert "raised RuntimeError" in _last_line(capsys)
