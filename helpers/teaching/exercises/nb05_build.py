"""Notebook 05, exercise 5: greedy generation with the KV cache of ``helpers.gpt`` (reference, mistakes, checker).

The learner writes ``generate_greedy(model, prompt, n)``: the prompt goes through the model once, with an empty
``KVCache``, and then each step feeds only the newest token. The checker compares the tokens with
``GPT.generate(..., temperature=0)`` on small seeded models, then runs the learner's function once more on a model
that records every call, to check that no token went through the model twice. ``nb05`` re-exports
``check_generate_greedy``.
"""

from __future__ import annotations

import contextlib
import io

import torch

from helpers.gpt import GPT, GPTConfig
from helpers.teaching.checks import (CheckFailed, CheckResult, Hints, Mistake, _report, check_function, hint_level, ladder_text,
                                     passed)

__all__ = ["generate_greedy", "check_generate_greedy"]


@torch.no_grad()
def generate_greedy(model: GPT, prompt: torch.Tensor, n: int) -> torch.Tensor:
    """Reference: ``prompt (B, T0)`` -> ``(B, T0 + n)``, the prompt fed once, then one new token per step."""
    cache = model.new_cache(prompt.shape[0])                     # keys and values of no tokens yet
    logits = model(prompt, cache=cache)[:, -1]                   # (B, V): the prompt in one call
    out = prompt
    for _ in range(n):
        nxt = logits.argmax(dim=-1, keepdim=True)                # (B, 1): the most likely next token
        out = torch.cat([out, nxt], dim=1)
        logits = model(nxt, cache=cache)[:, -1]                  # only the newest token goes in
    return out


@torch.no_grad()
def _gen_no_prompt(model, prompt, n):                            # the cache never sees the prompt but its last token
    cache, out = model.new_cache(prompt.shape[0]), prompt
    for _ in range(n):
        nxt = model(out[:, -1:], cache=cache)[:, -1].argmax(dim=-1, keepdim=True)
        out = torch.cat([out, nxt], dim=1)
    return out


@torch.no_grad()
def _gen_first_position(model, prompt, n):                       # the prediction after the prompt's first token
    cache = model.new_cache(prompt.shape[0])
    logits, out = model(prompt, cache=cache)[:, 0], prompt
    for _ in range(n):
        nxt = logits.argmax(dim=-1, keepdim=True)
        out = torch.cat([out, nxt], dim=1)
        logits = model(nxt, cache=cache)[:, -1]
    return out


@torch.no_grad()
def _gen_last_token_twice(model, prompt, n):                     # the prompt, then its last token once more
    cache, out = model.new_cache(prompt.shape[0]), prompt
    model(prompt, cache=cache)
    for _ in range(n):
        nxt = model(out[:, -1:], cache=cache)[:, -1].argmax(dim=-1, keepdim=True)
        out = torch.cat([out, nxt], dim=1)
    return out


@torch.no_grad()
def _gen_whole_text(model, prompt, n):                           # the whole text again at every step, cache and all
    cache, out = model.new_cache(prompt.shape[0]), prompt
    for _ in range(n):
        nxt = model(out, cache=cache)[:, -1].argmax(dim=-1, keepdim=True)
        out = torch.cat([out, nxt], dim=1)
    return out


def _small_gpt(seed: int) -> GPT:
    """A seeded GPT whose weights are large enough that no two logits are nearly tied (greedy stays exact)."""
    with torch.random.fork_rng():                                # leave the learner's random numbers alone
        torch.manual_seed(seed)
        model = GPT(GPTConfig(vocab_size=48, block_size=128, n_layer=2, n_head=2, d_model=16))
        with torch.no_grad():
            for p in model.parameters():
                p.normal_(0.0, 0.3)
    return model.eval()


def _cases():
    """(model, prompt (B, T0), n): three sizes; a whole-text mistake stays within block_size (no exception)."""
    out = []
    for seed, b, t0, n in ((0, 1, 4, 8), (1, 2, 5, 8), (2, 3, 1, 10)):
        prompt = torch.randint(0, 48, (b, t0), generator=torch.Generator().manual_seed(10 + seed))
        out.append((_small_gpt(seed), prompt, n))
    return out


def _reference(model, prompt, n):
    return model.generate(prompt, n, temperature=0)              # helpers.gpt: greedy, with its own cache


