"""Notebooks 06a–06c (why decoder-only?): reference answers, typical mistakes and checkers.

Exercises, in the order of the notebooks:

06a 1. ``as_text(zh_tokens, en_tokens)`` -> the decoder-only training text   -> ``check_as_text(fn)``
06a 2. ``prefix_lm_mask(t, p)`` -> ``(t, t)`` bool, True = may attend         -> ``check_prefix_lm_mask(fn)``
06a 3. ``time_to_loss(seconds, losses, threshold)`` -> seconds or None        -> ``check_time_to_loss(fn)``
06b 4. ``loss_targets(ids, prompt_len)`` -> next-token targets, prompt ignored -> ``check_loss_targets(fn)``
06b 5. ``unpaired_split(pairs)`` -> (Chinese sentences, English sentences)    -> ``check_unpaired_split(fn)``
06c 6. ``fim_rewrite(words, j)`` -> the fill-in-the-middle prompt and answer  -> ``check_fim_rewrite(fn)``
06c 7. ``three_way(value, margin)`` -> the verdict rule of the claims table   -> ``check_three_way(fn)``

Every checker prints ✅ or ❌ with a hint and returns a ``CheckResult``; it raises only
with ``strict=True`` (the Solutions sections and the tests use that). Hints come in steps: a nudge in words on the
first failure, the concept on the next one, the code only when asked for with ``hint=3``.
"""

from __future__ import annotations

import torch

from helpers.teaching.checks import (CheckResult, Hints, Mistake, _report, check_function, hint_level, ladder_text,
                                     passed)

IGNORE = -100


def _code(*lines: str) -> str:
    """Lines of code for hint level 3, each under the one before (after the ``Code:`` label)."""
    return "\n         ".join(lines)


# --- 06a exercise 1: a pair as text -------------------------------------------------------------

def as_text(zh_tokens, en_tokens) -> list[str]:
    """Reference: ``<zh> source <en> target <eos>``."""
    return ["<zh>", *zh_tokens, "<en>", *en_tokens, "<eos>"]


_AS_TEXT_CONCEPT = ("the text has five parts in this order: <zh>, the Chinese tokens, <en>, the English tokens, "
                    "<eos>. So its length is len(zh) + len(en) + 3")
_AS_TEXT_CODE = 'return ["<zh>", *zh_tokens, "<en>", *en_tokens, "<eos>"]'


def check_as_text(fn, *, strict: bool = False, hint: int | None = None) -> CheckResult:
    cases = [(["我", "看", "书", "。"], ["i", "read", "books", "."]), (["好"], ["good"]), (["他", "来"], [])]
    mistakes = [
        Mistake(lambda zh, en: ["<zh>", *zh, "<en>", *en], "end the text with <eos>: that is how the model "
                                                          "learns to stop writing",
                concept=_AS_TEXT_CONCEPT, code=_AS_TEXT_CODE),
        Mistake(lambda zh, en: [*zh, "<en>", *en, "<eos>"], "open the text with <zh>: the marker says which "
                                                           "language the source is in",
                concept=_AS_TEXT_CONCEPT, code=_AS_TEXT_CODE),
        Mistake(lambda zh, en: ["<zh>", *zh, *en, "<eos>"], "put <en> between the two sentences: it tells the "
                                                           "model what to write next",
                concept=_AS_TEXT_CONCEPT, code=_AS_TEXT_CODE),
        Mistake(lambda zh, en: ["<en>", *en, "<zh>", *zh, "<eos>"], "the source comes first: Chinese, then the "
                                                                   "English the model must write",
                concept=_AS_TEXT_CONCEPT, code=_AS_TEXT_CODE),
    ]
    hints = Hints("compare your list with the text format of §1: a marker, the Chinese, a marker, the English, "
                  "an end marker. Each marker appears once.", _AS_TEXT_CONCEPT, _AS_TEXT_CODE)
    return check_function(fn, as_text, cases, mistakes=mistakes, hints=hints, hint=hint,
                          name="exercise 1 (a pair as text)", strict=strict)


# --- 06a exercise 2: the prefix-LM mask ---------------------------------------------------------

def prefix_lm_mask(t: int, p: int) -> torch.Tensor:
    """Reference: causal, plus every query may see the first ``p`` keys. ``(t, t)`` bool."""
    mask = torch.tril(torch.ones(t, t, dtype=torch.bool))
    mask[:, :p] = True
    return mask


