"""The missions REST API and the Python API give the same data (fixtures: the UN data hub layout, user-supplied
rows, a contributor file in IPI's layout); pages render, mark user-supplied rows and escape hostile text; errors are
clean 400/404s."""

from __future__ import annotations

import html
import io

import pandas as pd
import pytest
from fastapi.testclient import TestClient

import signalfire
from signalfire.analysis.missions import MissionsQueryError
from signalfire.web.streams.missions import records

HOSTILE = "<script>window.__xss=1</script>"


def _store(tmp_path_factory):
    from conftest import FIXTURES
    folder = tmp_path_factory.mktemp("missions_api")
    path = folder / "api.duckdb"
    ipi = folder / "Poland.csv"
    ipi.write_text("Date,Troops,Police,Experts\n1995-01-31,2097,29,45\n1995-02-28,2100,29,52\n"
                   "2014-08-31,,3,11\n")
    hostile = folder / "hostile_missions.csv"
    hostile.write_text("mission,name,organisation,host_iso3,mandate_start,mandate_end,source_url,note\n"
                       f'EX-HOSTILE,"{HOSTILE}",other,POL,2020,,https://example.org/x,"{HOSTILE}"\n')
    with signalfire.open(path) as wh:
        wh.ingest("un-pko-hub", FIXTURES / "un_pko_hub_contributions.csv")
        wh.ingest("missions-user", FIXTURES / "missions_user_example.csv")
        wh.ingest("missions-user-contributions", FIXTURES / "missions_user_contributions_example.csv")
        wh.ingest("ipi-contributions", ipi)
        wh.ingest("missions-user", hostile)
    return path


@pytest.fixture(scope="module")
def client_and_wh(tmp_path_factory):
    from signalfire.web.app import create_app
    path = _store(tmp_path_factory)
    app = create_app(path, load_demo=False)
    with TestClient(app) as client:
        yield client, app.state.ds


def _same(api_rows: list[dict], frame: pd.DataFrame):
    assert api_rows == records(frame)


def test_api_equals_python_api(client_and_wh):
    client, ds = client_and_wh
    from signalfire.analysis import missions as q
    body = client.get("/api/v1/missions/deployments?country=POL").json()
    _same(body["data"], q.deployment_series(ds, "POL", "combined"))
    assert {r["source"] for r in body["data"]} == {"ipi-contributions", "un-pko-hub"}
    yearly = client.get("/api/v1/missions/deployments/yearly?country=POL&source=ipi-contributions").json()["data"]
    _same(yearly, q.deployments_by_year(ds, "POL", "ipi-contributions"))
    y1995 = next(r for r in yearly if r["year"] == 1995)
    assert (y1995["troops"], y1995["police"], y1995["experts"], y1995["peak_total"]) == (2097, 29, 45, 2181)
    _same(client.get("/api/v1/missions").json()["data"], q.missions(ds))
    _same(client.get("/api/v1/missions/deployments/rows?country=POL").json()["data"], q.deployments(ds, "POL"))
    unifil = client.get("/api/v1/missions/mission/UNIFIL").json()
    _same(unifil["contributors"], q.mission_contributors(ds, "UNIFIL"))
    assert {r["contributor_iso3"] for r in unifil["contributors"]} == {"POL", "GHA", "IRL"}
    country = client.get("/api/v1/missions/country/POL").json()
    _same(country["served"], q.country_missions(ds, "POL"))
    assert country["latest"] == {"month": "2024-10", "source": "un-pko-hub", "total": 214,
                                 "by_type": {"troops": 200, "staff_officers": 10, "experts": 4}}


def test_python_api_on_warehouse_matches(client_and_wh, tmp_path_factory):
    client, _ = client_and_wh
    path = _store(tmp_path_factory)
    with signalfire.open(path) as wh:
        _same(client.get("/api/v1/missions/deployments?country=POL").json()["data"], wh.deployment_series("POL"))
        with pytest.raises(MissionsQueryError, match="unknown country"):
            wh.deployments("Narnia")


def test_csv_download(client_and_wh):
    client, _ = client_and_wh
    r = client.get("/api/v1/missions/deployments?country=POL&format=csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    table = pd.read_csv(io.StringIO(r.text))
    assert list(table.columns) == ["month", "source", "personnel_type", "total"]
    as_json = client.get("/api/v1/missions/deployments?country=POL").json()["data"]
    assert table["total"].sum() == sum(row["total"] for row in as_json) and len(table) == len(as_json)


def test_errors_are_clean(client_and_wh):
    client, _ = client_and_wh
    r = client.get("/api/v1/missions/deployments?country=XXX")
    assert r.status_code == 400 and "unknown country 'XXX'" in r.json()["error"]["message"]
    r = client.get("/api/v1/missions/mission/NOPE")
    assert r.status_code == 404 and "unknown mission" in r.json()["error"]["message"]
    r = client.get("/missions/mission/NOPE", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "Traceback" not in r.text


def test_pages_render_and_mark_user_rows(client_and_wh):
    client, _ = client_and_wh
    page = client.get("/missions?country=POL").text
    assert "Peacekeeping deployments" in page and "rows-deployments" in page
    assert "EX-ALPHA" in page and "badge-user" in page
    mission = client.get("/missions/mission/EX-ALPHA").text
    assert "user-supplied" in mission and "https://example.org/ex-alpha" in mission
    for url in ("/missions/map?country=POL", "/missions/fatalities", "/country/POL"):
        assert client.get(url).status_code == 200
    assert 'id="missions-panel"' in client.get("/country/POL").text
    from signalfire.web.streams.missions import country_panel
    assert country_panel(client.app.state.ds, "ISL") is None       # nothing recorded: no section
    assert country_panel(client.app.state.ds, "GHA")[1]["served"][0]["mission"] == "UNIFIL"


def test_hostile_text_is_inert(client_and_wh):
    client, _ = client_and_wh
    page = client.get("/missions/mission/EX-HOSTILE").text
    assert HOSTILE not in page and "&lt;script&gt;" in page
    listing = client.get("/missions").text
    assert HOSTILE not in listing


def test_an_unknown_contribution_source_is_a_400(client_and_wh):
    """`/missions?source=zzz` had answered 200 "No deployments recorded", as if the source had none."""
    client, _ = client_and_wh
    for url in ("/missions?source=zzz", "/api/v1/missions/deployments?source=zzz"):
        r = client.get(url, headers={"Accept": "text/html"} if url.startswith("/missions") else {})
        assert r.status_code == 400 and "unknown source 'zzz'; expected combined or one of" in html.unescape(r.text)
    assert client.get("/missions?source=combined", headers={"Accept": "text/html"}).status_code == 200
