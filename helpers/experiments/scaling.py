"""Scaling laws at CPU scale: a ladder of GPT sizes, a power-law fit, and compute estimates.

Kaplan et al. (2020, *Scaling Laws for Neural Language Models*) trained GPTs from about 10^3 to
10^9 non-embedding parameters and found that, with enough data, the test loss falls as a power of
the model size: ``L(N) ≈ (N_c / N) ** alpha_N`` with ``alpha_N ≈ 0.076``. Notebook 07 runs the same
experiment on the course's text, at a scale a laptop can train, and fits

    L(N) = a · N^(-alpha) + c          (c: the loss no model size removes)

with numpy only (``fit_power_law``: a grid over ``c``, a straight line in log–log space for each).

Public API::

    LADDER                                  # the sizes of the sweep: dicts n_layer, n_head, d_model
    count_parameters(cfg)                   # (total, non_embedding), counted without allocating memory
    train_flops(n_params, tokens)           # ≈ 6·N·D, the usual estimate of training compute
    fit = fit_power_law(n, loss)            # PowerLaw(a, alpha, c); fit(n) evaluates it
    point = train_point(data, size, steps=..., ...)   # train one size, return its numbers (a dict)
    PUBLISHED                               # GPT-1/2/3 and Kaplan's exponent, with their sources

``N`` here is the **non-embedding** parameter count, as in Kaplan et al.: our small models spend
most of their parameters on the 1,024-token embedding, which does no computation per layer.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np
import torch

from ..gpt import GPT, GPTConfig, lm_loss

__all__ = ["LADDER", "KAPLAN_ALPHA_N", "PUBLISHED", "PowerLaw", "count_parameters", "train_flops",
           "fit_power_law", "train_point", "ladder_configs"]

KAPLAN_ALPHA_N = 0.076     # Kaplan et al. 2020, eq. 1.1: L(N) = (N_c / N)^alpha_N, N_c ≈ 8.8e13
KAPLAN_N_C = 8.8e13

# The sizes of the sweep: from a one-layer model 16 wide to the course GPT of notebook 05 and beyond.
# Non-embedding parameters run from about 3 thousand to about 1.8 million (nearly three orders of magnitude).
LADDER: list[dict[str, int]] = [
    {"n_layer": 1, "n_head": 2, "d_model": 16},
    {"n_layer": 1, "n_head": 2, "d_model": 32},
    {"n_layer": 2, "n_head": 2, "d_model": 48},
    {"n_layer": 2, "n_head": 4, "d_model": 64},
    {"n_layer": 3, "n_head": 4, "d_model": 96},
    {"n_layer": 4, "n_head": 4, "d_model": 128},
    {"n_layer": 6, "n_head": 4, "d_model": 160},
]

# Published figures (each with its source) for "where our models sit". Parameters as the papers give
# them; training tokens only where a paper states them; compute only where a paper states it.
PUBLISHED: list[dict[str, Any]] = [
    {"name": "GPT-1", "year": 2018, "params": 117e6, "tokens": None, "flops": None,
     "data": "BooksCorpus, over 7,000 unpublished books",
     "config": {"vocab_size": 40_478, "block_size": 512, "n_layer": 12, "n_head": 12, "d_model": 768},
     "source": "Radford et al. 2018, Improving Language Understanding by Generative Pre-Training"},
    {"name": "GPT-2", "year": 2019, "params": 1.5e9, "tokens": None, "flops": None,
     "data": "WebText, 40 GB of text from about 8 million web pages",
     "config": {"vocab_size": 50_257, "block_size": 1024, "n_layer": 48, "n_head": 25, "d_model": 1600},
     "source": "Radford et al. 2019, Language Models are Unsupervised Multitask Learners"},
    {"name": "GPT-3", "year": 2020, "params": 175e9, "tokens": 300e9, "flops": 3.14e23,
     "data": "300 billion tokens (filtered Common Crawl, WebText2, books, Wikipedia)",
     "config": {"vocab_size": 50_257, "block_size": 2048, "n_layer": 96, "n_head": 96, "d_model": 12_288},
     "source": "Brown et al. 2020, Language Models are Few-Shot Learners (Table 2.1, Table D.1)"},
]


def ladder_configs(vocab_size: int, block_size: int, sizes: Sequence[dict] = LADDER) -> list[GPTConfig]:
    """One ``GPTConfig`` per size of ``sizes`` for a given vocabulary and context."""
    return [GPTConfig(vocab_size=vocab_size, block_size=block_size, **s) for s in sizes]


def count_parameters(cfg: GPTConfig) -> tuple[int, int]:
    """``(total, non_embedding)`` parameters of ``GPT(cfg)``, built on the ``meta`` device (no memory used).

    Works for GPT-3's 175 billion as fast as for ours.
    """
    with torch.device("meta"):
        model = GPT(cfg)
    return model.num_parameters(), model.num_parameters(non_embedding=True)


def train_flops(n_params: float, tokens: float) -> float:
    """Training compute in FLOPs, ``≈ 6 · N · D`` (forward 2·N, backward 4·N per token; attention left out)."""
    if n_params < 0 or tokens < 0:
        raise ValueError(f"parameters and tokens must be non-negative, got {n_params} and {tokens}")
    return 6.0 * float(n_params) * float(tokens)


@dataclass(frozen=True)
class PowerLaw:
    """``L(N) = a · N^(-alpha) + c``. Call it on an array of ``N`` to evaluate."""

    a: float
    alpha: float
    c: float
    rmse: float = float("nan")   # root-mean-square error of the fit on the points it was fitted to

    def __call__(self, n):
        return self.a * np.asarray(n, dtype=float) ** (-self.alpha) + self.c


def fit_power_law(n: Sequence[float], loss: Sequence[float], *, grid: int = 2000) -> PowerLaw:
    """Least-squares fit of ``loss ≈ a · n^(-alpha) + c`` with numpy only.

    For a fixed ``c`` the law is a straight line in log–log space, ``log(L - c) = log a - alpha·log n``,
    which ``np.polyfit`` solves exactly. We try ``grid`` values of ``c`` between 0 and just below the
    smallest loss and keep the one whose curve has the smallest squared error in the loss itself.
    ``n``, ``loss``: 1-D, same length ≥ 3, ``n > 0``. Returns a ``PowerLaw``.
    """
    n, loss = np.asarray(n, dtype=float), np.asarray(loss, dtype=float)
    if n.ndim != 1 or n.shape != loss.shape or len(n) < 3:
        raise ValueError(f"need two 1-D sequences of the same length >= 3, got shapes {n.shape} and {loss.shape}")
    if (n <= 0).any() or not np.isfinite(loss).all():
        raise ValueError("model sizes must be positive and losses finite")
    log_n = np.log(n)
    best = None
    for c in np.linspace(0.0, loss.min(), grid, endpoint=False):
        slope, intercept = np.polyfit(log_n, np.log(loss - c), 1)     # log(L - c) = intercept + slope·log n
        a, alpha = math.exp(intercept), -slope
        sse = float(((a * n ** (-alpha) + c - loss) ** 2).sum())
        if best is None or sse < best[0]:
            best = (sse, a, alpha, c)
    sse, a, alpha, c = best
    return PowerLaw(float(a), float(alpha), float(c), math.sqrt(sse / len(n)))


def train_point(data, size: dict, *, steps: int, batch_size: int = 32, block_size: int = 64, lr: float = 3e-3,
                warmup: int = 30, seed: int = 0, device=None, valid_tokens: int = 20_000) -> dict[str, Any]:
    """Train one GPT of ``size`` (``n_layer``, ``n_head``, ``d_model``) on ``data.train`` for ``steps``.

    ``data`` is an ``helpers.lm_data.LMData``. Every size sees the same seeded windows: matched tokens
    (``steps · batch_size · block_size``). Returns a dict: the config, ``params``, ``non_embedding``,
    ``tokens``, ``flops`` (6·N·D with the non-embedding N, as Kaplan et al. count), ``valid_loss``
    (nats/token on the first ``valid_tokens`` of ``data.valid``), ``train_loss``, ``seconds`` and ``curve``
    (``tokens`` seen and the running ``train_loss`` at ten points of the run).
    """
    from .. import seed_everything
    from ..lm_data import RandomWindows, evaluate_lm
    from ..train import train

    device = torch.device(device) if device is not None else torch.device("cpu")
    cfg = GPTConfig(vocab_size=data.vocab_size, block_size=block_size, **size)
    seed_everything(seed)
    model = GPT(cfg).to(device)
    start = time.perf_counter()
    history = train(model, RandomWindows(data.train, block_size, batch_size, seed), steps=steps, lr=lr,
                    warmup=warmup, device=device, loss_fn=lm_loss, progress=False, log_every=max(1, steps // 10))
    seconds = time.perf_counter() - start
    valid = evaluate_lm(model, data.valid, max_tokens=valid_tokens)
    total, non_emb = model.num_parameters(), model.num_parameters(non_embedding=True)
    return {"size": dict(size), "config": asdict(cfg), "seed": seed, "steps": steps, "batch_size": batch_size,
            "lr": lr, "warmup": warmup, "params": total, "non_embedding": non_emb,
            "tokens": history.tokens_seen, "flops": train_flops(non_emb, history.tokens_seen),
            "valid_loss": valid, "train_loss": history.final_loss, "seconds": seconds,
            "curve": {"tokens": [s * batch_size * block_size for s in history.steps], "train_loss": history.loss}}
