"""Notebook 05 (the decoder-only GPT): reference answers, typical mistakes and checkers.

Exercises, in the order of the notebook:

1. ``shift(batch)`` -> ``(idx, targets)`` for next-token prediction   -> ``check_shift(fn)``
2. ``causal_mask(t)`` -> ``(t, t)`` bool, True = may attend            -> ``check_causal_mask(fn)``
3. ``top_k_probs(logits, k)`` -> ``(B, V)`` probabilities              -> ``check_top_k(fn)``
4. how many numbers the KV cache holds                                -> ``check_cache_size(answer, config, t)``
   (the check cell passes ``gpt_config(data)``, the trained model's sizes, so it needs no trained model)
5. greedy generation with the KV cache (★★★)                         -> ``check_generate_greedy(fn)`` (``nb05_build``)
6. predict, then measure: training without the causal mask            -> ``check_prediction_mask(prediction, ...)``

Every checker prints ✅ or ❌ with a hint and returns a ``CheckResult``; it raises only
with ``strict=True`` (the Solutions section and the tests use that). The hints come in steps: a nudge in
words on the first failure, the concept (the equation or the shape rule) on the next one, and the code only
when the learner asks for it with ``hint=3``.
"""

from __future__ import annotations

import math

import torch

from helpers.teaching.checks import (CheckResult, Hints, Mistake, _report, check_function, check_value, hint_level,
                                     ladder_text, passed)
from helpers.teaching.exercises.nb05_build import check_generate_greedy  # noqa: F401  (exercise 5)
from helpers.teaching.exercises.predictions import grade_prediction


# --- exercise 1: inputs and targets ------------------------------------------------------------

