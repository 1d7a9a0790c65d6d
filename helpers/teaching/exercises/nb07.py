"""Notebooks 07a and 07b (scaling; fine-tuning and images as tokens): reference answers, mistakes, checkers.

Exercises, in the order of the notebooks:

1. (07a) ``power_law_alpha(n, loss, c)`` -> the exponent ``alpha`` of ``loss = a·n^(-alpha) + c``   -> ``check_alpha(fn)``
2. (07a) the training compute of GPT-3 by the 6·N·D rule, in FLOPs                         -> ``check_gpt3_flops(answer)``
3. (07b) ``instruction_targets(ids, n_prompt)`` -> ``(idx, targets)``, the prompt masked with -100 -> ``check_targets(fn)``
4. (07b) ``image_tokens(image, levels, first_pixel)`` -> the image's token ids, row by row     -> ``check_image_tokens(fn)``

Every checker prints ✅ or ❌ with a hint and returns a ``CheckResult``; it raises only with
``strict=True`` (the Solutions sections and the tests use that).
"""

from __future__ import annotations

import numpy as np
import torch

from helpers.teaching.checks import CheckResult, Mistake, check_function, check_value

IGNORE = -100


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


def check_alpha(fn, *, strict: bool = False) -> CheckResult:
    n = np.array([3e3, 1e4, 5e4, 1e5, 3e5, 1e6])
    cases = [(n, 4.0 * n ** -0.3 + 1.5, 1.5), (n, 9.0 * n ** -0.1 + 0.5, 0.5), (n[:4], 2.0 * n[:4] ** -0.5 + 2.0, 2.0)]
    mistakes = [
        Mistake(_alpha_no_c, "subtract the floor c before taking the logarithm: only loss - c is a straight line "
                             "in log-log axes"),
        Mistake(_alpha_sign, "the law is n^(-alpha): the fitted slope is negative, and alpha is minus the slope"),
        Mistake(_alpha_linear_n, "take the logarithm of the sizes too: fit log(loss - c) against log(n)"),
        Mistake(_alpha_linear_loss, "take the logarithm of loss - c too: a power law is a line in log-log axes"),
    ]
    return check_function(fn, power_law_alpha, cases, mistakes=mistakes, name="exercise 1 (power-law exponent)",
                          atol=1e-6, rtol=1e-4, strict=strict)


# --- exercise 2: compute by 6·N·D -------------------------------------------------------------------

GPT3_PARAMS, GPT3_TOKENS = 175e9, 300e9


def gpt3_flops() -> float:
    """Reference: 6 · N · D for GPT-3 (N = 175e9 parameters, D = 300e9 tokens)."""
    return 6 * GPT3_PARAMS * GPT3_TOKENS


def check_gpt3_flops(answer, *, strict: bool = False) -> CheckResult:
    n, d = GPT3_PARAMS, GPT3_TOKENS
    hints = {
        2 * n * d: "2·N·D is the forward pass only; the backward pass costs about twice as much again: 6·N·D",
        n * d: "each parameter costs a multiply and an add (2 FLOPs) per token forward, and twice that backward: "
               "6·N·D in all",
        6 * n: "multiply by the number of training tokens D as well",
        6 * d: "multiply by the number of parameters N as well",
        4 * n * d: "forward (2·N·D) plus backward (4·N·D) is 6·N·D",
    }
    return check_value(answer, gpt3_flops(), name="exercise 2 (GPT-3's compute)", hints=hints, rtol=1e-3,
                       strict=strict)


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


def check_targets(fn, *, strict: bool = False) -> CheckResult:
    g = torch.Generator().manual_seed(0)
    cases = [(torch.tensor([2, 11, 12, 13, 20, 21, 2]), 4), (torch.randint(4, 99, (15,), generator=g), 9),
             (torch.tensor([2, 7, 8, 2]), 2)]
    mistakes = [
        Mistake(_targets_no_mask, "the prompt's positions must not count: set their targets to -100 "
                                  "(IGNORE_INDEX), so the model is trained only to answer"),
        Mistake(_targets_off_by_one, "one too many masked: the target at position n_prompt - 1 is the first answer "
                                     "token, and it must be learned (mask targets[:n_prompt - 1])"),
        Mistake(_targets_mask_answer, "you masked the answer; mask the prompt instead (the first n_prompt - 1 targets)"),
        Mistake(_targets_unshifted, "targets are the ids shifted by one: ids[1:], not ids[:-1]"),
        Mistake(_targets_zero, "0 is a real token id (<pad>); the loss ignores only -100"),
    ]
    return check_function(fn, instruction_targets, cases, mistakes=mistakes, name="exercise 3 (answer-only targets)",
                          strict=strict)


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


def check_image_tokens(fn, *, strict: bool = False) -> CheckResult:
    rng = np.random.default_rng(0)
    cases = [(rng.uniform(0, 1, (4, 4)), 4, 4), (rng.uniform(0, 1, (3, 3)), 2, 10),
             (np.array([[0.0, 0.4], [0.6, 1.0]]), 4, 4), (rng.uniform(0, 1, (5, 5)), 8, 6)]

    def as_list(f):
        return lambda *a: [int(v) for v in np.asarray(f(*a)).reshape(-1)]

    mistakes = [
        Mistake(_tokens_floor, "round to the nearest level: 0.6 of 3 steps is 1.8, level 2 (np.rint), not 1"),
        Mistake(_tokens_columns, "read the image row by row (reshape(-1) of the array), not column by column"),
        Mistake(_tokens_no_offset, "the pixel ids start at first_pixel: ids below it are <pad>, <eos>, <img> and "
                                   "</img>"),
        Mistake(_tokens_levels, "levels grey levels are 0 .. levels - 1: multiply by levels - 1"),
    ]
    return check_function(as_list(fn), image_tokens, cases, mistakes=mistakes, name="exercise 4 (image as tokens)",
                          strict=strict)
