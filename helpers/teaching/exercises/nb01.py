"""Notebook 01 (attention): reference answers, typical mistakes and checkers.

Exercises, in the order of the notebook:

1. ``masked_softmax(scores, mask)``          -> ``check_masked_softmax(fn)``
2. ``attention(q, k, v, mask=None)``          -> ``check_attention(fn)``
3. the shapes of the weights and the output   -> ``check_attention_shapes(weights_shape, output_shape)``
4. ``padding_mask(lengths, max_len)``         -> ``check_padding_mask(fn)``
5. ``self_attention(x, W_Q, W_K, W_V)``       -> ``check_self_attention(fn)``

Every checker prints ✅ or ❌ with a hint, returns a ``CheckResult`` (truthy when it passed)
and never raises, unless
``strict=True`` (the Solutions section and the tests use that). The hints come in steps: a nudge in words on
the first failure, the concept (an equation or a shape rule) on the next one, and the code only when the
learner asks for it with ``hint=3``.
"""

from __future__ import annotations

import math

import torch

from helpers.teaching.checks import CheckResult, Hints, Mistake, check_function, check_value

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


def _code(*lines: str) -> str:
    """A level-3 hint: lines of code, each one under the one before (after the label "Code: ")."""
    return ("\n" + " " * 9).join(lines)


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


_WRONG_DIM = "each query's weights must sum to 1 over the keys. Your softmax runs along another dimension."
_DIM_RULE = ("the scores have shape (..., Lq, Lk): one row per query, one column per key. Take the softmax over "
             "the last dimension (Lk).")
_MS_CODE = _code("scores = scores.masked_fill(~mask, float('-inf'))  # hidden scores -> -inf",
                 "return torch.softmax(scores, dim=-1)")


