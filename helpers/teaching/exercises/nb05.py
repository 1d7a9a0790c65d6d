"""Notebook 05 (the decoder-only GPT): reference answers, typical mistakes and checkers.

Exercises, in the order of the notebook:

1. ``shift(batch)`` -> ``(idx, targets)`` for next-token prediction   -> ``check_shift(fn)``
2. ``causal_mask(t)`` -> ``(t, t)`` bool, True = may attend            -> ``check_causal_mask(fn)``
3. ``top_k_probs(logits, k)`` -> ``(B, V)`` probabilities              -> ``check_top_k(fn)``
4. how many numbers the KV cache holds                                -> ``check_cache_size(answer, config, t)``

Every checker prints ✅ or ❌ with a hint and returns a ``CheckResult``; it raises only
with ``strict=True`` (the Solutions section and the tests use that).
"""

from __future__ import annotations

import torch

from helpers.teaching.checks import CheckResult, Mistake, _report, check_function, check_value


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


def check_shift(fn, *, strict: bool = False) -> CheckResult:
    g = torch.Generator().manual_seed(0)
    cases = [(torch.arange(10).view(2, 5),), (torch.randint(0, 50, (3, 9), generator=g),),
             (torch.tensor([[7, 8]]),)]
    mistakes = [
        Mistake(_shift_none, "the targets are the inputs shifted by one: at position t the model must predict "
                             "token t + 1, not copy token t"),
        Mistake(_shift_full, "cut one token off: the inputs drop the last token, the targets drop the first"),
        Mistake(_shift_swapped, "inputs and targets are swapped: the model reads x[:, :-1] and predicts x[:, 1:]"),
        Mistake(_shift_batch_dim, "shift along the time dimension (dim 1), not along the batch (dim 0): "
                                  "use x[:, :-1] and x[:, 1:]"),
    ]
    return check_function(fn, shift, cases, mistakes=mistakes, name="exercise 1 (next-token targets)",
                          strict=strict)


# --- exercise 2: the causal mask ---------------------------------------------------------------

def causal_mask(t: int) -> torch.Tensor:
    """Reference: ``(t, t)`` bool, row = query, column = key; True = may attend (itself and earlier)."""
    return torch.tril(torch.ones(t, t, dtype=torch.bool))


def check_causal_mask(fn, *, strict: bool = False) -> CheckResult:
    """Compare ``fn(t)`` with the reference for several ``t``; name the first wrong (query, key) pair."""
    name = "exercise 2 (causal mask)"
    try:
        answers = {t: fn(t) for t in (3, 5, 8, 1)}   # 1 last: a (1, 1) mask cannot tell the mistakes apart
    except NotImplementedError:
        return _report(False, name, "not written yet: replace the `raise NotImplementedError` with your code.", strict)
    except Exception as err:
        return _report(False, name, f"raised {type(err).__name__}: {err}", strict)
    for t, got in answers.items():
        want = causal_mask(t)
        if not isinstance(got, torch.Tensor):
            return _report(False, name, f"expected a tensor, got {type(got).__name__}", strict)
        if tuple(got.shape) != (t, t):
            return _report(False, name, f"causal_mask({t}) has shape {tuple(got.shape)}; expected ({t}, {t}): "
                                        "one row per query, one column per key", strict)
        if got.dtype != torch.bool:
            if got.is_floating_point() and bool(torch.isinf(got).any()):
                hint = "use a boolean mask (True = may attend), not an additive one with -inf"
            else:
                hint = "use a boolean mask: dtype=torch.bool, True = may attend"
            return _report(False, name, f"not yet. Hint: {hint}", strict)
        if torch.equal(got, ~want):
            return _report(False, name, "not yet. Hint: the course convention is True = *may attend*; yours is "
                                        "True = blocked (flip it with ~)", strict)
        if not torch.equal(got, want):
            future = torch.nonzero(got & ~want)
            if len(future):
                q, k = future[0].tolist()
                return _report(False, name, f"not yet. Hint: your mask lets position {q} see position {k}, "
                                            "a token in its future (use torch.tril)", strict)
            missing = torch.nonzero(want & ~got)
            q, k = missing[0].tolist()
            what = "itself" if q == k else f"position {k}, which is in its past"
            return _report(False, name, f"not yet. Hint: position {q} must be allowed to see {what}", strict)
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


def check_top_k(fn, *, strict: bool = False) -> CheckResult:
    g = torch.Generator().manual_seed(0)
    cases = [(torch.tensor([[2.0, 1.0, 0.5, 0.0, -1.0, 3.0]]), 2), (torch.randn(3, 20, generator=g) * 2, 5),
             (torch.randn(2, 10, generator=g), 1), (torch.randn(2, 8, generator=g), 3)]
    mistakes = [
        Mistake(_top_k_minus_one, "you keep k - 1 tokens: the k-th largest logit itself must stay "
                                  "(compare with <, not <=)"),
        Mistake(_top_k_plus_one, "you keep k + 1 tokens: exactly k must survive"),
        Mistake(_top_k_no_renorm, "the kept probabilities must sum to 1 again: filter the logits (set the rest "
                                  "to -inf) and then take the softmax, or divide by their sum"),
        Mistake(_top_k_zero_logits, "a logit of 0 is not 'removed': exp(0) = 1 still gets probability. Set the "
                                    "dropped logits to float('-inf')"),
        Mistake(_top_k_smallest, "keep the k *largest* logits, the most likely tokens"),
    ]
    return check_function(fn, top_k_probs, cases, mistakes=mistakes, name="exercise 3 (top-k)", atol=1e-6,
                          strict=strict)


# --- exercise 4: the size of the KV cache ----------------------------------------------------------

def cache_size(config, t: int) -> int:
    """Numbers the cache holds for one sequence of ``t`` tokens: keys and values, every layer, all heads."""
    return 2 * config.n_layer * t * config.d_model


def check_cache_size(answer, config, t: int, *, strict: bool = False) -> CheckResult:
    c, n = config, config.n_layer
    hints: dict[int, str] = {}
    for wrong, hint in [
        (n * t * c.d_model, "a cache keeps two tensors per layer: the keys *and* the values"),
        (2 * t * c.d_model, "every layer has its own attention, so its own keys and values: multiply by n_layer"),
        (2 * n * t * (c.d_model // c.n_head), "all heads are cached, not one: n_head * d_head = d_model numbers "
                                              "per token and layer"),
        (2 * n * c.block_size * c.d_model, f"the question asks for t = {t} tokens, not block_size"),
        (2 * n * t * c.d_model * 4, "count numbers, not bytes"),
    ]:
        if wrong != cache_size(config, t):   # equal sizes (e.g. n_layer == n_head) share one hint line
            hints[wrong] = f"{hints[wrong]}; or: {hint}" if wrong in hints else hint
    return check_value(answer, cache_size(config, t), name="exercise 4 (KV cache size)", hints=hints, strict=strict)
