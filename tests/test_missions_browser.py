"""The missions pages in headless Chromium (Debian's /usr/bin/chromium via Playwright): charts and the map draw,
nothing is requested from another host, no page error, no horizontal scroll at 390 px, no serious or critical
axe-core finding.  Screenshots go to artifacts/screenshots/missions_*.png."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import FIXTURES, SHARED
from test_web_support import Server, hostile_ged_file

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
VENDOR = ROOT / "src" / "signalfire" / "web" / "static" / "vendor" / "maplibre-gl.mjs"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
REAL = {"ipi-contributions": "ipi_contributions_by_country_month_1990-2014.csv",
        "ipi-contributions-mission": "ipi_contributions_by_country_mission_2014-03_to_08.csv",
        "ipi-missions": "ipi_missions_by_month_1990-2017.csv",
        "un-pko-strength": "un_pko_personnel_authorised_vs_deployed_1990-2015.csv",
        "un-pko-fatalities": "un_pko_fatalities_contingent_month_1948-2015.csv",
        "geopko": "geopko_TCCMap_v2.3.csv"}
PAGES = {"deployments": "/missions?country=POL", "mission": "/missions/mission/UNIFIL",
         "map": "/missions/map?country=POL&year=2009", "fatalities": "/missions/fatalities?country=POL",
         "country": "/country/POL"}


def _excerpt(path: Path, folder: Path) -> Path:
    """The lines of a real file about Poland or UNIFIL (what the pages under test show), in a temporary copy."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    keep = frame.apply(lambda col: col.isin(["Poland", "POL", "UNIFIL"])).any(axis=1)
    if path.name.startswith("geopko"):
        keep = frame["year.overview"].str.contains("Poland") | (frame["mission"] == "UNIFIL")
    out = folder / path.name
    frame[keep].to_csv(out, index=False)
    return out


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    if not VENDOR.exists():
        pytest.skip("front-end assets are not vendored")
    import signalfire
    folder = tmp_path_factory.mktemp("missions_browser")
    path = folder / "browser.duckdb"
    with signalfire.open(path) as wh:
        # a few events, so the server does not load the demo data (the pages here do not need it)
        wh.ingest("ucdp-ged", hostile_ged_file(folder / "ged.csv"))
        for name, file in REAL.items():
            if (SHARED / "peacekeeping" / file).exists():
                wh.ingest(name, _excerpt(SHARED / "peacekeeping" / file, folder))
        wh.ingest("un-pko-hub", FIXTURES / "un_pko_hub_contributions.csv")
        wh.ingest("missions-user", FIXTURES / "missions_user_example.csv")
        wh.ingest("missions-user-contributions", FIXTURES / "missions_user_contributions_example.csv")
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
    page.wait_for_function("""() => [...document.querySelectorAll('.missions-chart')].every(c => c.dataset.rendered)
        && [...document.querySelectorAll('.missions-map')].every(m => m.dataset.painted)""", timeout=30000)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_desktop_and_phone(server, browser, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1400, 390):
        context, page, foreign, errors = _open(browser, server.base, PAGES[name], width)
        try:
            _wait_drawn(page)
            rendered = page.eval_on_selector_all(".missions-chart", "els => els.map(e => e.dataset.rendered)")
            assert "error" not in rendered, rendered
            painted = page.eval_on_selector_all(".missions-map", "els => els.map(e => e.dataset.painted)")
            assert all(p == "true" for p in painted), painted
            if name in ("deployments", "mission", "fatalities"):
                assert "true" in rendered, f"{name}: no chart drawn ({rendered})"
            overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} at {width}px scrolls sideways by {overflow}px"
            page.screenshot(path=str(SHOTS / f"missions_{name}_{width}.png"), full_page=width == 390)
            if width == 1400 and AXE.exists():
                page.add_script_tag(path=str(AXE))
                found = page.evaluate("""async () => (await axe.run(document)).violations
                    .filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id + ': ' + v.nodes.length)""")
                assert not found, f"{name}: axe findings {found}"
        finally:
            context.close()
        assert not foreign, f"requests to other hosts: {foreign}"
        assert not errors, f"page errors: {errors}"


def test_deployment_chart_has_the_table_as_text_alternative(server, browser):
    context, page, _, _ = _open(browser, server.base, PAGES["deployments"], 1400)
    try:
        _wait_drawn(page)
        rows = page.locator("#yearly-table tbody tr").count()
        assert rows >= (25 if (SHARED / "peacekeeping" / REAL["ipi-contributions"]).exists() else 1)
        assert page.locator(".badge-user").count() >= 1
    finally:
        context.close()
