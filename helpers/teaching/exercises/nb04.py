"""Notebook 04 (the Transformer): reference answers, typical mistakes and checkers.

Exercises, in the order of the notebook:

1. ``split_heads(x, n_heads)``                -> ``check_split_heads(fn)``
2. ``causal_mask(length)``                    -> ``check_causal_mask(fn)``
3. ``sinusoidal_encoding(max_len, d_model)``  -> ``check_sinusoidal_encoding(fn)``
4. how the whole encoder's cost grows         -> ``check_cost_growth(factor)``
5. build the decoder layer (★★★)             -> ``check_decoder_layer(MyDecoderLayer)`` (in ``nb04_build``)
6. predict, then measure: heads without the ``1/√d_head``  -> ``check_prediction_scaling(prediction, largest)``

(The notebook names the learner's functions of exercises 2 and 3 ``my_causal_mask`` and
``my_sinusoidal_encoding``, so that they do not replace the helpers the notebook imported.)

Every checker prints ✅ or ❌ with a hint, returns a ``CheckResult`` (truthy when it passed)
and never raises, unless ``strict=True`` (the Solutions section and the tests use that).
The hints come in steps: a nudge in words on the first failure, the concept (the equation or the
shape rule) on the next one, and the code only when the learner asks for it with ``hint=3``.
"""

from __future__ import annotations

import torch

from helpers.teaching.checks import CheckResult, Hints, Mistake, check_function, check_value
from helpers.teaching.exercises.nb04_build import check_decoder_layer
from helpers.teaching.exercises.predictions import grade_prediction

