"""The course in a real browser: every notebook run in JupyterLab, in Chromium, as a learner runs it.

nbval (``make test``) proves the kernel side of each notebook runs; this test proves what a learner *sees*.
For each notebook in ``notebooks/`` (found by name, so a new notebook needs no change here) it starts from a
throw-away JupyterLab (tests/browser/lab.py: a copy of the notebooks, a temporary profile, a token, no news
pop-up), clears the saved outputs, runs *Run → Run All Cells* from the menu, waits until the kernel is idle
and every code cell has an execution count, and asserts:

- no cell has an error output (warnings on stderr are allowed; they are printed);
- every widget view rendered ("Error displaying widget" and a stuck "Loading widget..." fail);
- every interactive control of every widget (slider, dropdown, toggle/radio buttons, checkbox, button, play)
  changes what its widget shows when moved: a slider gets a key press (→, or ← at its maximum), a choice
  picks another option, a button is clicked; the widget's other views and outputs must change, within a
  time limit. A control that should not be driven this way (text boxes are never driven) can opt out with
  the CSS class ``no-browser-check`` (``widget.add_class("no-browser-check")``);
- no widget callback failed: no traceback inside a widget, none in JupyterLab's log console (where the
  errors of callbacks that belong to no cell go);
- matplotlib animations (``to_jshtml``) play, if the notebook has any, and every button shows its icon (a
  character, so nothing is fetched from matplotlib's CDN web font);
- Chinese text in the page is drawn with a CJK font, not as empty boxes;
- the browser console shows no error and no uncaught exception.

Requests to other hosts are aborted, so the test sees what an offline learner sees, and listed in the
output; here they are not failures, since JupyterLab itself serves all a notebook needs. On the static site
they are failures (tests/test_site.py).

A full-height screenshot of each notebook is saved in ``artifacts/screenshots/<notebook>.png``.

Skips (with how to enable it) without Chromium or ``playwright``; fails instead under ``CI=true``.
Runs after the unit tests and the nbval notebooks (marker ``browser``; see conftest.py). Each notebook is
one test, with its wall time printed at the end of the run. ``COURSE_BROWSER_TIMEOUT`` (seconds, default 600)
bounds the run of one notebook.
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.request
from pathlib import Path

import pytest

from browser.chromium import (PageWatch, check_animations, saved_animations, check_chinese_renders, launch, require_browser,
                              screenshot_path)
from browser.lab import jupyterlab

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
RUN_TIMEOUT_S = float(os.environ.get("COURSE_BROWSER_TIMEOUT", 600))  # per notebook; each runs in <= ~2 min
WIDGET_TIMEOUT_S = 60  # for one control's effect to show (the kernel redraws a figure)
VIEWPORT = {"width": 1280, "height": 900}
MAX_SCREENSHOT_HEIGHT = 30_000  # px; taller notebooks are cut (and say so)

# ---------------------------------------------------------------------------------------------- page JS

# The notebook panel on screen, once its document, kernel session and DOM are ready.
OPEN_JS = """async () => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  await panel.context.ready; await panel.sessionContext.ready; await panel.revealed;
  app.shell.collapseLeft(); app.shell.collapseRight();
  return panel.context.path;
}"""

# True once the run is over: the kernel is idle and every code cell ran (or one failed, stopping Run All).
DONE_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session?.kernel;
  if (!kernel || kernel.status !== 'idle') return false;
  const code = panel.content.widgets.filter(c => c.model.type === 'code' && c.model.sharedModel.getSource().trim());
  const failed = code.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
  return failed || code.every(c => c.model.executionCount !== null);
}"""

LOG_CONSOLE_JS = """async () => {
  const app = window.jupyterapp, panel = app.shell.currentWidget;
  await app.commands.execute('logconsole:open', {source: panel.context.path, insertMode: 'split-bottom'});
}"""

KERNEL_IDLE_JS = "() => window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === 'idle'"

