"""Crises and context in the REST API, the pages and the Python API: the same rows from each, errors as
{"error": …}, hostile text inert in the pages, the country page's sections.  The store holds small fixtures in
the producers' layouts (test_context_support)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from test_context_support import XSS, load_fixtures

from signalfire.web.app import create_app

HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crises")
    store = folder / "store.duckdb"
    load_fixtures(store, folder)
    app = create_app(store, load_demo=False)
    with TestClient(app) as client:
        yield client, app.state.ds
    app.state.ds.close()


def _wh(ds):
    """The Python API's queries on the server's own read connection (one process may not open the file twice)."""
    from signalfire.analysis.context import ContextQueries
    from signalfire.analysis.crises import CrisesQueries

    class View(CrisesQueries, ContextQueries):
        con = ds
    return View()


def _same(api_rows: list[dict], frame: pd.DataFrame, columns: list[str]):
    got = pd.DataFrame(api_rows)[columns].astype(str)
    want = frame[columns].copy()
    for c in columns:
        if pd.api.types.is_datetime64_any_dtype(want[c]):
            want[c] = want[c].dt.strftime("%Y-%m-%d")
    want = want.astype(object).where(want.notna(), None).astype(str)
    assert got.reset_index(drop=True).equals(want.reset_index(drop=True))


def test_crises_api_equals_python_api(env):
    client, ds = env
    wh = _wh(ds)
    body = client.get("/api/v1/crises", params={"country": "POL"}).json()
    frame = wh.crises(country="POL")
    assert body["total"] == len(frame) == 2
    _same(body["data"], frame, ["crisis_no", "crisis_name", "start_date", "end_date", "actors", "mediation",
                                "violence_severity_label"])
    assert body["data"][0]["mediation"] is True and body["data"][1]["end_date"] is None   # 902 is still going on
    detail = client.get("/api/v1/crises/900").json()
    _same(detail["actors"], wh.crisis(900), ["actor_no", "actor_code", "trigger_date", "trigger_precision",
                                             "end_date", "outcome_label"])
    assert detail["crisis"]["actors"] == "POL, RUS"
    assert [r["crisis_no"] for r in client.get("/api/v1/crises", params={"mediated": "true"}).json()["data"]] == \
        wh.crises(mediated=True)["crisis_no"].tolist() == [900]
    assert client.get("/api/v1/crises", params={"search": "long"}).json()["data"][0]["crisis_no"] == 902
    csv = client.get("/api/v1/crises", params={"country": "POL", "format": "csv"})
    assert csv.status_code == 200 and len(pd.read_csv(io.StringIO(csv.text))) == 2


def test_disputes_api_equals_python_api(env):
    client, ds = env
    body = client.get("/api/v1/disputes", params={"since": 2000}).json()
    frame = _wh(ds).disputes(since=2000)
    assert body["total"] == len(frame) == 2
    _same(body["data"], frame, ["dispute_no", "start_year", "hostility_label", "fatality_label", "outcome_label"])
    assert client.get("/api/v1/disputes", params={"hostility": 5}).json()["data"][0]["dispute_no"] == 4003
    assert client.get("/api/v1/disputes/4002").json()["dispute"]["fatality_level"] is None


def test_context_api_equals_python_api(env):
    client, ds = env
    wh = _wh(ds)
    milex = client.get("/api/v1/context/POL/military-expenditure").json()
    assert milex["source"] == "sipri-milex" and "non-commercial" in milex["licence"]
    assert milex["edition"] == "2021-2023 (constant 2023 US$)"
    _same(milex["data"], wh.military_expenditure("POL"), ["year", "milex_constant_usd_m", "milex_share_gdp"])
    allies = client.get("/api/v1/context/POL/allies").json()
    _same(allies["data"], wh.allies("POL"), ["year", "partner_iso3", "atop_defense", "atop_consul"])
    assert sorted(r["partner_iso3"] for r in allies["data"]) == ["DEU", "RUS", "USA"]
    assert [r["partner_iso3"] for r in client.get("/api/v1/context/POL/allies?year=2017").json()["data"]] == ["USA"]
    leaders = client.get("/api/v1/context/POL/leaders").json()
    _same(leaders["data"], wh.leaders("POL"), ["spell_id", "leader", "start_date", "end_date"])


@pytest.mark.parametrize("url, status", [
    ("/api/v1/crises/12345", 404), ("/api/v1/crises?country=XXX", 400), ("/api/v1/crises?since=abc", 400),
    ("/api/v1/crises?since=2000&until=1990", 400), ("/api/v1/disputes/1", 404), ("/api/v1/disputes?hostility=9", 422),
    ("/api/v1/context/XXX/military-expenditure", 404), ("/api/v1/crises?mediated=maybe", 400),
])
def test_errors_are_clear(env, url, status):
    client, _ = env
    r = client.get(url)
    assert r.status_code == status
    assert r.json()["error"]["message"] and "Traceback" not in r.text


def test_pages_render_and_keep_hostile_text_inert(env):
    client, _ = env
    registry = client.get("/crises", headers=HTML)
    assert registry.status_code == 200 and "TEST ONE" in registry.text
    assert XSS not in registry.text and "&lt;script&gt;" in registry.text
    assert client.get("/crises?country=POL&since=2000", headers=HTML).text.count('href="/crises/9') == 2
    detail = client.get("/crises/901", headers=HTML)
    assert detail.status_code == 200 and XSS not in detail.text
    assert client.get("/crises/12345", headers=HTML).status_code == 404
    assert "use of force" in client.get("/disputes?since=2000", headers=HTML).text
    # the codebook's labels in the page's language (the table's cells had stayed English beside a Polish filter)
    polish = client.get("/disputes?since=2000&lang=pl", headers=HTML).text
    table = polish.split('id="disputes-table"', 1)[1].split("</table>", 1)[0]
    assert "użycie siły" in table and "use of force" not in table
    context = client.get("/context/POL", headers=HTML)
    assert context.status_code == 200 and XSS not in context.text and "Walesa" in context.text
    assert "free for non-commercial use with citation" in context.text
    assert client.get("/context?country=pol", follow_redirects=False).headers["location"] == "/context/POL"


def test_country_page_shows_crises_and_context(env):
    client, _ = env
    page = client.get("/country/POL", headers=HTML).text
    assert 'id="crises-panel"' in page and 'href="/crises/900"' in page and 'href="/crises/902"' in page
    assert 'id="context-panel"' in page and "26,000" in page and "Allies in 2018" in page
    assert XSS not in page
    assert 'id="crises-panel"' not in client.get("/country/FRA", headers=HTML).text
