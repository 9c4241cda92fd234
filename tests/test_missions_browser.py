"""The missions pages in headless Chromium (Debian's /usr/bin/chromium via Playwright): charts and the map draw,
nothing is requested from another host, no page error, no horizontal scroll at 390 px, no serious or critical
axe-core finding.  Screenshots go to artifacts/screenshots/missions_*.png."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
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
from conftest import FIXTURES, SHARED
from test_web_support import Server, hostile_ged_file

pytestmark = browser_marks("missions")

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
    require_browser()
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


browser = browser_fixture()


def _wait_drawn(page):
    wait_rendered(page, charts=".missions-chart", maps=".missions-map")


@pytest.mark.parametrize("name", list(PAGES))
def test_page_desktop_and_phone(server, browser, name):
    for width in (1400, 390):
        with opened(browser, server.base, PAGES[name], width) as page:
            _wait_drawn(page)
            rendered = rendered_states(page, ".missions-chart")
            assert "error" not in rendered, rendered
            painted = rendered_states(page, ".missions-map", "painted")
            assert all(p == "true" for p in painted), painted
            if name in ("deployments", "mission", "fatalities"):
                assert "true" in rendered, f"{name}: no chart drawn ({rendered})"
            check_page(page, f"missions_{name}_{width}", width=width)


def test_deployment_chart_has_the_table_as_text_alternative(server, browser):
    with opened(browser, server.base, PAGES["deployments"], 1400, clean=False) as page:
        _wait_drawn(page)
        rows = page.locator("#yearly-table tbody tr").count()
        assert rows >= (25 if (SHARED / "peacekeeping" / REAL["ipi-contributions"]).exists() else 1)
        assert page.locator(".badge-user").count() >= 1
