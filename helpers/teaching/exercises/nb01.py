"""Notebook 01 (attention): reference answers, typical mistakes and checkers.

Exercises, in the order of the notebook:

1. ``masked_softmax(scores, mask)``          -> ``check_masked_softmax(fn)``
2. ``attention(q, k, v, mask=None)``          -> ``check_attention(fn)``
3. the shapes of the weights and the output   -> ``check_attention_shapes(weights_shape, output_shape)``
4. ``padding_mask(lengths, max_len)``         -> ``check_padding_mask(fn)``
5. ``self_attention(x, W_Q, W_K, W_V)``       -> ``check_self_attention(fn)``

Every checker prints ✅ or ❌ with a hint, returns a ``CheckResult`` (truthy when it passed)
and never raises, unless
``strict=True`` (the Solutions section and the tests use that).
"""

from __future__ import annotations

import math

import torch

from helpers.teaching.checks import CheckResult, Mistake, check_function, check_value

__all__ = [
    "masked_softmax",
    "attention",
    "padding_mask",
    "SHAPES_QUESTION",
    "check_masked_softmax",
    "check_attention",
    "check_attention_shapes",
    "check_padding_mask",
    "self_attention",
    "check_self_attention",
]


def _cases_generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _lengths_mask(lengths, max_len: int) -> torch.Tensor:
    return torch.arange(max_len)[None, :] < torch.as_tensor(lengths)[:, None]


# --- exercise 1: masked softmax ------------------------------------------------------------

def masked_softmax(scores: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Reference: softmax over the last dimension, weight 0 where ``mask`` is False."""
    scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1)


def _ms_ignores_mask(scores, mask):
    return torch.softmax(scores, dim=-1)


def _ms_fills_zero(scores, mask):
    return torch.softmax(scores.masked_fill(~mask, 0.0), dim=-1)


def _ms_inverted(scores, mask):
    return torch.softmax(scores.masked_fill(mask, float("-inf")), dim=-1)


def _ms_wrong_dim(scores, mask):
    return torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-2)


def _ms_mask_after(scores, mask):
    return torch.softmax(scores, dim=-1) * mask


def _masked_softmax_cases():
    g = _cases_generator(1)
    return [
        (torch.randn(3, 4, generator=g), torch.tensor([[1, 1, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0]], dtype=torch.bool)),
        (torch.randn(2, 3, 5, generator=g) * 3, _lengths_mask([5, 2], 5)[:, None, :]),  # (2, 1, 5) broadcasts
        (torch.randn(4, 4, generator=g), torch.ones(4, 4, dtype=torch.bool).tril()),  # a causal mask
    ]


def check_masked_softmax(fn, *, strict: bool = False) -> CheckResult:
    """Exercise 1: ``fn(scores, mask)`` must equal ``masked_softmax`` on a few masks."""
    return check_function(
        fn, masked_softmax, _masked_softmax_cases(), name="masked_softmax", strict=strict,
        mistakes=[
            Mistake(_ms_ignores_mask, "the mask is not used: set the scores where mask is False to -inf "
                                      "before the softmax, e.g. scores.masked_fill(~mask, float('-inf'))."),
            Mistake(_ms_fills_zero, "a masked score of 0 still gets weight exp(0) > 0: fill with float('-inf'), "
                                    "whose exp is exactly 0."),
            Mistake(_ms_inverted, "True means 'may attend': hide the positions where mask is False (use ~mask)."),
            Mistake(_ms_wrong_dim, "each query's weights must sum to 1 over the keys: softmax over the last "
                                   "dimension (dim=-1)."),
            Mistake(_ms_mask_after, "zeroing weights after the softmax leaves rows that no longer sum to 1: "
                                    "mask the scores before the softmax."),
        ],
    )


# --- exercise 2: scaled dot-product attention ------------------------------------------------

def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None):
    """Reference: ``(softmax(q k^T / sqrt(d_k)) v, weights)``; mask True = may attend."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., Lq, Lk)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)  # (..., Lq, Lk)
    return weights @ v, weights  # (..., Lq, d_v), (..., Lq, Lk)


def _att_variant(q, k, v, mask=None, *, divide_by=None, dim=-1, use_mask=True, swap=False):
    d = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / (math.sqrt(d) if divide_by is None else divide_by(d))
    if mask is not None and use_mask:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=dim)
    return (weights, weights @ v) if swap else (weights @ v, weights)


def _att_unscaled(q, k, v, mask=None):
    return _att_variant(q, k, v, mask, divide_by=lambda d: 1.0)


def _att_divides_by_d(q, k, v, mask=None):
    return _att_variant(q, k, v, mask, divide_by=lambda d: float(d))


