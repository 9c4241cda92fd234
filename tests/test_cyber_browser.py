"""The cyber pages in headless Chromium (Debian's /usr/bin/chromium via Playwright): charts and the victims map
draw, nothing is requested from another host, no page error, no horizontal scroll at 390 px, no serious or
critical axe-core finding.  Screenshots go to artifacts/screenshots/cyber_*.png."""

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
from test_cyber_incidents import _cfr_fixture, _dcid_fixture
from test_web_support import Server

pytestmark = browser_marks("cyber")

PAGES = {"overview": "/cyber", "country": "/cyber/country?country=POL", "groups": "/cyber/groups",
         "group": "/cyber/groups/APT28", "country_page": "/country/POL"}


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_template):
    require_browser()
    import signalfire
    folder = tmp_path_factory.mktemp("cyber_browser")
    path = demo_copy(demo_template, folder, "browser.duckdb")   # the demo events, as `serve` would load them
    cfr = SHARED / "cyber" / "cfr_cyber_operations_tracker_coded.xlsx"
    dcid = SHARED / "cyber" / "DCID_2.0_Release_update_February_2023.xlsx"
    with signalfire.open(path) as wh:
        wh.ingest("cfr-cyber", cfr if cfr.exists() else _cfr_fixture(folder))
        wh.ingest("dcid", dcid if dcid.exists() else _dcid_fixture(folder))
        wh.ingest("stix", FIXTURES / "cyber" / "attack_excerpt.json")
    srv = Server(path)
    yield srv
    srv.stop()


browser = browser_fixture()


def _wait_drawn(page):
    wait_rendered(page, charts=".cyber-chart", maps=".cyber-map")


@pytest.mark.parametrize("name", list(PAGES))
def test_page_desktop_and_phone(server, browser, name):
    for width in (1400, 390):
        with opened(browser, server.base, PAGES[name], width) as page:
            _wait_drawn(page)
            rendered = rendered_states(page, ".cyber-chart")
            assert "error" not in rendered, rendered
            if name in ("overview", "country", "group", "country_page"):
                assert "true" in rendered, f"{name}: no chart drawn ({rendered}): {page.content()[:3000]}"
            painted = rendered_states(page, ".cyber-map", "painted")
            assert all(p == "true" for p in painted), painted
            check_page(page, f"cyber_{name}_{width}", width=width)


def test_victims_map_has_a_legend_and_the_table_as_text_alternative(server, browser):
    with opened(browser, server.base, PAGES["overview"], 1400, clean=False) as page:
        _wait_drawn(page)
        assert page.locator("#victims-legend .sw").count() >= 3
        assert page.locator(".cyber-matrix tbody tr").count() >= 3
        assert page.locator("details table tbody tr").count() >= 3
