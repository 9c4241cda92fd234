"""Every page in real headless Chromium: axe-core finds no serious or critical violation at 1440 px, nothing scrolls
sideways at 390 px, the skip link and menus work from the keyboard, filters apply only on submit, and the language
switch works.  Pages come from web/nav.py (so a stream's new page is checked as soon as it is in the header), plus
a country page, the privacy page and an error page.  One server and one browser for the module; screenshots of
every page at both widths go to artifacts/screenshots/.
"""

from __future__ import annotations

import contextlib

import pytest
from browser_support import AXE, SHOTS, Recording, browser_fixture, browser_marks, require_browser
from conftest import demo_copy
from test_web_support import Server

from signalfire.web.nav import NAV

pytestmark = browser_marks("a11y")

EXTRA = ["/country/POL", "/privacy", "/no-such-page"]


# the streams' browser modules check their pages at desktop width (axe) and at 390 px (no sideways scroll) with the
# same checks (browser_support.check_page): those pages are not checked a second time here
STREAM_MODULES = ("test_missions_browser", "test_treaties_browser", "test_crises_browser", "test_cyber_browser",
                  "test_migration_browser")


def covered_elsewhere() -> set[str]:
    import importlib
    return {url.split("?")[0] for m in STREAM_MODULES for url in importlib.import_module(m).PAGES.values()}


def pages() -> list[str]:
    out = []
    for _group, items in NAV:
        for href, _label, _key in items:
            if href not in out:
                out.append(href)
    return out + [p for p in EXTRA if p not in out]


# nav pages checked in their fuller state, a country or actor chosen (the form is on the page either way)
VARIANTS = {"/neighbourhood": "/neighbourhood?home=POL", "/compare": "/compare?countries=POL,UKR,BLR,RUS",
            "/actors": "/actors?actor=Government%20of%20Ukraine"}


def pages_to_check() -> list[str]:
    """The URLs this module checks: every nav page (and EXTRA) but those a stream's browser module checks."""
    skip = covered_elsewhere()
    return [VARIANTS.get(p, p) for p in pages() if p not in skip]


def shot_name(path: str) -> str:
    return path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-").replace("&", "_") or "overview"


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_template):
    require_browser()
    srv = Server(demo_copy(demo_template, tmp_path_factory.mktemp("a11y"), "a11y.duckdb"))   # the demo data
    yield srv
    srv.stop()


browser = browser_fixture()


class Opened:
    """The module's tab for these options (browser_support.Tabs: cookies and storage cleared), recording requests
    to other hosts than the server (CSP bypassed only to inject axe); ``close`` stops the recording."""

    def __init__(self, browser, base: str, width: int, height: int, **kw):
        self.context, self.page = browser.tab(width, height, bypass_csp=True, **kw)
        self.seen = Recording(self.context, self.page, local=(base, "data:", "blob:"), errors=False)
        self.foreign = self.seen.foreign

    def close(self):
        self.seen.stop()


def open_page(browser, base: str, width: int, height: int, **kw):
    """(tab, page, foreign): the page of an :class:`Opened` tab and its list of requests to other hosts."""
    tab = Opened(browser, base, width, height, **kw)
    return tab, tab.page, tab.foreign


def settle(page):
    """Wait until maps have painted (or said why not) and charts have rendered, as far as a page has them."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    # a slow map must not hide the page's other problems: axe runs after the wait either way
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function("""() => [...document.querySelectorAll('.map')].every(m =>
            m.dataset.painted === 'true' || m.querySelector('.map-error'))
            && [...document.querySelectorAll('.chart[data-series]')].every(c => c.dataset.rendered)""",
                               timeout=10000, polling=250)
    still(page)


CHARTS_DONE = "() => [...document.querySelectorAll('.chart[data-series]')].every(c => c.dataset.rendered)"


def still(page):
    """Wait until no CSS animation or transition is running and two frames have been drawn since (what a fixed sleep
    only hoped for): axe's colour-contrast check must not see a colour half-way through a transition."""
    page.wait_for_function("""() => document.getAnimations().every(a => a.playState !== 'running')""",
                           timeout=5000, polling=50)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())))")


def serious(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text())
    found = page.evaluate("""async () => {
        const r = await axe.run(document, { resultTypes: ['violations'] });
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
          .map(v => `${v.id} (${v.impact}, ${v.nodes.length}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
    }""")
    return found