def check_masked_softmax(fn, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 1: ``fn(scores, mask)`` must equal ``masked_softmax`` on a few masks."""
    return check_function(
        fn, masked_softmax, _masked_softmax_cases(), name="masked_softmax", strict=strict,
        mistakes=[
            Mistake(_ms_ignores_mask,
                    hint="the mask is not used: the hidden positions still get weight, as if there were no mask.",
                    concept="before the softmax, set the scores to minus infinity where the mask is False. "
                            "Then exp(-inf) = 0, so those positions get weight exactly 0.",
                    code=_MS_CODE),
            Mistake(_ms_fills_zero,
                    hint="a hidden position still gets weight. A score of 0 is not small enough to hide it.",
                    concept="weight = exp(score) / (sum of exp). exp(0) = 1 is more than 0, but exp(-inf) = 0: "
                            "the hidden scores must be minus infinity, not 0.",
                    code=_MS_CODE),
            Mistake(_ms_inverted,
                    hint="you hid the wrong positions. True means 'may attend': hide the positions where the "
                         "mask is False, and keep the ones where it is True.",
                    concept="fill the scores where the mask is NOT True (the inverted mask) with minus infinity.",
                    code=_code("scores = scores.masked_fill(~mask, float('-inf'))  # ~mask: True where mask is False",
                               "return torch.softmax(scores, dim=-1)")),
            Mistake(_ms_wrong_dim, _WRONG_DIM, _DIM_RULE, "torch.softmax(scores, dim=-1)"),
            Mistake(_ms_mask_after,
                    hint="you set weights to 0 after the softmax, so the rows no longer sum to 1.",
                    concept="hide the scores before the softmax (minus infinity where the mask is False). "
                            "Then the softmax divides by the sum over the visible keys only, and each row sums to 1.",
                    code=_MS_CODE),
        ],
        hints=Hints(
            nudge="check two things: the hidden positions must get weight exactly 0, and each row of weights "
                  "must sum to 1.",
            concept="weights = softmax(scores), over the last dimension (the keys), after setting the scores to "
                    "minus infinity where the mask is False.",
            code=_MS_CODE),
        hint=hint,
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


_UNSCALED = "your scores are not scaled. Long vectors give large scores, and the softmax becomes too sharp."
_SCALE_RULE = "scores = q k^T / √d_k, where d_k is the last size of q and k. Divide before the softmax."
_SCALE_CODE = "scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])"
_ORDER = "your two results are in the wrong order. Return the pair in the order (output, weights)."
_ATT_CODE = _code("scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., Lq, Lk)",
                  "if mask is not None:",
                  "    scores = scores.masked_fill(~mask, float('-inf'))",
                  "weights = torch.softmax(scores, dim=-1)  # (..., Lq, Lk)",
                  "return weights @ v, weights")


def check_attention(fn, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 2: ``fn(q, k, v, mask=None)`` must return ``(output, weights)`` like ``attention``."""
    return check_function(
        fn, attention, _attention_cases(), name="attention", strict=strict,
        mistakes=[
            Mistake(_att_unscaled, _UNSCALED, _SCALE_RULE, _SCALE_CODE),
            Mistake(_att_divides_by_d, "you scale the scores down too much: you divide by d_k itself, not by its "
                                       "square root.",
                    "scores = q k^T / √d_k. For d_k = 16 that is a division by 4, not by 16.", _SCALE_CODE),
            Mistake(_att_wrong_dim, _WRONG_DIM, _DIM_RULE, "weights = torch.softmax(scores, dim=-1)"),
            Mistake(_att_ignores_mask,
                    hint="you do not use the mask: keys where the mask is False still get weight. When a mask is "
                         "given, use the mask to hide them.",
                    concept="if there is a mask, set the scores to minus infinity where it is False (True = may "
                            "attend), before the softmax. The mask broadcasts to (..., Lq, Lk).",
                    code=_code("if mask is not None:",
                               "    scores = scores.masked_fill(~mask, float('-inf'))")),
            Mistake(_att_swapped, _ORDER,
                    concept="output = weights v, of shape (..., Lq, d_v), comes first; the weights, of shape "
                            "(..., Lq, Lk), come second.",
                    code="return weights @ v, weights"),
        ],
        hints=Hints(
            nudge="go through the steps one at a time: the scores, the scaling, the mask, the softmax, then the "
                  "mix of the values.",
            concept="weights = softmax(q k^T / √d_k) over the keys (the last dimension), with minus infinity "
                    "where the mask is False; output = weights v. Shapes: weights (..., Lq, Lk), "
                    "output (..., Lq, d_v).",
            code=_ATT_CODE),
        hint=hint,
    )


# --- exercise 3: shapes ------------------------------------------------------------------------

SHAPES_QUESTION = {"batch": 2, "Lq": 4, "Lk": 7, "d_k": 16, "d_v": 32}
"""q: (2, 4, 16), k: (2, 7, 16), v: (2, 7, 32)."""


def check_attention_shapes(weights_shape, output_shape, *, hint: int | None = None,
                           strict: bool = False) -> CheckResult:
    """Exercise 3: the shapes of the weights and of the output for ``SHAPES_QUESTION``."""
    b, lq, lk, dk, dv = (SHAPES_QUESTION[n] for n in ("batch", "Lq", "Lk", "d_k", "d_v"))
    as_tuple = (lambda s: tuple(s) if isinstance(s, (tuple, list, torch.Size)) else s)
    ok_w = check_value(
        as_tuple(weights_shape), (b, lq, lk), name="shape of the weights", strict=strict,
        hints={
            (b, lk, lq): "rows are queries (Lq = 4 target words), columns are keys (Lk = 7 source characters).",
            (b, lq, dk): "the product of q and k^T sums over d_k: the weights have one number per "
                         "(query, key) pair.",
            (lq, lk): "keep the batch dimension in front: every sentence has its own weights.",
            (b, lq, dv): "that is the output's shape. The weights compare queries with keys.",
            (b, lk, lk): "one row of weights per query, and there are Lq = 4 queries.",
        },
        ladder=Hints(
            nudge="the weights compare each query with each key: one number for each (query, key) pair, "
                  "in each sentence of the batch.",
            concept=f"q (B, Lq, d_k) times k^T (B, d_k, Lk) gives (B, Lq, Lk): the size d_k is summed away. "
                    f"Here B = {b}, Lq = {lq}, Lk = {lk}.",
            code=f"weights_shape = {(b, lq, lk)}"),
        hint=hint,
    )
    ok_o = check_value(
        as_tuple(output_shape), (b, lq, dv), name="shape of the output", strict=strict,
        hints={
            (b, lq, lk): "that is the weights' shape. The output is a mix of the values, one mix per query.",
            (b, lk, dv): "there is one output per query (Lq = 4), not one per key.",
            (b, lq, dk): "the output mixes values, so its last size is d_v = 32, not d_k.",
        },
        ladder=Hints(
            nudge="the output has one vector for each query, and each vector is a mix of the values.",
            concept=f"weights (B, Lq, Lk) times v (B, Lk, d_v) gives (B, Lq, d_v): the size Lk is summed away. "
                    f"Here B = {b}, Lq = {lq}, d_v = {dv}.",
            code=f"output_shape = {(b, lq, dv)}"),
        hint=hint,
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


_PM_CODE = _code("positions = torch.arange(max_len, device=lengths.device)  # (max_len,)",
                 "return positions[None, :] < lengths[:, None]  # (B, max_len), dtype torch.bool")
_PM_BOOL = "a comparison of two tensors already gives a tensor of dtype bool: there is no need to convert it."


def check_padding_mask(fn, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 4: ``fn(lengths, max_len)`` must equal ``padding_mask``."""
    cases = [(torch.tensor([3, 1, 4]), 5), (torch.tensor([2, 2]), 2), (torch.tensor([1]), 3)]
    return check_function(
        fn, padding_mask, cases, name="padding_mask", strict=strict,
        mistakes=[
            Mistake(_pm_inverted,
                    hint="your mask is the wrong way round: you marked the padding. In this course True means "
                         "'may attend', so True marks the real tokens.",
                    concept="mask[b, t] = (t < length[b]): True at positions 0 to length - 1, False at the "
                            "padding. (The key_padding_mask of torch uses the opposite rule.)",
                    code=_PM_CODE),
            Mistake(_pm_off_by_one,
                    hint="your mask marks one position too many: the first padding position is True. A sentence "
                         "of length n has its real tokens at positions 0 to n - 1.",
                    concept="mask[b, t] = (t < length[b]): compare with <, not <=.",
                    code=_PM_CODE),
            Mistake(_pm_long, "the True/False pattern is right, but you return integers. Return a boolean tensor.",
                    _PM_BOOL, _PM_CODE),
            Mistake(_pm_float, "the True/False pattern is right, but you return floats. Return a boolean tensor.",
                    _PM_BOOL, _PM_CODE),
            Mistake(_pm_transposed,
                    hint="your mask is turned on its side: it needs one row per sentence and one column per "
                         "position.",
                    concept="the shape is (B, max_len). Compare a column of lengths (B, 1) with a row of "
                            "positions (1, max_len): broadcasting gives (B, max_len).",
                    code=_PM_CODE),
        ],
        hints=Hints(
            nudge="each row is one sentence: True at its real tokens, then False at the padding.",
            concept="mask[b, t] = (t < length[b]). Compare a row of positions (1, max_len) with a column of "
                    "lengths (B, 1); broadcasting gives (B, max_len), with no Python loop.",
            code=_PM_CODE),
        hint=hint,
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


_SA_CODE = _code("q, k, v = x @ W_Q, x @ W_K, x @ W_V  # (..., T, d_k), (..., T, d_k), (..., T, d_v)",
                 "scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., T, T)",
                 "weights = torch.softmax(scores, dim=-1)",
                 "return weights @ v, weights")


def check_self_attention(fn, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 5: ``fn(x, W_Q, W_K, W_V)`` must return ``(output, weights)`` like ``self_attention``."""
    return check_function(
        fn, self_attention, _self_attention_cases(), name="self_attention", strict=strict,
        mistakes=[
            Mistake(_sa_unscaled, _UNSCALED, _SCALE_RULE, _SCALE_CODE),
            Mistake(_sa_scaled_by_d_model,
                    hint="you divide by the square root of the wrong size. The scale uses the size of the "
                         "queries and keys, not the size d_model of the token vectors x.",
                    concept="scores = q k^T / √d_k, where d_k is the number of columns of W_Q (the last size "
                            "of q), not d_model.",
                    code="scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # d_k = W_Q.shape[1]"),
            Mistake(_sa_values_unprojected,
                    hint="your values are the token vectors themselves. The values get their own learned "
                         "matrix too, like the queries and the keys.",
                    concept="v = x W_V, of shape (..., T, d_v); then output = weights v.",
                    code="v = x @ W_V"),
            Mistake(_sa_swapped_q_k,
                    hint="you swapped the queries and the keys, so your weights come out transposed. The "
                         "queries come from W_Q and the keys from W_K.",
                    concept="q = x W_Q and k = x W_K; weights[i, j] says how much query i looks at key j.",
                    code="q, k = x @ W_Q, x @ W_K"),
            Mistake(_sa_keys_from_w_q,
                    hint="your keys are the same as your queries. The keys have their own matrix.",
                    concept="k = x W_K, of shape (..., T, d_k).",
                    code="k = x @ W_K"),
            Mistake(_sa_swapped_outputs, _ORDER,
                    concept="output = weights v, of shape (..., T, d_v), comes first; the weights, of shape "
                            "(..., T, T), come second.",
                    code="return weights @ v, weights"),
        ],
        hints=Hints(
            nudge="first compute the queries, the keys and the values from x, each with its own matrix; then do "
                  "scaled dot-product attention, as in exercise 2.",
            concept="q = x W_Q, k = x W_K, v = x W_V; weights = softmax(q k^T / √d_k) over the last dimension; "
                    "output = weights v. Shapes: weights (..., T, T), output (..., T, d_v).",
            code=_SA_CODE),
        hint=hint,
    )
