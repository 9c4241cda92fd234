"""The Alerts page's rule form in headless Chromium (Debian's /usr/bin/chromium via Playwright): the kind is chosen
with the select and its button (no script needed), that kind's fields appear, a wrong value comes back in the page
beside the form, a right one adds the rule; no serious or critical axe-core finding at 1400 px, no sideways scroll
at 390 px.  Screenshots go to artifacts/screenshots/alerts_form_*.png."""

from __future__ import annotations

import pytest
from browser_support import browser_fixture, browser_marks, check_page, opened, require_browser
from test_web_support import Server, hostile_ged_file

pytestmark = browser_marks("alerts_form")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    import signalfire
    folder = tmp_path_factory.mktemp("alerts_form_browser")
    path = folder / "browser.duckdb"
    with signalfire.open(path) as wh:
        wh.ingest("ucdp-ged", hostile_ged_file(folder / "ged.csv"))     # a few events: no demo data loaded
    srv = Server(path)
    yield srv
    srv.stop()


browser = browser_fixture()


def test_rule_form_of_each_kind_in_a_browser(server, browser):
    # clean=False: the wrong value's answer is a 400 on purpose (Chromium logs it); the rest is checked below
    with opened(browser, server.base, "/alerts", 1400, clean=False) as page:
        check_page(page, "alerts_form_events_1400", width=1400)
        assert page.locator("#rule-form input[name=threshold]").count() == 1
        page.select_option("select[name=kind]", "route")
        page.get_by_role("button", name="Show its fields").click()
        page.wait_for_load_state("networkidle")
        assert "kind=route" in page.url
        form = page.locator("#rule-form")
        assert form.locator("input[name=route]").count() == 1 and form.locator("input[name=level]").count() == 0
        form.get_by_label("Ratio to the baseline (optional)").fill("2")      # a ratio without its baseline
        form.get_by_role("button", name="Add rule").click()
        page.wait_for_load_state("networkidle")
        alert = page.get_by_role("alert")
        assert "needs both baseline_months and ratio" in alert.inner_text()
        assert form.get_by_label("Ratio to the baseline (optional)").input_value() == "2"   # the values kept
        check_page(page, "alerts_form_route_error_1400", width=1400)
        form.get_by_label("Baseline months (optional)").fill("6")
        form.get_by_role("button", name="Add rule").click()
        page.wait_for_load_state("networkidle")
        assert "rule 1 added" in page.get_by_role("status").inner_text()
        assert "route=Eastern Borders Route" in page.locator("#rules-table").inner_text()
    assert not page.foreign and not page.dialogs
    assert len(page.errors) == 2 and all("400" in e for e in page.errors), page.errors   # the one wrong value
    with opened(browser, server.base, "/alerts?kind=forecast&lang=pl", 390) as page:
        form = page.locator("#rule-form")
        assert form.locator("input[name=level]").count() == 1
        assert "Rodzaj reguły" in page.content()
        check_page(page, "alerts_form_forecast_pl_390", width=390)