_MASK_CONCEPT = ("the mask has shape (t, t): row q is a query, column k a key. mask[q, k] is True when k < p "
                 "(the prompt: every row sees it) or k <= q (itself and the past); every other entry is False")
_MASK_CODE = _code("mask = torch.tril(torch.ones(t, t, dtype=torch.bool))   # itself and the past",
                   "mask[:, :p] = True                                      # + the whole prompt, for everyone",
                   "return mask")


def check_prefix_lm_mask(fn, *, strict: bool = False, hint: int | None = None) -> CheckResult:
    name = "exercise 2 (prefix-LM mask)"
    cases = [(6, 3), (5, 0), (4, 4), (7, 1)]

    def fail(text: str, nudge: str) -> CheckResult:
        level = hint_level(name, hint)
        return _report(False, name, text + ladder_text(level, nudge, _MASK_CONCEPT, _MASK_CODE), strict)

    for t, p in cases:
        try:
            got = fn(t, p)
        except NotImplementedError:
            return _report(False, name, "not written yet: replace the `raise NotImplementedError` with your code.",
                           strict)
        except Exception as err:
            return _report(False, name, f"prefix_lm_mask({t}, {p}) raised {type(err).__name__}: {err}", strict)
        want = prefix_lm_mask(t, p)
        if not isinstance(got, torch.Tensor) or tuple(got.shape) != (t, t) or got.dtype != torch.bool:
            return fail(f"prefix_lm_mask({t}, {p}) should be a ({t}, {t}) bool tensor (True = may attend).\n   ",
                        "build a square table of True and False values, one row per position; numbers 0 and 1 "
                        "are not enough")
        if torch.equal(got, ~want):
            return fail("not yet. ", "True means *may attend*; yours marks the blocked pairs")
        if not torch.equal(got, want):
            extra = torch.nonzero(got & ~want)
            if len(extra):
                q, k = extra[0].tolist()
                return fail("not yet. ", f"with a prompt of {p}, your mask lets position {q} see position {k}: "
                                         "that is the future, outside the prompt")
            q, k = torch.nonzero(want & ~got)[0].tolist()
            why = "the prompt is read bidirectionally: everyone sees it" if k < p else "itself and the past"
            return fail("not yet. ", f"position {q} must see position {k} ({why})")
    passed(name)
    return _report(True, name, "correct for prompts of 0, 1, 3 and the whole sequence.", strict)


# --- 06a exercise 3: time to a loss -------------------------------------------------------------

def time_to_loss(seconds, losses, threshold):
    """Reference: the first time the curve is at or below the threshold, else None."""
    for s, loss in zip(seconds, losses):
        if loss <= threshold:
            return s
    return None


def _ttl_strict(seconds, losses, threshold):
    for s, loss in zip(seconds, losses):
        if loss < threshold:
            return s
    return None


def _ttl_last(seconds, losses, threshold):
    hits = [s for s, loss in zip(seconds, losses) if loss <= threshold]
    return hits[-1] if hits else None


def _ttl_zero(seconds, losses, threshold):
    out = time_to_loss(seconds, losses, threshold)
    return 0.0 if out is None else out


_TTL_CONCEPT = ("the answer is seconds[i] for the smallest i with losses[i] <= threshold (equal counts); "
                "if there is no such i, the answer is None")
_TTL_CODE = _code("for s, loss in zip(seconds, losses):",
                  "    if loss <= threshold:",
                  "        return s",
                  "return None")


def check_time_to_loss(fn, *, strict: bool = False, hint: int | None = None) -> CheckResult:
    cases = [([1, 2, 3, 4], [3.0, 2.0, 1.5, 1.0], 2.0), ([5, 10, 15], [4.0, 3.0, 2.0], 1.0),
             ([1, 2, 3], [2.0, 1.0, 1.5], 1.5), ([2, 4], [0.5, 0.4], 1.0)]
    mistakes = [
        Mistake(_ttl_strict, "'reaches the threshold' includes touching it: a loss equal to the threshold counts",
                concept=_TTL_CONCEPT, code=_TTL_CODE),
        Mistake(_ttl_last, "give the *first* time the curve gets there, not the last",
                concept=_TTL_CONCEPT, code=_TTL_CODE),
        Mistake(_ttl_zero, "a curve that never reaches the threshold has no such time. Zero looks like a real "
                           "time (at once); the exercise asks for None",
                concept=_TTL_CONCEPT, code=_TTL_CODE),
    ]
    hints = Hints("walk along the curve in time order and stop at the first point that is at or below the "
                  "threshold; give its time.", _TTL_CONCEPT, _TTL_CODE)
    return check_function(fn, time_to_loss, cases, mistakes=mistakes, hints=hints, hint=hint,
                          name="exercise 3 (time to a loss)", strict=strict)


