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
with ``strict=True`` (the Solutions sections and the tests use that).
"""

from __future__ import annotations

import torch

from helpers.teaching.checks import CheckResult, Mistake, _report, check_function

IGNORE = -100


# --- 06a exercise 1: a pair as text -------------------------------------------------------------

def as_text(zh_tokens, en_tokens) -> list[str]:
    """Reference: ``<zh> source <en> target <eos>``."""
    return ["<zh>", *zh_tokens, "<en>", *en_tokens, "<eos>"]


def check_as_text(fn, *, strict: bool = False) -> CheckResult:
    cases = [(["我", "看", "书", "。"], ["i", "read", "books", "."]), (["好"], ["good"]), (["他", "来"], [])]
    mistakes = [
        Mistake(lambda zh, en: ["<zh>", *zh, "<en>", *en], "end the text with <eos>: that is how the model "
                                                          "learns to stop writing"),
        Mistake(lambda zh, en: [*zh, "<en>", *en, "<eos>"], "open the text with <zh>: the marker says which "
                                                           "language the source is in"),
        Mistake(lambda zh, en: ["<zh>", *zh, *en, "<eos>"], "put <en> between the two sentences: it tells the "
                                                           "model what to write next"),
        Mistake(lambda zh, en: ["<en>", *en, "<zh>", *zh, "<eos>"], "the source comes first: Chinese, then the "
                                                                   "English the model must write"),
    ]
    return check_function(fn, as_text, cases, mistakes=mistakes, name="exercise 1 (a pair as text)", strict=strict)


# --- 06a exercise 2: the prefix-LM mask ---------------------------------------------------------

def prefix_lm_mask(t: int, p: int) -> torch.Tensor:
    """Reference: causal, plus every query may see the first ``p`` keys. ``(t, t)`` bool."""
    mask = torch.tril(torch.ones(t, t, dtype=torch.bool))
    mask[:, :p] = True
    return mask


def check_prefix_lm_mask(fn, *, strict: bool = False) -> CheckResult:
    name = "exercise 2 (prefix-LM mask)"
    cases = [(6, 3), (5, 0), (4, 4), (7, 1)]
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
            return _report(False, name, f"prefix_lm_mask({t}, {p}) should be a ({t}, {t}) bool tensor "
                                        f"(True = may attend)", strict)
        if torch.equal(got, ~want):
            return _report(False, name, "not yet. Hint: True means *may attend*; yours marks the blocked pairs",
                           strict)
        if not torch.equal(got, want):
            extra = torch.nonzero(got & ~want)
            if len(extra):
                q, k = extra[0].tolist()
                return _report(False, name, f"not yet. Hint: with a prompt of {p}, your mask lets position {q} "
                                            f"see position {k}: that is the future, outside the prompt", strict)
            q, k = torch.nonzero(want & ~got)[0].tolist()
            why = "the prompt is read bidirectionally: everyone sees it" if k < p else "itself and the past"
            return _report(False, name, f"not yet. Hint: position {q} must see position {k} ({why})", strict)
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


def check_time_to_loss(fn, *, strict: bool = False) -> CheckResult:
    cases = [([1, 2, 3, 4], [3.0, 2.0, 1.5, 1.0], 2.0), ([5, 10, 15], [4.0, 3.0, 2.0], 1.0),
             ([1, 2, 3], [2.0, 1.0, 1.5], 1.5), ([2, 4], [0.5, 0.4], 1.0)]
    mistakes = [
        Mistake(_ttl_strict, "'reaches the threshold' includes touching it: use <=, not <"),
        Mistake(_ttl_last, "return the *first* time the curve gets there, not the last"),
        Mistake(_ttl_zero, "a curve that never reaches the threshold has no such time: return None, not 0"),
    ]
    return check_function(fn, time_to_loss, cases, mistakes=mistakes, name="exercise 3 (time to a loss)",
                          strict=strict)


# --- 06b exercise 4: loss targets that ignore the prompt ----------------------------------------

def loss_targets(ids, prompt_len: int) -> list[int]:
    """Reference: targets = ids shifted by one, with the first ``prompt_len - 1`` set to -100."""
    targets = list(ids[1:])
    return [IGNORE] * (prompt_len - 1) + targets[prompt_len - 1:]


def check_loss_targets(fn, *, strict: bool = False) -> CheckResult:
    cases = [([4, 10, 11, 5, 20, 21, 2], 4), ([4, 9, 5, 30, 2], 3), ([7, 8, 2], 1)]
    mistakes = [
        Mistake(lambda ids, n: [IGNORE] * n + list(ids[1:])[n:], "one position too many is ignored: the position "
                "that reads the last prompt token must predict the first answer token"),
        Mistake(lambda ids, n: list(ids[1:]), "the prompt's own next tokens must be ignored (-100): only the answer "
                                              "is learned"),
        Mistake(lambda ids, n: [IGNORE] * (n - 1) + list(ids[n - 1:-1]), "shift by one: the target at position t "
                                                                          "is the token at t + 1"),
    ]
    return check_function(fn, loss_targets, cases, mistakes=mistakes, name="exercise 4 (loss targets)",
                          strict=strict)


# --- 06b exercise 5: an unpaired split ---------------------------------------------------------

def unpaired_split(pairs):
    """Reference: Chinese of the first half, English of the second half: no sentence meets its translation."""
    half = len(pairs) // 2
    return [zh for zh, _ in pairs[:half]], [en for _, en in pairs[half:]]


def check_unpaired_split(fn, *, strict: bool = False) -> CheckResult:
    name = "exercise 5 (unpaired text)"
    pairs = [(f"中{i}", f"en{i}") for i in range(10)]
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
        return _report(False, name, "not yet. Hint: both lists need sentences: half the Chinese, half the English",
                       strict)
    if zh_ids & en_ids:
        both = sorted(zh_ids & en_ids)[0]
        return _report(False, name, f"not yet. Hint: pair {both} gives both its Chinese and its English: the model "
                                    "could learn the translation from them. Take the two languages from different "
                                    "pairs", strict)
    if len(zh) + len(en) < len(pairs):
        return _report(False, name, "not yet. Hint: use every pair once: one half for Chinese, the other for English",
                       strict)
    return _report(True, name, "correct: every pair gives one sentence, and no sentence meets its translation.",
                   strict)


# --- 06c exercise 6: fill in the middle --------------------------------------------------------

def fim_rewrite(words, j: int) -> tuple[list[str], list[str]]:
    """Reference: prompt ``<pre> prefix <suf> suffix <mid>``, answer ``[words[j], "<eos>"]``."""
    return ["<pre>", *words[:j], "<suf>", *words[j + 1:], "<mid>"], [words[j], "<eos>"]


def check_fim_rewrite(fn, *, strict: bool = False) -> CheckResult:
    cases = [(["i", "read", "a", "book", "."], 1), (["we", "will", "go", "."], 2), (["tom", "runs", "."], 0)]
    mistakes = [
        Mistake(lambda w, j: (["<pre>", *w[:j], "<mid>"], [w[j], "<eos>"]),
                "the point of the rewrite is to show the suffix: put <suf> and the words after the blank in the prompt"),
        Mistake(lambda w, j: (["<pre>", *w[:j], "<suf>", *w[j:], "<mid>"], [w[j], "<eos>"]),
                "the suffix starts *after* the blank: w[j + 1:], or the answer is in the prompt"),
        Mistake(lambda w, j: (["<pre>", *w[:j], "<mid>", "<suf>", *w[j + 1:]], [w[j], "<eos>"]),
                "<mid> goes last in the prompt: the model writes the middle right after it"),
    ]
    return check_function(fn, fim_rewrite, cases, mistakes=mistakes, name="exercise 6 (fill in the middle)",
                          strict=strict)


# --- 06c exercise 7: the verdict rule ----------------------------------------------------------

def three_way(value: float, margin: float) -> str:
    """Reference: 'supported' above the margin, 'not supported' below minus the margin, else undecided."""
    if value > margin:
        return "supported"
    if value < -margin:
        return "not supported"
    return "not decidable"


def check_three_way(fn, *, strict: bool = False) -> CheckResult:
    cases = [(5.0, 3.0), (-5.0, 3.0), (1.0, 3.0), (-2.9, 3.0), (3.0, 3.0), (0.0, 0.5)]
    mistakes = [
        Mistake(lambda v, m: "supported" if v >= m else ("not supported" if v <= -m else "not decidable"),
                "exactly at the margin is still inside it: use > margin and < -margin"),
        Mistake(lambda v, m: "supported" if v > 0 else "not supported", "a difference inside the margin decides "
                "nothing: return 'not decidable' when -margin <= value <= margin"),
        Mistake(lambda v, m: "supported" if v > m else ("not supported" if v < m else "not decidable"),
                "'not supported' needs the value below *minus* the margin"),
    ]
    return check_function(fn, three_way, cases, mistakes=mistakes, name="exercise 7 (the verdict rule)",
                          strict=strict)