# One record per cell: what the notebook model holds and what the DOM shows.
STATE_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  return panel.content.widgets.map((cell, index) => {
    const code = cell.model.type === 'code';
    const outputs = code ? cell.model.outputs.toJSON() : [];
    const text = cell.node.querySelector('.jp-Cell-outputWrapper')?.innerText || '';
    return {
      index, code, count: code ? cell.model.executionCount : null,
      source: cell.model.sharedModel.getSource(),
      errors: outputs.filter(o => o.output_type === 'error').map(o => `${o.ename}: ${o.evalue}`),
      stderr: outputs.filter(o => o.output_type === 'stream' && o.name === 'stderr').map(o => o.text),
      widgetViews: outputs.filter(o => o.data && o.data['application/vnd.jupyter.widget-view+json']).length,
      renderedWidgets: [...cell.node.querySelectorAll(
        '.jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output')]
        .filter(o => o.querySelector(':scope > .jupyter-widgets')).length,
      // tracebacks shown inside widgets (an interact callback that raised): JupyterLab draws error outputs
      // as stderr, so look for IPython's traceback header
      domErrors: [...cell.node.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
        .filter(o => o.innerText.includes('Traceback (most recent call last)')).map(o => o.innerText.slice(0, 300)),
      widgetError: text.includes('Error displaying widget'),
      widgetLoading: text.includes('Loading widget'),
    };
  });
}"""

# Every interactive control in one cell's outputs, tagged with data-browser-check so the test can find it
# again; text boxes are left alone (no generic "right" input), as is anything with class no-browser-check.
CONTROLS_JS = """(index) => {
  const cell = window.jupyterapp.shell.currentWidget.content.widgets[index];
  const area = cell.node.querySelector('.jp-Cell-outputWrapper');
  const found = [];
  const add = (root, kind) => {
    if (!root || root.closest('.no-browser-check') || root.closest('[data-browser-check]')) return;
    if (root.offsetParent === null) return;  // not displayed (e.g. in a closed accordion)
    const id = `${index}-${found.length}`;
    root.setAttribute('data-browser-check', id);
    const label = (root.querySelector('.widget-label')?.innerText || root.innerText || '')
      .replace(/\u200b/g, '').trim().slice(0, 40);
    found.push({id, kind, label});
  };
  area.querySelectorAll('.widget-slider').forEach(r => add(r, 'slider'));
  area.querySelectorAll('.widget-play').forEach(r => add(r, 'play'));
  area.querySelectorAll('.widget-dropdown').forEach(r => add(r, 'dropdown'));
  area.querySelectorAll('.widget-select').forEach(r => add(r, 'select'));
  area.querySelectorAll('.widget-toggle-buttons').forEach(r => add(r, 'toggle-buttons'));
  area.querySelectorAll('.widget-radio').forEach(r => add(r, 'radio'));
  area.querySelectorAll('.widget-checkbox').forEach(r => add(r, 'checkbox'));
  area.querySelectorAll('.widget-toggle-button').forEach(r => add(r, 'toggle-button'));
  area.querySelectorAll('button.widget-button').forEach(r => add(r, 'button'));
  return found;
}"""

# What the widget shows, apart from the control being moved (whose own readout always changes): its text,
# its pictures (img src, svg, canvas) and the values of the other controls. Attributes are left out, since
# the widget library touches them (style="") without changing anything a learner sees.
SHOWN_JS = """([index, id]) => {
  const cell = window.jupyterapp.shell.currentWidget.content.widgets[index];
  const area = cell.node.querySelector('.jp-Cell-outputWrapper');
  const mine = (el) => el.closest(`[data-browser-check="${id}"]`);
  const clone = area.cloneNode(true);
  clone.querySelectorAll(`[data-browser-check="${id}"]`).forEach(el => el.remove());
  const text = clone.textContent.replace(/\\s+/g, ' ');
  const pictures = [...area.querySelectorAll('img, svg, canvas')].filter(el => !mine(el) && !el.closest('svg *'))
    .map(el => el.tagName === 'IMG' ? el.src : el.tagName === 'CANVAS' ? el.toDataURL() : el.outerHTML);
  const values = [...area.querySelectorAll('input, select, textarea, [aria-valuenow]')].filter(el => !mine(el))
    .map(el => (el.value !== undefined ? el.value : el.getAttribute('aria-valuenow')) + (el.checked ? '*' : ''));
  return JSON.stringify([text, pictures, values]);
}"""


# ---------------------------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def chromium():
    return require_browser()


@pytest.fixture(scope="module")
def lab(chromium, tmp_path_factory):
    with jupyterlab(tmp_path_factory.mktemp("jupyterlab")) as server:
        yield server


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        b = launch(playwright, chromium)
        yield b
        b.close()


def _shutdown_kernels(lab) -> None:
    """Stop the notebook's kernel through the REST API, so kernels do not pile up between notebooks."""
    headers = {"Authorization": f"token {lab.token}"}
    with urllib.request.urlopen(urllib.request.Request(f"{lab.base_url}/api/sessions", headers=headers)) as r:
        sessions = json.load(r)
    for s in sessions:
        req = urllib.request.Request(f"{lab.base_url}/api/sessions/{s['id']}", method="DELETE", headers=headers)
        urllib.request.urlopen(req).close()


# ---------------------------------------------------------------------------------------------- driving

def _menu(page, menu: str, item: str) -> None:
    """Click a menu-bar menu, then one of its items (exact labels: "Run All Cells" is not "Restart Kernel and
    Run All Cells…")."""
    page.locator(".lm-MenuBar-itemLabel").filter(has_text=re.compile(rf"^{re.escape(menu)}$")).click()
    page.locator(".lm-Menu:visible .lm-Menu-itemLabel").filter(has_text=re.compile(rf"^{re.escape(item)}$")).click()


