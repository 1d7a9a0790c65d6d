"""The README and the guides in docs/ hold together: every relative link and anchor resolves, the README links each
guide, and notebook 00's course map names every notebook that exists."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchors(path: Path) -> set[str]:
    """GitHub's anchors for the headings of a Markdown file: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)  # no headings inside code blocks
    heads = re.findall(r"^#{1,6} +(.+?) *$", text, re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in heads}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc):
    broken = []
    for target in LINK.findall(doc.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target):          # http:, https:, mailto:
            continue
        file, _, anchor = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        if not path.exists():
            broken.append(f"{target} (no file {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path})")
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(f"{target} (no heading #{anchor} in {path.relative_to(ROOT)})")
    assert not broken, f"{doc.relative_to(ROOT)} has broken links: {broken}"


def test_readme_links_every_guide():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guides = sorted((ROOT / "docs").glob("*.md"))
    assert guides, "docs/ holds the guides the README links"
    missing = [g.name for g in guides if f"(docs/{g.name}" not in readme]
    assert not missing, f"the README does not link docs/{missing}"


def test_notebook_00_course_map_names_every_notebook():
    nb = nbformat.read(ROOT / "notebooks" / "00_start_here.ipynb", as_version=4)
    course_map = next(c.source for c in nb.cells if c.cell_type == "markdown" and "## The course map" in c.source)
    numbers = [p.name.split("_", 1)[0] for p in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))]
    missing = [n for n in numbers if not re.search(rf"^\| {n} \|", course_map, re.M)]
    assert not missing, f"notebook 00's course map has no row for {missing}"
    assert re.search(r"verdict table[^.]*\*\*06c\*\*", course_map), "00's course map must say the verdict table is in 06c"


def test_notebook_headers_keep_no_hand_written_run_time():
    """A notebook's run time has one source, results/timings.json (shown by notebook 00 and the README): a header
    that says "about 2 minutes" goes stale the day the notebook changes."""
    stale = re.compile(r"\d\s*(?:–\s*\d+\s*)?(?:minutes?|min|seconds?|s)\b.{0,20}\bto run|about [\w.–-]+ minutes? to run",
                       re.I)
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]*.ipynb")):
        first = nbformat.read(path, as_version=4).cells[0].source
        assert "notebook 00 lists its measured run time" in first or path.stem.startswith("00"), path.name
        assert not stale.search(first), f"{path.name}: its first cell quotes a run time by hand"


def test_nbval_instructions_live_in_cell_tags():
    """A learner reads every code cell: nbval's instructions are cell tags, not comments in the code (issue 21)."""
    allowed = {"nbval-check-output", "nbval-ignore-output"}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            marks = [line for line in cell.source.splitlines() if line.strip().startswith("# NBVAL_")]
            assert not marks, f"{path.name} cell {i}: move {marks[0].strip()!r} into the cell's tags"
            nbval = [t for t in cell.metadata.get("tags", []) if t.startswith("nbval")]
            assert set(nbval) <= allowed and len(nbval) <= 1, f"{path.name} cell {i}: nbval tags {nbval}"
