#!/usr/bin/env python3
"""Run times in the docs, from one source: ``results/timings.json``.

``make timings`` (= ``python3 course.py timings``) runs every notebook under nbval, stores each one's wall time
and its kernel's peak memory in ``results/timings.json`` (conftest.py, ``--timings-out``), then calls this script
with ``--write``, which renders them into

- the README's **Time** line (between ``<!-- timings:readme -->`` and ``<!-- /timings:readme -->``), and
- the *CPU run time* column of the notebook table in ``docs/instructor.md``.

``--check`` (and ``tests/test_timings.py``) fails when a document differs from what the file gives, so a figure
cannot be edited by hand or go stale. Notebook 00 prints the same file as a table.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers.results import load_result  # noqa: E402

README = ROOT / "README.md"
INSTRUCTOR = ROOT / "docs" / "instructor.md"
README_BLOCK = re.compile(r"(<!-- timings:readme -->\n)(.*?)(<!-- /timings:readme -->)", re.S)
TABLE_ROW = re.compile(r"^\| (\d\d[a-z]?) \| ([^|]+) \| ([^|]+) \|(.*)$", re.M)


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"


def readme_line(t: dict) -> str:
    nbs = t["notebooks"]
    secs = sorted(v["seconds"] for v in nbs.values())
    peaks = [v["peak_mb"] for v in nbs.values() if v.get("peak_mb") is not None]
    memory = f", each within {max(peaks):,} MB of memory" if peaks else ""
    cpus = t["provenance"]["config"].get("cpu_count")
    return (f"- **Time:** on the course's {cpus}-core CI machine, with nothing cached, each notebook runs top to bottom "
            f"in {secs[0]:.0f}–{secs[-1]:.0f} s (all {len(nbs)}: {_minutes(t['total_seconds'])}){memory}; notebook 00 "
            "lists each one (`results/timings.json`, made by `make timings`). Reading and exercises take 30–90 "
            "minutes per notebook.\n")


def render_readme(text: str, t: dict) -> str:
    if not README_BLOCK.search(text):
        raise ValueError(f"{README.name} has no <!-- timings:readme --> block")
    return README_BLOCK.sub(lambda m: m.group(1) + readme_line(t) + m.group(3), text, count=1)


def render_instructor(text: str, t: dict) -> str:
    nbs = {name.split("_", 1)[0]: v for name, v in t["notebooks"].items()}
    seen = set()

    def row(m: re.Match) -> str:
        number = m.group(1)
        if number not in nbs:
            return m.group(0)
        seen.add(number)
        return f"| {number} | {m.group(2).strip()} | {nbs[number]['seconds']:.1f} s |{m.group(4)}"

    header = text.find("| # | notebook | CPU run time |")
    if header < 0:
        raise ValueError(f"{INSTRUCTOR.name} has no table headed '| # | notebook | CPU run time |'")
    end = text.find("\n\n", header)
    end = len(text) if end < 0 else end
    out = text[:header] + TABLE_ROW.sub(row, text[header:end]) + text[end:]
    missing = sorted(set(nbs) - seen)
    if missing:
        raise ValueError(f"{INSTRUCTOR.name}'s notebook table has no row for notebook(s) {', '.join(missing)}")
    return out


def stale_documents(t: dict | None = None) -> list[str]:
    """Documents whose figures differ from results/timings.json (empty when all agree)."""
    t = t or load_result("timings")
    stale = []
    for path, render in ((README, render_readme), (INSTRUCTOR, render_instructor)):
        text = path.read_text(encoding="utf-8")
        if render(text, t) != text:
            stale.append(str(path.relative_to(ROOT)))
    return stale


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="render results/timings.json into the documents")
    mode.add_argument("--check", action="store_true", help="exit 1 if a document differs from results/timings.json")
    args = ap.parse_args(argv)
    t = load_result("timings")
    if args.check:
        stale = stale_documents(t)
        for path in stale:
            print(f"[timings] stale: {path} (run `python3 scripts/timings.py --write`)")
        return 1 if stale else 0
    for path, render in ((README, render_readme), (INSTRUCTOR, render_instructor)):
        path.write_text(render(path.read_text(encoding="utf-8"), t), encoding="utf-8")
        print(f"[timings] wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
