"""The offline static site (``make site``): built from the committed notebooks, browsed with no network.

Builds the site into a temporary folder with ``scripts/build_site.py`` from the notebooks this run collected,
then, per notebook, asserts what ``make site ARGS=--strict`` checks (the notebook is executed, every widget
view has saved state, the page loads no script, stylesheet or image from another host), opens its page from
``file://`` in Chromium with every request that would leave the machine aborted and counted, and asserts:

- zero requests to other hosts, no console error, no uncaught exception;
- every saved widget view renders (sliders and all) from the embedded widget state, with the figures the
  widgets' output areas saved; no "Error displaying widget";
- the maths is typeset by the vendored MathJax, without a TeX error;
- every matplotlib animation (``div.animation``, from ``to_jshtml``) plays when its Play button is pressed;
- Chinese text is drawn with a CJK font;
- the index lists every notebook, under its first heading, and links to its page.

A screenshot of each page goes to ``artifacts/screenshots/site-<notebook>.png``. The vendored npm files are
cached in ``build/vendor/`` (git-ignored), so only the first run needs npm and the npm registry; without npm
and without that cache the test skips (fails under ``CI=true``), as it does without Chromium.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import time
from pathlib import Path

import pytest

from browser.chromium import (PageWatch, check_animations, saved_animations, check_chinese_renders, in_ci, launch,
                              require_browser, screenshot_path)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
CACHE = ROOT / "build" / "vendor"
RENDER_TIMEOUT_S = 60


def _load_builder():
    """scripts/build_site.py as a module (scripts/ is not a package)."""
    if "build_site" not in sys.modules:
        spec = importlib.util.spec_from_file_location("build_site", ROOT / "scripts" / "build_site.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["build_site"] = module  # before running it: its dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules["build_site"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict[str, list[str]]]:
    """The site, built from the notebooks this run collected; and the problems found per notebook."""
    builder = _load_builder()
    cached = all((CACHE / pkg.key / ".complete").exists() for pkg in builder.VENDORED)
    if not cached and shutil.which("npm") is None:
        message = ("building the offline site needs npm once (to vendor the widget and MathJax scripts into "
                   "build/vendor/): apt-get install npm")
        if in_ci():
            pytest.fail(f"CI=true, so this is a failure, not a skip: {message}", pytrace=False)
        pytest.skip(message)
    out = tmp_path_factory.mktemp("site")
    start = time.monotonic()
    try:
        problems = builder.build(out, NOTEBOOKS, CACHE)
    except builder.SiteError as exc:
        pytest.fail(f"the offline site does not build (`make site`): {exc}", pytrace=False)
    print(f"site built in {time.monotonic() - start:.1f} s")
    return out, problems


@pytest.fixture(scope="module")
def site(built) -> Path:
    return built[0]


@pytest.fixture(scope="module")
def browser():
    chromium = require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        b = launch(playwright, chromium)
        yield b
        b.close()


def test_index_lists_every_notebook(site: Path):
    builder = _load_builder()
    index = (site / "index.html").read_text(encoding="utf-8")
    listing = json.loads((site / "site.json").read_text(encoding="utf-8"))
    assert [p["notebook"] for p in listing["pages"]] == [f"notebooks/{nb.name}" for nb in NOTEBOOKS]
    import nbformat

    for nb_path in NOTEBOOKS:
        page = site / f"{nb_path.stem}.html"
        assert page.exists(), f"no page for {nb_path.name}"
        heading = builder.first_heading(nbformat.read(nb_path, as_version=4))
        assert heading, f"{nb_path.name} has no heading"
        assert f'href="{page.name}"' in index
        assert builder.html.escape(heading) in index
        body = page.read_text(encoding="utf-8")
        assert not builder.external_references(body)
        assert "cdn.jsdelivr" not in body and "unpkg.com" not in body and "cdnjs.cloudflare" not in body


def _open_offline(browser, url: str):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, service_workers="block")
    page = context.new_page()
    watch = PageWatch()
    watch.attach(context, page)
    page.goto(url)
    return context, page, watch


def test_index_page_offline(site: Path, browser):
    context, page, watch = _open_offline(browser, (site / "index.html").as_uri())
    try:
        links = page.locator("ol.course a")
        assert links.count() == len(NOTEBOOKS)
        links.first.click()
        page.wait_for_load_state()
        assert page.url.endswith(f"{NOTEBOOKS[0].stem}.html")
        assert not watch.external, f"requests to other hosts: {watch.external}"
        assert not watch.problems(), "\n".join(watch.problems())
    finally:
        context.close()


# Per widget view (a <script type=...widget-view+json> left in the page): did the html-manager render it?
VIEWS_JS = """() => [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]
  .map(s => {
    const area = s.parentElement, sub = area.querySelector(':scope > .widget-subarea');
    const box = sub && sub.firstElementChild ? sub.firstElementChild.getBoundingClientRect() : null;
    return {rendered: !!(box && box.width > 0 && box.height > 0),
            error: area.innerText.includes('Error displaying widget'),
            sliders: area.querySelectorAll('.widget-slider .noUi-handle').length,
            outputImages: area.querySelectorAll('.widget-output img').length};
  })"""


def _saved_widgets(nb_path: Path) -> tuple[int, int, int]:
    """(views, slider models, images in saved Output widgets) of a notebook's saved widget state."""
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    state = nb.get("metadata", {}).get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    models = state.get("state", {})
    views = sum(1 for c in nb["cells"] for o in c.get("outputs", [])
                if "application/vnd.jupyter.widget-view+json" in o.get("data", {}))
    sliders = sum(1 for m in models.values() if m.get("model_name", "").endswith("SliderModel"))
    images = sum(1 for m in models.values() if m.get("model_name") == "OutputModel"
                 for o in m.get("state", {}).get("outputs", []) if "image/png" in o.get("data", {}))
    return views, sliders, images


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_page_renders_offline(notebook: Path, built, browser):
    site, problems = built
    assert not problems[notebook.name], (
        f"{notebook.name} {'; '.join(problems[notebook.name])} (what `make site ARGS=--strict` reports)")
    start = time.monotonic()
    context, page, watch = _open_offline(browser, (site / f"{notebook.stem}.html").as_uri())
    try:
        views, sliders, images = _saved_widgets(notebook)
        if views:
            page.wait_for_function(f"() => ({VIEWS_JS})().every(v => v.rendered || v.error)",
                                   timeout=RENDER_TIMEOUT_S * 1000)
        rendered = page.evaluate(VIEWS_JS)
        assert len(rendered) == views, f"{views} widget views saved, {len(rendered)} in the page"
        assert not any(v["error"] for v in rendered), "'Error displaying widget' in the page"
        assert all(v["rendered"] for v in rendered)
        # every slider of a displayed widget, and every figure its output areas saved
        shown_sliders = sum(v["sliders"] for v in rendered)
        shown_images = sum(v["outputImages"] for v in rendered)
        assert shown_sliders >= min(sliders, 1) and shown_images >= min(images, 1), (
            f"saved: {sliders} sliders, {images} figures in output widgets; shown: {shown_sliders}, {shown_images}")

        # maths: typeset by the vendored MathJax (its start-up promise resolves after the first typeset)
        page.wait_for_function("() => typeof window.MathJax?.typesetPromise === 'function'",
                               timeout=RENDER_TIMEOUT_S * 1000)
        page.evaluate("async () => { await window.MathJax.startup.promise; }")
        maths = page.locator("mjx-container").count()
        tex_errors = page.locator("mjx-container [data-mml-node='merror']").count()
        assert tex_errors == 0, f"{tex_errors} formulas failed to typeset"

        animations = check_animations(page)
        assert animations == saved_animations(notebook), f"{animations} players on the page, the notebook saved " \
            f"{saved_animations(notebook)}"
        fonts = check_chinese_renders(page, "main")
        shot = screenshot_path(f"site-{notebook.stem}")
        page.screenshot(path=str(shot), full_page=True)

        assert not watch.external, f"the page asked other hosts for: {watch.external}"
        assert not watch.problems(), "\n".join(watch.problems())
        print(f"\n{notebook.stem}.html: {views} widget view(s) rendered ({shown_sliders} sliders, {shown_images} "
              f"saved figures), {maths} formulas, {animations} animation(s) played, {watch.local_requests} local "
              f"requests, 0 external; Chinese: {fonts}; {time.monotonic() - start:.1f} s; screenshot "
              f"{shot.relative_to(ROOT)}")
    finally:
        context.close()
