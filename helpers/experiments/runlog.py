"""A resumable log of an experiment's runs: one JSON line per finished run, so a sweep that was stopped (or a
session that ended) starts again where it was and never repeats a run it has.

Used by ``scripts/rank_probe.py``, ``scripts/unpaired_arms.py`` and ``scripts/many_tasks.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

__all__ = ["RunLog"]


class RunLog:
    """The runs logged in ``path`` (a JSON-lines file, created with its folder when missing).

    ``key(row)`` names a run (default: its ``"key"`` field); ``done`` maps names to rows, ``add(row)`` appends one.
    """

    def __init__(self, path, key: Callable[[dict], Any] = lambda row: row["key"]):
        self.path, self.key = Path(path), key
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.done: dict[Any, dict] = {}
        if self.path.is_file():
            for line in self.path.read_text().splitlines():
                row = json.loads(line)
                self.done[key(row)] = row

    def add(self, row: dict) -> dict:
        """Append ``row`` to the file and remember it; returns it."""
        with self.path.open("a") as f:
            f.write(json.dumps(row) + "\n")
        self.done[self.key(row)] = row
        return row
