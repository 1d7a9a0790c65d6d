#!/usr/bin/env python3
"""Build the offline static site of the course: ``make site`` (= ``python3 course.py site``).

Turns the committed, *executed* notebooks in ``notebooks/`` into HTML pages under ``_site/`` (nothing is
re-executed), with a course index page. Widgets render from the widget state saved in each notebook, and
every script the pages load is a local file, so a classroom without internet can browse the course:

- ``@jupyter-widgets/html-manager`` (its ``dist/embed-amd.js`` bundle and the icon fonts beside it) renders the
  saved widget views; ``requirejs`` loads it;
- ``mathjax`` 3 (``es5/tex-svg-full.js``, one file, no web fonts) typesets the ``$...$`` maths;
- (matplotlib's animation player needs no web font: ``helpers.plots`` draws its button icons as characters.)

These come from the npm registry, once, with ``npm pack`` (pinned versions, integrity checked), into the build
cache ``build/vendor/`` (git-ignored); later builds reuse the cache, so only the first build needs npm and a
connection. Nothing is committed and no CDN is referenced: the build fails if a page still points a script,
stylesheet or image at another host.

    python3 scripts/build_site.py [--out _site] [--notebooks notebooks] [--strict]

``--strict`` fails (instead of warning) when a notebook is not executed or a widget view has no saved state
(re-execute it with ``make execute NB=...``, which saves widget state). This script imports nothing from
``helpers``; it needs ``nbconvert`` (installed with the course) and, for the first build, ``npm``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = Path(__file__).resolve().parent / "site_templates"
VENDOR_URL = "static/vendor"  # where the vendored files live, relative to the site root and every page


@dataclass(frozen=True)
class Vendored:
    """One npm package, pinned, and the files of its tarball the site needs (paths under ``package/``)."""

    name: str
    version: str
    integrity: str  # the registry's sha512 of the tarball (`npm view NAME@VERSION dist.integrity`)
    files: tuple[str, ...]  # exact paths, or a directory ending in "/" whose files are all copied
    dest: str  # folder under static/vendor/
    skip: tuple[str, ...] = ()  # file names inside those directories that the site does not need

    @property
    def key(self) -> str:
        return f"{self.name.replace('@', '').replace('/', '-')}-{self.version}"


# html-manager 1.x renders ipywidgets 8 state (widget protocol 2); keep its major in step with ipywidgets.
VENDORED = (
    Vendored("@jupyter-widgets/html-manager", "1.0.15",
             "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
             ("dist/",), "html-manager", skip=("embed.js", "libembed-amd.js")),
    Vendored("requirejs", "2.3.8",
             "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
             ("require.js",), "requirejs"),
    Vendored("mathjax", "3.2.2",
             "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
             ("es5/tex-svg-full.js", "LICENSE"), "mathjax"),
)

# CDN references that outputs (not nbconvert's template) carry, and their local replacements. None today:
# matplotlib's animation player used to link Font Awesome; helpers.plots.offline_player now removes that link.
CDN_REWRITES: tuple = ()

# A script, stylesheet, image, frame or module import that names another host (links a reader clicks are fine).
EXTERNAL_RESOURCE = re.compile(
    r"<(?:script|link|img|iframe|source|audio|video)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//"
    r"|\bimport\s*\(\s*[\"'](?:https?:)?//|@import\s+(?:url\()?[\"']?(?:https?:)?//",
    re.I,
)

BUILTIN_WIDGET_MODULES = {"@jupyter-widgets/base", "@jupyter-widgets/controls", "@jupyter-widgets/output"}


class SiteError(Exception):
    """The site cannot be built (or would not work offline); the message says why and what to do."""


def _say(msg: str) -> None:
    print(f"[site] {msg}", flush=True)


# --------------------------------------------------------------------------------------------- vendoring

def _check_integrity(tarball: Path, integrity: str) -> None:
    algo, _, expected = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algo, tarball.read_bytes()).digest()).decode()
    if digest != expected:
        raise SiteError(f"{tarball.name}: {algo} digest {digest} != pinned {expected}; refusing to use it")


def _extract(pkg: Vendored, tarball: Path, dest: Path) -> None:
    with tarfile.open(tarball) as tar:
        wanted = []
        for member in tar.getmembers():
            if not member.isfile() or not member.name.startswith("package/"):
                continue
            rel = member.name[len("package/"):]
            if any(rel == f or (f.endswith("/") and rel.startswith(f)) for f in pkg.files):
                wanted.append((member, rel))
        missing = [f for f in pkg.files if not any(rel == f or rel.startswith(f) for _, rel in wanted)]
        if missing:
            raise SiteError(f"{pkg.name}@{pkg.version} has no {missing}")
        for member, rel in wanted:
            if rel.endswith(".map") or rel.rsplit("/", 1)[-1] in pkg.skip:
                continue  # source maps (debugging only) and bundles the site does not load
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            src = tar.extractfile(member)
            assert src is not None
            target.write_bytes(src.read())


def vendor(cache: Path, packages: Sequence[Vendored] = VENDORED) -> dict[str, Path]:
    """Make sure every vendored package is in ``cache`` (``npm pack`` on a miss); return name -> folder.

    ``packages`` defaults to the site's; scripts/build_workshop.py passes these plus reveal.js for the slides."""
    cache.mkdir(parents=True, exist_ok=True)
    folders = {}
    for pkg in packages:
        folder = cache / pkg.key
        stamp = folder / ".complete"
        if not (stamp.exists() and stamp.read_text().strip() == pkg.integrity):
            npm = shutil.which("npm")
            if npm is None:
                raise SiteError(
                    f"{pkg.name}@{pkg.version} is not in {cache} and `npm` is not installed. Install Node.js "
                    "(Debian: apt-get install npm) and run this once with a connection to the npm registry; later "
                    "builds are offline.")
            _say(f"fetching {pkg.name}@{pkg.version} from the npm registry (once; cached in {cache}) ...")
            with tempfile.TemporaryDirectory() as tmp:
                out = subprocess.run([npm, "pack", f"{pkg.name}@{pkg.version}", "--pack-destination", tmp,
                                      "--silent", "--json"], cwd=tmp, capture_output=True, text=True)
                if out.returncode != 0:
                    raise SiteError(f"npm pack {pkg.name}@{pkg.version} failed:\n{out.stderr[-2000:]}")
                tarballs = list(Path(tmp).glob("*.tgz"))
                if len(tarballs) != 1:
                    raise SiteError(f"npm pack {pkg.name}@{pkg.version} left {tarballs}")
                _check_integrity(tarballs[0], pkg.integrity)
                shutil.rmtree(folder, ignore_errors=True)
                _extract(pkg, tarballs[0], folder)
            stamp.write_text(pkg.integrity + "\n")
        folders[pkg.dest] = folder
    return folders


