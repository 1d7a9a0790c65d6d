"""Notebook 03 (seq2seq with attention): reference answers, typical mistakes and checkers.

Exercises, in the order of the notebook:

1. ``additive_scores(query, keys, W_q, W_k, v)`` -> ``(B, S)`` scores   -> ``check_additive_scores(fn)``
2. ``hard_alignment(weights)`` -> set of ``(source, target)`` links     -> ``check_hard_alignment(fn)``
3. ``length_normalised(logprob, length, alpha)``                         -> ``check_length_normalised(fn)``
4. which of two beam hypotheses wins at alpha 0 and at alpha 1          -> ``check_beam_winner(answer)``
5. ``decoder_forward(dec, tgt_in, state, enc_out, src_mask)``: the attention decoder over a whole target at once
                                              -> ``check_decoder_forward(fn)`` (in ``nb03_build.py``)
6. predict, then measure: the attention the padding gets without the mask
                                                                  -> ``check_prediction_padding(prediction, ...)``

Exercise 6's check cell measures on an untrained model of the course's sizes and passes its numbers to the
checker, which grades the prediction against them.

Every checker prints ✅ or ❌ with a hint and returns a ``CheckResult``; it raises only
with ``strict=True`` (the Solutions section and the tests use that). Hints come in steps: a nudge in words on
the first failure, the concept (equation or shape rule) on the next, the code only with ``hint=3``.
"""

from __future__ import annotations

import torch

from helpers.teaching.checks import CheckResult, Hints, Mistake, check_function, check_value
from helpers.teaching.exercises.predictions import grade_prediction
from helpers.teaching.exercises.nb03_build import check_decoder_forward, decoder_forward  # noqa: F401 (exercise 5)

__all__ = [
    "additive_scores",
    "hard_alignment",
    "length_normalised",
    "BEAM_QUESTION",
    "check_additive_scores",
    "check_hard_alignment",
    "check_length_normalised",
    "check_beam_winner",
    "decoder_forward",
    "check_decoder_forward",
    "PADDING_OPTIONS",
    "padding_answer",
    "check_prediction_padding",
]


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# --- exercise 1: additive (Bahdanau) scores ----------------------------------------------------

def additive_scores(query: torch.Tensor, keys: torch.Tensor, W_q: torch.Tensor, W_k: torch.Tensor,
                    v: torch.Tensor) -> torch.Tensor:
    """Reference: ``score[b, j] = v · tanh(W_q query[b] + W_k keys[b, j])``.

    Shapes: query ``(B, d_q)``, keys ``(B, S, d_k)``, W_q ``(h, d_q)``, W_k ``(h, d_k)``,
    v ``(h,)`` -> scores ``(B, S)`` (raw scores, before any softmax).
    """
    projected_query = query @ W_q.T                                  # (B, h)
    projected_keys = keys @ W_k.T                                    # (B, S, h)
    features = torch.tanh(projected_query[:, None, :] + projected_keys)  # (B, S, h)
    return features @ v                                              # (B, S)


def _as_no_tanh(query, keys, W_q, W_k, v):
    return ((query @ W_q.T)[:, None, :] + keys @ W_k.T) @ v


def _as_softmax(query, keys, W_q, W_k, v):
    return torch.softmax(additive_scores(query, keys, W_q, W_k, v), dim=-1)


def _as_no_W_k(query, keys, W_q, W_k, v):
    return torch.tanh((query @ W_q.T)[:, None, :] + keys) @ v


def _as_no_W_q(query, keys, W_q, W_k, v):
    return torch.tanh(query[:, None, :] + keys @ W_k.T) @ v


def _as_tanh_outside(query, keys, W_q, W_k, v):
    return torch.tanh(((query @ W_q.T)[:, None, :] + keys @ W_k.T) @ v)


def _additive_cases():
    g = _generator(3)
    # case 1: d_q = d_k = h, so that forgetting a projection still runs and can be recognised
    b, s, h = 2, 5, 4
    case1 = (torch.randn(b, h, generator=g), torch.randn(b, s, h, generator=g), torch.randn(h, h, generator=g),
             torch.randn(h, h, generator=g), torch.randn(h, generator=g))
    # case 2: every size different, as in the course's model (query 256, keys 256, hidden 128)
    b, s, d_q, d_k, h = 3, 7, 6, 5, 8
    case2 = (torch.randn(b, d_q, generator=g), torch.randn(b, s, d_k, generator=g), torch.randn(h, d_q, generator=g),
             torch.randn(h, d_k, generator=g), torch.randn(h, generator=g))
    return [case1, case2]


