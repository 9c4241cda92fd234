"""What the browser tests share (no tests here): Debian's headless Chromium driven by Playwright, a page opened with
its foreign requests and errors recorded, and the checks every page passes (no sideways scroll, no serious or
critical axe-core finding), with a screenshot kept in ``artifacts/screenshots/``.

A module uses it like this::

    pytestmark = browser_marks("missions")

    @pytest.fixture(scope="module")
    def server(tmp_path_factory):
        require_browser()
        ...  # build a store, start ``Server(path)``

    browser = browser_fixture()

    def test_page(server, browser):
        with opened(browser, server.base, "/missions", 1400) as page:
            check_page(page, "missions_deployments_1400")
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
VENDOR = ROOT / "src" / "signalfire" / "web" / "static" / "vendor"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# the flags this machine's closed network needs (STACK.md): no background connections, no first-run work
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL = ("http://127.0.0.1:", "data:", "blob:")


def browser_marks(group: str) -> list:
    """The marks of a browser module (browser, slow, and its xdist group).  What keeps a module's tests on one worker,
    so that its server and store are built once, is ``--dist loadscope`` in ``scripts/test.sh``."""
    return [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group(group)]


def require_browser() -> None:
    """Skip (with the reason) where Chromium or the vendored front-end libraries are missing."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    if not (VENDOR / "maplibre-gl.mjs").exists() or not (VENDOR / "vega-embed.min.js").exists():
        pytest.skip("front-end assets are not vendored (scripts/setup.sh copies them from node_modules)")


def browser_fixture():
    """A module-scoped ``browser`` fixture: one Chromium for the module's tests, as :class:`Tabs`."""

    @pytest.fixture(scope="module")
    def browser(server):
        from playwright.sync_api import sync_playwright
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            tabs = Tabs(b)
            yield tabs
            tabs.close()
            b.close()

    return browser


class Tabs:
    """Chromium with one reused tab (a context and its page) per set of context options, for :func:`opened` and
    the modules' own helpers; anything else (``new_context``, …) goes to Playwright's browser.

    A page opened in a fresh context costs Chromium a new renderer process and its start: measured on the demo
    store, a page load took 3.0-6.5 s of CPU across Chromium's processes that way, and 0.6-2.8 s as the next
    navigation of one tab (the same page's load, the same server). :meth:`tab` hands back the tab with the cookies
    and web storage of every site cleared, as a first visit has them; what stays is the HTTP cache of the static
    files (as for a person going from page to page) and nothing the pages keep. One tab per set of options: a test
    that needs two pages of the same options open at once asks ``new_context`` for the second."""

    def __init__(self, browser):
        self.browser = browser
        self._tabs: dict[tuple, tuple] = {}

    def __getattr__(self, name):
        return getattr(self.browser, name)

    def tab(self, width: int, height: int, **options):
        """(context, page) for these context options, cleared, at ``width`` x ``height``."""
        key = tuple(sorted(options.items()))
        context, page = self._tabs.get(key, (None, None))
        if page is None or page.is_closed():
            context = context or self.browser.new_context(**options)
            page = context.new_page()
            self._tabs[key] = (context, page)
        context.clear_cookies()
        if page.url.startswith("http"):
            page.wait_for_load_state()           # a navigation the last test started has settled
            page.evaluate("() => { try { localStorage.clear(); sessionStorage.clear(); } catch (e) {} }")
        page.set_viewport_size({"width": width, "height": height})
        return context, page

    def close(self):
        for context, _page in self._tabs.values():
            context.close()
        self._tabs.clear()