def test_pages_come_from_the_nav():
    found = pages()
    assert {"/", "/neighbourhood", "/forecasts", "/data", "/api/docs", "/country/POL", "/privacy"} <= set(found)
    # every nav page is checked here or in a stream's browser module
    checked = {p.split("?")[0] for p in pages_to_check()}
    assert set(found) == checked | (covered_elsewhere() & set(found))
    assert "/" in pages_to_check() and "/missions" not in pages_to_check()


def test_axe_finds_nothing_serious_on_any_page_at_1440(browser, server):
    if not AXE.exists():
        pytest.skip("npm axe-core is not installed (npm install)")
    tab, page, foreign = open_page(browser, server.base, 1440, 900)
    problems = {}
    for path in pages_to_check():
        page.goto(server.base + path)
        settle(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"a11y_{shot_name(path)}_1440.png"))
        found = serious(page)
        if found:
            problems[path] = found
    tab.close()
    assert not foreign, f"requests to other hosts: {foreign}"
    assert not problems, problems


def test_no_page_scrolls_sideways_at_390(browser, server):
    tab, page, foreign = open_page(browser, server.base, 390, 844, is_mobile=True, has_touch=True)
    wide = {}
    for path in pages_to_check():
        page.goto(server.base + path)
        # layout is done at load but for the charts, which draw after their data arrives; maps need not paint
        page.wait_for_function(CHARTS_DONE, timeout=10000, polling=100)
        still(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"a11y_{shot_name(path)}_390.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            culprits = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > 391 && !e.closest('.table-wrap, .panel, .map'))
                .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + e.className)""")
            wide[path] = (width, culprits)
        header = page.locator("header.top").bounding_box()
        assert header["height"] <= 120, f"{path}: the header takes {header['height']} px on a phone"
    tab.close()
    assert not foreign, f"requests to other hosts: {foreign}"
    assert not wide, f"pages wider than the screen at 390 px: {wide}"


def test_skip_link_and_menus_work_from_the_keyboard(browser, server):
    tab, page, _ = open_page(browser, server.base, 1440, 900)
    page.goto(server.base + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()               # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # a nav group opens with the keyboard and Escape closes it, returning focus to its summary
    group = page.locator(".main-nav details.nav-group").first
    group.locator("summary").focus()
    page.keyboard.press("Enter")
    assert group.evaluate("d => d.open")
    assert group.locator("a").first.is_visible()
    page.keyboard.press("Escape")
    assert not group.evaluate("d => d.open")
    tab.close()
    # on a phone the nav hides behind "Menu"
    tab, page, _ = open_page(browser, server.base, 390, 844)
    page.goto(server.base + "/")
    assert not page.locator(".main-nav").is_visible()
    page.click(".nav-toggle")
    assert page.locator(".main-nav a[href='/forecasts']").is_visible()
    tab.close()


def test_filters_apply_on_submit_only(browser, server):
    tab, page, _ = open_page(browser, server.base, 1440, 900)
    page.goto(server.base + "/")
    start = page.url
    page.select_option("#f-category", "violence_against_civilians")
    page.focus("#f-source")
    page.keyboard.press("ArrowDown")                  # browsing the options with the keyboard changes nothing
    page.keyboard.press("ArrowUp")
    page.fill("#f-since", "2022-06-01")
    page.wait_for_timeout(600)
    assert page.url == start, "a filter fired before the form was submitted"
    page.click("#filters-apply")
    page.wait_for_url("**category=violence_against_civilians**")
    assert "since=2022-06-01" in page.url and "source=" not in page.url      # empty fields stay out of the URL
    # a preset keeps the other filters and sets the period relative to the latest data
    page.click(".preset >> nth=1")                                         # last month
    page.wait_for_url("**until=**")
    assert "category=violence_against_civilians" in page.url
    assert page.locator(".preset[aria-current=true]").count() == 1
    # the country page's jump: arrow keys browse, the button goes
    page.goto(server.base + "/country/UKR")
    page.focus("#f-country")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(600)
    assert "/country/UKR" in page.url
    tab.close()


def test_language_switch_in_the_browser(browser, server):
    tab, page, _ = open_page(browser, server.base, 1440, 900)
    page.goto(server.base + "/neighbourhood")
    page.click(".lang-switch a[lang=pl]")
    page.wait_for_url("**lang=pl**")
    assert page.evaluate("document.documentElement.lang") == "pl"
    assert "Obserwacja sąsiedztwa" in page.locator("h1").inner_text()
    assert tab.context.cookies() == []                      # no consent: the language lives in the URL only
    page.click(".attrib a[href^='/data']")               # and stays while browsing
    page.wait_for_url("**/data?lang=pl**")
    assert page.evaluate("document.documentElement.lang") == "pl"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "a11y_data_pl_1440.png"))
    tab.close()
