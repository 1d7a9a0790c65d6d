"""Pytest hooks for the whole repository.

- Prints the wall time of every notebook at the end of the run (nbval runs a notebook as
  one test per cell; their set-up, call and tear-down times are summed per file, which
  includes starting the kernel), so the cost of each notebook is visible in CI, and the peak
  resident memory of its kernel process (``VmHWM`` in ``/proc``, read after every cell). A
  cell after which the kernel has peaked above ``MEMORY_BUDGET_MB`` fails (on the CPU; on a GPU
  the driver's own memory counts in the process, so the budget is not applied there).
- Runs the tests marked ``browser`` (tests/test_browser.py, tests/test_site.py: Chromium, slower) last,
  after the unit tests and the notebooks, and prints their wall times too.
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
    if os.environ.get("COURSE_DEVICE", "").lower().startswith("cpu"):
        return False
    import torch

    return torch.cuda.is_available() or bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    path = item.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        peak = _kernel_peak_mb(item)
        if peak is not None:
            _notebook_peak_mb[path] = max(peak, _notebook_peak_mb.get(path, 0.0))
            if peak > MEMORY_BUDGET_MB and not _on_gpu():
                pytest.fail(f"{path}: the kernel's resident memory peaked at {peak:,.0f} MB after this cell, over the "
                            f"course's budget of {MEMORY_BUDGET_MB:,} MB for a laptop", pytrace=False)
    return result


def pytest_collection_modifyitems(items):
    """Browser tests last (a stable sort keeps every other test in its usual order)."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


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
