#!/usr/bin/env python3
"""Classroom and workshop views of the course, generated from the notebooks: ``make workshop`` / ``make slides``.

The notebooks in ``notebooks/`` stay the one source. From their cell tags (see CONTRIBUTING.md) this script makes

- **workshop copies** ``workshop/NN_name.ipynb``: outputs cleared, the reference solutions (cells tagged
  ``solution``) removed and the Solutions heading replaced by a note, exercise cells (tag ``exercise``) kept as
  the stubs they are (each must hold ``raise NotImplementedError`` or ``...``; the build fails on one that
  does not, so a solution cannot leak into a workshop copy), check cells (tag ``check``) and quizzes kept.
  The files are a pure function of the notebooks' sources: regenerating gives byte-identical files, and
  ``--check`` says which committed copies are stale. They are **committed** (participants open them straight
  after ``git clone``, with nothing to build) and never edited by hand; tests/test_workshop.py fails when one
  is out of date.
- **lecture slides** ``_slides/NN_name.slides.html``: reveal.js through nbconvert from the executed
  notebooks (nothing re-runs), cells tagged ``lecture-skip`` or ``solution`` left out, slide breaks from each
  cell's ``slideshow.slide_type``. reveal.js, require.js, MathJax and the widget renderer come from the npm
  registry once (pinned, integrity-checked, cached in ``build/vendor/`` as for the static site,
  scripts/build_site.py) and are copied next to the slides, so they work offline in a lecture hall. They are
  build output: git-ignored, rebuilt in CI by tests/test_workshop.py.

    python3 scripts/build_workshop.py                 # both
    python3 scripts/build_workshop.py --workshop-only # workshop copies only (no npm, no nbconvert export)
    python3 scripts/build_workshop.py --slides-only [--slides-out DIR]
    python3 scripts/build_workshop.py --check         # exit 1 if a committed workshop copy is stale

This script imports nothing from ``helpers``; it needs ``nbformat``/``nbconvert`` and, for the first slide
build, ``npm``.
"""

from __future__ import annotations

import argparse
import copy
import html
import re
import sys
from pathlib import Path
from typing import Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_site  # noqa: E402  (the site's vendoring and offline checks, reused)

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = Path(__file__).resolve().parent / "slides_templates"
VENDOR_URL = build_site.VENDOR_URL

# reveal.js 4 has the layout nbconvert's reveal template expects (dist/reveal.js, dist/theme/, plugin/notes/).
REVEAL = build_site.Vendored(
    "reveal.js", "4.6.1",
    "sha512-1CW0auaXNPmwmvQ7TwpszwVxMi2Xr5cTS3J3EBC/HHgbPF32Dn7aiu/LKWDOGjMbaDwKQiGmfqcoGQ74HUHCMw==",
    ("dist/", "plugin/notes/", "LICENSE"), "reveal.js")
SLIDE_PACKAGES = (*build_site.VENDORED, REVEAL)

SLIDE_SKIP_TAGS = ("lecture-skip", "solution")
STUB = re.compile(r"raise\s+NotImplementedError|(?<![\w.])\.\.\.(?![\w.])")
SOLUTIONS_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]*Solutions\b", re.I | re.M)


class BuildError(Exception):
    """A notebook cannot be turned into a workshop copy or slides; the message says which cell and why."""


def _say(msg: str) -> None:
    print(f"[workshop] {msg}", flush=True)


def notebook_paths(folder: Path) -> list[Path]:
    """The course notebooks, ``NN_name.ipynb`` (or ``NNa_name.ipynb``), in order."""
    return sorted(folder.glob("[0-9][0-9]*.ipynb"))


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


# --------------------------------------------------------------------------------------------- workshop

def before_solutions(markdown: str) -> str | None:
    """For a markdown cell with a Solutions heading: the text before it, without a trailing rule (``---``);
    ``None`` if the cell has no such heading."""
    heading = SOLUTIONS_HEADING.search(markdown)
    if heading is None:
        return None
    return re.sub(r"(\s*(---|\*\*\*|___)\s*)+$", "", markdown[:heading.start()]).strip()


def _note_cell(nbformat, source_rel: str, n_solutions: int, cell_id: str):
    text = (f"## Solutions\n\n"
            f"This is the **workshop copy**: its {n_solutions} reference solution(s) are not here. Each check "
            f"cell above tells you whether your answer is right, and gives a hint when it is not. The reference "
            f"answers are at the end of the full notebook, [`{source_rel}`](../{source_rel}); try first, then "
            f"compare.")
    cell = nbformat.v4.new_markdown_cell(text)
    cell.id = cell_id
    cell.metadata = {"tags": ["workshop-note"]}
    return cell


