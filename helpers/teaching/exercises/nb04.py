"""Notebook 04 (the Transformer): reference answers, typical mistakes and checkers.

Exercises, in the order of the notebook:

1. ``split_heads(x, n_heads)``                -> ``check_split_heads(fn)``
2. ``causal_mask(length)``                    -> ``check_causal_mask(fn)``
3. ``sinusoidal_encoding(max_len, d_model)``  -> ``check_sinusoidal_encoding(fn)``
4. how the whole encoder's cost grows         -> ``check_cost_growth(factor)``

(The notebook names the learner's functions of exercises 2 and 3 ``my_causal_mask`` and
``my_sinusoidal_encoding``, so that they do not replace the helpers the notebook imported.)

Every checker prints ✅ or ❌ with a hint, returns a ``CheckResult`` (truthy when it passed)
and never raises, unless ``strict=True`` (the Solutions section and the tests use that).
"""

from __future__ import annotations

import torch

from helpers.teaching.checks import CheckResult, Mistake, check_function, check_value

__all__ = [
    "split_heads",
    "causal_mask",
    "sinusoidal_encoding",
    "COST_QUESTION",
    "check_split_heads",
    "check_causal_mask",
    "check_sinusoidal_encoding",
    "check_cost_growth",
]


# --- exercise 1: split the features into heads ------------------------------------------------

