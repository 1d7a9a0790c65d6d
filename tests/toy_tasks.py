"""A tiny synthetic task shared by the model tests: reverse a sequence of symbols (no corpus needed)."""

from __future__ import annotations

import random

from helpers.batching import Example, collate

V = 12  # ids 0-3 are specials; 4..11 are symbols


def reversal_batches(n_batches=40, batch=32, seed=0, lo=3, hi=8):
    """``n_batches`` seeded ``Batch`` objects whose targets are their sources reversed."""
    rng = random.Random(seed)
    out = []
    for b in range(n_batches):
        ex = []
        for i in range(batch):
            src = [rng.randrange(4, V) for _ in range(rng.randint(lo, hi))]
            ex.append(Example(b * batch + i, src, src[::-1]))
        out.append(collate(ex))
    return out