def copy_vendor(folders: dict[str, Path], site: Path) -> None:
    for dest, folder in folders.items():
        target = site / VENDOR_URL / dest
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(folder, target, ignore=shutil.ignore_patterns(".complete"))


# --------------------------------------------------------------------------------------------- pages

def first_heading(nb) -> str:
    """The text of the notebook's first markdown heading, without markdown marks (``**``, backticks, links)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                m = re.match(r"^\s*#{1,6}\s+(.*\S)\s*$", line)
                if m:
                    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", m.group(1))  # [text](url) -> text
                    return re.sub(r"\*\*|__|`|(?<!\w)[*_]|[*_](?!\w)", "", text).strip()
    return ""


def check_notebook(path: Path, nb) -> list[str]:
    """Problems that would make the page wrong: not executed, widget views without saved state, etc."""
    problems = []
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    if code and not any(c.get("execution_count") for c in code):
        problems.append("is not executed (no cell has an execution count): run `make execute NB=...` first")
    for c in code:
        for out in c.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"has an error output ({out.get('ename')}): re-execute it")
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    views = [out["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
             for c in code for out in c.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in out.get("data", {})]
    lost = [v for v in views if v not in state]
    if lost:
        problems.append(f"has {len(lost)} widget view(s) without saved widget state: re-execute it with "
                        "`make execute NB=...` (which stores widget state)")
    modules = {m.get("model_module") for m in state.values()} - BUILTIN_WIDGET_MODULES - {None}
    if modules:
        problems.append(f"uses widget modules {sorted(modules)} that the offline html-manager does not bundle "
                        "(they would load from a CDN)")
    return problems


def make_exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="course",
        extra_template_basedirs=[str(TEMPLATES)],
        require_js_url=f"{VENDOR_URL}/requirejs/require.js",
        widget_renderer_url=f"{VENDOR_URL}/html-manager/dist/embed-amd.js",
        mathjax_url=f"{VENDOR_URL}/mathjax/es5/tex-svg-full.js",
        mermaid_js_url="",  # the course draws no mermaid diagrams; never load it from a CDN
        mermaid_layout_elk_js_url="",
        jquery_url="",
    )


def rewrite_cdn(body: str) -> str:
    for pattern, local in CDN_REWRITES:
        body = pattern.sub(local, body)
    return body


def external_references(body: str) -> list[str]:
    return [body[max(0, m.start() - 20): m.end() + 60].replace("\n", " ") for m in EXTERNAL_RESOURCE.finditer(body)]


INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title>
<style>
  body {{ font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", "WenQuanYi Micro Hei",
         sans-serif; max-width: 46rem; margin: 2.5rem auto; padding: 0 1rem; line-height: 1.55; color: #222; }}
  h1 {{ font-size: 1.7rem; margin-bottom: .3rem; }}
  p.lead {{ color: #555; margin-top: 0; }}
  ol.course {{ list-style: none; padding: 0; }}
  ol.course li {{ padding: .55rem .2rem; border-bottom: 1px solid #e4e4e4; }}
  ol.course a {{ text-decoration: none; color: #0b5cad; font-weight: 600; }}
  ol.course a:hover {{ text-decoration: underline; }}
  .file {{ color: #888; font-size: .85rem; font-family: ui-monospace, monospace; }}
  footer {{ margin-top: 2rem; color: #777; font-size: .85rem; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p class="lead">{lead}</p>
<ol class="course">
{items}
</ol>
<footer>These pages show the notebooks as they were last executed; widgets show their saved state and
animations play, without a kernel and without internet. To change numbers and re-run cells, open the
notebooks in JupyterLab (<code>make lab</code>).</footer>
</body>
</html>
"""