def split_heads(x: torch.Tensor, n_heads: int) -> torch.Tensor:
    """Reference: ``(B, L, D)`` -> ``(B, H, L, D // H)``; head ``h`` takes features ``h*d_head .. (h+1)*d_head - 1``."""
    b, length, d = x.shape
    return x.view(b, length, n_heads, d // n_heads).transpose(1, 2)  # (B, H, L, d_head)


def _sh_no_transpose(x, n_heads):
    b, length, d = x.shape
    return x.reshape(b, n_heads, length, d // n_heads)  # the right shape, the wrong numbers


def _sh_heads_last(x, n_heads):
    b, length, d = x.shape
    return x.reshape(b, length, n_heads, d // n_heads)  # (B, L, H, d_head): no transpose at all


def _sh_interleaved(x, n_heads):
    b, length, d = x.shape
    return x.reshape(b, length, d // n_heads, n_heads).permute(0, 3, 1, 2)  # every H-th feature per head


def _split_cases():
    g = torch.Generator().manual_seed(4)
    return [
        (torch.arange(2 * 3 * 8, dtype=torch.float32).reshape(2, 3, 8), 2),
        (torch.randn(1, 5, 12, generator=g), 3),
        (torch.randn(3, 4, 16, generator=g), 4),
    ]


def check_split_heads(fn, *, strict: bool = False) -> CheckResult:
    """Exercise 1: ``fn(x, n_heads)`` must equal ``split_heads`` (shape and numbers)."""
    return check_function(
        fn, split_heads, _split_cases(), name="split_heads", strict=strict,
        mistakes=[
            Mistake(_sh_no_transpose, "the shape is right but the numbers are scrambled: reshaping (B, L, D) "
                                      "straight to (B, H, L, d_head) mixes positions into heads. First view it as "
                                      "(B, L, H, d_head), then swap L and H with .transpose(1, 2)."),
            Mistake(_sh_heads_last, "the head dimension must come before the length, (B, H, L, d_head), so that "
                                    "attention runs over L for each head: add .transpose(1, 2)."),
            Mistake(_sh_interleaved, "each head takes one contiguous slice of d_head features (head 0: features "
                                     "0 .. d_head-1): view as (B, L, H, d_head), not (B, L, d_head, H)."),
        ],
    )


# --- exercise 2: the decoder's causal mask -----------------------------------------------------

def causal_mask(length: int) -> torch.Tensor:
    """Reference: ``(length, length)`` bool, True = may attend: position ``i`` sees positions ``0..i``."""
    return torch.ones(length, length, dtype=torch.bool).tril()


def _cm_upper(length):
    return torch.ones(length, length, dtype=torch.bool).triu()


def _cm_strict(length):
    return torch.ones(length, length, dtype=torch.bool).tril(diagonal=-1)


def _cm_inverted(length):
    return torch.ones(length, length, dtype=torch.bool).triu(diagonal=1)


def _cm_float(length):
    return torch.ones(length, length).tril()


def check_causal_mask(fn, *, strict: bool = False) -> CheckResult:
    """Exercise 2: ``fn(length)`` must equal ``causal_mask`` (a bool lower triangle, diagonal included)."""
    return check_function(
        fn, causal_mask, [(5,), (1,), (8,)], name="causal_mask", strict=strict,
        mistakes=[
            Mistake(_cm_upper, "your mask lets position 3 see position 4, a word not written yet: row i (the "
                               "query) may see columns 0..i, the lower triangle (.tril())."),
            Mistake(_cm_strict, "your mask hides each position from itself: position 0 sees nothing at all. "
                                "Keep the diagonal (tril() with the default diagonal=0)."),
            Mistake(_cm_inverted, "in this course True means 'may attend'; you marked the forbidden (future) "
                                  "positions, torch.nn.Transformer's convention. Use the lower triangle."),
            Mistake(_cm_float, "return a boolean tensor (dtype torch.bool): torch.ones(..., dtype=torch.bool)."),
        ],
    )


# --- exercise 3: sinusoidal positional encodings ------------------------------------------------

def sinusoidal_encoding(max_len: int, d_model: int) -> torch.Tensor:
    """Reference: ``(max_len, d_model)``; ``PE[p, 2i] = sin(p / 10000^(2i/d))``, ``PE[p, 2i+1] = cos(...)``."""
    pos = torch.arange(max_len, dtype=torch.float32)[:, None]                    # (L, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float32)                     # (D/2,): 0, 2, 4, ...
    angle = pos / 10000 ** (two_i / d_model)                                     # (L, D/2)
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe


def _pe_variant(max_len, d_model, *, base=10000.0, swap=False, halves=False, exponent_i=False):
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]
    i = torch.arange(d_model // 2, dtype=torch.float64)
    angle = pos / base ** ((i if exponent_i else 2 * i) / d_model)
    first, second = (torch.cos(angle), torch.sin(angle)) if swap else (torch.sin(angle), torch.cos(angle))
    if halves:
        return torch.cat([first, second], dim=1).float()
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2], pe[:, 1::2] = first, second
    return pe.float()


def _pe_swapped(max_len, d_model):
    return _pe_variant(max_len, d_model, swap=True)


def _pe_base_1000(max_len, d_model):
    return _pe_variant(max_len, d_model, base=1000.0)


def _pe_exponent_i(max_len, d_model):
    return _pe_variant(max_len, d_model, exponent_i=True)


def _pe_halves(max_len, d_model):
    return _pe_variant(max_len, d_model, halves=True)


def check_sinusoidal_encoding(fn, *, strict: bool = False) -> CheckResult:
    """Exercise 3: ``fn(max_len, d_model)`` must equal ``sinusoidal_encoding`` (atol 1e-4)."""
    return check_function(
        fn, sinusoidal_encoding, [(6, 8), (50, 16), (20, 64)], name="sinusoidal_encoding", strict=strict,
        atol=1e-4, rtol=1e-4,
        mistakes=[
            Mistake(_pe_swapped, "sin and cos are swapped: the even columns (0, 2, 4, ...) hold the sine, the odd "
                                 "columns the cosine, so that row 0 is [0, 1, 0, 1, ...]."),
            Mistake(_pe_base_1000, "wrong frequency base: the wavelengths grow geometrically up to 10000 · 2π, "
                                   "so divide the position by 10000 ** (2i / d_model)."),
            Mistake(_pe_exponent_i, "the exponent is 2i / d_model, where 2i is the even column index "
                                    "(0, 2, 4, ...), not i / d_model."),
            Mistake(_pe_halves, "interleave the columns: sine in the even columns pe[:, 0::2], cosine in the odd "
                                "ones pe[:, 1::2], not all the sines first and then all the cosines."),
        ],
    )


# --- exercise 4: how the whole encoder's cost grows ----------------------------------------------

COST_QUESTION = {"from_len": 100, "to_len": 300, "d_model": 128, "d_ff": 512}
"""A source of 100 characters becomes one of 300: by what factor do the encoder's forward FLOPs grow?"""


def _encoder_flops(length: int, d: int, d_ff: int, *, attention_products: int = 2) -> int:
    """Forward FLOPs of one encoder layer: projections + FFN (linear in L) and attention (quadratic in L)."""
    linear = 2 * length * (4 * d * d + 2 * d * d_ff)
    attention = attention_products * 2 * length * length * d      # Q Kᵀ, then the weights times V
    return linear + attention


def check_cost_growth(factor, *, strict: bool = False) -> CheckResult:
    """Exercise 4: the ratio of the encoder's FLOPs at 300 and at 100 tokens (about 3.69, two decimals suffice)."""
    q = COST_QUESTION
    d, d_ff, ratio = q["d_model"], q["d_ff"], q["to_len"] / q["from_len"]
    expected = _encoder_flops(q["to_len"], d, d_ff) / _encoder_flops(q["from_len"], d, d_ff)
    qk_only = (_encoder_flops(q["to_len"], d, d_ff, attention_products=1)
               / _encoder_flops(q["from_len"], d, d_ff, attention_products=1))
    return check_value(
        factor, expected, name="encoder cost growth", strict=strict, rtol=3e-3,
        hints={
            ratio: "that is the projections and the feed-forward network alone (they grow with L); add attention, "
                   "whose FLOPs grow with L².",
            ratio ** 2: "that is attention alone. Below 768 tokens the projections and the feed-forward network cost "
                        "more than attention (section 8), so the whole encoder grows far less than 9 times.",
            ratio + ratio ** 2: "add the FLOPs of the two parts first, at each length, then divide: the ratio of the "
                                "sums, not the sum of the two ratios.",
            qk_only: "count both attention products: Q Kᵀ and then the weights times V, 2 · 2 · L² · D FLOPs.",
        },
    )
