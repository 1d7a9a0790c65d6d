"""Notebooks 07a and 07b (scaling; fine-tuning and images as tokens): reference answers, mistakes, checkers.

Exercises, in the order of the notebooks:

1. (07a) ``power_law_alpha(n, loss, c)`` -> the exponent ``alpha`` of ``loss = a·n^(-alpha) + c``   -> ``check_alpha(fn)``
2. (07a) the training compute of GPT-3 by the 6·N·D rule, in FLOPs                         -> ``check_gpt3_flops(answer)``
3. (07b) ``instruction_targets(ids, n_prompt)`` -> ``(idx, targets)``, the prompt masked with -100 -> ``check_targets(fn)``
4. (07b) ``image_tokens(image, levels, first_pixel)`` -> the image's token ids, row by row     -> ``check_image_tokens(fn)``

Every checker prints ✅ or ❌ with a hint and returns a ``CheckResult``; it raises only with
``strict=True`` (the Solutions sections and the tests use that). Hints come in steps: a nudge in words on the
first failure, the concept on the next one, the code only when asked for with ``hint=3``.
"""

from __future__ import annotations

import numpy as np
import torch

from helpers.teaching.checks import CheckResult, Hints, Mistake, check_function, check_value

IGNORE = -100


def _code(*lines: str) -> str:
    """Lines of code for hint level 3, each under the one before (after the ``Code:`` label)."""
    return "\n         ".join(lines)


# --- exercise 1: the exponent of a power law --------------------------------------------------------

def power_law_alpha(n, loss, c):
    """Reference: the slope of ``log(loss - c)`` against ``log n``, negated (a float)."""
    slope, _ = np.polyfit(np.log(np.asarray(n, float)), np.log(np.asarray(loss, float) - c), 1)
    return float(-slope)


def _alpha_no_c(n, loss, c):
    return power_law_alpha(n, loss, 0.0)


def _alpha_sign(n, loss, c):
    return -power_law_alpha(n, loss, c)


def _alpha_linear_n(n, loss, c):
    slope, _ = np.polyfit(np.asarray(n, float), np.log(np.asarray(loss, float) - c), 1)
    return float(-slope)


def _alpha_linear_loss(n, loss, c):
    slope, _ = np.polyfit(np.log(np.asarray(n, float)), np.asarray(loss, float) - c, 1)
    return float(-slope)


_ALPHA_CONCEPT = ("take the logarithm of loss - c = a·n^(-alpha): log(loss - c) = log(a) - alpha·log(n). That is a "
                  "straight line with x = log(n) and y = log(loss - c); its slope is -alpha, so alpha = -slope")
_ALPHA_CODE = _code("slope, _ = np.polyfit(np.log(n), np.log(np.asarray(loss) - c), 1)",
                    "return float(-slope)")


def check_alpha(fn, *, strict: bool = False, hint: int | None = None) -> CheckResult:
    n = np.array([3e3, 1e4, 5e4, 1e5, 3e5, 1e6])
    cases = [(n, 4.0 * n ** -0.3 + 1.5, 1.5), (n, 9.0 * n ** -0.1 + 0.5, 0.5), (n[:4], 2.0 * n[:4] ** -0.5 + 2.0, 2.0)]
    mistakes = [
        Mistake(_alpha_no_c, "subtract the floor c first: only the part of the loss above the floor follows the "
                             "power law", concept=_ALPHA_CONCEPT, code=_ALPHA_CODE),
        Mistake(_alpha_sign, "your alpha has the wrong sign: the loss falls as n grows, so the fitted slope is "
                             "negative, and alpha is minus the slope", concept=_ALPHA_CONCEPT, code=_ALPHA_CODE),
        Mistake(_alpha_linear_n, "take the logarithm of the sizes too: a power law is a straight line only when both "
                                 "axes are logarithmic", concept=_ALPHA_CONCEPT, code=_ALPHA_CODE),
        Mistake(_alpha_linear_loss, "take the logarithm of loss - c too: a power law is a straight line only when "
                                    "both axes are logarithmic", concept=_ALPHA_CONCEPT, code=_ALPHA_CODE),
    ]
    hints = Hints("find the x and y in which the law is a straight line, fit that line, and read alpha from its "
                  "slope.", _ALPHA_CONCEPT, _ALPHA_CODE)
    return check_function(fn, power_law_alpha, cases, mistakes=mistakes, hints=hints, hint=hint,
                          name="exercise 1 (power-law exponent)", atol=1e-6, rtol=1e-4, strict=strict)