# --- 06b exercise 4: loss targets that ignore the prompt ----------------------------------------

def loss_targets(ids, prompt_len: int) -> list[int]:
    """Reference: targets = ids shifted by one, with the first ``prompt_len - 1`` set to -100."""
    targets = list(ids[1:])
    return [IGNORE] * (prompt_len - 1) + targets[prompt_len - 1:]


_TARGETS_CONCEPT = ("target i is the token at i + 1, so there are len(ids) - 1 targets. Targets 0 .. prompt_len - 2 "
                    "are prompt tokens and become -100; from target prompt_len - 1 on (the first answer token), "
                    "keep them")
_TARGETS_CODE = _code("targets = list(ids[1:])                                   # next-token targets",
                      "return [-100] * (prompt_len - 1) + targets[prompt_len - 1:]")


def check_loss_targets(fn, *, strict: bool = False, hint: int | None = None) -> CheckResult:
    cases = [([4, 10, 11, 5, 20, 21, 2], 4), ([4, 9, 5, 30, 2], 3), ([7, 8, 2], 1)]
    mistakes = [
        Mistake(lambda ids, n: [IGNORE] * n + list(ids[1:])[n:], "one position too many is ignored: the position "
                "that reads the last prompt token must predict the first answer token",
                concept=_TARGETS_CONCEPT, code=_TARGETS_CODE),
        Mistake(lambda ids, n: list(ids[1:]), "the prompt's own next tokens must be ignored (-100): only the answer "
                                              "is learned",
                concept=_TARGETS_CONCEPT, code=_TARGETS_CODE),
        Mistake(lambda ids, n: [IGNORE] * (n - 1) + list(ids[n - 1:-1]), "your targets are not shifted by one: "
                "each position must predict the *next* token, not its own",
                concept=_TARGETS_CONCEPT, code=_TARGETS_CODE),
    ]
    hints = Hints("first write the next-token targets (the text moved one step to the left), then hide the ones "
                  "that are still prompt tokens with -100.", _TARGETS_CONCEPT, _TARGETS_CODE)
    return check_function(fn, loss_targets, cases, mistakes=mistakes, hints=hints, hint=hint,
                          name="exercise 4 (loss targets)", strict=strict)


# --- 06b exercise 5: an unpaired split ---------------------------------------------------------

def unpaired_split(pairs):
    """Reference: Chinese of the first half, English of the second half: no sentence meets its translation."""
    half = len(pairs) // 2
    return [zh for zh, _ in pairs[:half]], [en for _, en in pairs[half:]]


_SPLIT_CONCEPT = ("one simple way: cut the list of pairs into two halves, and take the Chinese sentence of each "
                  "pair in the first half and the English sentence of each pair in the second half. Every pair gives "
                  "one sentence, and no pair gives both")
_SPLIT_CODE = _code("half = len(pairs) // 2",
                    "return [zh for zh, _ in pairs[:half]], [en for _, en in pairs[half:]]")


def check_unpaired_split(fn, *, strict: bool = False, hint: int | None = None) -> CheckResult:
    name = "exercise 5 (unpaired text)"
    pairs = [(f"中{i}", f"en{i}") for i in range(10)]

    def fail(nudge: str) -> CheckResult:
        level = hint_level(name, hint)
        return _report(False, name, "not yet. " + ladder_text(level, nudge, _SPLIT_CONCEPT, _SPLIT_CODE), strict)

    try:
        zh, en = fn(list(pairs))
    except NotImplementedError:
        return _report(False, name, "not written yet: replace the `raise NotImplementedError` with your code.", strict)
    except Exception as err:
        return _report(False, name, f"raised {type(err).__name__}: {err} (return two lists: Chinese, English)",
                       strict)
    zh_ids = {s[1:] for s in zh}
    en_ids = {s[2:] for s in en}
    if not zh or not en:
        return fail("both lists need sentences: half the Chinese, half the English")
    if zh_ids & en_ids:
        both = sorted(zh_ids & en_ids)[0]
        return fail(f"pair {both} gives both its Chinese and its English: the model could learn the translation "
                    "from them. Take the two languages from different pairs")
    if len(zh) + len(en) < len(pairs):
        return fail("use every pair once: one half for Chinese, the other for English")
    passed(name)
    return _report(True, name, "correct: every pair gives one sentence, and no sentence meets its translation.",
                   strict)