def workshop_copy(nb, source_rel: str):
    """The workshop version of notebook ``nb`` (a NotebookNode; not modified). ``source_rel`` is the source's
    path relative to the repository root, e.g. ``notebooks/01_attention.ipynb``."""
    import nbformat

    stem = Path(source_rel).stem
    cells, n_solutions, note_placed = [], 0, False
    for index, cell in enumerate(nb.cells):
        cell_tags = tags(cell)
        if "solution" in cell_tags:
            n_solutions += 1
            continue
        if "exercise" in cell_tags and cell.cell_type == "code" and not STUB.search(cell.source):
            raise BuildError(f"{source_rel}, cell {index} (tag 'exercise'): the learner's cell holds no stub "
                             "(`raise NotImplementedError` or `...`); a workshop copy would give the answer away. "
                             "Put the answer in a cell tagged 'solution' and leave a stub here.")
        before = before_solutions(cell.source) if cell.cell_type == "markdown" else None
        if before is not None:
            # keep what comes before the heading (e.g. "Next: ..."); the rest (how to use the solutions below)
            # becomes the workshop note
            if before:
                kept = copy.deepcopy(cell)
                kept.source = before
                kept.metadata = {"tags": cell_tags} if cell_tags else {}
                cells.append(kept)
            cells.append(None)  # placeholder: the note, once the number of solutions is known
            note_placed = True
            continue
        new = copy.deepcopy(cell)
        new.metadata = {"tags": cell_tags} if cell_tags else {}
        if new.cell_type == "code":
            new.outputs = []
            new.execution_count = None
        cells.append(new)
    note = _note_cell(nbformat, source_rel, n_solutions, f"{stem[:2]}-workshop-solutions")
    if n_solutions and not note_placed:
        cells.append(note)
    cells = [note if c is None else c for c in cells]
    if not n_solutions:
        cells = [c for c in cells if c is not note]
    banner = nbformat.v4.new_markdown_cell(
        f"> **Workshop copy** of [`{source_rel}`](../{source_rel}), generated by `make workshop` "
        "(scripts/build_workshop.py); edit the source notebook, never this file, in the repository. "
        "Fill in each cell marked *your turn* / *your code here*; the cell after it checks your answer.")
    banner.id = f"{stem[:2]}-workshop-banner"
    banner.metadata = {"tags": ["workshop-note"]}
    out = nbformat.v4.new_notebook()
    out.nbformat, out.nbformat_minor = nb.nbformat, nb.nbformat_minor
    out.metadata = {"kernelspec": dict(nb.metadata.get("kernelspec", {"display_name": "Python 3", "language":
                                                                        "python", "name": "python3"})),
                    "language_info": {"name": "python"},
                    "course": {"workshop_copy_of": source_rel}}
    out.cells = [banner, *cells]
    return out


def render(nb) -> str:
    """The file text of a notebook: nbformat's own JSON layout (sorted keys), one trailing newline."""
    import nbformat

    return nbformat.writes(nb).rstrip("\n") + "\n"


def workshop_texts(notebooks: Sequence[Path]) -> dict[str, str]:
    """File name -> text of every workshop copy, plus the folder's README.md."""
    import nbformat

    texts, rows = {}, []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        rel = path.resolve().relative_to(ROOT).as_posix() if path.resolve().is_relative_to(ROOT) else path.name
        copy_ = workshop_copy(nb, rel)
        texts[path.name] = render(copy_)
        n_ex = sum(1 for c in copy_.cells if c.cell_type == "code" and "exercise" in tags(c))
        n_check = sum(1 for c in copy_.cells if "check" in tags(c))
        rows.append(f"| [{path.stem}]({path.name}) | {n_ex} | {n_check} |")
    texts["README.md"] = (
        "# Workshop copies\n\n"
        "Generated by `make workshop` (scripts/build_workshop.py) from the notebooks in `../notebooks/`; do not\n"
        "edit them here, edit the source notebook and regenerate. Each copy has no outputs and no reference\n"
        "solutions: fill in the cells marked *your turn* / *your code here*, run the check cell after each, and\n"
        "read its hint. The full notebooks hold the solutions at their end. Guide for workshop leaders:\n"
        "[../docs/instructor.md](../docs/instructor.md).\n\n"
        "| notebook | exercise cells | check cells |\n| --- | --- | --- |\n" + "\n".join(rows) + "\n")
    return texts


