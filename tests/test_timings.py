"""Run times quoted in the docs come from results/timings.json (`make timings`), and keep to the course's budget."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from helpers.results import load_result

ROOT = Path(__file__).resolve().parents[1]
BUDGET_S, TOTAL_BUDGET_S, MEMORY_MB = 180, 15 * 60, 2048   # per notebook, all of them, per kernel (on the CPU)
# Notebooks known to run over BUDGET_S, each with the reason and what will bring it under. The test below fails if
# another notebook goes over, and also once one of these comes under (then delete its line).
KNOWN_OVER_BUDGET = {
    "06b_many_tasks_unpaired": "trains eight models live (four specialists, two multi-task, two K=250 arms); issue 17 "
                               "rebuilds 06b and must bring it under 3 minutes",
}
# The whole course is known to run over TOTAL_BUDGET_S (measured 1,003 s on 2026-12-07: 06b alone is 243 s, and
# notebooks 01-05 now build their models in front of the learner). Issue 17 brings 06b under 3 minutes and the total
# back under 15; until then the total must stay under this ceiling, and the test fails once it is back under budget
# (then set this to None).
KNOWN_TOTAL_CEILING_S = 1100


@pytest.fixture(scope="module")
def timings_script():
    spec = importlib.util.spec_from_file_location("timings_script", ROOT / "scripts" / "timings.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_docs_quote_the_stored_timings(timings_script):
    stale = timings_script.stale_documents()
    assert not stale, f"{stale} differ from results/timings.json: run `python3 scripts/timings.py --write`"


def test_every_notebook_is_timed():
    t = load_result("timings")
    stored = set(t["notebooks"])
    present = {p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]*.ipynb")}
    assert stored == present, f"timed {sorted(stored)}, notebooks {sorted(present)}: run `make timings`"


def test_stored_timings_keep_the_budget():
    """The course promises each notebook in at most 3 minutes on this 2-core CPU, all of them in 15, within 2 GB."""
    t = load_result("timings")
    slow = {k: v["seconds"] for k, v in t["notebooks"].items() if v["seconds"] > BUDGET_S}
    assert set(slow) == set(KNOWN_OVER_BUDGET), (
        f"over {BUDGET_S} s: {slow}; known to be over: {sorted(KNOWN_OVER_BUDGET)} (update that list with a reason "
        "only if the notebook cannot be made faster now)")
    if KNOWN_TOTAL_CEILING_S is None:
        assert t["total_seconds"] <= TOTAL_BUDGET_S
    else:
        assert TOTAL_BUDGET_S < t["total_seconds"] <= KNOWN_TOTAL_CEILING_S, (
            f"total {t['total_seconds']} s: the known overrun is gone (set KNOWN_TOTAL_CEILING_S = None) or grew")
    heavy = {k: v["peak_mb"] for k, v in t["notebooks"].items() if (v["peak_mb"] or 0) > MEMORY_MB}
    assert not heavy, f"over {MEMORY_MB} MB: {heavy}"
    assert all(v["peak_mb"] for v in t["notebooks"].values()), "peak memory was not measured for every notebook"


def test_rendering_follows_the_file(timings_script):
    """The renderers are not vacuous: change a time and both documents change with it."""
    t = load_result("timings")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = (ROOT / "docs" / "instructor.md").read_text(encoding="utf-8")
    name = sorted(t["notebooks"])[0]
    t["notebooks"][name]["seconds"] = 999.0
    assert timings_script.render_instructor(guide, t) != guide
    slowest = max(t["notebooks"], key=lambda k: t["notebooks"][k]["seconds"])
    assert slowest == name and "999 s" in timings_script.readme_line(t)
    assert timings_script.render_readme(readme, t) != readme
