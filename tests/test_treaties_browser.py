"""The arms-control and UN voting pages in headless Chromium (Debian's /usr/bin/chromium via Playwright): charts
draw, filters apply on submit, nothing is requested from another host, no page error, no horizontal scroll at
390 px, no serious or critical axe-core finding.  Screenshots: artifacts/screenshots/treaties_*.png, unga_*.png."""

from __future__ import annotations

import pandas as pd
import pytest
from browser_support import browser_fixture, browser_marks, check_page, opened, require_browser
from conftest import SHARED, demo_copy
from test_web_support import Server

pytestmark = browser_marks("treaties")

PAGES = {"treaties_matrix": "/treaties?alliance=NATO", "treaties_country": "/treaties/country/POL",
         "treaties_not_joined": "/treaties/not-joined?instrument=CTBT",
         "unga_search": "/unga?search=Chemical+Weapons+Convention&country=POL",
         "unga_roll_call": "/unga/roll-calls/9136", "unga_agreement": "/unga/agreement?country=POL&partner=USA",
         "treaties_unga_country": "/country/POL"}
CHARTS = {"treaties_country": "#treaty-timeline", "unga_agreement": "#agreement-chart"}


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_template):
    require_browser()
    needed = [SHARED / "treaties" / "manytreaties_arms_control_parties.csv",
              SHARED / "treaties" / "manyios_security_regimes_membership.csv",
              SHARED / "un" / "un_votes.csv.gz", SHARED / "un" / "un_roll_calls.csv.gz",
              SHARED / "un" / "un_roll_call_issues.csv.gz"]
    if not all(p.exists() for p in needed):
        pytest.skip("the treaties and UN files are not in ../shared/data")
    import signalfire
    from signalfire.sources.diplomacy.reference import INSTRUMENTS, OVERRIDES
    folder = tmp_path_factory.mktemp("treaties_browser")
    calls = pd.read_csv(needed[3], dtype=str, keep_default_na=False)
    recent = set(calls.loc[calls["session"].astype(float) >= 70, "rcid"].astype(float))
    votes = pd.read_csv(needed[2], dtype=str, keep_default_na=False)
    votes[votes["rcid"].astype(float).isin(recent)].to_csv(folder / "un_votes_70-74.csv", index=False)  # as laid out
    path = demo_copy(demo_template, folder, "browser.duckdb")   # the demo events, as `serve` would load them
    with signalfire.open(path) as wh:
        for name, file in [("treaty-instruments", INSTRUMENTS), ("manytreaties", needed[0]), ("manyios", needed[1]),
                           ("treaty-overrides", OVERRIDES), ("unvotes-roll-calls", needed[3]),
                           ("unvotes-issues", needed[4]), ("unvotes", folder / "un_votes_70-74.csv")]:
            wh.ingest(name, file)
    srv = Server(path)
    yield srv
    srv.stop()


browser = browser_fixture()


@pytest.mark.parametrize("name", list(PAGES))
def test_page_desktop_and_phone(server, browser, name):
    for width in (1400, 390):
        with opened(browser, server.base, PAGES[name], width, http_errors=False) as page:
            if name in CHARTS:
                page.wait_for_selector(f"{CHARTS[name]}[data-rendered=true] svg", timeout=30000)
            check_page(page, f"{name}_{width}", width=width)


def test_matrix_filters_apply_on_submit(server, browser):
    with opened(browser, server.base, "/treaties", 1400, http_errors=False) as page:
        page.wait_for_function("() => document.readyState === 'complete'")
        rows = page.locator("#treaty-matrix tbody tr").count()
        assert rows > 150
        page.select_option("#f-alliance", "EU")
        assert page.locator("#treaty-matrix tbody tr").count() == rows     # nothing happens on change
        page.click("form.treaty-filters button[type=submit]")
        page.wait_for_url("**alliance=EU**")
        assert page.locator("#treaty-matrix tbody tr").count() == 27
        assert page.locator("#f-alliance").input_value() == "EU"


def test_search_shows_the_cwc_resolutions_and_poland_vote(server, browser):
    with opened(browser, server.base, PAGES["unga_search"], 1400, clean=False) as page:
        text = page.locator("#resolutions-table").inner_text()
        for symbol in ("A/RES/74/40", "R/73/45", "A/RES/72/43", "A/RES/71/69"):
            assert symbol in text
        assert page.locator("#resolutions-table .vote-yes").count() >= 4
        page.goto(server.base + PAGES["unga_agreement"], wait_until="networkidle")
        page.wait_for_selector("#agreement-chart[data-rendered=true] svg", timeout=30000)
        pair_rows = page.locator("#pair-table tbody tr").count()
        assert pair_rows == 5                       # sessions 70-74 in this store: the chart's table alternative
        assert page.locator("#closest-table tbody tr").first.inner_text().lower().startswith("latvia")