def build_workshop(notebooks: Sequence[Path], out: Path) -> list[Path]:
    """Write the workshop copies into ``out``; remove copies whose source notebook is gone."""
    out.mkdir(parents=True, exist_ok=True)
    texts = workshop_texts(notebooks)
    for stale in sorted(out.glob("[0-9][0-9]*.ipynb")):
        if stale.name not in texts:
            stale.unlink()
            _say(f"removed {stale.name} (its notebook is gone)")
    written = []
    for name, text in texts.items():
        target = out / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8", newline="\n")
            _say(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
        written.append(target)
    return written


def stale_copies(notebooks: Sequence[Path], out: Path) -> list[str]:
    """Workshop files in ``out`` that differ from what the notebooks generate (or are missing or extra)."""
    texts = workshop_texts(notebooks)
    problems = []
    for name, text in texts.items():
        target = out / name
        if not target.exists():
            problems.append(f"{name} is missing")
        elif target.read_text(encoding="utf-8") != text:
            problems.append(f"{name} is out of date")
    problems += [f"{p.name} has no notebook" for p in sorted(out.glob("[0-9][0-9]*.ipynb")) if p.name not in texts]
    return problems


# --------------------------------------------------------------------------------------------- slides

def make_slides_exporter():
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = set(SLIDE_SKIP_TAGS)
    config.TagRemovePreprocessor.enabled = True
    return SlidesExporter(
        config=config,
        template_name="course_slides",
        extra_template_basedirs=[str(TEMPLATES)],
        reveal_url_prefix=f"{VENDOR_URL}/reveal.js",
        reveal_theme="white",
        reveal_transition="none",
        reveal_number="c/t",
        reveal_scroll=True,
        require_js_url=f"{VENDOR_URL}/requirejs/require.js",
        widget_renderer_url=f"{VENDOR_URL}/html-manager/dist/embed-amd.js",
        mathjax_url=f"{VENDOR_URL}/mathjax/es5/tex-svg-full.js",
        jquery_url="",
        mermaid_js_url="",
    )


SLIDES_INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}: slides</title>
<style>body {{ font-family: system-ui, sans-serif; max-width: 44rem; margin: 2.5rem auto; padding: 0 1rem; }}
li {{ margin: .4rem 0; }} a {{ color: #0b5cad; }}</style></head>
<body><h1>{title}: lecture slides</h1>
<p>One deck per notebook, from its executed outputs. Arrow keys move, <kbd>s</kbd> opens the speaker view,
<kbd>Esc</kbd> the overview. Works offline.</p>
<ol>
{items}
</ol></body></html>
"""


def build_slides(notebooks: Sequence[Path], out: Path, cache: Path) -> list[Path]:
    """reveal.js slides of each notebook into ``out``, with the vendored scripts beside them."""
    import nbformat

    folders = build_site.vendor(cache, SLIDE_PACKAGES)
    out.mkdir(parents=True, exist_ok=True)
    build_site.copy_vendor(folders, out)
    exporter = make_slides_exporter()
    pages, problems = [], []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        heading = build_site.first_heading(nb) or path.stem
        nb.metadata["title"] = heading
        resources = {"metadata": {"name": path.stem}, "widget_assets_path": f"{VENDOR_URL}/html-manager/dist"}
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        body = build_site.rewrite_cdn(body)
        external = build_site.external_references(body)
        if external:
            problems.append(f"{path.name} still loads from another host: {external[:3]}")
        page = out / f"{path.stem}.slides.html"
        page.write_text(body, encoding="utf-8")
        pages.append((page, heading))
        _say(f"{page.name}  ({len(body) / 1e6:.1f} MB)  {heading}")
    if problems:
        raise BuildError("slides would not work offline:\n  " + "\n  ".join(problems))
    title, _ = build_site.course_title()
    items = "\n".join(f'<li><a href="{p.name}">{html.escape(h)}</a></li>' for p, h in pages)
    (out / "index.html").write_text(SLIDES_INDEX.format(title=html.escape(title), items=items), encoding="utf-8")
    return [p for p, _ in pages]


# --------------------------------------------------------------------------------------------- command

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notebooks", type=Path, default=ROOT / "notebooks", help="folder of source notebooks")
    ap.add_argument("--workshop-out", type=Path, default=ROOT / "workshop", help="default: workshop/")
    ap.add_argument("--slides-out", type=Path, default=ROOT / "_slides", help="default: _slides/")
    ap.add_argument("--cache", type=Path, default=ROOT / "build" / "vendor", help="npm cache (build/vendor/)")
    which = ap.add_mutually_exclusive_group()
    which.add_argument("--workshop-only", action="store_true", help="only the workshop copies")
    which.add_argument("--slides-only", action="store_true", help="only the slides")
    which.add_argument("--check", action="store_true", help="exit 1 if a committed workshop copy is stale")
    which.add_argument("--vendor-only", action="store_true",
                       help="only fill build/vendor/ with the scripts the slides and the offline site need (npm, "
                            "once), so later builds and tests need no network")
    args = ap.parse_args(argv)
    if args.vendor_only:
        try:
            build_site.vendor(args.cache.resolve(), SLIDE_PACKAGES)
        except build_site.SiteError as exc:
            _say(f"error: {exc}")
            return 1
        return 0
    paths = notebook_paths(args.notebooks.resolve())
    if not paths:
        _say(f"no notebooks (NN_name.ipynb) in {args.notebooks}")
        return 1
    try:
        if args.check:
            problems = stale_copies(paths, args.workshop_out.resolve())
            for p in problems:
                _say(f"stale: {p}")
            if problems:
                _say("regenerate with `make workshop` and commit workshop/")
                return 1
            _say(f"{len(paths)} workshop copies up to date")
            return 0
        if not args.slides_only:
            build_workshop(paths, args.workshop_out.resolve())
            _say(f"workshop copies of {len(paths)} notebooks in {args.workshop_out}")
        if not args.workshop_only:
            build_slides(paths, args.slides_out.resolve(), args.cache.resolve())
            _say(f"slides in {args.slides_out}: open {args.slides_out / 'index.html'} (works offline)")
    except (BuildError, build_site.SiteError) as exc:
        _say(f"error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
