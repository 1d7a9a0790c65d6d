"""One rule for every verdict that compares two arms: is the difference larger than the seed noise?

Each arm of an experiment is trained with several seeds (3 or more) and gives one number per seed
(a BLEU score, a loss). ``compare(a, b, claim=...)`` turns the two lists into a verdict:

* **supported**: the difference points the way the claim says, and it clears *both* bars below;
* **contradicted**: it clears both bars, pointing the other way;
* **within noise**: it does not clear them (the seeds disagree too much, or the effect is too small to matter);
* **not testable here**: fewer than ``MIN_SEEDS`` seeds in an arm, or a number that is not finite (the reason is given).

The two bars:

1. *Beyond the seed noise*: ``|mean(a) - mean(b)| > t * SE`` with ``SE = sqrt(s_a**2/n_a + s_b**2/n_b)``
   (``s``: the standard deviation of an arm's seeds) and ``t`` the 97.5 % quantile of Student's t at Welch's
   degrees of freedom (rounded down): a two-sided Welch t-test at the 5 % level. With 3 seeds each and equal
   spreads, ``t = 2.78``: the difference must exceed about 2.3 standard deviations of one arm.
2. *Large enough to matter*: ``|mean(a) - mean(b)| >= min_effect``, a size stated with each comparison
   (e.g. 1 BLEU point): a tiny but steady difference is reported, not called a win.

Nothing here knows about models: the numbers come from the experiment scripts and notebooks.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Sequence

__all__ = ["SUPPORTED", "CONTRADICTED", "WITHIN_NOISE", "NOT_TESTABLE", "MIN_SEEDS", "Comparison", "compare",
           "t_quantile", "mean_spread"]

SUPPORTED, CONTRADICTED, WITHIN_NOISE, NOT_TESTABLE = ("supported", "contradicted", "within noise",
                                                       "not testable here")
MIN_SEEDS = 3

# 97.5 % quantiles of Student's t (two-sided 5 %), by degrees of freedom; beyond 30 the normal 1.96.
_T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
         11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093,
         20: 2.086, 22: 2.074, 24: 2.064, 26: 2.056, 28: 2.048, 30: 2.042}


def t_quantile(df: float) -> float:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom, rounded down to a tabled df."""
    if not df >= 1:
        raise ValueError(f"degrees of freedom must be at least 1, got {df}")
    if df > 30:
        return 1.960
    return _T975[max(k for k in _T975 if k <= df)]


def mean_spread(values: Sequence[float]) -> tuple[float, float]:
    """``(mean, standard deviation)`` of one arm's per-seed numbers (deviation 0 for a single seed)."""
    values = [float(v) for v in values]
    if not values:
        raise ValueError("no numbers: an arm needs at least one seed")
    if not all(math.isfinite(v) for v in values):
        return math.nan, math.nan
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


@dataclass(frozen=True)
class Comparison:
    """The verdict on "``a`` is higher than ``b``" (or lower, per ``claim``), with the numbers behind it."""

    verdict: str
    reason: str
    difference: float         # mean(a) - mean(b)
    threshold: float          # t * SE: the difference the noise could make (nan when not testable)
    min_effect: float
    mean_a: float
    mean_b: float
    spread_a: float           # standard deviations of the seeds
    spread_b: float
    n_a: int
    n_b: int

    def summary(self, unit: str = "") -> str:
        u = f" {unit}" if unit else ""
        return (f"{self.mean_a:.2f} ± {self.spread_a:.2f} vs {self.mean_b:.2f} ± {self.spread_b:.2f}{u} "
                f"(difference {self.difference:+.2f}, noise bar {self.threshold:.2f}, minimum effect "
                f"{self.min_effect:g}): {self.verdict}")


def compare(a: Sequence[float], b: Sequence[float], *, claim: str = "higher", min_effect: float = 0.0,
            min_seeds: int = MIN_SEEDS) -> Comparison:
    """Judge the claim that arm ``a``'s number is ``"higher"`` (or ``"lower"``) than arm ``b``'s.

    ``a``, ``b``: one number per seed. ``min_effect``: the smallest difference that counts (>= 0, in the
    numbers' unit). Returns a ``Comparison`` (see the module docstring for the rule).
    """
    if claim not in ("higher", "lower"):
        raise ValueError(f"claim must be 'higher' or 'lower', got {claim!r}")
    if not min_effect >= 0:
        raise ValueError(f"min_effect must be a number >= 0, got {min_effect!r}")
    a, b = [float(v) for v in a], [float(v) for v in b]
    if not a or not b:
        raise ValueError(f"each arm needs its per-seed numbers, got {len(a)} and {len(b)}")
    (ma, sa), (mb, sb) = mean_spread(a), mean_spread(b)
    diff = ma - mb
    common = dict(difference=diff, min_effect=min_effect, mean_a=ma, mean_b=mb, spread_a=sa, spread_b=sb,
                  n_a=len(a), n_b=len(b))
    if not all(math.isfinite(v) for v in a + b):
        return Comparison(NOT_TESTABLE, "a seed gave a number that is not finite (a run diverged)",
                          threshold=math.nan, **common)
    if min(len(a), len(b)) < min_seeds:
        return Comparison(NOT_TESTABLE, f"{min(len(a), len(b))} seed(s) in an arm; the rule needs {min_seeds}",
                          threshold=math.nan, **common)
    va, vb = sa ** 2 / len(a), sb ** 2 / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        threshold = 0.0
    else:   # Welch–Satterthwaite degrees of freedom
        df = (va + vb) ** 2 / ((va ** 2 / (len(a) - 1) if va else 0.0) + (vb ** 2 / (len(b) - 1) if vb else 0.0))
        threshold = t_quantile(df) * se
    if abs(diff) <= threshold:
        return Comparison(WITHIN_NOISE, f"|difference| {abs(diff):.3g} is inside the seed noise ({threshold:.3g})",
                          threshold=threshold, **common)
    if abs(diff) < min_effect:
        return Comparison(WITHIN_NOISE, f"|difference| {abs(diff):.3g} beats the noise but is below the minimum "
                          f"effect {min_effect:g}", threshold=threshold, **common)
    agrees = diff > 0 if claim == "higher" else diff < 0
    return Comparison(SUPPORTED if agrees else CONTRADICTED,
                      f"|difference| {abs(diff):.3g} beats the noise ({threshold:.3g}) and the minimum effect "
                      f"{min_effect:g}", threshold=threshold, **common)