_CODE = ("cache = model.new_cache(prompt.shape[0]); logits = model(prompt, cache=cache)[:, -1]; out = prompt\n"
         "         for _ in range(n): nxt = logits.argmax(dim=-1, keepdim=True); out = torch.cat([out, nxt], dim=1); "
         "logits = model(nxt, cache=cache)[:, -1]")
_RULE = ("the cache holds the keys and values of every token the model has read. First call: the whole prompt "
         "(B, T0), logits (B, T0, V); the next token comes from the last position, logits[:, -1]. Every later call: "
         "only the token just chosen, (B, 1), which continues at position T0, T0 + 1, ...")
_MISTAKES = [
    Mistake(_gen_no_prompt, "the model never read the prompt, only its last token: feed the whole prompt through "
                            "the model (with the cache) before the first new token.",
            concept=_RULE, code=_CODE),
    Mistake(_gen_first_position, "your first new token is the prediction after the prompt's *first* token. The "
                                 "next token comes from the last position: logits[:, -1].",
            concept=_RULE, code=_CODE),
    Mistake(_gen_last_token_twice, "the prompt's last token went into the cache twice: after the prompt, the "
                                   "logits of its last position already predict the first new token.",
            concept=_RULE, code=_CODE),
    Mistake(_gen_whole_text, "each step feeds the whole text again, but the cache already holds it, so the model "
                             "reads every token several times, at later and later positions. With a cache, feed "
                             "only the newest token.",
            concept=_RULE, code=_CODE),
]
_HINTS = Hints(nudge="make an empty cache with model.new_cache(B); feed the prompt once with cache=cache; then at "
                     "each step take the argmax of the last position's logits, append it, and feed only that token.",
               concept=_RULE, code=_CODE)
_NAME = "exercise 5 (greedy generation with the KV cache)"


class _Recorder:
    """Stands in for a GPT and records, for every call, how many tokens went in and whether a cache came along."""

    def __init__(self, model: GPT):
        self._model, self.calls = model, []

    def __call__(self, idx, *args, **kwargs):
        self.calls.append((int(idx.shape[1]), kwargs.get("cache") is not None))
        return self._model(idx, *args, **kwargs)

    forward = __call__

    def __getattr__(self, name):
        return getattr(self._model, name)


def _process_problem(fn) -> tuple[str, str] | None:
    """(nudge, concept) when the tokens are right but the model did more work than a cache needs; else ``None``."""
    model, prompt, n = _cases()[1]
    recorder = _Recorder(model)
    fn(recorder, prompt, n)
    calls = recorder.calls
    if not calls:
        return ("your tokens are right, but your function never called the model itself (model(idx, cache=...)). "
                "Write the loop yourself instead of calling generate.", _RULE)
    if not all(cached for _, cached in calls):
        k = next(i for i, (_, cached) in enumerate(calls) if not cached)
        return (f"your tokens are right, but call {k + 1} of the model went without the cache, so it computed the "
                "keys and values of the whole text again. Pass cache=cache in every call.", _RULE)
    fed, text = sum(t for t, _ in calls), prompt.shape[1] + n
    if fed > text or any(t > 1 for t, _ in calls[1:]):
        return (f"your tokens are right, but the model read {fed} tokens for a text of {text}: some tokens went "
                "through it more than once. After the prompt, feed only the newest token, shape (B, 1).", _RULE)
    return None


def check_generate_greedy(fn, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 5: ``fn(model, prompt, n)`` must give the tokens of ``model.generate(prompt, n, temperature=0)``
    on three small seeded GPTs, and feed every token through the model only once (a recording model checks it)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):          # its tick is printed only once the process is checked too
        result = check_function(fn, _reference, _cases(), mistakes=_MISTAKES, hints=_HINTS, name=_NAME, hint=hint)
    if not result:
        print(printed.getvalue(), end="")
        if strict:
            raise CheckFailed(f"{_NAME}: {result.message}")
        return result
    problem = _process_problem(fn)
    if problem is None:
        passed(_NAME)
        return _report(True, _NAME, "the same tokens as helpers.gpt's generate, each token through the model once.",
                       strict)
    nudge, concept = problem
    return _report(False, _NAME, ladder_text(hint_level(_NAME, hint), nudge, concept, _CODE), strict)