def shift(batch: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Reference: windows ``(B, T + 1)`` -> the model reads ``x[:, :-1]`` and predicts ``x[:, 1:]``."""
    return batch[:, :-1], batch[:, 1:]


def _shift_none(batch):
    return batch[:, :-1], batch[:, :-1]


def _shift_swapped(batch):
    return batch[:, 1:], batch[:, :-1]


def _shift_batch_dim(batch):
    return batch[:-1], batch[1:]


def _shift_full(batch):
    return batch, batch


_SHIFT_RULE = ("a window holds T + 1 tokens. The inputs are tokens 0 .. T-1 (drop the last one) and the targets "
               "are tokens 1 .. T (drop the first one): both (B, T), and target t = input t + 1.")
_SHIFT_CODE = "return batch[:, :-1], batch[:, 1:]   # read tokens 0 .. T-1, predict tokens 1 .. T"


def check_shift(fn, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 1: ``fn(batch)`` must return ``(idx, targets)``, each ``(B, T)``, like ``shift``."""
    g = torch.Generator().manual_seed(0)
    cases = [(torch.arange(10).view(2, 5),), (torch.randint(0, 50, (3, 9), generator=g),),
             (torch.tensor([[7, 8]]),)]
    mistakes = [
        Mistake(_shift_none, "your targets are a copy of the inputs. The targets must be the inputs shifted by one: "
                             "at position t the model must predict token t + 1, not copy token t.",
                concept=_SHIFT_RULE, code=_SHIFT_CODE),
        Mistake(_shift_full, "your inputs and targets are the whole window, (B, T + 1). Each of them must be one "
                             "token shorter, (B, T).",
                concept=_SHIFT_RULE, code=_SHIFT_CODE),
        Mistake(_shift_swapped, "inputs and targets are swapped: the model reads the earlier tokens and predicts the "
                                "later ones.",
                concept=_SHIFT_RULE, code=_SHIFT_CODE),
        Mistake(_shift_batch_dim, "you shifted along the batch (dim 0), so you lost a whole window. Shift along the "
                                  "time dimension (dim 1), inside each row.",
                concept="keep dim 0 (the batch) whole and cut dim 1 (time): (B, T + 1) -> two (B, T) tensors. "
                        + _SHIFT_RULE[0].upper() + _SHIFT_RULE[1:],
                code=_SHIFT_CODE),
    ]
    return check_function(fn, shift, cases, mistakes=mistakes, name="exercise 1 (next-token targets)",
                          strict=strict, hint=hint,
                          hints=Hints(nudge="return two tensors of shape (B, T): what the model reads, and what it "
                                            "must predict at each position.",
                                      concept=_SHIFT_RULE, code=_SHIFT_CODE))


# --- exercise 2: the causal mask ---------------------------------------------------------------

def causal_mask(t: int) -> torch.Tensor:
    """Reference: ``(t, t)`` bool, row = query, column = key; True = may attend (itself and earlier)."""
    return torch.tril(torch.ones(t, t, dtype=torch.bool))


_MASK_RULE = ("query i may attend to key j only when j <= i. In the (T, T) matrix (row = query, column = key) that "
              "is the lower triangle, diagonal included, with dtype bool.")
_MASK_CODE = "return torch.tril(torch.ones(t, t, dtype=torch.bool))   # lower triangle: itself and the past"


def check_causal_mask(fn, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Compare ``fn(t)`` with the reference for several ``t``; name the first wrong (query, key) pair.

    The hints come one level at a time (``hint=3`` shows the code)."""
    name = "exercise 2 (causal mask)"
    try:
        answers = {t: fn(t) for t in (3, 5, 8, 1)}   # 1 last: a (1, 1) mask cannot tell the mistakes apart
    except NotImplementedError:
        return _report(False, name, "not written yet: replace the `raise NotImplementedError` with your code.", strict)
    except Exception as err:
        return _report(False, name, f"raised {type(err).__name__}: {err}", strict)

    def wrong(what: str, nudge: str, concept: str = _MASK_RULE, code: str = _MASK_CODE) -> CheckResult:
        text = ladder_text(hint_level(name, hint), nudge, concept, code)
        return _report(False, name, f"{what}\n   {text}" if what else f"not yet. {text}", strict)

    for t, got in answers.items():
        want = causal_mask(t)
        if not isinstance(got, torch.Tensor):
            return wrong(f"expected a tensor, got {type(got).__name__}.",
                         "return a tensor of True and False values, not a Python list.")
        if tuple(got.shape) != (t, t):
            return wrong(f"causal_mask({t}) has shape {tuple(got.shape)}; expected ({t}, {t}).",
                         "the mask is square: one row per query and one column per key.")
        if got.dtype != torch.bool:
            if got.is_floating_point() and bool(torch.isinf(got).any()):
                return wrong("", "use a boolean mask (True = may attend), not an additive one with -inf.",
                             concept="in this course a mask is a (T, T) table of True and False; attention "
                                     "itself turns False into -inf before the softmax. " + _MASK_RULE[0].upper()
                                     + _MASK_RULE[1:])
            return wrong("", "the mask must hold True and False (True = may attend), not numbers.",
                         concept="the mask is a boolean (T, T) tensor: " + _MASK_RULE)
        if torch.equal(got, ~want):
            return wrong("", "the course convention is True = *may attend*; yours is True = blocked.",
                         concept="True on and below the diagonal (key j <= query i), False above it (the future).",
                         code=_MASK_CODE + " (or flip your mask with ~)")
        if not torch.equal(got, want):
            future = torch.nonzero(got & ~want)
            if len(future):
                q, k = future[0].tolist()
                return wrong("", f"your mask lets position {q} see position {k}, a token in its future.")
            missing = torch.nonzero(want & ~got)
            q, k = missing[0].tolist()
            what = "itself" if q == k else f"position {k}, which is in its past"
            return wrong("", f"position {q} must be allowed to see {what}.")
    passed(name)
    return _report(True, name, "correct for lengths 1, 3, 5 and 8.", strict)


# --- exercise 3: top-k --------------------------------------------------------------------------

def top_k_probs(logits: torch.Tensor, k: int) -> torch.Tensor:
    """Reference: keep the ``k`` largest logits of each row, softmax over them; zero elsewhere. ``(B, V)``."""
    kth = logits.topk(k, dim=-1).values[:, -1:]                           # (B, 1): the k-th largest
    return logits.masked_fill(logits < kth, float("-inf")).softmax(dim=-1)


def _top_k_minus_one(logits, k):
    kth = logits.topk(k, dim=-1).values[:, -1:]
    return logits.masked_fill(logits <= kth, float("-inf")).softmax(dim=-1) if k > 1 else top_k_probs(logits, 1)


def _top_k_plus_one(logits, k):
    return top_k_probs(logits, min(k + 1, logits.size(-1)))


def _top_k_no_renorm(logits, k):
    probs = logits.softmax(dim=-1)
    kth = probs.topk(k, dim=-1).values[:, -1:]
    return probs.masked_fill(probs < kth, 0.0)


def _top_k_zero_logits(logits, k):
    kth = logits.topk(k, dim=-1).values[:, -1:]
    return logits.masked_fill(logits < kth, 0.0).softmax(dim=-1)


def _top_k_smallest(logits, k):
    kth = logits.topk(k, dim=-1, largest=False).values[:, -1:]
    return logits.masked_fill(logits > kth, float("-inf")).softmax(dim=-1)


_TOP_K_CODE = ("kth = logits.topk(k, dim=-1).values[:, -1:]   # (B, 1): the k-th largest logit\n"
               "         return logits.masked_fill(logits < kth, float('-inf')).softmax(dim=-1)")
_TOP_K_RULE = ("the cut is the k-th largest logit of each row, shape (B, 1). Logits below it become -inf; then the "
               "softmax over the last axis gives (B, V) probabilities, zero outside the top k, each row summing to 1.")


def check_top_k(fn, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 3: ``fn(logits, k)`` must equal ``top_k_probs``, ``(B, V)`` probabilities."""
    g = torch.Generator().manual_seed(0)
    cases = [(torch.tensor([[2.0, 1.0, 0.5, 0.0, -1.0, 3.0]]), 2), (torch.randn(3, 20, generator=g) * 2, 5),
             (torch.randn(2, 10, generator=g), 1), (torch.randn(2, 8, generator=g), 3)]
    mistakes = [
        Mistake(_top_k_minus_one, "you keep k - 1 tokens: the k-th largest logit itself must stay.",
                concept="keep a logit when it is greater than or equal to the k-th largest logit of its row; drop "
                        "it only when it is strictly smaller.",
                code=_TOP_K_CODE),
        Mistake(_top_k_plus_one, "you keep k + 1 tokens: exactly k must survive.",
                concept="the top k values of a row, sorted from large to small, have indices 0 .. k-1: the cut is "
                        "the one at index k - 1, not at index k.",
                code=_TOP_K_CODE),
        Mistake(_top_k_no_renorm, "you keep the right tokens, but the kept probabilities must sum to 1 again.",
                concept="p_i = exp(x_i) / (sum of exp(x_j) over the kept j only). Drop the other logits first (set "
                        "them to -inf) and then take the softmax, or divide the kept probabilities by their sum.",
                code=_TOP_K_CODE),
        Mistake(_top_k_zero_logits, "a logit of 0 is not removed: exp(0) = 1, so that token still gets some "
                                    "probability.",
                concept="a dropped token needs the logit -inf, because exp(-inf) = 0 gives it probability 0 after "
                        "the softmax.",
                code=_TOP_K_CODE),
        Mistake(_top_k_smallest, "you keep the k least likely tokens. Keep the k *largest* logits, the most likely "
                                 "tokens.",
                concept=_TOP_K_RULE, code=_TOP_K_CODE),
    ]
    return check_function(fn, top_k_probs, cases, mistakes=mistakes, name="exercise 3 (top-k)", atol=1e-6,
                          strict=strict, hint=hint,
                          hints=Hints(nudge="in each row keep the k most likely tokens, give every other token "
                                            "probability 0, and make the kept probabilities sum to 1.",
                                      concept=_TOP_K_RULE, code=_TOP_K_CODE))


# --- exercise 4: the size of the KV cache ----------------------------------------------------------

def cache_size(config, t: int) -> int:
    """Numbers the cache holds for one sequence of ``t`` tokens: keys and values, every layer, all heads."""
    return 2 * config.n_layer * t * config.d_model


def check_cache_size(answer, config, t: int, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 4: the numbers the keys and values of ``t`` tokens take, in all layers and heads."""
    c, n = config, config.n_layer
    hints: dict[int, str] = {}
    for wrong, text in [
        (n * t * c.d_model, "a cache keeps two tensors in each layer: the keys *and* the values"),
        (2 * t * c.d_model, "every layer has its own attention, so its own keys and values: count all the layers"),
        (2 * n * t * (c.d_model // c.n_head), "all the heads are cached, not only one head"),
        (2 * n * c.block_size * c.d_model, f"the question asks for t = {t} tokens, not for the whole context "
                                           "(block_size)"),
        (2 * n * t * c.d_model * 4, "count numbers, not bytes"),
    ]:
        if wrong != cache_size(config, t):   # equal sizes (e.g. n_layer == n_head) share one hint line
            hints[wrong] = f"{hints[wrong]}; or: {text}" if wrong in hints else text
    return check_value(
        answer, cache_size(config, t), name="exercise 4 (KV cache size)", hints=hints, strict=strict, hint=hint,
        ladder=Hints(
            nudge="count the numbers in the cache: in each layer, one key vector and one value vector for each "
                  "token, and each vector holds the numbers of all the heads.",
            concept="numbers = 2 (keys and values) × n_layer × t × d_model, because all the heads together hold "
                    "n_head × d_head = d_model numbers for each token.",
            code=f"c = gpt.config; cache_numbers = 2 * c.n_layer * {t} * c.d_model   "
                 "# or c = gpt_config(data): the same sizes",
        ),
    )


# --- exercise 6: predict, then measure: training without the causal mask -----------------------------------

def mask_answer(train_loss, masked_loss, margin: float = 0.5) -> str | None:
    """The option the measurement supports; each argument maps "causal" and "no mask" to a loss in nats.

    "A": without the mask the training loss is lower and the loss under the mask higher (by ``margin`` at least);
    "C": both lower; "B": both within ``margin`` of the causal model's; ``None``: none of these.
    """
    train_gap = train_loss["no mask"] - train_loss["causal"]
    masked_gap = masked_loss["no mask"] - masked_loss["causal"]
    if train_gap < -margin and masked_gap > margin:
        return "A"
    if train_gap < -margin and masked_gap < -margin:
        return "C"
    if abs(train_gap) < margin and abs(masked_gap) < margin:
        return "B"
    return None


def check_prediction_mask(prediction, train_loss, masked_loss, vocab_size: int, *, hint: int | None = None,
                          strict: bool = False) -> CheckResult:
    """Exercise 6: grade the letter against the check cell's measurement.

    ``train_loss``: each model's loss at the end of training, measured the way it trained; ``masked_loss``: each
    model's loss on held-out text with the causal mask, as in generation. Both map "causal" and "no mask" to nats.
    """
    answer = mask_answer(train_loss, masked_loss)
    uniform = math.log(vocab_size)
    numbers = (f"Training loss {train_loss['no mask']:.2f} without the mask against {train_loss['causal']:.2f}; "
               f"with the mask, on held-out text, {masked_loss['no mask']:.2f} against {masked_loss['causal']:.2f}"
               + (f", worse even than a uniform guess (ln {vocab_size} = {uniform:.2f})."
                  if masked_loss["no mask"] > uniform else "."))
    why = {
        "A": "Without the mask the target at position t, token t + 1, is also an input the model can read, so it "
             "learns to copy it: an easy, low training loss. With the mask that token is hidden, as it is in "
             "generation, and the copying trick has nothing to copy. " + numbers,
    }.get(answer, numbers)
    return grade_prediction(
        prediction, answer, name="exercise 6 (training without the causal mask)", options="ABC", why=why,
        hint=hint, strict=strict,
        wrong={
            "A": "look at the printed numbers again: compare each loss of the model without the mask with the "
                 "causal model's.",
            "B": "without the mask, position t can read token t + 1, which is exactly its target. Would the "
                 "training loss stay the same?",
            "C": "seeing more in training helps only if the same view is there later. In generation, token t + 1 "
                 "does not exist yet when position t predicts it.",
        },
        ladder=Hints(
            nudge="ask what position t may read in each case, and what its target is.",
            concept="the target at position t is input token t + 1. Without the causal mask, position t attends to "
                    "it, so the loss can fall almost to 0 by copying; a model that learned to copy has learned "
                    "little about the language, and under the mask (as in generation) it must guess.",
            code="x = torch.arange(6)[None]; print('reads', x[:, :-1], 'predicts', x[:, 1:])   "
                 "# without the mask, position t reads the whole row",
        ),
    )