def course_title() -> tuple[str, str]:
    """The README's first heading and first paragraph (plain text)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    title = next((ln[2:].strip() for ln in readme if ln.startswith("# ")), "The course")
    para, started = [], False
    for ln in readme[1:]:
        if ln.strip() and not ln.startswith("#"):
            started = True
            para.append(ln.strip())
        elif started:
            break
    lead = re.sub(r"\*\*(.+?)\*\*|\*(.+?)\*", lambda m: m.group(1) or m.group(2), " ".join(para))
    return title, lead


def build(out: Path, notebooks: Path | Sequence[Path], cache: Path, strict: bool = False) -> dict[str, list[str]]:
    """Build the site into ``out`` from a folder of notebooks (``NN_*.ipynb``) or a list of them.

    Returns, per notebook file name, the problems found (not executed, widget views without saved state,
    references to other hosts); they are warnings, or, with ``strict``, a :class:`SiteError` at the end."""
    import nbformat

    paths = sorted(notebooks.glob("[0-9]*.ipynb")) if isinstance(notebooks, Path) else list(notebooks)
    if not paths:
        raise SiteError(f"no notebooks in {notebooks}")
    folders = vendor(cache)
    out.mkdir(parents=True, exist_ok=True)
    copy_vendor(folders, out)
    exporter = make_exporter()

    loaded = [(p, nbformat.read(p, as_version=4)) for p in paths]
    headings = [first_heading(nb) or p.stem for p, nb in loaded]
    problems: dict[str, list[str]] = {}
    for i, (path, nb) in enumerate(loaded):
        found = check_notebook(path, nb)
        nav = {
            "index": "index.html",
            "prev": (f"{loaded[i - 1][0].stem}.html", headings[i - 1]) if i > 0 else None,
            "next": (f"{loaded[i + 1][0].stem}.html", headings[i + 1]) if i + 1 < len(loaded) else None,
        }
        nb.metadata["title"] = headings[i]
        resources = {"course_nav": nav, "metadata": {"name": path.stem},
                     "widget_assets_path": f"{VENDOR_URL}/html-manager/dist"}
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        body = rewrite_cdn(body)
        external = external_references(body)
        if external:
            found.append(f"still loads from another host: {external[:3]}")
        page = out / f"{path.stem}.html"
        page.write_text(body, encoding="utf-8")
        _say(f"{page.relative_to(out)}  ({len(body) / 1e6:.1f} MB)  {headings[i]}")
        for problem in found:
            _say(f"{'error' if strict else 'warning'}: {path.name} {problem}")
        problems[path.name] = found

    title, lead = course_title()
    items = "\n".join(
        f'  <li><a href="{p.stem}.html">{html.escape(h)}</a> <span class="file">{p.name}</span></li>'
        for (p, _), h in zip(loaded, headings))
    (out / "index.html").write_text(INDEX_TEMPLATE.format(title=html.escape(title), lead=html.escape(lead),
                                                          items=items), encoding="utf-8")
    (out / "site.json").write_text(json.dumps(
        {"title": title, "pages": [{"file": f"{n.stem}.html", "notebook": f"notebooks/{n.name}", "title": h}
                                   for (n, _), h in zip(loaded, headings)],
         "vendored": {v.name: v.version for v in VENDORED}}, indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8")
    failures = [f"{name} {p}" for name, found in problems.items() for p in found]
    if strict and failures:
        raise SiteError("failed:\n  " + "\n  ".join(failures))
    _say(f"done: open {out / 'index.html'} in a browser (works offline)")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "_site", help="output folder (default: _site/)")
    ap.add_argument("--notebooks", type=Path, default=ROOT / "notebooks", help="folder of executed notebooks")
    ap.add_argument("--cache", type=Path, default=ROOT / "build" / "vendor",
                    help="cache of the vendored npm files (default: build/vendor/)")
    ap.add_argument("--strict", action="store_true",
                    help="fail on notebooks that are not executed or lack widget state")
    args = ap.parse_args(argv)
    try:
        build(args.out.resolve(), args.notebooks.resolve(), args.cache.resolve(), strict=args.strict)
    except SiteError as exc:
        _say(str(exc))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
