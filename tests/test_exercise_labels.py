"""Every exercise says how hard it is, how long it takes and what it trains; every Exercises section says how the
hints work and where the solutions are (issue 21). Static: reads the committed notebooks, runs nothing."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*.ipynb"))

STATEMENT = re.compile(r"\*\*Exercise \d+|^#+ Exercise \d+", re.M)
HEADING_AND_LABEL = re.compile(
    r"^### Exercise (\d+) · \S[^\n]*\n\n\*\*Level\*\* (★★★|★★☆|★☆☆) · \*\*time\*\* about (\d+) min · "
    r"\*\*concept\*\* \S[^\n]*$", re.M)


def _markdown(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exercise_has_a_heading_and_a_level_time_concept_label(path):
    statements, labelled = 0, []
    for text in _markdown(path):
        statements += len(STATEMENT.findall(text))
        labelled += HEADING_AND_LABEL.findall(text)
    assert statements, f"{path.name}: no exercises found"
    assert len(labelled) == statements, (
        f"{path.name}: {statements} exercise statements but {len(labelled)} with the heading "
        "'### Exercise N · title' followed by a blank line and '**Level** ★☆☆ · **time** about N min · **concept** …'")
    numbers = [int(n) for n, _, _ in labelled]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), f"{path.name}: exercises numbered {numbers}"
    assert all(1 <= int(minutes) <= 45 for _, _, minutes in labelled), f"{path.name}: {labelled}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_exercises_intro_explains_the_hints_and_where_the_solutions_are(path):
    intro = [t for t in _markdown(path) if "## Exercises\n" in t]
    assert len(intro) == 1, f"{path.name}: expected one '## Exercises' heading"
    text = intro[0].split("## Exercises\n", 1)[1]
    for phrase in ("hint=3", "more precise hint", "Reference solutions are at the very end", "workshop copies"):
        assert phrase in " ".join(text.split()), f"{path.name}: the Exercises intro does not say {phrase!r}"


def _label_minutes(path: Path) -> list[int]:
    return [int(minutes) for text in _markdown(path) for _, _, minutes in HEADING_AND_LABEL.findall(text)]


def test_the_instructor_guide_gives_each_exercise_block_its_labelled_time():
    """docs/instructor.md's table: the number of exercises and the block's time are the labels' count and sum."""
    guide = (ROOT / "docs" / "instructor.md").read_text(encoding="utf-8")
    rows = {m.group(1): m for m in re.finditer(r"^\| (\d\d[abc]?) \| [^|]+ \| [^|]+ \| (\d+) \| about (\d+) min \|",
                                               guide, re.M)}
    for path in NOTEBOOKS:
        key = path.stem.split("_")[0]
        assert key in rows, f"docs/instructor.md has no table row '| {key} | … | N | about M min |' for {path.name}"
        minutes = _label_minutes(path)
        assert (int(rows[key].group(2)), int(rows[key].group(3))) == (len(minutes), sum(minutes)), (
            f"{path.name}: the guide says {rows[key].group(2)} exercises, about {rows[key].group(3)} min; the labels "
            f"say {len(minutes)} exercises, {sum(minutes)} min")
