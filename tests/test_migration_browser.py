"""The migration and terrorism pages in headless Chromium (Debian's /usr/bin/chromium via Playwright): charts and
the incident map draw, nothing is requested from another host, no page error, no horizontal scroll at 390 px, no
serious or critical axe-core finding.  Screenshots go to artifacts/screenshots/migration_*.png.

The store holds the fixtures (UNHCR download excerpt, IOM download layout, invented Frontex and GTD figures) and,
when ../shared/data has them, the real Frontex, IOM and GTD country-year files."""

from __future__ import annotations

import pytest
from browser_support import (
    browser_fixture,
    browser_marks,
    check_page,
    opened,
    rendered_states,
    require_browser,
    wait_rendered,
)
from conftest import FIXTURES, SHARED, demo_copy
from test_web_support import Server

pytestmark = browser_marks("migration")

REAL = {"frontex": "migration/frontex.csv", "iom-missing-migrants": "migration/iom_mmp.csv",
        "gtd-incidents-country-year": "terrorism/gtd_incidents_country_year_1970-2020.csv",
        "gtd-country-year": "terrorism/gtd_country_year_1970-2008.csv"}
OWN = {"unhcr-refugee-data-finder": "unhcr_rdf_population.csv", "gtd": "gtd_full_layout_sample.csv"}
PAGES = {"migration": "/migration?country=POL&origin=UKR&route=Eastern+Borders+Route&year=2021",
         "terrorism": "/terrorism?country=POL", "country": "/country/POL"}


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_template):
    require_browser()
    import signalfire
    path = demo_copy(demo_template, tmp_path_factory.mktemp("migration_browser"), "browser.duckdb")   # the demo events
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


browser = browser_fixture()


def _wait_drawn(page):
    wait_rendered(page, charts=".migration-chart", maps=".migration-map")


@pytest.mark.parametrize("name", list(PAGES))
def test_page_desktop_and_phone(server, browser, name):
    for width in (1400, 390):
        with opened(browser, server.base, PAGES[name], width) as page:
            _wait_drawn(page)
            rendered = rendered_states(page, ".migration-chart")
            assert "error" not in rendered, rendered
            painted = rendered_states(page, ".migration-map", "painted")
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
            check_page(page, f"migration_{name}_{width}", width=width)


def test_filters_apply_on_submit(server, browser):
    with opened(browser, server.base, PAGES["migration"], 1400, http_errors=False) as page:
        _wait_drawn(page)
        page.fill("#f-country", "LTU")
        page.select_option("#f-year", "2022")
        assert "country=POL" in page.url                             # nothing happens before the button
        page.click(".filters button[type=submit]")
        page.wait_for_url("**country=LTU**")
        _wait_drawn(page)
        assert "Lithuania" in page.locator("h1").inner_text()
        assert "2022" in page.locator("#routes h3").first.inner_text()
