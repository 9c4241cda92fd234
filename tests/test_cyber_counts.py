"""The cyber API and pages count incidents one way: ``total`` is the number of incidents matching the filters
(not the number returned), a page's download holds every incident it counts (or says it is cut), and a per-year
figure that cannot hold undated incidents says how many there are ("… and N undated"); the per-year downloads
hold them as rows with an empty year, so they add up to the headline.

An invented CFR file in CFR's published layout, larger than the API's default page (1,000), with undated
incidents; the real CFR and DCID files when present (skipped when absent)."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from test_cyber_incidents import CFR_COLUMNS, _xlsx

DATED, UNDATED = 1_010, 3                  # incidents in the invented file
ALL = DATED + UNDATED
POL_DATED, POL_UNDATED = 20, 1             # of them with Poland as victim
TYPES = ("Espionage", "Sabotage", "Denial of service", "Defacement")


def _row(title, date, victims, kind):
    return [title, date, None, None, None, victims, "Russian Federation", kind, "Government", None, None, None,
            365, None]


def _cfr_many(folder):
    rows = []
    for i in range(DATED):
        victims = "Poland" if i < POL_DATED else "Germany"
        rows.append(_row(f"Operation {i:04d}", dt.datetime(2005 + i % 18, 1 + i % 12, 1 + i % 28), victims,
                         TYPES[i % len(TYPES)]))
    rows.append(_row("Undated operation against Poland", None, "Poland", "Espionage"))
    rows += [_row(f"Undated operation {i}", None, "Germany", "Sabotage") for i in range(UNDATED - POL_UNDATED)]
    return _xlsx(folder / "cfr_many.xlsx", CFR_COLUMNS, rows, sheet="cfr_attacker_coded.csv")


def _client(path):
    from signalfire.web.app import create_app
    return TestClient(create_app(path, load_demo=False))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    import signalfire
    folder = tmp_path_factory.mktemp("cyber_counts")
    path = folder / "counts.duckdb"
    with signalfire.open(path) as wh:
        result = wh.ingest("cfr-cyber", _cfr_many(folder))
        assert result.new == ALL and result.quarantined == 0
    with _client(path) as c:
        yield c


def _csv(response) -> pd.DataFrame:
    assert response.status_code == 200, response.text
    return pd.read_csv(io.StringIO(response.text))


def _link(page: str, prefix: str) -> str:
    """The first download link on a page starting with ``prefix``, unescaped as a browser would."""
    found = re.search(r'href="(' + re.escape(prefix) + r'[^"]*)"', page)
    assert found, f"no link {prefix} on the page"
    return html.unescape(found.group(1))


def _headline(page: str, heading: str) -> int:
    found = re.search(re.escape(heading) + r"\s*<small>([\d,]+) incidents</small>", page)
    assert found, f"no count beside {heading!r}"
    return int(found.group(1).replace(",", ""))


# -- defect 1: total is the number matching, the page's download is complete ---------------------------------
def test_total_is_the_number_matching_not_the_number_returned(client):
    five = client.get("/api/v1/cyber/incidents?limit=5").json()
    assert len(five["data"]) == 5 and five["total"] == ALL
    default = client.get("/api/v1/cyber/incidents").json()
    assert len(default["data"]) == 1000 and default["total"] == ALL
    everything = client.get("/api/v1/cyber/incidents?limit=100000").json()
    assert len(everything["data"]) == everything["total"] == ALL
    pol = client.get("/api/v1/cyber/incidents?country=POL&role=victim&limit=1").json()
    assert len(pol["data"]) == 1 and pol["total"] == POL_DATED + POL_UNDATED


def test_the_pages_incident_download_holds_every_incident(client):
    page = client.get("/cyber").text
    link = _link(page, "/api/v1/cyber/incidents?")
    assert "format=csv" in link
    got = client.get(link)
    table = _csv(got)
    assert len(table) == ALL and got.headers["X-Total-Count"] == str(ALL)
    assert "X-Signalfire-Truncated" not in got.headers
    assert table["date_start"].isna().sum() == UNDATED


def test_a_cut_download_says_so(client):
    got = client.get("/api/v1/cyber/incidents?format=csv&limit=10")
    assert len(_csv(got)) == 10 and got.headers["X-Total-Count"] == str(ALL)
    assert f"the first 10 of {ALL:,} rows" in got.headers["X-Signalfire-Truncated"]


def test_openapi_documents_total_and_limit(client):
    spec = client.get("/api/v1/openapi.json").json()
    params = {p["name"]: p for p in spec["paths"]["/api/v1/cyber/incidents"]["get"]["parameters"]}
    text = params["limit"]["description"]
    assert "1,000" in text and "total" in text and "csv" in text


# -- defect 2: one count everywhere; undated incidents stated where a per-year figure leaves them out ---------
@pytest.mark.parametrize("query", ["", "country=POL&role=victim", "country=RUS&role=sponsor", "type=espionage",
                                   "source=cfr-cyber", "since=2010&until=2015"])
def test_timeline_adds_up_to_the_incidents_total(client, query):
    total = client.get(f"/api/v1/cyber/incidents?limit=0&{query}").json()["total"]
    timeline = client.get(f"/api/v1/cyber/timeline?{query}").json()
    assert sum(r["incidents"] for r in timeline["data"]) == total > 0
    undated = [r for r in timeline["data"] if r["year"] is None]
    assert timeline["undated"] == sum(r["incidents"] for r in undated)
    assert all(isinstance(r["year"], int) for r in timeline["data"] if r["year"] is not None)
    csv = _csv(client.get(f"/api/v1/cyber/timeline?format=csv&{query}"))
    assert csv["incidents"].sum() == total


def test_world_page_counts_every_incident_and_states_the_undated(client):
    page = client.get("/cyber").text
    assert _headline(page, "Incidents per year") == ALL
    assert f"{DATED:,} of them by year in the chart and {UNDATED} undated" in page
    chart = _link(page, "/api/v1/cyber/timeline?")
    assert _csv(client.get(chart))["incidents"].sum() == ALL
    filtered = client.get("/cyber?since=2010").text          # a date filter leaves undated incidents out
    since = client.get("/api/v1/cyber/incidents?since=2010&limit=0").json()["total"]
    assert _headline(filtered, "Incidents per year") == since and "undated" not in filtered.split("<main", 1)[-1]


def test_country_page_headline_equals_its_charts_download(client):
    page = client.get("/cyber/country?country=POL").text
    headline = _headline(page, "As victim, per year")
    assert headline == POL_DATED + POL_UNDATED
    assert f"{POL_DATED:,} of them by year in the chart and {POL_UNDATED} undated" in page
    chart = _csv(client.get(_link(page, "/api/v1/cyber/timeline?")))
    assert chart["incidents"].sum() == headline and chart["year"].isna().sum() == 1


def test_country_page_downloads_carry_the_pages_filters(client):
    page = client.get("/cyber/country?country=POL&type=espionage&source=cfr-cyber").text
    shown = _headline(page, "As victim, per year")
    chart = _link(page, "/api/v1/cyber/timeline?")
    assert "type=espionage" in chart and "source=cfr-cyber" in chart
    assert _csv(client.get(chart))["incidents"].sum() == shown < POL_DATED + POL_UNDATED
    sponsor = _link(page, "/api/v1/cyber/incidents?")
    assert "type=espionage" in sponsor and "role=sponsor" in sponsor


def test_country_panel_states_the_undated(client):
    page = client.get("/country/POL").text
    panel = page.split('id="cyber-panel"', 1)[1].split("</section>", 1)[0]
    assert f"Named as victim in {POL_DATED + POL_UNDATED} incidents" in panel
    assert f"Undated incidents (no start date), not in the chart: {POL_UNDATED}." in panel


# -- the real files, when present --------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/v1/cyber/incidents", "/api/v1/cyber/timeline", "/api/v1/cyber/matrix"])
def test_an_unknown_source_is_a_400(client, path):
    """``source=bogus`` had answered 200 with 0 incidents, as if the source had none."""
    r = client.get(path, params={"source": "bogus"})
    assert r.status_code == 400 and "unknown source 'bogus'; expected one of cfr-cyber, dcid" in r.text


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    from conftest import shared_path

    import signalfire
    cfr = shared_path("cyber/cfr_cyber_operations_tracker_coded.xlsx")
    dcid = shared_path("cyber/DCID_2.0_Release_update_February_2023.xlsx")
    path = tmp_path_factory.mktemp("cyber_real") / "real.duckdb"
    with signalfire.open(path) as wh:
        wh.ingest("cfr-cyber", cfr)
        wh.ingest("dcid", dcid)
        stored = len(wh.cyber_incidents())
        undated = int(wh.cyber_incidents()["date_start"].isna().sum())
    with _client(path) as c:
        yield c, stored, undated


def test_real_files_count_one_way(real):
    c, stored, undated = real
    assert stored > 1000 and undated > 0            # the case the review found: more than a page, some undated
    assert c.get("/api/v1/cyber/incidents?limit=5").json()["total"] == stored
    page = c.get("/cyber").text
    assert _headline(page, "Incidents per year") == stored
    assert f"{stored - undated:,} of them by year in the chart and {undated:,} undated" in page
    assert len(_csv(c.get(_link(page, "/api/v1/cyber/incidents?")))) == stored
    pol = c.get("/cyber/country?country=POL").text
    chart = _csv(c.get(_link(pol, "/api/v1/cyber/timeline?")))
    assert chart["incidents"].sum() == _headline(pol, "As victim, per year")