# --- 06c exercise 6: fill in the middle --------------------------------------------------------

def fim_rewrite(words, j: int) -> tuple[list[str], list[str]]:
    """Reference: prompt ``<pre> prefix <suf> suffix <mid>``, answer ``[words[j], "<eos>"]``."""
    return ["<pre>", *words[:j], "<suf>", *words[j + 1:], "<mid>"], [words[j], "<eos>"]


_FIM_CONCEPT = ("the prompt is <pre>, the words before position j (the prefix), <suf>, the words after position j "
                "(the suffix: j + 1 to the end), <mid>. The answer is the word at position j, then <eos>")
_FIM_CODE = 'return ["<pre>", *words[:j], "<suf>", *words[j + 1:], "<mid>"], [words[j], "<eos>"]'


def check_fim_rewrite(fn, *, strict: bool = False, hint: int | None = None) -> CheckResult:
    cases = [(["i", "read", "a", "book", "."], 1), (["we", "will", "go", "."], 2), (["tom", "runs", "."], 0)]
    mistakes = [
        Mistake(lambda w, j: (["<pre>", *w[:j], "<mid>"], [w[j], "<eos>"]),
                "the point of the rewrite is to show the suffix: put <suf> and the words after the blank in the prompt",
                concept=_FIM_CONCEPT, code=_FIM_CODE),
        Mistake(lambda w, j: (["<pre>", *w[:j], "<suf>", *w[j:], "<mid>"], [w[j], "<eos>"]),
                "the suffix starts *after* the blank: yours also holds the blank word, so the answer is already in "
                "the prompt", concept=_FIM_CONCEPT, code=_FIM_CODE),
        Mistake(lambda w, j: (["<pre>", *w[:j], "<mid>", "<suf>", *w[j + 1:]], [w[j], "<eos>"]),
                "<mid> goes last in the prompt: the model writes the middle right after it",
                concept=_FIM_CONCEPT, code=_FIM_CODE),
    ]
    hints = Hints("return two lists: the prompt (prefix and suffix, each after its marker, then the marker for "
                  "the middle) and the answer (the missing word, then the end marker).", _FIM_CONCEPT, _FIM_CODE)
    return check_function(fn, fim_rewrite, cases, mistakes=mistakes, hints=hints, hint=hint,
                          name="exercise 6 (fill in the middle)", strict=strict)


# --- 06c exercise 7: the verdict rule ----------------------------------------------------------

def three_way(value: float, margin: float) -> str:
    """Reference: 'supported' above the margin, 'not supported' below minus the margin, else undecided."""
    if value > margin:
        return "supported"
    if value < -margin:
        return "not supported"
    return "not decidable"


_VERDICT_CONCEPT = ("three ranges: value > margin gives 'supported'; value < -margin gives 'not supported'; "
                    "-margin <= value <= margin (both ends included) gives 'not decidable'")
_VERDICT_CODE = _code('if value > margin:',
                      '    return "supported"',
                      'if value < -margin:',
                      '    return "not supported"',
                      'return "not decidable"')


def check_three_way(fn, *, strict: bool = False, hint: int | None = None) -> CheckResult:
    cases = [(5.0, 3.0), (-5.0, 3.0), (1.0, 3.0), (-2.9, 3.0), (3.0, 3.0), (0.0, 0.5)]
    mistakes = [
        Mistake(lambda v, m: "supported" if v >= m else ("not supported" if v <= -m else "not decidable"),
                "a value exactly at the margin is still inside it, so it decides nothing",
                concept=_VERDICT_CONCEPT, code=_VERDICT_CODE),
        Mistake(lambda v, m: "supported" if v > 0 else "not supported", "a difference inside the margin decides "
                "nothing: there is a third answer, 'not decidable'",
                concept=_VERDICT_CONCEPT, code=_VERDICT_CODE),
        Mistake(lambda v, m: "supported" if v > m else ("not supported" if v < m else "not decidable"),
                "'not supported' needs the value below *minus* the margin",
                concept=_VERDICT_CONCEPT, code=_VERDICT_CODE),
    ]
    hints = Hints("there are three answers: clearly above the margin, clearly below minus the margin, and "
                  "everything in between.", _VERDICT_CONCEPT, _VERDICT_CODE)
    return check_function(fn, three_way, cases, mistakes=mistakes, hints=hints, hint=hint,
                          name="exercise 7 (the verdict rule)", strict=strict)