_AS_CONCEPT = ("e_j = v · tanh(W_q q + W_k k_j). Shapes: W_q q is (B, h) and W_k k_j is (B, S, h); add them, with "
               "the query repeated over the S keys, to get (B, S, h); apply tanh; the dot product with v (h,) then "
               "gives one score per key, (B, S).")
_AS_CODE = ("projected_query = query @ W_q.T                                     # (B, h)\n"
            "         projected_keys = keys @ W_k.T                                       # (B, S, h)\n"
            "         return torch.tanh(projected_query[:, None, :] + projected_keys) @ v  # (B, S)")


def check_additive_scores(fn, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 1: ``fn(query, keys, W_q, W_k, v)`` must equal ``additive_scores`` on two cases."""
    return check_function(
        fn, additive_scores, _additive_cases(), name="exercise 1 (additive scores)", strict=strict, hint=hint,
        hints=Hints("your scores differ from the reference. Check each step of the formula: the two projections, "
                    "their sum, the tanh, and then v.", concept=_AS_CONCEPT, code=_AS_CODE),
        mistakes=[
            Mistake(_as_no_tanh, "the tanh is missing. Without the tanh the two projections add up linearly, and "
                                 "each score is just a query part plus a key part.",
                    concept="e_j = v · tanh(W_q q + W_k k_j): the tanh acts on the sum of the two projections, "
                            "before the dot product with v.",
                    code="return torch.tanh(projected_query[:, None, :] + projected_keys) @ v"),
            Mistake(_as_softmax, "return the raw scores. The softmax, which turns the scores into weights that sum "
                                 "to 1, comes later, together with the padding mask.",
                    concept="the exercise stops at e_j, one real number per key, shape (B, S); the weights "
                            "a = softmax(e) are not part of it.",
                    code="return torch.tanh(projected_query[:, None, :] + projected_keys) @ v   # no softmax"),
            Mistake(_as_no_W_k, "project the keys too: multiply each key by its own matrix before you add the "
                                "projected query.",
                    concept="W_k k_j maps each key from d_k to h numbers: keys (B, S, d_k) become (B, S, h).",
                    code="projected_keys = keys @ W_k.T                      # (B, S, h)"),
            Mistake(_as_no_W_q, "project the query too: multiply it by its own matrix before you add it to every key.",
                    concept="W_q q maps the query from d_q to h numbers: (B, d_q) becomes (B, h). Then give it a "
                            "length-1 axis, (B, 1, h), so that it adds to all S keys.",
                    code="projected_query = query @ W_q.T                    # (B, h)\n"
                         "         projected_query[:, None, :]                       # (B, 1, h), adds to (B, S, h)"),
            Mistake(_as_tanh_outside, "the tanh goes inside, on the sum of the two projections; then v mixes the h "
                                      "features into one number per key.",
                    concept="e_j = v · tanh(W_q q + W_k k_j), not tanh(v · (W_q q + W_k k_j)): the tanh acts on the "
                            "(B, S, h) features, before v.",
                    code="return torch.tanh(projected_query[:, None, :] + projected_keys) @ v"),
        ],
    )


# --- exercise 2: hard alignment from attention ---------------------------------------------------

def hard_alignment(weights) -> set[tuple[int, int]]:
    """Reference: for each target row ``t`` of ``weights (T, S)``, the link ``(argmax_s, t)``."""
    best = torch.as_tensor(weights).argmax(dim=1)                    # (T,): the most attended source position
    return {(int(s), t) for t, s in enumerate(best.tolist())}


def _ha_wrong_dim(weights):
    best = torch.as_tensor(weights).argmax(dim=0)                    # (S,): argmax over the targets
    return {(int(s), t) for t, s in enumerate(best.tolist())}


def _ha_swapped(weights):
    return {(t, s) for s, t in hard_alignment(weights)}


def _ha_wrong_dim_swapped(weights):
    return {(t, s) for s, t in _ha_wrong_dim(weights)}


def _ha_all_above_mean(weights):
    w = torch.as_tensor(weights)
    return {(int(s), int(t)) for t, s in (w > w.mean(dim=1, keepdim=True)).nonzero().tolist()}


def _normalise_links(x):
    """Accept any iterable of pairs whose items int() accepts (tensors, NumPy ints)."""
    if isinstance(x, (set, frozenset, list, tuple)):
        try:
            return {(int(s), int(t)) for s, t in x}
        except (TypeError, ValueError):
            return x
    return x


def _hard_alignment_cases():
    g = _generator(4)
    sharp = torch.softmax(torch.randn(4, 6, generator=g) * 4, dim=1)   # 4 target words, 6 source characters
    wide = torch.softmax(torch.randn(7, 3, generator=g) * 4, dim=1)    # more targets than sources
    diagonal = torch.eye(5)[[0, 1, 3, 2, 4]] * 0.9 + 0.02              # a reordering
    return [(sharp,), (wide,), (diagonal,)]


def check_hard_alignment(fn, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 2: ``fn(weights (T, S))`` must return the set of links ``(source, target)`` by argmax."""
    concept = ("weights has shape (T, S): row t belongs to target word t. For each t, take s* = the argmax over s of "
               "weights[t, s], the position with the largest weight; the link is the pair (s*, t). That gives T links.")
    code = ("best = torch.as_tensor(weights).argmax(dim=1)          # (T,): best source position per target word\n"
            "         return {(int(s), t) for t, s in enumerate(best.tolist())}")
    hints = Hints("your set of links differs from the expected one. Link each target word (a row) to the one source "
                  "position it attends to most.", concept=concept, code=code)
    if not callable(fn):
        return check_function(fn, hard_alignment, _hard_alignment_cases(), name="exercise 2 (hard alignment)",
                              hints=hints, hint=hint, strict=strict)

    def learner(weights):
        return _normalise_links(fn(weights))

    learner.__name__ = getattr(fn, "__name__", "hard_alignment")
    return check_function(
        learner, hard_alignment, _hard_alignment_cases(), name="exercise 2 (hard alignment)", strict=strict,
        hints=hints, hint=hint,
        mistakes=[
            Mistake(_ha_wrong_dim_swapped, "two things are wrong: find the best source position for each target "
                                           "word (along each row), and return (source, target) pairs.",
                    concept=concept, code=code),
            Mistake(_ha_wrong_dim, "rows are target words: in each row, find the source position with the largest "
                                   "weight. You need one link per target word.",
                    concept="the argmax runs along a row, over the S source positions (the last axis of (T, S)); "
                            "it gives T positions, one per target word.",
                    code=code),
            Mistake(_ha_swapped, "the pairs are (source index, target index), the convention of the corpus: "
                                 "(character, word), not (word, character).",
                    concept="for target word t with best source position s*, the link is (s*, t).",
                    code=code),
            Mistake(_ha_all_above_mean, "keep only the single most attended source position for each target word, "
                                        "not every position above the mean.",
                    concept="a hard alignment has exactly one link per target word: T links for T rows, each at the "
                            "argmax of its row.",
                    code=code),
        ],
    )


# --- exercise 3: length normalisation ------------------------------------------------------------

def length_normalised(logprob: float, length: int, alpha: float) -> float:
    """Reference: the beam-search score ``logprob / length ** alpha`` (alpha 0: none, 1: per token)."""
    return logprob / length ** alpha


def _ln_ignores_alpha(logprob, length, alpha):
    return logprob / length


def _ln_multiplies(logprob, length, alpha):
    return logprob * length ** alpha


def _ln_alpha_times_length(logprob, length, alpha):
    return logprob / (alpha * length) if alpha else logprob


def _ln_exp(logprob, length, alpha):
    import math

    return math.exp(logprob) / length ** alpha


def check_length_normalised(fn, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 3: ``fn(logprob, length, alpha)`` must equal ``length_normalised``."""
    cases = [(-9.0, 9, 0.5), (-6.0, 4, 1.0), (-6.0, 4, 0.0), (-2.5, 3, 0.7)]  # the first tells mistakes apart
    concept = ("score = logprob / length^alpha. With alpha = 0 the divisor is 1 (no normalisation); with alpha = 1 "
               "the score is the mean log-probability per token.")
    code = "return logprob / length ** alpha"
    return check_function(
        fn, length_normalised, cases, name="exercise 3 (length normalisation)", strict=strict, hint=hint,
        hints=Hints("your score differs from the expected one. Think about what alpha = 0 and alpha = 1 must give.",
                    concept=concept, code=code),
        mistakes=[
            Mistake(_ln_ignores_alpha, "use alpha: your score is the same for every alpha. Alpha = 0 means no "
                                       "normalisation at all, alpha = 1 the mean log-probability per token.",
                    concept=concept, code=code),
            Mistake(_ln_multiplies, "divide, do not multiply: log-probabilities are negative and grow with length, "
                                    "and the division is what stops short outputs from always winning.",
                    concept="score = logprob / length^alpha: dividing a negative total by a number larger than 1 "
                            "brings it closer to 0, and more so for a long output.",
                    code=code),
            Mistake(_ln_alpha_times_length, "alpha is an exponent: it raises the length to a power; it does not "
                                            "multiply the length.",
                    concept="the divisor is length^alpha, not alpha × length; with alpha = 0 it is 1.",
                    code=code),
            Mistake(_ln_exp, "stay in log space: divide the log-probability itself; do not turn it back into a "
                             "probability.",
                    concept="score = logprob / length^alpha, with logprob the total log-probability (a negative "
                            "number), as it is.",
                    code=code),
        ],
    )


# --- exercise 4: which hypothesis wins? -------------------------------------------------------------

BEAM_QUESTION = {"A": {"logprob": -3.0, "length": 4}, "B": {"logprob": -4.5, "length": 9}}
"""Two finished hypotheses: A, 4 tokens with log-probability -3.0; B, 9 tokens with -4.5."""


def _beam_winner(alpha: float) -> str:
    score = {k: length_normalised(h["logprob"], h["length"], alpha) for k, h in BEAM_QUESTION.items()}
    return max(score, key=score.get)


def check_beam_winner(answer, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 4: ``answer`` is a pair ``(winner at alpha 0, winner at alpha 1)``, each "A" or "B"."""
    expected = (_beam_winner(0.0), _beam_winner(1.0))                  # ("A", "B")
    if isinstance(answer, list):
        answer = tuple(answer)
    if isinstance(answer, tuple):
        answer = tuple(a.strip().upper() if isinstance(a, str) else a for a in answer)
    hints = {
        ("A", "A"): "at alpha = 1 compare the log-probability per token: A -3.0 / 4 = -0.75, B -4.5 / 9 = ?",
        ("B", "B"): "at alpha = 0 there is no normalisation: the higher (less negative) total log-probability wins.",
        ("B", "A"): "you have them the wrong way round: without normalisation the shorter A scores higher; "
                    "per token, the longer B does.",
    }
    ladder = Hints("compute the score of A and of B twice, once with alpha = 0 and once with alpha = 1; each time "
                   "the higher score wins. Answer with a pair such as (\"A\", \"A\").",
                   concept="score = logprob / length^alpha. alpha = 0: score = logprob; alpha = 1: score = "
                           "logprob / length. All scores are negative: the one closer to 0 is the higher one.",
                   code='winners = ("A", "B")     # alpha 0: -3.0 > -4.5;  alpha 1: -3.0 / 4 = -0.75 < -4.5 / 9 = -0.5')
    return check_value(answer, expected, name="exercise 4 (which hypothesis wins)", hints=hints, ladder=ladder,
                       hint=hint, strict=strict)


# --- exercise 6: predict, then measure: attention without the padding mask ---------------------------

PADDING_OPTIONS = {"A": "none", "B": "less than half of the padding's share",
                   "C": "half of the padding's share or more"}
"""Exercise 6's options: how much of the short sentence's attention the padding takes without the mask."""


def padding_answer(pad_mass: float, pad_share: float) -> str:
    """The letter a measurement supports: A if the padding got no weight, B if it got less than half of its share
    of the positions, C otherwise."""
    if pad_mass < 1e-6:
        return "A"
    return "B" if pad_mass < 0.5 * pad_share else "C"


def check_prediction_padding(prediction, pad_mass: float, pad_share: float, *, hint: int | None = None,
                             strict: bool = False) -> CheckResult:
    """Exercise 6: ``prediction`` ("A", "B" or "C") against the measured share of attention on the padding
    (``pad_mass``) and the padding's share of the positions (``pad_share``)."""
    expected = padding_answer(pad_mass, pad_share)
    measured = f"the padding got {pad_mass:.1%} of the weight and holds {pad_share:.1%} of the positions"
    wrong = {letter: f"{measured}, so the answer is not '{PADDING_OPTIONS[letter]}'." for letter in PADDING_OPTIONS}
    if expected != "A":
        wrong["A"] = (f"{measured}. A padded position holds a zero vector, but zero is not minus infinity: its score "
                      "is an ordinary number, and the softmax gives every finite score some weight.")
    wrong.pop(expected)
    why = f"In this measurement {measured}."
    if expected == "C":
        why = ("A padded position's encoder output is the zero vector, but its score v · tanh(W_q s) is an "
               "ordinary number, not minus infinity, so the softmax gives it some weight, as it does a real "
               "character. With many pad positions the padding takes a large part of the attention, and as its "
               "values are zero vectors, the context vector shrinks by that part. Only the mask keeps the "
               f"padding out ({measured}).")
    return grade_prediction(
        prediction, expected, name="exercise 6 (attention without the padding mask)", options="ABC", why=why,
        wrong=wrong, hint=hint, strict=strict,
        ladder=Hints(
            nudge="compare the two numbers the check cell printed: the weight the padding got, and its share of the "
                  "positions. Answer with one letter, A, B or C.",
            concept="at a padded position the encoder's output is the zero vector, so its key W_k 0 is zero too; its "
                    "score v · tanh(W_q s + 0) is a finite number. The softmax gives a finite score a weight above 0; "
                    "only the mask (minus infinity before the softmax) gives exactly 0.",
            code=f'prediction_padding = "{expected}"      # {measured}'))