def _move(page, control: dict) -> str:
    """Move one control like a learner; return what was done."""
    root = page.locator(f"[data-browser-check='{control['id']}']")
    root.scroll_into_view_if_needed()
    kind = control["kind"]
    if kind == "slider":
        handle = root.locator(".noUi-handle").first
        now, top = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
        key = "ArrowLeft" if now is not None and top is not None and float(now) >= float(top) else "ArrowRight"
        handle.focus()
        handle.press(key)
        return f"pressed {key} on the handle"
    if kind in ("dropdown", "select"):
        select = root.locator("select").first
        values = select.evaluate("s => [...s.options].filter(o => !o.disabled).map(o => o.value)")
        current = select.input_value()
        other = next((v for v in values if v != current), None)
        assert other is not None, f"{kind} {control['label']!r} has a single option; nothing to choose"
        select.select_option(other)
        return f"chose option {other!r}"
    if kind == "toggle-buttons":
        other = root.locator("button:not(.mod-active)").first
        text = other.inner_text()
        other.click()
        return f"clicked {text!r}"
    if kind == "radio":
        other = root.locator("input[type=radio]:not(:checked)").first
        other.check()
        return "picked another option"
    if kind == "checkbox":
        root.locator("input[type=checkbox]").first.click()
        return "toggled it"
    if kind == "play":
        root.locator("button").first.click()  # the play button
        return "pressed play"
    root.click()  # button, toggle-button
    return "clicked it"


def _settled(page, index: int, control_id: str, deadline: float) -> str:
    """What the widget shows once the kernel is idle and the page stopped changing (two looks 250 ms apart)."""
    last = None
    while True:
        page.wait_for_function(KERNEL_IDLE_JS, timeout=max(1.0, deadline - time.monotonic()) * 1000)
        shown = page.evaluate(SHOWN_JS, [index, control_id])
        if shown == last:
            return shown
        assert time.monotonic() < deadline, "the widget kept changing"
        last = shown
        page.wait_for_timeout(250)


def _exercise_widgets(page, index: int) -> list[str]:
    """Move each control of the widgets in cell ``index``; assert each one changes what is shown, for good
    (a flicker that ends where it started does not count)."""
    report = []
    for control in page.evaluate(CONTROLS_JS, index):
        what = f"cell {index}: {control['kind']} {control['label']!r}"
        before = _settled(page, index, control["id"], time.monotonic() + WIDGET_TIMEOUT_S)
        start = time.monotonic()
        deadline = start + WIDGET_TIMEOUT_S
        action = _move(page, control)
        while True:
            page.wait_for_timeout(100)
            if page.evaluate(SHOWN_JS, [index, control["id"]]) != before:
                if control["kind"] == "play":  # it would go on to the end: pause (its second button) first
                    page.locator(f"[data-browser-check='{control['id']}'] button").nth(1).click()
                if _settled(page, index, control["id"], deadline) != before:
                    break
            assert time.monotonic() < deadline, (
                f"{what}: {action}, but nothing else in the widget changed within {WIDGET_TIMEOUT_S} s")
        report.append(f"{what}: {action} -> what it shows changed ({time.monotonic() - start:.1f} s)")
    return report


NOTEBOOK_SCROLLER = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer"


def _screenshot(page, name: str) -> Path:
    """The whole notebook in one picture: the viewport grown until the notebook no longer scrolls (left and
    right sidebars collapsed), then a screenshot, then the usual viewport again."""
    height = VIEWPORT["height"]
    for _ in range(5):  # outputs may reflow as the page grows: measure again until it fits
        hidden = page.evaluate("(sel) => { const s = document.querySelector(sel); "
                               "return s ? s.scrollHeight - s.clientHeight : 0; }", NOTEBOOK_SCROLLER)
        if hidden <= 0 or height >= MAX_SCREENSHOT_HEIGHT:
            break
        height = min(height + hidden + 2, MAX_SCREENSHOT_HEIGHT)
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
        page.wait_for_timeout(300)
    page.evaluate("(sel) => { const s = document.querySelector(sel); if (s) s.scrollTop = 0; }", NOTEBOOK_SCROLLER)
    page.wait_for_timeout(300)
    path = screenshot_path(name)
    page.screenshot(path=str(path), full_page=True)
    if height >= MAX_SCREENSHOT_HEIGHT:
        print(f"screenshot cut at {MAX_SCREENSHOT_HEIGHT} px; the notebook is taller")
    page.set_viewport_size(VIEWPORT)
    return path


# ---------------------------------------------------------------------------------------------- the test