class Recording:
    """What a reused tab does while recorded: the requests to hosts other than ``local`` (``foreign``), and as
    asked, page and console errors and HTTP statuses >= 400 (``errors``) and the dialogs script opened, dismissed
    (``dialogs``: a dialog means script from data ran).  ``stop`` removes its listeners: the tab outlives it."""

    def __init__(self, context, page, *, local: tuple[str, ...] = LOCAL, errors: bool = True,
                 dialogs: bool = False, http_errors: bool = False):
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        hooks = [(context, "request", lambda r: self.foreign.append(r.url) if not r.url.startswith(local) else None)]
        if errors:
            hooks += [(page, "pageerror", lambda e: self.errors.append(str(e))),
                      (page, "console", lambda m: self.errors.append(m.text) if m.type == "error" else None)]
        if dialogs:
            hooks.append((page, "dialog", lambda d: (self.dialogs.append(d.message), d.dismiss())))
        if http_errors:
            hooks.append((page, "response",
                          lambda r: self.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None))
        for target, event, handler in hooks:
            target.on(event, handler)
        self._hooks = hooks

    def stop(self) -> None:
        for target, event, handler in self._hooks:
            target.remove_listener(event, handler)


class Page:
    """A Playwright page with what it requested from other hosts, the errors it met and the dialogs script opened
    (a dialog means script from data ran)."""

    def __init__(self, page, foreign: list[str], errors: list[str], dialogs: list[str]):
        self.page, self.foreign, self.errors, self.dialogs = page, foreign, errors, dialogs

    def __getattr__(self, name):
        return getattr(self.page, name)


@contextmanager
def opened(browser: Tabs, base: str, url: str, width: int, *, height: int = 900, bypass_csp: bool = True,
           locale: str | None = None, http_errors: bool = True, clean: bool = True):
    """Open ``base + url`` at ``width`` px in the module's tab for these options (:class:`Tabs`) and yield the
    page (a :class:`Page`).  ``bypass_csp`` lets axe-core be injected.  With ``clean`` (the default) the page must
    have requested nothing from another host, opened no dialog and met no page error, console error or (with
    ``http_errors``) HTTP status >= 400."""
    options = {"bypass_csp": bypass_csp}
    if locale:
        options["locale"] = locale
    context, page = browser.tab(width, height, **options)
    seen = Recording(context, page, dialogs=True, http_errors=http_errors)
    try:
        page.goto(base + url, wait_until="networkidle")
        yield Page(page, seen.foreign, seen.errors, seen.dialogs)
    finally:
        seen.stop()
    if clean:
        assert not seen.foreign, f"{url}: requests to other hosts: {seen.foreign}"
        assert not seen.errors, f"{url}: page errors: {seen.errors}"
        assert not seen.dialogs, f"{url}: script from data ran: {seen.dialogs}"


def wait_rendered(page, charts: str = "", maps: str = "", timeout: int = 30000) -> None:
    """Wait until every element matching ``charts`` has ``data-rendered`` and every one matching ``maps`` has
    ``data-painted`` (what the front-end modules set when a chart or map has drawn, or failed)."""
    conditions = []
    if charts:
        conditions.append(f"[...document.querySelectorAll({charts!r})].every(c => c.dataset.rendered)")
    if maps:
        conditions.append(f"[...document.querySelectorAll({maps!r})].every(m => m.dataset.painted)")
    if conditions:
        page.wait_for_function("() => " + " && ".join(conditions), timeout=timeout)


def sideways_scroll(page) -> int:
    """How many pixels the page scrolls sideways (0 or less: none)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def axe_findings(page) -> list[str]:
    """axe-core's serious and critical findings on the page, as ``rule: number of elements`` (empty when axe-core
    is not installed from npm)."""
    if not AXE.exists():
        return []
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => (await axe.run(document)).violations
        .filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id + ': ' + v.nodes.length)""")


def check_page(page, shot: str, *, width: int, axe: bool | None = None) -> None:
    """The checks every page passes: no sideways scroll, a screenshot kept as ``artifacts/screenshots/<shot>.png``
    (full page at phone width), and (by default at desktop width) no serious or critical axe-core finding."""
    overflow = sideways_scroll(page)
    assert overflow <= 0, f"{shot}: the page scrolls sideways by {overflow}px at {width}px"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=width < 600)
    if axe if axe is not None else width >= 600:
        found = axe_findings(page)
        assert not found, f"{shot}: axe-core findings {found}"


def rendered_states(page, selector: str, attribute: str = "rendered") -> list[str | None]:
    """The ``data-<attribute>`` of every element matching ``selector``."""
    return page.eval_on_selector_all(selector, f"els => els.map(e => e.dataset.{attribute})")
