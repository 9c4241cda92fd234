"""The crises, disputes and military-context pages in headless Chromium (Debian's /usr/bin/chromium via
Playwright): charts draw, nothing is requested from another host, no page error, no horizontal scroll at 390 px,
no serious or critical axe-core finding, hostile text stays text.  Screenshots: artifacts/screenshots/crises_*.png.

The real ICB, MID, Archigos, NMC and SIPRI files are loaded when present (SIPRI's never ships: a workbook in its
layout stands in), ATOP from a small fixture (the real file takes a minute to load)."""

from __future__ import annotations

import pytest
from browser_support import browser_fixture, browser_marks, check_page, opened, require_browser
from conftest import SHARED, demo_copy
from test_context_support import XSS, load_fixtures
from test_web_support import Server

pytestmark = browser_marks("crises")

REAL = {"icb-crises": "crises/icb2v15.csv", "icb-dyads": "crises/icbdy_v15.csv",
        "mid-disputes": "crises/gml_mid_disputes.csv", "archigos": "geo/archigos_leaders.csv",
        "cow-nmc": "military/cow_nmc_v6.csv", "sipri-milex": "military/SIPRI-Milex-data-1991-2024.xlsx"}
HAS_ICB = (SHARED / REAL["icb-crises"]).exists()
PAGES = {"registry": "/crises", "poland": "/crises?country=POL&since=1900&search=",
         "crisis": "/crises/196" if HAS_ICB else "/crises/900", "disputes": "/disputes?since=2000&hostility=4",
         "context": "/context/POL", "country": "/country/POL"}
CHARTS = {"context": ["#chart-milex", "#chart-leaders"]}


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_template):
    require_browser()
    import signalfire
    folder = tmp_path_factory.mktemp("crises_browser")
    path = demo_copy(demo_template, folder, "browser.duckdb")   # the demo events, as `serve` would load them
    load_fixtures(path, folder)          # includes a crisis and a leader named with hostile markup
    with signalfire.open(path) as wh:
        for name, rel in REAL.items():
            if (SHARED / rel).exists():
                wh.ingest(name, SHARED / rel)
    srv = Server(path)
    yield srv
    srv.stop()


browser = browser_fixture()


@pytest.mark.parametrize("name", list(PAGES))
def test_page_desktop_and_phone(server, browser, name):
    for width in (1400, 390):
        with opened(browser, server.base, PAGES[name], width) as page:
            for selector in CHARTS.get(name, []):
                page.wait_for_selector(f"{selector}[data-rendered=true]", timeout=30000)
                assert page.locator(f"{selector} svg").count() == 1
            check_page(page, f"crises_{name}_{width}", width=width)


def test_filters_apply_on_submit_and_hostile_names_are_text(server, browser):
    with opened(browser, server.base, "/crises", 1400) as page:
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
