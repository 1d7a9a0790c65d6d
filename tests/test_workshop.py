"""The workshop copies and the lecture slides (scripts/build_workshop.py).

- The committed workshop copies are exactly what the notebooks generate (byte for byte), hold no outputs and no
  solution, and regenerating them twice gives the same text.
- Each workshop copy's exercises are run **as shipped**: every check cell reports ❌ with a hint and nothing
  raises; and **with the reference solutions substituted back** into the learner's cells: every check passes.
- The slides build offline (reveal.js vendored), leave out ``lecture-skip`` and ``solution`` cells.

Cheap by design: no notebook is re-executed. Each exercise part runs in this process, in a fresh namespace,
from the cells it needs: the notebook's set-up cell (its first code cell), the cells tagged ``exercise-setup``,
stand-ins for what the notebook *trains* (an untrained model of the same configuration serves a checker that
compares the learner's function with the reference on that model), then the ``exercise`` and ``check`` cells in
order. A new notebook whose check cells need a trained object adds a stand-in to ``STAND_INS`` (or tags the
cheap cell that makes it ``exercise-setup``); the test says so when a name is missing.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import io
import os
import shutil
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*.ipynb"))


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_workshop", ROOT / "scripts" / "build_workshop.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bw = _load_builder()

# Every notebook imports these before its exercises (in cells the test does not run).
PRELUDE = "import math\n\nimport numpy as np\nimport torch\n"

# What a notebook trains and its check cells use, replaced by the same thing untrained (seconds, not minutes).
STAND_INS = {
}

# A failing check must still help: one of these phrases (a "not written yet" stub message counts as a hint).
HINT_WORDS = ("Hint", "not written yet", "not answered yet", "replace the")


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _is_self_check(node: ast.stmt) -> bool:
    """A solution cell's own ``check_...(..., strict=True)`` call (the workshop's check cell runs the check)."""
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and any(k.arg == "strict" for k in node.value.keywords))


def _run_cell(source: str, ns: dict, label: str, drop_self_check: bool = False):
    """Execute a cell like a kernel would; return the value of its last expression (or None) and its stdout."""
    tree = ast.parse(source, filename=label)
    if drop_self_check:
        kept = [node for node in tree.body if not _is_self_check(node)]
        assert len(kept) < len(tree.body), f"{label}: the solution cell does not re-run its checker with strict=True"
        tree.body = kept
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(tree, label, "exec"), ns)
        value = eval(compile(ast.Expression(last.value), label, "eval"), ns) if last is not None else None
    return value, out.getvalue()


def _exercise_run(workshop_nb, source_nb, stem: str, substitute: bool) -> list[tuple[str, object, str]]:
    """Run a workshop copy's exercise part; return (label, value, printed) for every check cell."""
    ns: dict = {"__name__": f"workshop_{stem}"}
    code = [c for c in workshop_nb.cells if c.cell_type == "code"]
    setup = [code[0]] + [c for c in code[1:] if "exercise-setup" in _tags(c)]
    for i, cell in enumerate([PRELUDE, *[c.source for c in setup], STAND_INS.get(stem.split("_")[0], "")]):
        _run_cell(cell, ns, f"{stem} set-up {i}")
    learner = [c for c in code if "exercise" in _tags(c)]
    solutions = [c for c in source_nb.cells if c.cell_type == "code" and "solution" in _tags(c)]
    if substitute:
        assert len(learner) == len(solutions), (
            f"{stem}: {len(learner)} exercise code cells but {len(solutions)} solution cells; the test pairs them "
            "in order (the k-th solution answers the k-th exercise cell)")
    answer = {id(c): s.source for c, s in zip(learner, solutions)} if substitute else {}
    results = []
    for k, cell in enumerate(c for c in code if {"exercise", "check"} & set(_tags(c))):
        label = f"{stem} {'exercise' if 'exercise' in _tags(cell) else 'check'} cell {k}"
        try:
            value, printed = _run_cell(answer.get(id(cell), cell.source), ns, label, id(cell) in answer)
        except NameError as err:
            raise AssertionError(f"{label}: {err}. If the notebook makes this name in a cell that trains, add a "
                                 "stand-in to STAND_INS in tests/test_workshop.py; if the cell is cheap, tag it "
                                 "'exercise-setup'") from err
        if "check" in _tags(cell):
            results.append((label, value, printed))
    return results


@pytest.fixture(scope="module")
def copies() -> dict[str, str]:
    return bw.workshop_texts(NOTEBOOKS)


def test_every_notebook_has_a_committed_up_to_date_workshop_copy(copies):
    assert NOTEBOOKS, "no notebooks found"
    stale = bw.stale_copies(NOTEBOOKS, ROOT / "workshop")
    assert not stale, f"workshop/ is stale ({stale}): run `make workshop` (or `python course.py workshop " \
                      "--workshop-only`) and commit workshop/"
    assert bw.workshop_texts(NOTEBOOKS) == copies, "two builds from the same notebooks differ"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_workshop_copy_has_no_outputs_and_no_solutions(path, copies):
    source = nbformat.read(path, as_version=4)
    copy = nbformat.reads(copies[path.name], as_version=4)
    nbformat.validate(copy)
    solutions = {c.source.strip() for c in source.cells if "solution" in _tags(c)}
    for cell in copy.cells:
        assert "solution" not in _tags(cell)
        assert cell.source.strip() not in solutions or not cell.source.strip()
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    # every other cell is kept, in order, with its source (a Solutions heading and what follows it excepted)
    expected = []
    for c in source.cells:
        before = bw.before_solutions(c.source) if c.cell_type == "markdown" else None
        if "solution" in _tags(c) or before == "":
            continue
        expected.append(c.source if before is None else before)
    assert [c.source for c in copy.cells if "workshop-note" not in _tags(c)] == expected
    headings = sum(bool(bw.SOLUTIONS_HEADING.search(c.source)) for c in copy.cells if c.cell_type == "markdown")
    assert headings == (1 if solutions else 0)
    if solutions:
        assert any("workshop copy" in c.source and "Solutions" in c.source for c in copy.cells)