# --- exercise 2: compute by 6·N·D -------------------------------------------------------------------

GPT3_PARAMS, GPT3_TOKENS = 175e9, 300e9


def gpt3_flops() -> float:
    """Reference: 6 · N · D for GPT-3 (N = 175e9 parameters, D = 300e9 tokens)."""
    return 6 * GPT3_PARAMS * GPT3_TOKENS


def check_gpt3_flops(answer, *, strict: bool = False, hint: int | None = None) -> CheckResult:
    n, d = GPT3_PARAMS, GPT3_TOKENS
    hints = {
        2 * n * d: "this counts the forward pass only; the backward pass costs about twice as much again",
        n * d: "each parameter costs a multiply and an add (2 FLOPs) per token in the forward pass, and twice that "
               "in the backward pass",
        6 * n: "multiply by the number of training tokens D as well",
        6 * d: "multiply by the number of parameters N as well",
        4 * n * d: "this is the backward pass alone; add the forward pass",
    }
    ladder = Hints("count the FLOPs for one parameter and one token (forward and backward), then multiply by the "
                   "number of parameters and by the number of tokens.",
                   "C = 6·N·D FLOPs: 2 per parameter per token forward, 4 backward. For GPT-3, N = 175e9 "
                   "parameters and D = 300e9 tokens",
                   "gpt3_flops = 6 * 175e9 * 300e9")
    return check_value(answer, gpt3_flops(), name="exercise 2 (GPT-3's compute)", hints=hints, ladder=ladder,
                       hint=hint, rtol=1e-3, strict=strict)


# --- exercise 3: targets of an instruction example --------------------------------------------------

