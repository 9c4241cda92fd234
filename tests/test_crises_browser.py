"""The crises, disputes and military-context pages in headless Chromium (Debian's /usr/bin/chromium via
Playwright): charts draw, nothing is requested from another host, no page error, no horizontal scroll at 390 px,
no serious or critical axe-core finding, hostile text stays text.  Screenshots: artifacts/screenshots/crises_*.png.

The real ICB, MID, Archigos, NMC and SIPRI files are loaded when present (SIPRI's never ships: a workbook in its
layout stands in), ATOP from a small fixture (the real file takes a minute to load)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SHARED
from test_context_support import XSS, load_fixtures
from test_web_support import Server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
VENDOR = ROOT / "src" / "signalfire" / "web" / "static" / "vendor" / "vega-embed.min.js"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
REAL = {"icb-crises": "crises/icb2v15.csv", "icb-dyads": "crises/icbdy_v15.csv",
        "mid-disputes": "crises/gml_mid_disputes.csv", "archigos": "geo/archigos_leaders.csv",
        "cow-nmc": "military/cow_nmc_v6.csv", "sipri-milex": "military/SIPRI-Milex-data-1991-2024.xlsx"}
HAS_ICB = (SHARED / REAL["icb-crises"]).exists()
PAGES = {"registry": "/crises", "poland": "/crises?country=POL&since=1900&search=",
         "crisis": "/crises/196" if HAS_ICB else "/crises/900", "disputes": "/disputes?since=2000&hostility=4",
         "context": "/context/POL", "country": "/country/POL"}
CHARTS = {"context": ["#chart-milex", "#chart-leaders"]}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    if not VENDOR.exists():
        pytest.skip("front-end assets are not vendored")
    import signalfire
    folder = tmp_path_factory.mktemp("crises_browser")
    path = folder / "browser.duckdb"
    load_fixtures(path, folder)          # includes a crisis and a leader named with hostile markup
    with signalfire.open(path) as wh:
        for name, rel in REAL.items():
            if (SHARED / rel).exists():
                wh.ingest(name, SHARED / rel)
    srv = Server(path)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _open(browser, base: str, url: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    foreign, errors, dialogs = [], [], []
    context.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(
        ("http://127.0.0.1:", "data:", "blob:")) else None)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(base + url, wait_until="networkidle")
    return context, page, foreign, errors, dialogs


@pytest.mark.parametrize("name", list(PAGES))
def test_page_desktop_and_phone(server, browser, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1400, 390):
        context, page, foreign, errors, dialogs = _open(browser, server.base, PAGES[name], width)
        try:
            for selector in CHARTS.get(name, []):
                page.wait_for_selector(f"{selector}[data-rendered=true]", timeout=30000)
                assert page.locator(f"{selector} svg").count() == 1
            overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} at {width}px scrolls sideways by {overflow}px"
            page.screenshot(path=str(SHOTS / f"crises_{name}_{width}.png"), full_page=width == 390)
            if width == 1400 and AXE.exists():
                page.add_script_tag(path=str(AXE))
                found = page.evaluate("""async () => (await axe.run(document)).violations
                    .filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id + ': ' + v.nodes.length)""")
                assert not found, f"{name}: axe findings {found}"
        finally:
            context.close()
        assert not foreign, f"requests to other hosts: {foreign}"
        assert not errors, f"page errors: {errors}"
        assert not dialogs, f"script from data ran: {dialogs}"


def test_filters_apply_on_submit_and_hostile_names_are_text(server, browser):
    context, page, _, errors, dialogs = _open(browser, server.base, "/crises", 1400)
    try:
        before = page.url
        page.select_option("#f-country", "POL")
        page.wait_for_timeout(300)
        assert page.url == before                                           # nothing happens on change
        page.fill("#f-search", "test")
        page.click("form.filters button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "country=POL" in page.url and "search=test" in page.url
        names = page.locator("#crises-table tbody td:nth-child(2)").all_inner_texts()
        assert names == ["TEST ONE"]
        page.goto(server.base + "/crises?search=script", wait_until="networkidle")
        assert XSS in page.locator("#crises-table tbody").inner_text()      # shown as text, not run
        page.goto(server.base + "/context/POL", wait_until="networkidle")
        assert XSS in page.locator("#leaders-table").inner_text()
        assert not dialogs and not errors
    finally:
        context.close()
