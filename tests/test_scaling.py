"""helpers/experiments/scaling.py and scripts/scaling_sweep.py: parameter counts, the power-law fit, compute, the sweep."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers.gpt import GPT, GPTConfig
from helpers.experiments.scaling import (LADDER, PUBLISHED, PowerLaw, count_parameters, fit_power_law, ladder_configs,
                             train_flops)

ROOT = Path(__file__).resolve().parents[1]


def test_fit_recovers_a_known_law():
    n = np.geomspace(1e3, 1e6, 7)
    for a, alpha, c in [(5.0, 0.3, 1.2), (20.0, 0.076, 0.0), (2.0, 0.5, 2.5)]:
        fit = fit_power_law(n, a * n ** -alpha + c)
        assert abs(fit.alpha - alpha) < 0.01 * max(1, alpha / 0.076) and abs(fit.c - c) < 0.05
        assert fit.rmse < 1e-2
        assert np.allclose(fit(n), a * n ** -alpha + c, atol=2e-2)


def test_fit_with_noise_and_bad_input():
    rng = np.random.default_rng(0)
    n = np.geomspace(3e3, 2e6, 7)
    loss = 10 * n ** -0.25 + 1.5 + rng.normal(0, 0.01, len(n))
    fit = fit_power_law(n, loss)
    assert 0.15 < fit.alpha < 0.35 and isinstance(fit, PowerLaw)
    with pytest.raises(ValueError, match="same length"):
        fit_power_law([1, 2], [3, 4])
    with pytest.raises(ValueError, match="positive"):
        fit_power_law([0, 1, 2], [3, 2, 1])


def test_parameter_counts_match_a_real_model_and_the_papers():
    cfg = ladder_configs(vocab_size=100, block_size=32)[2]
    total, non_emb = count_parameters(cfg)
    model = GPT(cfg)
    assert (total, non_emb) == (model.num_parameters(), model.num_parameters(non_embedding=True))
    assert non_emb == total - 100 * cfg.d_model - 32 * cfg.d_model
    for p in PUBLISHED:                                          # our code counts each published size within 5 %
        total, _ = count_parameters(GPTConfig(**p["config"]))
        assert abs(total / p["params"] - 1) < 0.05, p["name"]


def test_ladder_spans_two_orders_of_magnitude():
    sizes = [count_parameters(c)[1] for c in ladder_configs(1024, 64)]
    assert len(sizes) >= 5 and sizes == sorted(sizes) and sizes[-1] / sizes[0] > 100
    assert all(s["d_model"] % s["n_head"] == 0 for s in LADDER)


def test_train_flops():
    assert train_flops(10, 100) == 6000
    with pytest.raises(ValueError):
        train_flops(-1, 5)


def test_sweep_script_tiny(tmp_path):
    out = tmp_path / "sweep.json"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "scaling_sweep.py"), "--tiny", "--out", str(out)],
                   check=True, cwd=ROOT, capture_output=True, timeout=300, env={**os.environ, "OMP_NUM_THREADS": "1"})
    result = json.loads(out.read_text())
    assert len(result["runs"]) == 3 and len(result["sizes"]) == 3
    for key in ("provenance", "settings", "fit", "command"):
        assert key in result
    assert result["provenance"]["data_fingerprint"] and "git" not in json.dumps(result["provenance"]).lower()
    for run in result["runs"]:
        assert {"seed", "config", "params", "non_embedding", "tokens", "flops", "valid_loss", "seconds"} <= set(run)
        assert run["tokens"] == 5 * 32 * 64
        # a real loss: finite, and no worse than a uniform guess over the 1,024 BPE tokens (plus init noise)
        assert math.isfinite(run["valid_loss"]) and 0 < run["valid_loss"] < math.log(1024) + 0.5, run["valid_loss"]
    from helpers.results import check_provenance

    check_provenance(result)
    assert result["provenance"]["seeds"] == [0] and result["provenance"]["command"].endswith("--tiny")


def test_stored_sweep_is_complete():
    """The committed full sweep: at least 5 sizes over two orders of magnitude, several seeds, loss falling."""
    result = json.loads((ROOT / "results" / "scaling_sweep.json").read_text())
    rows = result["sizes"]
    assert len(rows) >= 5 and rows[-1]["non_embedding"] / rows[0]["non_embedding"] > 100
    assert len(result["settings"]["seeds"]) >= 2
    assert len({r["tokens"] for r in result["runs"]}) == 1          # matched tokens
    assert rows[-1]["valid_loss"] < rows[0]["valid_loss"]
    assert result["fit"]["alpha"] > 0