__all__ = [
    "split_heads",
    "causal_mask",
    "sinusoidal_encoding",
    "COST_QUESTION",
    "check_split_heads",
    "check_causal_mask",
    "check_sinusoidal_encoding",
    "check_cost_growth",
    "check_decoder_layer",
    "check_prediction_scaling",
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


_SPLIT_CODE = "x.view(B, L, n_heads, D // n_heads).transpose(1, 2)   # (B, L, H, d_head) -> (B, H, L, d_head)"


def check_split_heads(fn, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 1: ``fn(x, n_heads)`` must equal ``split_heads`` (shape and numbers). ``hint=3`` shows the code."""
    return check_function(
        fn, split_heads, _split_cases(), name="split_heads", strict=strict, hint=hint,
        mistakes=[
            Mistake(_sh_no_transpose,
                    "the shape is right but the numbers are mixed up: reshaping (B, L, D) straight to "
                    "(B, H, L, d_head) puts features of different positions into one head.",
                    concept="keep the D features of each position together. First split D into (H, d_head), "
                            "which gives (B, L, H, d_head); then swap the L axis and the H axis, which gives "
                            "(B, H, L, d_head).",
                    code=_SPLIT_CODE),
            Mistake(_sh_heads_last,
                    "your output is (B, L, H, d_head). The head dimension must come before the length, so that "
                    "attention runs over the L positions of each head.",
                    concept="the target shape is (B, H, L, d_head): after you split D into (H, d_head), swap "
                            "axis 1 (L) and axis 2 (H).",
                    code=_SPLIT_CODE),
            Mistake(_sh_interleaved,
                    "each head must take one contiguous slice of d_head features (head 0: features 0 to "
                    "d_head - 1, head 1: the next d_head). Your heads take every H-th feature.",
                    concept="split the last axis D as (H, d_head), with H first, not as (d_head, H): "
                            "(B, L, D) -> (B, L, H, d_head) -> (B, H, L, d_head).",
                    code=_SPLIT_CODE),
        ],
        hints=Hints(
            nudge="the output must have shape (B, H, L, d_head), with d_head = D / H, and head h must hold "
                  "features h * d_head to (h + 1) * d_head - 1 of every position.",
            concept="two steps. Split the feature axis D into (H, d_head): (B, L, D) -> (B, L, H, d_head). Then swap "
                    "the L axis and the H axis: (B, L, H, d_head) -> (B, H, L, d_head).",
            code=_SPLIT_CODE,
        ),
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


_MASK_CODE = "torch.ones(length, length, dtype=torch.bool).tril()   # row i: True for columns 0 .. i"
_MASK_RULE = ("query i may attend to key j only when j <= i. In a (length, length) matrix (row = query, "
              "column = key) that is the lower triangle, diagonal included.")


def check_causal_mask(fn, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 2: ``fn(length)`` must equal ``causal_mask`` (a bool lower triangle, diagonal included)."""
    return check_function(
        fn, causal_mask, [(5,), (1,), (8,)], name="causal_mask", strict=strict, hint=hint,
        mistakes=[
            Mistake(_cm_upper,
                    "your mask lets position 3 see position 4, a word that is not written yet. Row i (the query) "
                    "may only see columns 0 to i.",
                    concept=_MASK_RULE, code=_MASK_CODE),
            Mistake(_cm_strict,
                    "your mask hides each position from itself, so position 0 sees nothing at all.",
                    concept="the rule is j <= i, not j < i: keep the diagonal. Each position may attend to itself.",
                    code=_MASK_CODE + " (the default diagonal=0 keeps the diagonal)"),
            Mistake(_cm_inverted,
                    "in this course True means 'may attend'. You marked the forbidden (future) positions "
                    "instead, which is the convention of the Transformer class of PyTorch.",
                    concept="True where j <= i (the lower triangle, diagonal included); False where j > i "
                            "(the future).",
                    code=_MASK_CODE + " (or flip your mask with ~)"),
            Mistake(_cm_float,
                    "the pattern is right, but return a boolean tensor (True and False), not the numbers "
                    "1.0 and 0.0.",
                    concept="a mask holds True or False for each (query, key) pair: dtype bool, shape "
                            "(length, length).",
                    code=_MASK_CODE),
        ],
        hints=Hints(
            nudge="return a (length, length) table of True and False: True where query i (the row) may "
                  "attend to key j (the column).",
            concept=_MASK_RULE + " The dtype is bool.",
            code=_MASK_CODE,
        ),
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


_PE_FORMULA = "PE[p, 2i] = sin(p / 10000^(2i/d)) and PE[p, 2i+1] = cos(p / 10000^(2i/d))"
_PE_CODE = ("angle = torch.arange(max_len)[:, None] / 10000 ** (torch.arange(0, d_model, 2) / d_model)   # (L, D/2)\n"
            "         pe = torch.zeros(max_len, d_model); pe[:, 0::2] = torch.sin(angle); "
            "pe[:, 1::2] = torch.cos(angle)")


def check_sinusoidal_encoding(fn, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 3: ``fn(max_len, d_model)`` must equal ``sinusoidal_encoding`` (atol 1e-4)."""
    return check_function(
        fn, sinusoidal_encoding, [(6, 8), (50, 16), (20, 64)], name="sinusoidal_encoding", strict=strict,
        hint=hint, atol=1e-4, rtol=1e-4,
        mistakes=[
            Mistake(_pe_swapped,
                    "sine and cosine are swapped: the even columns (0, 2, 4, ...) hold the sine and the odd "
                    "columns hold the cosine, so row 0 is [0, 1, 0, 1, ...].",
                    concept=_PE_FORMULA + ".",
                    code="pe[:, 0::2] = torch.sin(angle); pe[:, 1::2] = torch.cos(angle)"),
            Mistake(_pe_base_1000,
                    "wrong frequency base: look again at the number that is raised to the power 2i / d.",
                    concept="the base is 10000: " + _PE_FORMULA + ". So the wavelengths grow from 2π up to "
                            "about 10000 · 2π.",
                    code="angle = pos / 10000 ** (two_i / d_model)   # pos: (L, 1), two_i = 0, 2, 4, ...: (D/2,)"),
            Mistake(_pe_exponent_i,
                    "the exponent is wrong: it uses 2i, the index of the even column (0, 2, 4, ...), not the "
                    "pair number i (0, 1, 2, ...).",
                    concept="the exponent is 2i / d, with 2i = 0, 2, 4, ..., d - 2: " + _PE_FORMULA + ".",
                    code="two_i = torch.arange(0, d_model, 2, dtype=torch.float32); "
                         "angle = pos / 10000 ** (two_i / d_model)"),
            Mistake(_pe_halves,
                    "interleave the columns: sine in the even columns, cosine in the odd columns, not all the "
                    "sines first and then all the cosines.",
                    concept="column 2i holds sin(angle_i) and column 2i + 1 holds cos(angle_i): the two alternate, "
                            "one pair of columns for each frequency.",
                    code="pe = torch.zeros(max_len, d_model); pe[:, 0::2] = torch.sin(angle); "
                         "pe[:, 1::2] = torch.cos(angle)"),
        ],
        hints=Hints(
            nudge="row p is the encoding of position p. Each pair of columns holds the sine and the cosine of "
                  "one angle, and each pair turns at its own speed.",
            concept=_PE_FORMULA + ". The angles form a (max_len, d_model / 2) table: angle[p, i] = p / "
                    "10000^(2i/d); the sines go to the even columns, the cosines to the odd ones.",
            code=_PE_CODE,
        ),
    )


# --- exercise 4: how the whole encoder's cost grows ----------------------------------------------

COST_QUESTION = {"from_len": 100, "to_len": 300, "d_model": 128, "d_ff": 512}
"""A source of 100 characters becomes one of 300: by what factor do the encoder's forward FLOPs grow?"""


def _encoder_flops(length: int, d: int, d_ff: int, *, attention_products: int = 2) -> int:
    """Forward FLOPs of one encoder layer: projections + FFN (linear in L) and attention (quadratic in L)."""
    linear = 2 * length * (4 * d * d + 2 * d * d_ff)
    attention = attention_products * 2 * length * length * d      # Q Kᵀ, then the weights times V
    return linear + attention


def check_cost_growth(factor, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 4: the ratio of the encoder's FLOPs at 300 and at 100 tokens (about 3.69, two decimals suffice)."""
    q = COST_QUESTION
    d, d_ff, ratio = q["d_model"], q["d_ff"], q["to_len"] / q["from_len"]
    expected = _encoder_flops(q["to_len"], d, d_ff) / _encoder_flops(q["from_len"], d, d_ff)
    qk_only = (_encoder_flops(q["to_len"], d, d_ff, attention_products=1)
               / _encoder_flops(q["from_len"], d, d_ff, attention_products=1))
    return check_value(
        factor, expected, name="encoder cost growth", strict=strict, rtol=3e-3, hint=hint,
        hints={
            ratio: "that is the growth of the projections and the feed-forward network alone (they grow with L). "
                   "Add attention, whose FLOPs grow with L².",
            ratio ** 2: "that is attention alone. Below 768 tokens the projections and the feed-forward network cost "
                        "more than attention (section 8), so the whole encoder grows far less than 9 times.",
            ratio + ratio ** 2: "add the FLOPs of the two parts first, at each length, and then divide: the ratio of "
                                "the sums, not the sum of the two ratios.",
            qk_only: "count both attention products: Q times K transposed, and then the weights times V.",
        },
        ladder=Hints(
            nudge="the encoder has two parts: the projections and the feed-forward network grow with L, and "
                  "attention grows with L². Add them up at 100 tokens and at 300 tokens, then divide.",
            concept="for one layer, FLOPs(L) = 2 · L · (4 · D² + 2 · D · d_ff) + 2 · 2 · L² · D, with D = 128 "
                    "and d_ff = 512 (the number of layers cancels); the factor is FLOPs(300) / FLOPs(100).",
            code="cost_factor = sum(encoder_flops(300)) / sum(encoder_flops(100))   "
                 "# section 8's encoder_flops returns (linear part, attention part)",
        ),
    )


# --- exercise 6: predict, then measure: several heads without the 1/sqrt(d_head) ---------------------------

def scaling_answer(largest) -> str | None:
    """The option the measurement supports. ``largest["unscaled"]``: heads -> mean largest weight per row.

    "C" when the head count hardly matters (spread under 0.1), "A" when the fewest (widest) heads are the
    sharpest, "B" when the most (narrowest) heads are; ``None`` when the numbers fit none of these.
    """
    unscaled = largest["unscaled"]
    heads = sorted(unscaled)
    if max(unscaled.values()) - min(unscaled.values()) < 0.1:
        return "C"
    sharpest = max(heads, key=lambda h: unscaled[h])
    return {heads[0]: "A", heads[-1]: "B"}.get(sharpest)


def check_prediction_scaling(prediction, largest, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 6: grade the letter against what the check cell measured.

    ``largest``: ``{"unscaled": {heads: mean largest weight}, "scaled": {heads: ...}}``, the check cell's numbers.
    """
    unscaled, scaled = largest["unscaled"], largest["scaled"]
    answer = scaling_answer(largest)
    few, many = min(unscaled), max(unscaled)
    numbers = (f"Without the scaling the mean largest weight was {unscaled[few]:.2f} with {few} head(s) and "
               f"{unscaled[many]:.2f} with {many}; with it, {min(scaled.values()):.2f} to {max(scaled.values()):.2f}.")
    why = {
        "A": "A score q · k adds up d_head products of size about 1, so its spread grows like √d_head: wide heads "
             "get widely spread scores, and the softmax then gives nearly all the weight to the largest one. "
             + numbers + " Dividing by √d_head brings the spread back to 1 whatever the head's width; a saturated "
             "softmax would also pass back smaller gradients.",
    }.get(answer, numbers)
    return grade_prediction(
        prediction, answer, name="exercise 6 (heads without the scaling)", options="ABC", why=why,
        hint=hint, strict=strict,
        wrong={
            "A": "look at the printed numbers again: which head count has the largest weights without the scaling?",
            "B": "more heads means narrower heads: each one gets d_head = D / H features. Which head makes the "
                 "longest dot products?",
            "C": "the layers have the same width D, but a score is a dot product inside one head: it adds up "
                 "d_head products, not D.",
        },
        ladder=Hints(
            nudge="think about the size of one score, q · k, inside one head, as d_head grows.",
            concept="with entries of mean 0 and variance 1, q · k is a sum of d_head products of variance 1: its "
                    "variance is d_head and its spread √d_head (16 for d_head = 256, 4 for d_head = 16). The wider "
                    "the spread of a row of scores, the more the softmax favours the largest.",
            code="for d in (16, 64, 256): s = torch.randn(32, d) @ torch.randn(d); "
                 "print(d, s.std(), s.softmax(-1).max())",
        ),
    )