def _att_wrong_dim(q, k, v, mask=None):
    return _att_variant(q, k, v, mask, dim=-2)


def _att_ignores_mask(q, k, v, mask=None):
    return _att_variant(q, k, v, mask, use_mask=False)


def _att_swapped(q, k, v, mask=None):
    return _att_variant(q, k, v, mask, swap=True)


def _attention_cases():
    g = _cases_generator(2)
    q, k, v = torch.randn(2, 3, 8, generator=g), torch.randn(2, 5, 8, generator=g), torch.randn(2, 5, 4, generator=g)
    q2, k2, v2 = torch.randn(6, 16, generator=g), torch.randn(6, 16, generator=g), torch.randn(6, 2, generator=g)
    return [
        (q, k, v, None),
        (q * 3, k * 3, v, _lengths_mask([5, 3], 5)[:, None, :]),  # padding mask, (B, 1, Lk)
        (q2 * 2, k2 * 2, v2, torch.ones(6, 6, dtype=torch.bool).tril()),  # causal self-attention
    ]


def check_attention(fn, *, strict: bool = False) -> CheckResult:
    """Exercise 2: ``fn(q, k, v, mask=None)`` must return ``(output, weights)`` like ``attention``."""
    return check_function(
        fn, attention, _attention_cases(), name="attention", strict=strict,
        mistakes=[
            Mistake(_att_unscaled, "divide the scores by √d_k, i.e. math.sqrt(q.shape[-1]), before the softmax."),
            Mistake(_att_divides_by_d, "divide by the square root of d_k, not by d_k itself."),
            Mistake(_att_wrong_dim, "each query's weights must sum to 1 over the keys: softmax(dim=-1)."),
            Mistake(_att_ignores_mask, "use the mask (True = may attend): scores.masked_fill(~mask, float('-inf')) "
                                       "before the softmax, when a mask is given."),
            Mistake(_att_swapped, "return the pair in the order (output, weights)."),
        ],
    )


# --- exercise 3: shapes ------------------------------------------------------------------------

SHAPES_QUESTION = {"batch": 2, "Lq": 4, "Lk": 7, "d_k": 16, "d_v": 32}
"""q: (2, 4, 16), k: (2, 7, 16), v: (2, 7, 32)."""


def check_attention_shapes(weights_shape, output_shape, *, strict: bool = False) -> CheckResult:
    """Exercise 3: the shapes of the weights and of the output for ``SHAPES_QUESTION``."""
    b, lq, lk, dk, dv = (SHAPES_QUESTION[n] for n in ("batch", "Lq", "Lk", "d_k", "d_v"))
    as_tuple = (lambda s: tuple(s) if isinstance(s, (tuple, list, torch.Size)) else s)
    ok_w = check_value(
        as_tuple(weights_shape), (b, lq, lk), name="shape of the weights", strict=strict,
        hints={
            (b, lk, lq): "rows are queries (Lq = 4 target words), columns are keys (Lk = 7 source characters).",
            (b, lq, dk): "q @ k^T sums over d_k: the weights have one number per (query, key) pair.",
            (lq, lk): "keep the batch dimension in front: every sentence has its own weights.",
            (b, lq, dv): "that is the output's shape; the weights compare queries with keys.",
            (b, lk, lk): "one row of weights per query, and there are Lq = 4 queries.",
        },
    )
    ok_o = check_value(
        as_tuple(output_shape), (b, lq, dv), name="shape of the output", strict=strict,
        hints={
            (b, lq, lk): "that is the weights' shape; the output is weights @ v, a mix of the values.",
            (b, lk, dv): "there is one output per query (Lq = 4), not one per key.",
            (b, lq, dk): "the output mixes values, so its last size is d_v = 32, not d_k.",
        },
    )
    both = bool(ok_w) and bool(ok_o)
    return CheckResult(both, "both shapes are right." if both else "not yet: see the lines above.")


# --- exercise 4: a padding mask from lengths --------------------------------------------------

def padding_mask(lengths: torch.Tensor, max_len: int) -> torch.Tensor:
    """Reference: ``(B, max_len)`` bool, True where position < length (a real token: may attend)."""
    positions = torch.arange(max_len, device=lengths.device)  # (max_len,)
    return positions[None, :] < lengths[:, None]  # (B, max_len)


def _pm_inverted(lengths, max_len):
    return torch.arange(max_len)[None, :] >= lengths[:, None]


def _pm_off_by_one(lengths, max_len):
    return torch.arange(max_len)[None, :] <= lengths[:, None]


def _pm_long(lengths, max_len):
    return (torch.arange(max_len)[None, :] < lengths[:, None]).long()


def _pm_float(lengths, max_len):
    return (torch.arange(max_len)[None, :] < lengths[:, None]).float()


