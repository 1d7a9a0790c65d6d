"""The verdict rule of helpers.experiments.noise: every branch, and numbers checked by hand."""

import math

import pytest

from helpers.experiments import noise


def test_clear_difference_is_supported_or_contradicted():
    # means 11 and 6, spreads 1 and 1: SE = sqrt(2/3) = 0.816, Welch df = 4, t = 2.776, bar = 2.27
    c = noise.compare([10, 11, 12], [5, 6, 7], claim="higher", min_effect=1.0)
    assert c.verdict == noise.SUPPORTED
    assert c.difference == pytest.approx(5.0)
    assert c.threshold == pytest.approx(2.776 * math.sqrt(2 / 3), rel=1e-6)
    assert noise.compare([10, 11, 12], [5, 6, 7], claim="lower").verdict == noise.CONTRADICTED
    assert noise.compare([5, 6, 7], [10, 11, 12], claim="lower").verdict == noise.SUPPORTED


def test_noisy_seeds_are_within_noise():
    # diff 2; s_a = 2, s_b = 1: SE = 1.29, Welch df = 2.94 -> 2, t = 4.303, bar = 5.55 > 2
    c = noise.compare([10, 12, 14], [9, 10, 11])
    assert c.verdict == noise.WITHIN_NOISE
    assert c.threshold == pytest.approx(4.303 * math.sqrt(4 / 3 + 1 / 3), rel=1e-6)
    assert "inside the seed noise" in c.reason


def test_minimum_effect_and_equal_seeds():
    steady = noise.compare([1.0, 1.0, 1.0], [0.9, 0.9, 0.9], min_effect=0.5)   # no noise at all, but small
    assert steady.verdict == noise.WITHIN_NOISE and "minimum effect" in steady.reason
    assert noise.compare([1.0, 1.0, 1.0], [0.9, 0.9, 0.9], min_effect=0.05).verdict == noise.SUPPORTED
    assert noise.compare([1.0, 1.0, 1.0], [1.0, 1.0, 1.0]).verdict == noise.WITHIN_NOISE


def test_not_testable_cases_say_why():
    c = noise.compare([1, 2], [3, 4, 5])
    assert c.verdict == noise.NOT_TESTABLE and "2 seed(s)" in c.reason
    c = noise.compare([1, float("nan"), 2], [3, 4, 5])
    assert c.verdict == noise.NOT_TESTABLE and "not finite" in c.reason


def test_t_quantile_and_bad_input():
    assert noise.t_quantile(4) == 2.776 and noise.t_quantile(4.9) == 2.776 and noise.t_quantile(100) == 1.96
    assert noise.t_quantile(21) == 2.086     # rounds down to the tabled 20
    with pytest.raises(ValueError, match="at least 1"):
        noise.t_quantile(0.5)
    with pytest.raises(ValueError, match="'higher' or 'lower'"):
        noise.compare([1, 2, 3], [1, 2, 3], claim="better")
    with pytest.raises(ValueError, match="min_effect"):
        noise.compare([1, 2, 3], [1, 2, 3], min_effect=-1)
    with pytest.raises(ValueError, match="per-seed numbers"):
        noise.compare([], [1, 2, 3])
    assert noise.mean_spread([2.0]) == (2.0, 0.0)
    summary = noise.compare([10, 11, 12], [5, 6, 7], min_effect=1).summary("BLEU")
    assert "11.00 ± 1.00 vs 6.00 ± 1.00 BLEU" in summary and summary.endswith("supported")
