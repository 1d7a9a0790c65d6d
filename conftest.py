"""Pytest hooks for the whole repository.

- Prints the wall time of every notebook at the end of the run (nbval runs a notebook as
  one test per cell; their set-up, call and tear-down times are summed per file, which
  includes starting the kernel), so the cost of each notebook is visible in CI.
- Makes figures render headless in the unit tests (Agg backend).
"""

from __future__ import annotations

import os
from collections import defaultdict

os.environ.setdefault("MPLBACKEND", "Agg")

_notebook_seconds: dict[str, float] = defaultdict(float)
_notebook_cells: dict[str, int] = defaultdict(int)
_notebook_failed: set[str] = set()


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::", 1)[0]
    if not path.endswith(".ipynb"):
        return
    _notebook_seconds[path] += report.duration
    if report.when == "call":
        _notebook_cells[path] += 1
    if report.failed:
        _notebook_failed.add(path)


def pytest_terminal_summary(terminalreporter):
    if not _notebook_seconds:
        return
    tr = terminalreporter
    tr.section("notebook wall times")
    width = max(len(p) for p in _notebook_seconds)
    for path in sorted(_notebook_seconds):
        status = "FAILED" if path in _notebook_failed else "ok"
        tr.write_line(f"{path:<{width}}  {_notebook_seconds[path]:7.1f} s  {_notebook_cells[path]:3d} cells  {status}")
    tr.write_line(f"{'all notebooks':<{width}}  {sum(_notebook_seconds.values()):7.1f} s")
