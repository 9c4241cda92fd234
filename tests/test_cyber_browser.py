"""The cyber pages in headless Chromium (Debian's /usr/bin/chromium via Playwright): charts and the victims map
draw, nothing is requested from another host, no page error, no horizontal scroll at 390 px, no serious or
critical axe-core finding.  Screenshots go to artifacts/screenshots/cyber_*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, SHARED
from test_cyber_incidents import _cfr_fixture, _dcid_fixture
from test_web_support import Server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
VENDOR = ROOT / "src" / "signalfire" / "web" / "static" / "vendor" / "maplibre-gl.mjs"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGES = {"overview": "/cyber", "country": "/cyber/country?country=POL", "groups": "/cyber/groups",
         "group": "/cyber/groups/APT28", "country_page": "/country/POL"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    if not VENDOR.exists():
        pytest.skip("front-end assets are not vendored")
    import signalfire
    folder = tmp_path_factory.mktemp("cyber_browser")
    path = folder / "browser.duckdb"
    cfr = SHARED / "cyber" / "cfr_cyber_operations_tracker_coded.xlsx"
    dcid = SHARED / "cyber" / "DCID_2.0_Release_update_February_2023.xlsx"
    with signalfire.open(path) as wh:
        wh.ingest("cfr-cyber", cfr if cfr.exists() else _cfr_fixture(folder))
        wh.ingest("dcid", dcid if dcid.exists() else _dcid_fixture(folder))
        wh.ingest("stix", FIXTURES / "cyber" / "attack_excerpt.json")
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
    foreign, errors = [], []
    context.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(
        ("http://127.0.0.1:", "data:", "blob:")) else None)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(base + url, wait_until="networkidle")
    return context, page, foreign, errors


def _wait_drawn(page):
    page.wait_for_function("""() => [...document.querySelectorAll('.cyber-chart')].every(c => c.dataset.rendered)
        && [...document.querySelectorAll('.cyber-map')].every(m => m.dataset.painted)""", timeout=30000)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_desktop_and_phone(server, browser, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1400, 390):
        context, page, foreign, errors = _open(browser, server.base, PAGES[name], width)
        try:
            _wait_drawn(page)
            rendered = page.eval_on_selector_all(".cyber-chart", "els => els.map(e => e.dataset.rendered)")
            assert "error" not in rendered, rendered
            if name in ("overview", "country", "group", "country_page"):
                assert "true" in rendered, f"{name}: no chart drawn ({rendered}): {page.content()[:3000]}"
            painted = page.eval_on_selector_all(".cyber-map", "els => els.map(e => e.dataset.painted)")
            assert all(p == "true" for p in painted), painted
            overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} at {width}px scrolls sideways by {overflow}px"
            page.screenshot(path=str(SHOTS / f"cyber_{name}_{width}.png"), full_page=width == 390)
            if width == 1400 and AXE.exists():
                page.add_script_tag(path=str(AXE))
                found = page.evaluate("""async () => (await axe.run(document)).violations
                    .filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id + ': ' + v.nodes.length)""")
                assert not found, f"{name}: axe findings {found}"
        finally:
            context.close()
        assert not foreign, f"requests to other hosts: {foreign}"
        assert not errors, f"page errors: {errors}"


def test_victims_map_has_a_legend_and_the_table_as_text_alternative(server, browser):
    context, page, _, _ = _open(browser, server.base, PAGES["overview"], 1400)
    try:
        _wait_drawn(page)
        assert page.locator("#victims-legend .sw").count() >= 3
        assert page.locator(".cyber-matrix tbody tr").count() >= 3
        assert page.locator("details table tbody tr").count() >= 3
    finally:
        context.close()
