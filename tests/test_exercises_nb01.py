"""helpers/teaching/exercises/nb01.py: each checker accepts the reference and recognises typical mistakes."""

from __future__ import annotations

import math

import pytest
import torch

from helpers.teaching.checks import CheckFailed, reset_attempts
from helpers.teaching.exercises import nb01


@pytest.fixture(autouse=True)
def _fresh_ladder():
    """Every test starts at the first hint level, whatever ran before it."""
    reset_attempts()
    yield
    reset_attempts()


def _stub(*args, **kwargs):
    raise NotImplementedError


def _last_line(capsys) -> str:
    return capsys.readouterr().out.strip().splitlines()[-1]


def _out(capsys) -> str:
    """All that the check printed: a failed check prints its hint over several lines."""
    return capsys.readouterr().out


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
    out = _out(capsys)
    assert "❌" in out and hint in out
    assert "Code:" not in out and "hint=2" in out  # the first failure: only the nudge
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
        (lambda q, k, v, mask=None: _att(q, k, v, mask, div=lambda d: 1), "not scaled"),
        (lambda q, k, v, mask=None: _att(q, k, v, mask, div=lambda d: d), "d_k itself"),
        (lambda q, k, v, mask=None: _att(q, k, v, mask, use_mask=False), "use the mask"),
        (lambda q, k, v, mask=None: _att(q, k, v, mask)[::-1], "order (output, weights)"),
    ],
)
def test_attention_typical_mistakes(capsys, wrong, hint):
    assert bool(nb01.check_attention(wrong)) is False
    out = _out(capsys)
    assert "❌" in out and hint in out and "Code:" not in out


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
        (lambda n, m: torch.arange(m)[None, :] <= n[:, None], "one position too many"),
        (lambda n, m: (torch.arange(m)[None, :] < n[:, None]).long(), "boolean tensor"),
        (lambda n, m: (torch.arange(m)[None, :] < n[:, None]).T, "one row per sentence"),
    ],
)
def test_padding_mask_typical_mistakes(capsys, wrong, hint):
    assert bool(nb01.check_padding_mask(wrong)) is False
    out = _out(capsys)
    assert "❌" in out and hint in out and "Code:" not in out


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
        (lambda x, wq, wk, wv: _sa(x, wq, wk, wv, scale=lambda x, q: 1.0), "not scaled"),
        (lambda x, wq, wk, wv: _sa(x, wq, wk, wv, scale=lambda x, q: math.sqrt(x.shape[-1])), "not the size d_model"),
        (lambda x, wq, wk, wv: _sa(x, wq, wk, torch.eye(x.shape[-1])), "own learned matrix"),
        (lambda x, wq, wk, wv: _sa(x, wk, wq, wv), "queries come from W_Q"),
        (lambda x, wq, wk, wv: _sa(x, wq, wq, wv), "keys have their own matrix"),
        (lambda x, wq, wk, wv: _sa(x, wq, wk, wv)[::-1], "order (output, weights)"),
    ],
)
def test_self_attention_typical_mistakes(capsys, wrong, hint):
    assert bool(nb01.check_self_attention(wrong)) is False
    out = _out(capsys)
    assert "❌" in out and hint in out and "Code:" not in out
    with pytest.raises(CheckFailed):
        nb01.check_self_attention(wrong, strict=True)


def test_self_attention_stub_and_crash_are_reported(capsys):
    assert bool(nb01.check_self_attention(_stub)) is False
    assert "not written yet" in _last_line(capsys)
    assert bool(nb01.check_self_attention(lambda x, wq, wk, wv: (wq @ x, None))) is False  # (d_model, d_k) @ x: wrong side
    assert "raised RuntimeError" in _last_line(capsys)


# --- the hint ladder: nudge, then concept, then code on request ---------------------------------------------------

def test_masked_softmax_hint_ladder(capsys):
    reset_attempts()
    fills_zero = lambda s, m: torch.softmax(s.masked_fill(~m, 0.0), -1)  # noqa: E731

    assert bool(nb01.check_masked_softmax(fills_zero)) is False  # level 1: the nudge, in words
    first = _out(capsys)
    assert "Hint: a hidden position still gets weight" in first
    assert "Concept:" not in first and "Code:" not in first
    assert "masked_fill" not in first and "`" not in first and "hint=2" in first

    assert bool(nb01.check_masked_softmax(fills_zero)) is False  # level 2 on the second failure: the concept
    second = _out(capsys)
    assert "Concept: weight = exp(score) / (sum of exp)" in second and "minus infinity" in second
    assert "Code:" not in second and "hint=3" in second

    assert bool(nb01.check_masked_softmax(fills_zero, hint=3)) is False  # the code, only when asked for
    third = _out(capsys)
    assert "Code: scores = scores.masked_fill(~mask, float('-inf'))" in third
    assert "return torch.softmax(scores, dim=-1)" in third and "stuck?" not in third

    assert nb01.check_masked_softmax(nb01.masked_softmax)  # a pass starts the ladder again
    assert bool(nb01.check_masked_softmax(fills_zero)) is False
    assert "Concept:" not in _out(capsys)


def test_shapes_ladder_for_an_unknown_answer(capsys):
    assert bool(nb01.check_attention_shapes((2, 4, 5), (2, 4, 32))) is False
    assert "Hint: the weights compare each query with each key" in (out := _out(capsys)) and "Concept:" not in out
    assert bool(nb01.check_attention_shapes((2, 4, 5), (2, 4, 32), hint=3)) is False
    out = _out(capsys)
    assert "(B, Lq, Lk)" in out and "Code: weights_shape = (2, 4, 7)" in out


def test_every_checker_takes_hint(capsys):
    wrong = lambda *a: (_ for _ in ()).throw(ValueError("x"))  # noqa: E731  crashes: no hint level is used
    for check in (nb01.check_masked_softmax, nb01.check_attention, nb01.check_padding_mask,
                  nb01.check_self_attention):
        assert bool(check(wrong, hint=2)) is False
    with pytest.raises(ValueError):
        nb01.check_attention(lambda q, k, v, mask=None: _att(q, k, v, mask)[::-1], hint=4)