EXERCISE_NOTEBOOKS = [p for p in NOTEBOOKS if any("check" in _tags(c) for c in nbformat.read(p, as_version=4).cells)]


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=lambda p: p.stem)
def test_workshop_copy_as_shipped_fails_every_check_with_a_hint(path, copies):
    copy = nbformat.reads(copies[path.name], as_version=4)
    results = _exercise_run(copy, nbformat.read(path, as_version=4), path.stem, substitute=False)
    assert results, f"{path.stem}: no check cells ran"
    for label, value, printed in results:
        assert value is not None and not bool(value), f"{label}: the unanswered stub passed its check ({printed!r})"
        assert "❌" in printed, f"{label}: printed no ❌ ({printed!r})"
        assert any(w in printed for w in HINT_WORDS), f"{label}: no hint in {printed!r}"


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=lambda p: p.stem)
def test_workshop_copy_with_the_reference_solutions_passes_every_check(path, copies):
    copy = nbformat.reads(copies[path.name], as_version=4)
    results = _exercise_run(copy, nbformat.read(path, as_version=4), path.stem, substitute=True)
    assert results, f"{path.stem}: no check cells ran"
    for label, value, printed in results:
        assert value is not None and bool(value), f"{label}: the reference solution failed: {printed!r}"
        assert "✅" in printed and "❌" not in printed, f"{label}: {printed!r}"


def test_an_exercise_cell_without_a_stub_is_refused():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("def f(x):\n    return x + 1", metadata={"tags": ["exercise"]})]
    with pytest.raises(bw.BuildError, match="no stub"):
        bw.workshop_copy(nb, "notebooks/99_demo.ipynb")


def test_the_solutions_note_is_added_when_a_notebook_has_no_solutions_heading():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = ...", metadata={"tags": ["exercise"]}),
                nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["solution"]})]
    copy = bw.workshop_copy(nb, "notebooks/99_demo.ipynb")
    assert [c.source for c in copy.cells][1] == "x = ..."
    assert "1 reference solution(s) are not here" in copy.cells[-1].source


# ------------------------------------------------------------------------------------------------ slides

@pytest.fixture(scope="module")
def slides(tmp_path_factory) -> Path:
    cache = ROOT / "build" / "vendor"
    cached = all((cache / p.key / ".complete").exists() for p in bw.SLIDE_PACKAGES)
    if not cached and shutil.which("npm") is None:
        message = "the slides need npm once (to vendor reveal.js and the other scripts into build/vendor/)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    out = tmp_path_factory.mktemp("slides")
    bw.build_slides(NOTEBOOKS, out, cache)
    return out


def test_slides_work_offline(slides):
    for name in ("reveal.js/dist/reveal.js", "reveal.js/dist/reveal.css", "reveal.js/dist/theme/white.css",
                 "reveal.js/plugin/notes/notes.js", "requirejs/require.js", "mathjax/es5/tex-svg-full.js"):
        assert (slides / "static" / "vendor" / name).is_file(), name
    assert (slides / "index.html").is_file()
    for path in NOTEBOOKS:
        page = (slides / f"{path.stem}.slides.html").read_text(encoding="utf-8")
        assert not bw.build_site.external_references(page), path.stem
        assert 'src="static/vendor/requirejs/require.js"' in page and "static/vendor/reveal.js/dist/reveal.js" in page


def test_slides_leave_out_lecture_skip_and_solution_cells(slides):
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        shown = sum(1 for c in nb.cells if not set(bw.SLIDE_SKIP_TAGS) & set(_tags(c)))
        page = (slides / f"{path.stem}.slides.html").read_text(encoding="utf-8")
        assert page.count('<div class="jp-Cell ') == shown, path.stem


@pytest.mark.browser
def test_slides_open_offline_in_chromium(slides):
    """Each deck in Chromium with the network cut off: reveal.js starts, the arrow key moves to the next slide,
    saved widget views render, no request leaves the machine, the console stays clean."""
    from browser.chromium import PageWatch, launch, require_browser, screenshot_path

    chromium = require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright, chromium)
        try:
            for path in NOTEBOOKS:
                context = browser.new_context(viewport={"width": 1280, "height": 800}, service_workers="block")
                page = context.new_page()
                watch = PageWatch()
                watch.attach(context, page)
                try:
                    page.goto((slides / f"{path.stem}.slides.html").as_uri())
                    page.wait_for_function("() => document.querySelector('.reveal.ready') !== null", timeout=30_000)
                    total = page.evaluate("() => Reveal.getTotalSlides()")
                    assert total >= 3, f"{path.stem}: only {total} slides"
                    before = page.evaluate("() => Reveal.getIndices().h")
                    page.keyboard.press("ArrowRight")
                    page.wait_for_function(f"() => Reveal.getIndices().h !== {before}", timeout=10_000)
                    assert page.locator("text=Error displaying widget").count() == 0
                    page.screenshot(path=str(screenshot_path(f"slides-{path.stem}")))
                    assert not watch.external, f"{path.stem}: requests to other hosts: {watch.external}"
                    assert not watch.problems(), f"{path.stem}: " + "\n".join(watch.problems())
                    print(f"{path.stem}.slides.html: {total} slides, reveal.js ready, offline, console clean")
                finally:
                    context.close()
        finally:
            browser.close()
