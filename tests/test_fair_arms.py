"""scripts/fair_arms.py at tiny size: both families run the same plan, pick the recipe with the lowest valid loss,
score their long runs at the compute levels, resume instead of repeating, and the report has a full provenance.
Also the real-text data it uses (helpers.recipes.tatoeba_data)."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("fair_arms", ROOT / "scripts" / "fair_arms.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_tiny_plan_and_the_report(tmp_path):
    fa = _script()
    for arm in ("prefix",):
        assert fa.main(["run", "--data", "synthetic", "--arm", arm, "--tiny", "--long-steps", "8",
                        "--log", str(tmp_path)]) == 0
    flops = json.loads((tmp_path / "synthetic-flops-tiny.json").read_text())
    assert set(flops) == set(fa.ARMS) and all(v > 0 for v in flops.values())
    assert flops["do"] == flops["do_full"] == flops["prefix"] > flops["ed_shared"] > flops["ed"]
    levels = fa.compute_levels(flops, 8, 8)
    for arm in ("prefix",):
        rows = [json.loads(line) for line in (tmp_path / f"synthetic-{arm}-tiny.jsonl").read_text().splitlines()]
        tune = [r for r in rows if r["stage"] == "tune"]
        long = [r for r in rows if r["stage"] == "long"]
        assert len(tune) >= len(fa.TINY_GRID) and all(math.isfinite(r["valid_loss"]) for r in tune)
        best = min(tune, key=lambda r: r["valid_loss"])["recipe"]
        assert [r["seed"] for r in long] == list(fa.FINAL_SEEDS) and all(r["recipe"] == best for r in long)
        for r in long:
            scored = [e for e in r["evals"] if "bleu_test" in e]
            steps = {e["step"] for e in scored}
            assert {max(1, round(lv / flops[arm])) for lv in levels} <= steps and r["steps"] in steps
            assert all(0 <= e[k] <= 100 for e in scored for k in e if k.startswith(("bleu", "chrf")))
            assert len(r["evals"]) >= 8 and all(math.isfinite(e["valid_loss"]) for e in r["evals"])
        assert all((fa.weights_dir(tmp_path) / r["weights"]).is_file() for r in long)          # trained weights kept for probes
        before = len(rows)
        fa.main(["run", "--data", "synthetic", "--arm", arm, "--tiny", "--long-steps", "8", "--log", str(tmp_path)])
        assert len((tmp_path / f"synthetic-{arm}-tiny.jsonl").read_text().splitlines()) == before   # resumed
    # claim D4's ladder: the arm at another width, at the recipe its tuning chose, three seeds, in the same log
    assert fa.main(["ladder", "--data", "synthetic", "--arm", "prefix", "--tiny", "--widths", "16",
                    "--long-steps", "8", "--log", str(tmp_path)]) == 0
    rows = [json.loads(line) for line in (tmp_path / "synthetic-prefix-tiny.jsonl").read_text().splitlines()]
    rungs = [r for r in rows if r["stage"] == "ladder"]
    assert [(r["width"], r["seed"]) for r in rungs] == [(16, s) for s in fa.FINAL_SEEDS]
    assert all(r["recipe"] == best and r["parameters"] < long[0]["parameters"] for r in rungs)
    assert all("bleu_test" in r["evals"][-1] and "weights" not in r for r in rungs)
    # the long-range probe reads the kept weights back: one row per seed, the same test words for every seed
    assert fa.main(["long-range", "--tiny", "--log", str(tmp_path)]) == 0
    probe = json.loads((tmp_path / "synthetic-long_range-tiny.json").read_text())
    seeds = probe["arms"]["prefix"]
    assert [r["seed"] for r in seeds] == list(fa.FINAL_SEEDS)
    assert len({tuple(b["tokens"] for b in r["buckets"]) for r in seeds}) == 1
    assert all(math.isfinite(r["growth"]) and math.isfinite(r["log_growth"]) for r in seeds)
    out = tmp_path / "fair.json"
    assert fa.main(["report", "--tiny", "--long-steps", "8", "--log", str(tmp_path), "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert set(result["data"]["synthetic"]["arms"]) == {"prefix"}
    assert result["data"]["synthetic"]["tokens_per_step"] > 16 * 4                   # 16 pairs of several tokens
    assert result["data"]["synthetic"]["long_range"]["arms"]["prefix"] == seeds
    # what notebook 06a reads from it (helpers.experiments.fair): the choice, the levels, the scores there
    from helpers.experiments import fair

    assert fair.chosen(result, "synthetic", "prefix") == best
    for level in range(3):
        bleu = fair.scores_at(result, "synthetic", "prefix", level)
        assert len(bleu) == len(fa.FINAL_SEEDS) and all(0 <= b <= 100 for b in bleu)
    c = fair.curve(result, "synthetic", "prefix", fair.long_runs(result, "synthetic", "prefix")[0])
    assert c["flops"][-1] == c["steps"][-1] * flops["prefix"]
    prov = result["provenance"]
    assert prov["command"] and prov["seeds"] == [0, 1, 2, 3] and "scripts/fair_arms.py" in prov["code_sha256"]


def test_the_encoder_decoder_arms_score_like_the_decoder_only_ones(tmp_path):
    fa = _script()
    runner = fa.Runner("synthetic", "ed_shared", True, tmp_path)
    model = runner.build(0)
    assert model.config.share_layers and model.config.n_enc_layers == 3
    assert runner.valid_loss(model) > 0
    scores = runner.scores(model)
    assert set(scores) == {f"{m}_{s}" for m in ("bleu", "chrf") for s in ("test", "test_long3", "test_long")}
    assert all(0 <= v <= 100 for v in scores.values())


def test_tatoeba_data_is_real_text_in_disjoint_splits():
    from helpers.recipes import tatoeba_data
    from helpers.tokenize import tokenize_en, tokenize_zh

    data = tatoeba_data(max_zh=12, max_en=12)
    assert len(data.train) > 10_000 and len(data.valid) > 500 and len(data.test) > 500
    zh = {name: {p.zh for p in getattr(data, name)} for name in ("train", "valid", "test")}
    assert not (zh["train"] & zh["test"]) and not (zh["train"] & zh["valid"]) and not (zh["valid"] & zh["test"])
    assert all(len(tokenize_zh(p.zh)) <= 12 and len(tokenize_en(p.en)) <= 12 for p in data.train)
    shortest_long = min(len(p.zh) for p in data.test_long)
    assert len(data.test_long) == len(data.test) // 3
    assert sum(len(p.zh) >= shortest_long for p in data.test) >= len(data.test_long)   # the longest third
    assert data.fingerprint.startswith("tatoeba-")
