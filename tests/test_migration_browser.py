"""The migration and terrorism pages in headless Chromium (Debian's /usr/bin/chromium via Playwright): charts and
the incident map draw, nothing is requested from another host, no page error, no horizontal scroll at 390 px, no
serious or critical axe-core finding.  Screenshots go to artifacts/screenshots/migration_*.png.

The store holds the fixtures (UNHCR download excerpt, IOM download layout, invented Frontex and GTD figures) and,
when ../shared/data has them, the real Frontex, IOM and GTD country-year files."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, SHARED
from test_web_support import Server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
VENDOR = ROOT / "src" / "signalfire" / "web" / "static" / "vendor" / "maplibre-gl.mjs"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
REAL = {"frontex": "migration/frontex.csv", "iom-missing-migrants": "migration/iom_mmp.csv",
        "gtd-incidents-country-year": "terrorism/gtd_incidents_country_year_1970-2020.csv",
        "gtd-country-year": "terrorism/gtd_country_year_1970-2008.csv"}
OWN = {"unhcr-refugee-data-finder": "unhcr_rdf_population.csv", "gtd": "gtd_full_layout_sample.csv"}
PAGES = {"migration": "/migration?country=POL&origin=UKR&route=Eastern+Borders+Route&year=2021",
         "terrorism": "/terrorism?country=POL", "country": "/country/POL"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    if not VENDOR.exists():
        pytest.skip("front-end assets are not vendored")
    import signalfire
    path = tmp_path_factory.mktemp("migration_browser") / "browser.duckdb"
    with signalfire.open(path) as wh:
        for name, rel in REAL.items():
            if (SHARED / rel).exists():
                wh.ingest(name, SHARED / rel)
        if not (SHARED / REAL["frontex"]).exists():
            wh.ingest("frontex", FIXTURES / "frontex_sample.csv")
            wh.ingest("gtd-country-year", FIXTURES / "gtd_country_year_sample.csv")
        for name, file in OWN.items():
            wh.ingest(name, FIXTURES / file)
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
    page.goto(base + url, wait_until="networkidle")
    return context, page, foreign, errors


def _wait_drawn(page):
    page.wait_for_function("""() => [...document.querySelectorAll('.migration-chart')].every(c => c.dataset.rendered)
        && [...document.querySelectorAll('.migration-map')].every(m => m.dataset.painted)""", timeout=30000)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_desktop_and_phone(server, browser, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1400, 390):
        context, page, foreign, errors = _open(browser, server.base, PAGES[name], width)
        try:
            _wait_drawn(page)
            rendered = page.eval_on_selector_all(".migration-chart", "els => els.map(e => e.dataset.rendered)")
            assert "error" not in rendered, rendered
            painted = page.eval_on_selector_all(".migration-map", "els => els.map(e => e.dataset.painted)")
            assert all(p == "true" for p in painted), painted
            if name == "migration":
                assert rendered.count("true") == 2, rendered            # hosted people and Frontex routes
                assert painted == ["true"]
                assert int(page.get_attribute("#deaths-map", "data-features")) > 0
                assert page.locator("#deaths-legend .sw").count() == 5   # the map has a legend
                assert "958,147" in page.locator("#dyad-table").inner_text()
            if name == "terrorism":
                assert rendered == ["true"], rendered
            if name == "country":
                assert page.locator("#migration-panel").count() == 1 and page.locator("#terrorism-panel").count() == 1
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} at {width}px scrolls sideways by {overflow}px"
            page.screenshot(path=str(SHOTS / f"migration_{name}_{width}.png"), full_page=True)
            if width == 1400 and AXE.exists():
                page.add_script_tag(path=str(AXE))
                found = page.evaluate("""async () => (await axe.run(document)).violations
                    .filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id + ': ' + v.nodes.length)""")
                assert not found, f"{name}: axe findings {found}"
        finally:
            context.close()
        assert not foreign, f"requests to other hosts: {foreign}"
        assert not errors, f"page errors: {errors}"


def test_filters_apply_on_submit(server, browser):
    context, page, _, errors = _open(browser, server.base, PAGES["migration"], 1400)
    try:
        _wait_drawn(page)
        page.fill("#f-country", "LTU")
        page.select_option("#f-year", "2022")
        assert "country=POL" in page.url                             # nothing happens before the button
        page.click(".filters button[type=submit]")
        page.wait_for_url("**country=LTU**")
        _wait_drawn(page)
        assert "Lithuania" in page.locator("h1").inner_text()
        assert "2022" in page.locator("#routes h3").first.inner_text()
    finally:
        context.close()
    assert not errors, errors