def _pm_transposed(lengths, max_len):
    return (torch.arange(max_len)[None, :] < lengths[:, None]).T


def check_padding_mask(fn, *, strict: bool = False) -> CheckResult:
    """Exercise 4: ``fn(lengths, max_len)`` must equal ``padding_mask``."""
    cases = [(torch.tensor([3, 1, 4]), 5), (torch.tensor([2, 2]), 2), (torch.tensor([1]), 3)]
    return check_function(
        fn, padding_mask, cases, name="padding_mask", strict=strict,
        mistakes=[
            Mistake(_pm_inverted, "in this course True means 'may attend' = a real token; you marked the padding "
                                  "(that is torch's key_padding_mask convention, the opposite one)."),
            Mistake(_pm_off_by_one, "a sentence of length n has real tokens at positions 0 .. n-1: compare with <, "
                                    "not <=."),
            Mistake(_pm_long, "return a boolean tensor (dtype torch.bool): a comparison such as "
                              "positions < lengths[:, None] gives one, no .long() needed."),
            Mistake(_pm_float, "return a boolean tensor (dtype torch.bool), not floats."),
            Mistake(_pm_transposed, "one row per sentence: the shape is (batch, max_len)."),
        ],
    )


# --- exercise 5: self-attention with learned projections ---------------------------------------

def self_attention(x: torch.Tensor, W_Q: torch.Tensor, W_K: torch.Tensor, W_V: torch.Tensor):
    """Reference: project ``x (..., T, d_model)`` with ``W_Q, W_K (d_model, d_k)`` and ``W_V (d_model, d_v)``,
    then attend; returns ``(output (..., T, d_v), weights (..., T, T))``."""
    return attention(x @ W_Q, x @ W_K, x @ W_V)


def _sa_unscaled(x, W_Q, W_K, W_V):
    q, k = x @ W_Q, x @ W_K
    weights = torch.softmax(q @ k.transpose(-2, -1), dim=-1)
    return weights @ (x @ W_V), weights


def _sa_scaled_by_d_model(x, W_Q, W_K, W_V):
    q, k = x @ W_Q, x @ W_K
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(x.shape[-1]), dim=-1)
    return weights @ (x @ W_V), weights


def _sa_values_unprojected(x, W_Q, W_K, W_V):
    return attention(x @ W_Q, x @ W_K, x)


def _sa_swapped_q_k(x, W_Q, W_K, W_V):
    return attention(x @ W_K, x @ W_Q, x @ W_V)


def _sa_keys_from_w_q(x, W_Q, W_K, W_V):
    return attention(x @ W_Q, x @ W_Q, x @ W_V)


def _sa_swapped_outputs(x, W_Q, W_K, W_V):
    return self_attention(x, W_Q, W_K, W_V)[::-1]


def _self_attention_cases():
    g = _cases_generator(5)
    return [
        # d_model = 8, d_k = 4, d_v = 6: every size differs, so a mix-up shows
        (torch.randn(2, 5, 8, generator=g), torch.randn(8, 4, generator=g), torch.randn(8, 4, generator=g),
         torch.randn(8, 6, generator=g)),
        # d_v = d_model, so values taken straight from x have the right shape (and the wrong numbers)
        (torch.randn(3, 4, 8, generator=g), torch.randn(8, 16, generator=g) / 2, torch.randn(8, 16, generator=g) / 2,
         torch.randn(8, 8, generator=g)),
        # one sentence without a batch dimension: (T, d_model)
        (torch.randn(6, 5, generator=g), torch.randn(5, 3, generator=g), torch.randn(5, 3, generator=g),
         torch.randn(5, 2, generator=g)),
    ]


def check_self_attention(fn, *, strict: bool = False) -> CheckResult:
    """Exercise 5: ``fn(x, W_Q, W_K, W_V)`` must return ``(output, weights)`` like ``self_attention``."""
    return check_function(
        fn, self_attention, _self_attention_cases(), name="self_attention", strict=strict,
        mistakes=[
            Mistake(_sa_unscaled, "divide the scores by √d_k before the softmax."),
            Mistake(_sa_scaled_by_d_model, "d_k is the size of the queries and keys (W_Q.shape[1], or "
                                           "q.shape[-1]), not the size d_model of the token vectors x."),
            Mistake(_sa_values_unprojected, "the values are projected too: v = x @ W_V, not x itself."),
            Mistake(_sa_swapped_q_k, "queries come from W_Q and keys from W_K (you swapped them: "
                                     "the weights come out transposed)."),
            Mistake(_sa_keys_from_w_q, "the keys have their own matrix: k = x @ W_K."),
            Mistake(_sa_swapped_outputs, "return the pair in the order (output, weights)."),
        ],
    )
