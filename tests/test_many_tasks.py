"""scripts/many_tasks.py at tiny size: every system tunes the same grid, runs its seeds with the chosen rate, scores
every job and the D1 format probe, resumes instead of repeating, and reports with a provenance."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("many_tasks", ROOT / "scripts" / "many_tasks.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_tiny_plan_and_report(tmp_path, monkeypatch):
    monkeypatch.setattr("helpers.checkpoints.CHECKPOINT_DIR", tmp_path / "ck")
    mt = _script()
    assert mt.main(["run", "--tiny", "--log", str(tmp_path)]) == 0
    rows = [json.loads(x) for x in (tmp_path / "runs-tiny.jsonl").read_text().splitlines()]
    plan = mt.Plan(True, tmp_path)
    for system in mt.SYSTEMS:
        tune = [r for r in rows if r["system"] == system and r["stage"] == "tune"]
        final = [r for r in rows if r["system"] == system and r["stage"] == "final"]
        assert set(plan.grid) <= {r["lr"] for r in tune}          # the grid, extended past an edge winner
        assert [r["seed"] for r in final] == list(plan.seeds)
        assert all(r["lr"] == min(tune, key=lambda t: t["valid_loss"])["lr"] for r in final)
        for r in final:
            assert set(r["scores"]) == {"zh2en", "en2zh", "polarity", "kind"}
            assert all(0 <= v <= 100 for v in r["scores"].values()) and math.isfinite(r["valid_loss"])
            assert (len(r["d1_kind"]) == 2) == (system != "ed_single")
    params = {r["system"]: r["parameters"] for r in rows}
    assert params["ed_multi_shared"] < params["ed_multi"], "sharing layers makes the encoder–decoder smaller"
    assert len({ex.target for ex in plan.test["kind"]}) == 3, "the kind test set holds all three kinds"
    assert mt.main(["run", "--tiny", "--log", str(tmp_path)]) == 0
    assert len((tmp_path / "runs-tiny.jsonl").read_text().splitlines()) == len(rows)       # resumed
    out = tmp_path / "out.json"
    assert mt.main(["report", "--tiny", "--log", str(tmp_path), "--out", str(out)]) == 0
    assert json.loads(out.read_text())["provenance"]["seeds"] == [0, *plan.seeds]


def test_the_encoder_decoder_is_told_the_job_by_its_marker():
    mt = _script()
    from helpers.experiments.text_tasks import TaskExample

    ex = TaskExample("kind", ("is", "it", "?"), ("yes-no",))
    assert mt.with_marker(ex).source == ("<kind>", "is", "it", "?")
    assert mt.with_marker(ex, "last").source == ("is", "it", "?", "<kind>")
    assert mt.with_marker(ex, "none").source == ex.source
