"""Debian's Chromium, driven by the Python ``playwright`` package, for the browser tests.

Nothing is downloaded: ``playwright install`` is never run; the tests drive the system Chromium
(``/usr/bin/chromium``, or the program named by ``COURSE_CHROMIUM``). Without it, or without the
``playwright`` package, the tests skip with a message saying how to enable them; under CI (``CI=true``)
they fail instead, so a CI machine that lost its browser cannot pass silently.

The checks here are shared by tests/test_browser.py (JupyterLab) and tests/test_site.py (the static site).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
ENABLE = ("apt-get install chromium fonts-wqy-microhei fonts-noto-color-emoji (Debian/Ubuntu; as root) "
          "and pip install playwright (it is in the course's test extra: pip install -e '.[test]'); "
          "never `playwright install`: the tests use the system Chromium (or set COURSE_CHROMIUM=/path/to/chrome)")

# Hermetic, quiet Chromium: no sandbox (CI runs as root in a container), no GPU, no traffic of its own
# (component updates, sync, safe-browsing lists, QUIC probes), no first-run UI. Playwright itself starts
# every browser with a fresh temporary profile (its --user-data-dir), deleted when the browser closes.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--no-default-browser-check",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--mute-audio", "--disable-dev-shm-usage",
    "--disable-features=Translate,MediaRouter,OptimizationHints,DialMediaRouteProvider",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"file", "data", "blob", "about", "chrome-extension", "devtools"}

# Console messages of type "error" that are not failures, each with the reason:
BENIGN_CONSOLE_ERRORS = (
    # Chromium's own line for a request that the test itself aborted (route.abort("blockedbyclient")) because
    # it would leave the machine; PageWatch.external lists each one, and each test decides about them.
    "Failed to load resource: net::ERR_BLOCKED_BY_CLIENT",
)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def chromium_path() -> str | None:
    wanted = os.environ.get("COURSE_CHROMIUM")
    if wanted:
        return wanted if Path(wanted).exists() else None
    for candidate in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


def require_browser() -> str:
    """The Chromium to use; skip the test (fail under CI) when Chromium or playwright is missing."""
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("the Python package playwright")
    chromium = chromium_path()
    if chromium is None:
        missing.append("Chromium (/usr/bin/chromium)")
    if missing:
        message = f"browser test needs {' and '.join(missing)}. To enable it: {ENABLE}."
        if in_ci():
            pytest.fail(f"CI=true, so this is a failure, not a skip: {message}", pytrace=False)
        pytest.skip(message)
    assert chromium is not None
    return chromium


def launch(playwright, chromium: str):
    return playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)


@dataclass
class PageWatch:
    """Collects, for one page: console errors, uncaught exceptions, and requests that would leave the machine
    (which are aborted, never sent, so the tests behave the same with and without a network)."""

    external: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    local_requests: int = 0

    def attach(self, context, page) -> None:
        context.route("**/*", self._route)
        page.on("request", self._request)
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))

    @staticmethod
    def is_local(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in LOCAL_SCHEMES or (parts.hostname or "") in LOCAL_HOSTS

    def _request(self, request) -> None:  # every request the page makes, sent or not
        if self.is_local(request.url):
            self.local_requests += 1
        else:
            self.external.append(request.url)

    def _route(self, route) -> None:  # what is sent: only what stays on this machine
        if self.is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def _console(self, msg) -> None:
        if msg.type != "error":
            return
        text = msg.text
        if any(text.startswith(benign) for benign in BENIGN_CONSOLE_ERRORS):
            return
        where = msg.location.get("url", "") if isinstance(msg.location, dict) else ""
        self.console_errors.append(f"{text} ({where})" if where else text)

    def problems(self) -> list[str]:
        return ([f"browser console error: {e}" for e in self.console_errors]
                + [f"uncaught exception in the page: {e}" for e in self.page_errors])


# A glyph test for Chinese: draw two different characters with the page's own font stack on a canvas.
# With a CJK font they differ; without one both come out as the same "tofu" box (or nothing at all).
CJK_GLYPHS_JS = """(element) => {
  const font = getComputedStyle(element).fontFamily;
  const draw = (ch) => {
    const c = document.createElement('canvas'); c.width = 48; c.height = 48;
    const g = c.getContext('2d'); g.fillStyle = '#fff'; g.fillRect(0, 0, 48, 48);
    g.fillStyle = '#000'; g.font = `36px ${font}`; g.textBaseline = 'top'; g.fillText(ch, 4, 4);
    const px = g.getImageData(0, 0, 48, 48).data; let ink = 0; const sig = [];
    for (let i = 0; i < px.length; i += 4) { const dark = px[i] < 128 ? 1 : 0; ink += dark; sig.push(dark); }
    return {ink, sig: sig.join('')};
  };
  const a = draw('中'), b = draw('文'), tofu = draw('\\uE000');
  return {font, inkA: a.ink, inkB: b.ink, differ: a.sig !== b.sig, tofuLikeA: a.sig === tofu.sig};
}"""


def platform_fonts(page, selector: str) -> list[str]:
    """The fonts Chromium really used to draw the text of the first element matching ``selector``."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        if not node:
            return []
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        return [f"{f['familyName']} ({f['glyphCount']} glyphs)" for f in fonts]
    finally:
        cdp.detach()