def instruction_targets(ids: torch.Tensor, n_prompt: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Reference: ``ids (L,)`` = prompt (``n_prompt`` tokens) + answer -> ``idx = ids[:-1]`` and
    ``targets = ids[1:]`` with the targets that are still prompt tokens set to -100."""
    idx, targets = ids[:-1], ids[1:].clone()
    targets[: n_prompt - 1] = IGNORE
    return idx, targets


def _targets_no_mask(ids, n_prompt):
    return ids[:-1], ids[1:].clone()


def _targets_off_by_one(ids, n_prompt):
    idx, targets = ids[:-1], ids[1:].clone()
    targets[:n_prompt] = IGNORE
    return idx, targets


def _targets_mask_answer(ids, n_prompt):
    idx, targets = ids[:-1], ids[1:].clone()
    targets[n_prompt - 1:] = IGNORE
    return idx, targets


def _targets_unshifted(ids, n_prompt):
    idx, targets = ids[:-1], ids[:-1].clone()
    targets[: n_prompt - 1] = IGNORE
    return idx, targets


def _targets_zero(ids, n_prompt):
    idx, targets = ids[:-1], ids[1:].clone()
    targets[: n_prompt - 1] = 0
    return idx, targets


_TARGETS_CONCEPT = ("for ids of shape (L,): idx is tokens 0 .. L - 2 and targets[i] = ids[i + 1], both of shape "
                    "(L - 1,). Targets 0 .. n_prompt - 2 are still prompt tokens and become -100; target n_prompt - 1 "
                    "is the first answer token and is kept")
_TARGETS_CODE = _code("idx, targets = ids[:-1], ids[1:].clone()     # next-token targets",
                      "targets[: n_prompt - 1] = -100               # prompt targets: ignored by the loss",
                      "return idx, targets")


def check_targets(fn, *, strict: bool = False, hint: int | None = None) -> CheckResult:
    g = torch.Generator().manual_seed(0)
    cases = [(torch.tensor([2, 11, 12, 13, 20, 21, 2]), 4), (torch.randint(4, 99, (15,), generator=g), 9),
             (torch.tensor([2, 7, 8, 2]), 2)]
    mistakes = [
        Mistake(_targets_no_mask, "the prompt's positions must not count: set their targets to -100, so the model "
                                  "is trained only to answer", concept=_TARGETS_CONCEPT, code=_TARGETS_CODE),
        Mistake(_targets_off_by_one, "one too many masked: the position that reads the last prompt token must "
                                     "predict the first answer token, and that must be learned",
                concept=_TARGETS_CONCEPT, code=_TARGETS_CODE),
        Mistake(_targets_mask_answer, "you masked the answer; mask the prompt instead",
                concept=_TARGETS_CONCEPT, code=_TARGETS_CODE),
        Mistake(_targets_unshifted, "your targets are not shifted by one: each position must predict the *next* "
                                    "token, not the one it reads", concept=_TARGETS_CONCEPT, code=_TARGETS_CODE),
        Mistake(_targets_zero, "0 is a real token id (<pad>); the loss ignores only -100",
                concept=_TARGETS_CONCEPT, code=_TARGETS_CODE),
    ]
    hints = Hints("return two tensors, each one token shorter than ids: what the model reads, and the next tokens "
                  "it must predict, with the prompt targets hidden by -100.", _TARGETS_CONCEPT, _TARGETS_CODE)
    return check_function(fn, instruction_targets, cases, mistakes=mistakes, hints=hints, hint=hint,
                          name="exercise 3 (answer-only targets)", strict=strict)


# --- exercise 4: an image as tokens -----------------------------------------------------------------

def image_tokens(image, levels: int, first_pixel: int) -> list[int]:
    """Reference: grey image ``(S, S)`` in [0, 1] -> ``S·S`` token ids, row by row: the level
    ``round(x · (levels - 1))`` plus ``first_pixel`` (the id of level 0)."""
    x = np.clip(np.asarray(image, dtype=float), 0, 1)
    return (np.rint(x * (levels - 1)).astype(int) + first_pixel).reshape(-1).tolist()


def _tokens_floor(image, levels, first_pixel):
    x = np.clip(np.asarray(image, dtype=float), 0, 1)
    return (np.floor(x * (levels - 1)).astype(int) + first_pixel).reshape(-1).tolist()


def _tokens_columns(image, levels, first_pixel):
    return image_tokens(np.asarray(image).T, levels, first_pixel)


def _tokens_no_offset(image, levels, first_pixel):
    return image_tokens(image, levels, 0)


def _tokens_levels(image, levels, first_pixel):
    x = np.clip(np.asarray(image, dtype=float), 0, 1)
    return (np.rint(x * levels).astype(int) + first_pixel).reshape(-1).tolist()


_IMAGE_CONCEPT = ("for each pixel x in [0, 1]: level = round(x·(levels - 1)), a whole number from 0 to levels - 1, "
                  "and id = level + first_pixel. An (S, S) image gives S·S ids: row 0 from left to right, then row 1, "
                  "and so on")
_IMAGE_CODE = _code("grey = np.clip(np.asarray(image, dtype=float), 0, 1)",
                    "return (np.rint(grey * (levels - 1)).astype(int) + first_pixel).reshape(-1).tolist()")


def check_image_tokens(fn, *, strict: bool = False, hint: int | None = None) -> CheckResult:
    rng = np.random.default_rng(0)
    cases = [(rng.uniform(0, 1, (4, 4)), 4, 4), (rng.uniform(0, 1, (3, 3)), 2, 10),
             (np.array([[0.0, 0.4], [0.6, 1.0]]), 4, 4), (rng.uniform(0, 1, (5, 5)), 8, 6)]

    def as_list(f):
        return lambda *a: [int(v) for v in np.asarray(f(*a)).reshape(-1)]

    mistakes = [
        Mistake(_tokens_floor, "round to the nearest level: 0.6 of 3 steps is 1.8, which is level 2, not 1",
                concept=_IMAGE_CONCEPT, code=_IMAGE_CODE),
        Mistake(_tokens_columns, "read the image row by row, not column by column",
                concept=_IMAGE_CONCEPT, code=_IMAGE_CODE),
        Mistake(_tokens_no_offset, "the pixel ids start at first_pixel: ids below it are <pad>, <eos>, <img> and "
                                   "</img>", concept=_IMAGE_CONCEPT, code=_IMAGE_CODE),
        Mistake(_tokens_levels, "there are levels grey levels, from 0 to levels - 1: a white pixel must get level "
                                "levels - 1, not levels", concept=_IMAGE_CONCEPT, code=_IMAGE_CODE),
    ]
    hints = Hints("turn each grey value into the nearest of the grey levels, move it up by first_pixel, and list "
                  "the pixels row by row.", _IMAGE_CONCEPT, _IMAGE_CODE)
    return check_function(as_list(fn), image_tokens, cases, mistakes=mistakes, hints=hints, hint=hint,
                          name="exercise 4 (image as tokens)", strict=strict)
