"""Pytest hooks for the whole repository.

- Prints the wall time of every notebook at the end of the run (nbval runs a notebook as
  one test per cell; their set-up, call and tear-down times are summed per file, which
  includes starting the kernel), so the cost of each notebook is visible in CI, and the peak
  resident memory of its kernel process (``VmHWM`` in ``/proc``, read after every cell). A
  cell after which the kernel has peaked above ``MEMORY_BUDGET_MB`` fails (on the CPU; on a GPU
  the driver's own memory counts in the process, so the budget is not applied there).
- Runs the tests marked ``browser`` (tests/test_browser.py, tests/test_site.py: Chromium, slower) last,
  after the unit tests and the notebooks, and prints their wall times too.
- Under ``CI=true``, turns every skip into a failure that names what was missing.
- Makes figures render headless in the unit tests (Agg backend), without touching the
  notebook kernels.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import pytest

# Headless figures in this pytest process only. (An MPLBACKEND variable would also reach the
# notebook kernels that nbval starts, and they must draw inline as they do for a learner.)
import matplotlib  # noqa: E402

matplotlib.use("Agg")

_notebook_seconds: dict[str, float] = defaultdict(float)
_notebook_cells: dict[str, int] = defaultdict(int)
_notebook_failed: set[str] = set()
_browser_seconds: dict[str, float] = defaultdict(float)
_browser_outcome: dict[str, str] = {}
_notebook_peak_mb: dict[str, float] = {}
_over_budget: set[str] = set()
MEMORY_BUDGET_MB = 2048  # a notebook's kernel must fit an ordinary laptop


def _kernel_peak_mb(item) -> float | None:
    """Peak resident memory (MB) of the kernel running ``item``'s notebook, or None where it cannot be read."""
    kernel = getattr(getattr(item, "parent", None), "kernel", None)
    process = getattr(getattr(getattr(kernel, "km", None), "provisioner", None), "process", None)
    pid = getattr(process, "pid", None)
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _on_gpu() -> bool:
    import helpers

    return helpers.get_device().type != "cpu"   # the device the notebooks' kernels choose (COURSE_DEVICE included)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    path = item.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        peak = _kernel_peak_mb(item)
        if peak is not None:
            _notebook_peak_mb[path] = max(peak, _notebook_peak_mb.get(path, 0.0))
            if peak > MEMORY_BUDGET_MB and not _on_gpu() and path not in _over_budget:
                _over_budget.add(path)  # the peak never falls again: fail the cell that crossed it, not every later one
                pytest.fail(f"{path}: the kernel's resident memory peaked at {peak:,.0f} MB after this cell, over the "
                            f"course's budget of {MEMORY_BUDGET_MB:,} MB for a laptop", pytrace=False)
    return result


def pytest_addoption(parser):
    parser.addoption("--timings-out", default=None, metavar="PATH",
                     help="after a run in which every notebook passed, write each notebook's wall time and peak "
                          "memory to PATH as a stored result (`make timings` writes results/timings.json)")


_cache_at_start: list[str] = []


def pytest_sessionstart(session):
    from helpers.checkpoints import CHECKPOINT_DIR

    _cache_at_start[:] = sorted(p.name for p in Path(CHECKPOINT_DIR).glob("*.pt")) if Path(CHECKPOINT_DIR).is_dir() else []


def pytest_sessionfinish(session, exitstatus):
    out = session.config.getoption("--timings-out")
    if not out or not _notebook_seconds:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if _notebook_failed:
        if reporter:
            reporter.write_line(f"[timings] not written: notebooks failed ({', '.join(sorted(_notebook_failed))})")
        return
    import platform

    import torch

    from helpers.results import make_provenance, save_result

    notebooks = sorted(_notebook_seconds)
    result = {
        "what": "each notebook's wall time under nbval (kernel start included) and its kernel's peak resident memory",
        "notebooks": {Path(p).stem: {"seconds": round(_notebook_seconds[p], 1), "cells": _notebook_cells[p],
                                     "peak_mb": round(_notebook_peak_mb[p]) if p in _notebook_peak_mb else None}
                      for p in notebooks},
        "total_seconds": round(sum(_notebook_seconds.values()), 1),
        "provenance": make_provenance(
            "make timings", [0],
            {"cpu_count": os.cpu_count(), "machine": platform.machine(), "device": "cuda" if torch.cuda.is_available()
             else "cpu", "offline": os.environ.get("COURSE_TESTS_OFFLINE") == "1",
             "checkpoints_cached_at_start": _cache_at_start},
            notebooks + ["conftest.py"]),
    }
    path = save_result(str(Path(out).resolve()), result)
    if reporter:
        reporter.write_line(f"[timings] wrote {path}")


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes", "on")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Under ``CI=true`` a skipped test is a failure: a missing dependency, data file or tool must be named,
    never passed over in silence (outside CI a skip still says what would enable the test)."""
    report = yield
    if report.skipped and _under_ci() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which counts as a failure: {reason}"
    return report


def pytest_collection_modifyitems(config, items):
    """Unit tests, then the notebooks, then the tests that need what the notebooks wrote (dropped when no notebook
    runs), then the browser tests (a stable sort keeps every other test in its usual order)."""
    if not any(item.nodeid.split("::", 1)[0].endswith(".ipynb") for item in items):
        dropped = [item for item in items if item.get_closest_marker("after_notebooks")]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = [item for item in items if not item.get_closest_marker("after_notebooks")]

    def rank(item) -> int:
        if item.get_closest_marker("browser"):
            return 3
        if item.get_closest_marker("after_notebooks"):
            return 2
        return 1 if item.nodeid.split("::", 1)[0].endswith(".ipynb") else 0

    items.sort(key=rank)


def pytest_runtest_logreport(report):
    if "browser" in report.keywords:
        _browser_seconds[report.nodeid] += report.duration
        if report.when == "call" or report.outcome != "passed":
            _browser_outcome[report.nodeid] = report.outcome
        return
    path = report.nodeid.split("::", 1)[0]
    if not path.endswith(".ipynb"):
        return
    _notebook_seconds[path] += report.duration
    if report.when == "call":
        _notebook_cells[path] += 1
    if report.failed:
        _notebook_failed.add(path)


def pytest_terminal_summary(terminalreporter):
    tr = terminalreporter
    if _browser_seconds:
        tr.section("browser wall times")
        width = max(len(n) for n in _browser_seconds)
        for nodeid, seconds in _browser_seconds.items():
            tr.write_line(f"{nodeid:<{width}}  {seconds:7.1f} s  {_browser_outcome.get(nodeid, '?')}")
        tr.write_line(f"{'all browser tests':<{width}}  {sum(_browser_seconds.values()):7.1f} s")
    if not _notebook_seconds:
        return
    tr.section("notebook wall times")
    width = max(len(p) for p in _notebook_seconds)
    for path in sorted(_notebook_seconds):
        status = "FAILED" if path in _notebook_failed else "ok"
        peak = _notebook_peak_mb.get(path)
        memory = f"{peak:6,.0f} MB peak" if peak is not None else "  (peak memory not readable here)"
        tr.write_line(f"{path:<{width}}  {_notebook_seconds[path]:7.1f} s  {_notebook_cells[path]:3d} cells  {memory}  "
                      f"{status}")
    tr.write_line(f"{'all notebooks':<{width}}  {sum(_notebook_seconds.values()):7.1f} s  (memory budget per kernel: "
                  f"{MEMORY_BUDGET_MB:,} MB on the CPU)")