def check_chinese_renders(page, scope: str = "body") -> str:
    """Assert Chinese text in ``scope`` is drawn with a real CJK font; return a one-line report.

    Uses an element of the page that contains Chinese, or (if there is none) a probe span added inside
    ``scope``, so it inherits the page's own font stack."""
    handle = page.evaluate_handle(
        """(scope) => {
          const root = document.querySelector(scope) || document.body;
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const el = n.parentElement;
            if (/[\\u4e00-\\u9fff]/.test(n.textContent) && el && el.offsetParent !== null
                && !el.closest('svg, script, style, textarea, .CodeMirror, .cm-editor')) {
              el.setAttribute('data-cjk-probe', '1'); return el;
            }
          }
          const span = document.createElement('span'); span.textContent = '中文注意力';
          span.setAttribute('data-cjk-probe', '1'); root.appendChild(span); return span;
        }""", scope)
    result = page.evaluate(CJK_GLYPHS_JS, handle)
    used = platform_fonts(page, "[data-cjk-probe]")
    report = f"drawn with {', '.join(used) or '?'}"
    assert result["inkA"] > 20 and result["inkB"] > 20 and result["differ"] and not result["tofuLikeA"], (
        f"Chinese text does not render with a CJK font ({report}; font-family {result['font']!r}; "
        f"glyph test {result}). "
        "Install one: apt-get install fonts-wqy-microhei")
    return report


def saved_animations(notebook: Path) -> int:
    """How many matplotlib ``to_jshtml`` players the notebook's saved outputs hold (what a page must show)."""
    def html(output) -> str:
        text = output.get("data", {}).get("text/html", "")
        return "".join(text) if isinstance(text, list) else text

    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    return sum(any('class="animation"' in html(o) for o in c.get("outputs", []))
               for c in cells if c["cell_type"] == "code")


# Does a character draw as itself, or as the "missing glyph" box? Draw it and a character no font has (an
# unassigned code point) on a canvas in the element's font: if the pixels agree, the icon is that box.
_DRAWS_JS = """(el) => {
  const font = getComputedStyle(el).font || '16px sans-serif';
  const draw = (t) => { const c = document.createElement('canvas'); c.width = 96; c.height = 40;
    const x = c.getContext('2d'); x.font = font; x.fillText(t, 4, 30); return c.toDataURL(); };
  const text = el.textContent.trim();
  return text.length > 0 && draw(text) !== draw('\\u0378'.repeat([...text].length));
}"""


def check_animations(page, timeout_s: float = 15) -> int:
    """Every matplotlib ``to_jshtml`` animation (a ``div.animation``) plays: after a click on its Play
    button the frame image changes. Returns how many were checked."""
    animations = page.locator("div.animation")
    n = animations.count()
    for i in range(n):
        anim = animations.nth(i)
        anim.scroll_into_view_if_needed()
        img = anim.locator("img").first
        page.wait_for_function("(img) => img.src && img.src.length > 0", arg=img.element_handle(),
                               timeout=timeout_s * 1000)
        # every control shows its icon offline: a character drawn in the page (no web font fetched from a CDN)
        buttons = anim.locator("button")
        for j in range(buttons.count()):
            button = buttons.nth(j)
            title = button.get_attribute("title")
            icon = button.locator(".player-icon")
            assert icon.count() == 1, f"animation {i + 1}: button {title!r} has no offline icon (a CDN web font?)"
            box = icon.bounding_box()
            assert icon.inner_text().strip() and box and box["width"] > 2 and box["height"] > 2, \
                f"animation {i + 1}: the icon of button {title!r} does not render"
            assert icon.evaluate(_DRAWS_JS), \
                f"animation {i + 1}: the icon of button {title!r} is drawn as a missing-glyph box (no font has it)"
        before = img.get_attribute("src")
        anim.locator("button[title='Play']").click()
        deadline = time.monotonic() + timeout_s
        while img.get_attribute("src") == before:
            assert time.monotonic() < deadline, f"animation {i + 1} of {n} did not advance after Play"
            page.wait_for_timeout(100)
        anim.locator("button[title='Pause']").click()
    return n


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