@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_jupyterlab(notebook: Path, lab, browser):
    start = time.monotonic()
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    page = context.new_page()
    watch = PageWatch()
    watch.attach(context, page)
    try:
        # a workspace of its own, reset, so nothing from another notebook's test is restored
        page.goto(lab.url(f"/lab/workspaces/test-{notebook.stem}/tree/notebooks/{notebook.name}?reset"))
        page.wait_for_function(
            "(name) => window.jupyterapp?.shell.currentWidget?.context?.path?.endsWith(name)",
            arg=notebook.name, timeout=120_000)
        page.evaluate(OPEN_JS)
        page.wait_for_function(KERNEL_IDLE_JS, timeout=120_000)

        _menu(page, "Edit", "Clear Outputs of All Cells")  # so every output below is this run's
        _menu(page, "Run", "Run All Cells")
        run_start = time.monotonic()
        page.wait_for_function(DONE_JS, timeout=RUN_TIMEOUT_S * 1000, polling=500)
        run_s = time.monotonic() - run_start

        cells = page.evaluate(STATE_JS)
        code = [c for c in cells if c["code"] and c["source"].strip()]
        errors = [f"cell {c['index']}: {e}" for c in code for e in c["errors"]]
        assert not errors, f"{notebook.name}: cells failed in JupyterLab:\n" + "\n".join(errors)
        not_run = [c["index"] for c in code if c["count"] is None]
        assert not not_run, f"{notebook.name}: cells {not_run} did not run"
        for c in code:
            for text in c["stderr"]:
                print(f"stderr of cell {c['index']} (allowed): {text.strip()[:200]}")

        # every widget view renders (give the widget manager a moment for the last ones)
        widget_cells = [c["index"] for c in code if c["widgetViews"]]
        if widget_cells:
            page.wait_for_function(
                """(ids) => ids.every(i => {
                  const n = window.jupyterapp.shell.currentWidget.content.widgets[i].node;
                  return n.querySelector('.jp-Cell-outputWrapper .jupyter-widgets')
                         && !n.innerText.includes('Loading widget');
                })""", arg=widget_cells, timeout=WIDGET_TIMEOUT_S * 1000)
        cells = page.evaluate(STATE_JS)
        for i in widget_cells:
            c = cells[i]
            assert not c["widgetError"], f"cell {i}: 'Error displaying widget'"
            assert c["renderedWidgets"] >= c["widgetViews"], (
                f"cell {i}: {c['widgetViews']} widget views, {c['renderedWidgets']} rendered")

        # every control changes what its widget shows
        report = []
        for i in widget_cells:
            report += _exercise_widgets(page, i)
        page.wait_for_function(KERNEL_IDLE_JS, timeout=WIDGET_TIMEOUT_S * 1000)
        after = page.evaluate(STATE_JS)
        late = [f"cell {c['index']}: {e}" for c in after for e in c["errors"]]
        late += [f"cell {c['index']}: an error shown inside a widget: {e}" for c in after for e in c["domErrors"]]
        assert not late, f"{notebook.name}: errors after moving the widgets:\n" + "\n".join(late)

        animations = check_animations(page)
        assert animations == saved_animations(notebook), (
            f"{notebook.name}: {animations} animation player(s) on the page, {saved_animations(notebook)} in the "
            "saved outputs")
        fonts = check_chinese_renders(page, ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
        shot = _screenshot(page, notebook.stem)

        # errors of widget callbacks that belong to no cell (an observer that raised) go to the log console
        page.evaluate(LOG_CONSOLE_JS)
        page.wait_for_timeout(500)
        log = page.evaluate("() => [...document.querySelectorAll('.jp-LogConsolePanel')].map(e => e.innerText)")
        log = "\n".join(log)
        assert "Traceback (most recent call last)" not in log, (
            f"{notebook.name}: an error in JupyterLab's log console:\n{log[:3000]}")

        assert not watch.problems(), f"{notebook.name}:\n" + "\n".join(watch.problems())
        print(f"\n{notebook.name}: ran {len(code)} code cells in {run_s:.1f} s "
              f"(total {time.monotonic() - start:.1f} s)")
        print(f"widgets: {len(widget_cells)} cell(s) with widgets, {len(report)} control(s) moved")
        for line in report:
            print(f"  {line}")
        print(f"animations played: {animations}; Chinese: {fonts}")
        for url in watch.external:
            print(f"blocked a request to another host (allowed in JupyterLab): {url}")
        print(f"screenshot: {shot.relative_to(ROOT)}")
    except Exception:
        try:  # what the page showed when it failed
            page.screenshot(path=str(screenshot_path(f"{notebook.stem}-FAILED")), full_page=True)
        except Exception:
            pass
        raise
    finally:
        context.close()
        _shutdown_kernels(lab)
