"""scripts/unpaired_arms.py at tiny size: four arms (both families, pre-trained or not) tune the same grid, run
every K and seed with the chosen rate, resume instead of repeating, and report with a provenance; the pre-trained
arms really start from their pre-trained weights."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("unpaired_arms", ROOT / "scripts" / "unpaired_arms.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_tiny_plan_and_report(tmp_path, monkeypatch):
    monkeypatch.setattr("helpers.checkpoints.CHECKPOINT_DIR", tmp_path / "ck")
    ua = _script()
    assert ua.main(["run", "--tiny", "--log", str(tmp_path)]) == 0
    rows = [json.loads(x) for x in (tmp_path / "runs-tiny.jsonl").read_text().splitlines()]
    plan = ua.Plan(True, tmp_path)
    for arm in ua.ARMS:
        tune = [r for r in rows if r["arm"] == arm and r["stage"] == "tune"]
        final = [r for r in rows if r["arm"] == arm and r["stage"] == "final"]
        assert set(plan.grid) <= {r["lr"] for r in tune}          # the grid, extended past an edge winner
        best = min(tune, key=lambda r: r["valid_loss"])["lr"]
        assert {(r["k"], r["seed"]) for r in final} == {(k, s) for k in plan.ks for s in plan.seeds}
        assert all(r["lr"] == best for r in final)
        assert all(math.isfinite(r["valid_loss"]) and 0 <= r["bleu"] <= 100 and 0 <= r["chrf"] <= 100 for r in final)
    assert ua.main(["run", "--tiny", "--log", str(tmp_path)]) == 0                   # resumes: nothing new
    assert len((tmp_path / "runs-tiny.jsonl").read_text().splitlines()) == len(rows)
    out = tmp_path / "out.json"
    assert ua.main(["report", "--tiny", "--log", str(tmp_path), "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert set(result["chosen"]) == set(ua.ARMS) and result["provenance"]["seeds"] == [0, *plan.seeds]
    # the pre-trained arm starts from the pre-trained weights, the scratch arm does not
    base = plan.pretrained("ed", 1)
    tuned, _ = plan.finetune("ed_pretrained", plan.ks[0], 1, plan.grid[0])
    scratch, _ = plan.finetune("ed_scratch", plan.ks[0], 1, plan.grid[0])

    def dist(a, b):
        with torch.no_grad():
            return sum(float((x - y).norm()) for x, y in zip(a.parameters(), b.parameters()))
    assert dist(tuned, base) < dist(scratch, base)
