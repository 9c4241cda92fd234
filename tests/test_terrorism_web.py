"""The terrorism API and page keep GTD's sources apart: ``/api/v1/terrorism`` takes ``source`` (an unknown one is a
400 naming the valid ones), the page's download carries the page's source, and no download holds two sources'
rows for one country-year without the ``source`` column saying which.

Fixtures in the published layouts (GTD is not redistributable): a GTD incident extract with the columns of the
12-column sample (events in Ukraine and Poland in 2015, years the country-year table also covers) and the
country-year fixtures; the real GTD files when present (skipped when absent)."""

from __future__ import annotations

import html
import io
import re

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from signalfire.analysis import terrorism as tq
from signalfire.sources import get
from signalfire.store.ingest import ingest_file

# GTD incidents, the layout of the published 12-column extract (eventid, country_txt, …, nkill)
EXTRACT = """eventid,country_txt,region_txt,success,suicide,attacktype1_txt,targtype1_txt,nkill,nkillter,nwound
201503010001,Ukraine,Eastern Europe,1,0,Bombing/Explosion,Military,2,0,5
201504120001,Ukraine,Eastern Europe,1,0,Armed Assault,Police,1,-99,0
201507300002,Ukraine,Eastern Europe,1,0,Bombing/Explosion,Business,0,0,3
201509090001,Poland,Eastern Europe,0,0,Facility/Infrastructure Attack,Business,0,0,0
"""
UKR_2015 = {"gtd": 3.0, "gtd-incidents-country-year": 700.0}     # the extract above; the country-year fixture


def _page_link(page: str) -> str:
    found = re.search(r'href="(/api/v1/terrorism\?[^"]*)"', page)
    assert found, "no download link on the page"
    return html.unescape(found.group(1))


def _csv(response) -> pd.DataFrame:
    assert response.status_code == 200, response.text
    return pd.read_csv(io.StringIO(response.text))


def _no_unlabelled_mix(table: pd.DataFrame) -> None:
    """Two rows for one country-year only with a source column telling them apart."""
    if table.duplicated(["country_iso3", "year"]).any():
        assert "source" in table.columns and not table.duplicated(["source", "country_iso3", "year"]).any()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from conftest import FIXTURES

    from signalfire.warehouse import Warehouse
    from signalfire.web.app import create_app
    folder = tmp_path_factory.mktemp("terrorism_web")
    extract = folder / "gtd_extract.csv"
    extract.write_text(EXTRACT, encoding="utf-8")
    path = folder / "t.duckdb"
    wh = Warehouse(path)
    for name, file in (("gtd", extract), ("gtd-incidents-country-year", FIXTURES / "gtd_incidents_country_year_sample.csv"),
                       ("gtd-country-year", FIXTURES / "gtd_country_year_sample.csv")):
        assert ingest_file(wh, get(name), file).new > 0
    wh.close()
    with TestClient(create_app(path, load_demo=False)) as c:
        yield c


def test_the_fixture_has_two_sources_for_one_country_year(client):
    rows = client.get("/api/v1/terrorism?country=UKR&since=2015&until=2015").json()["data"]
    assert {r["source"]: r["incidents"] for r in rows} == UKR_2015


@pytest.mark.parametrize("source", tq.SOURCES)
def test_api_source_keeps_one_source(client, source):
    got = client.get(f"/api/v1/terrorism?country=UKR,POL&source={source}")
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["data"] and {r["source"] for r in body["data"]} == {source} and body["source"] == source
    table = _csv(client.get(f"/api/v1/terrorism?country=UKR,POL&source={source}&format=csv"))
    assert set(table["source"]) == {source} and not table.duplicated(["country_iso3", "year"]).any()


def test_api_several_sources_and_all_keep_the_source_column(client):
    both = client.get("/api/v1/terrorism?country=UKR&source=gtd,gtd-incidents-country-year").json()["data"]
    assert {r["source"] for r in both} == {"gtd", "gtd-incidents-country-year"}
    table = _csv(client.get("/api/v1/terrorism?country=UKR,POL&format=csv"))
    assert table.duplicated(["country_iso3", "year"]).any()        # UKR 2015 in two sources …
    _no_unlabelled_mix(table)                                        # … told apart by the source column


@pytest.mark.parametrize("value", ["bogus", "GTD-events", "gtd,nope", ","])
def test_api_unknown_source_is_a_400_naming_the_valid_ones(client, value):
    got = client.get(f"/api/v1/terrorism?source={value}")
    assert got.status_code == 400, got.text
    message = got.json()["error"]["message"]
    assert "unknown source" in message and all(s in message for s in tq.SOURCES)


def test_openapi_documents_source(client):
    spec = client.get("/api/v1/openapi.json").json()
    params = {p["name"]: p for p in spec["paths"]["/api/v1/terrorism"]["get"]["parameters"]}
    assert "source" in params and all(s in params["source"]["description"] for s in tq.SOURCES)


def test_python_api_takes_source(tmp_path, fixtures_dir):
    from signalfire.warehouse import Warehouse
    with Warehouse(tmp_path / "p.duckdb") as wh:
        ingest_file(wh, get("gtd-country-year"), fixtures_dir / "gtd_country_year_sample.csv")
        ingest_file(wh, get("gtd-incidents-country-year"), fixtures_dir / "gtd_incidents_country_year_sample.csv")
        assert set(wh.terrorism("POL", source="gtd-country-year")["source"]) == {"gtd-country-year"}
        assert len(wh.terrorism("POL")) > len(wh.terrorism("POL", source="gtd-country-year"))
        with pytest.raises(tq.MigrationQueryError, match="unknown source 'gtdx'"):
            wh.terrorism("POL", source="gtdx")


@pytest.mark.parametrize("asked, shown", [(None, "gtd-incidents-country-year"), ("gtd", "gtd"),
                                          ("gtd-incidents-country-year", "gtd-incidents-country-year"),
                                          ("gtd-country-year", "gtd-country-year")])
def test_page_download_carries_the_pages_source(client, asked, shown):
    url = "/terrorism?country=UKR" + (f"&source={asked}" if asked else "")
    page = client.get(url).text
    link = _page_link(page)
    assert f"source={shown}" in link and "format=csv" in link
    table = _csv(client.get(link))
    assert set(table["source"]) <= {shown} and not table.duplicated(["country_iso3", "year"]).any()
    if shown != "gtd-country-year":            # the country-year fixture has no Ukraine rows after 1995
        ukr = table[(table["country_iso3"] == "UKR") & (table["year"] == 2015)]["incidents"].tolist()
        assert ukr == [UKR_2015[shown]]


def test_country_panel_download_keeps_the_source_column(client):
    page = client.get("/country/UKR").text
    panel = page.split('id="terrorism-panel"', 1)[1].split("</section>", 1)[0]
    _no_unlabelled_mix(_csv(client.get(_page_link(panel))))


# -- the real GTD files, when present ----------------------------------------------------------------------------
def test_real_files_page_download_is_the_pages_source(tmp_path, shared_data):
    from signalfire.warehouse import Warehouse
    from signalfire.web.app import create_app
    sample = shared_data("terrorism/gtd_2017_sample1000.csv")
    table = shared_data("terrorism/gtd_incidents_country_year_1970-2020.csv")
    with Warehouse(tmp_path / "r.duckdb") as wh:
        ingest_file(wh, get("gtd"), sample)
        ingest_file(wh, get("gtd-incidents-country-year"), table)
    with TestClient(create_app(tmp_path / "r.duckdb", load_demo=False)) as c:
        both = pd.DataFrame(c.get("/api/v1/terrorism?country=UKR&since=2017&until=2017").json()["data"])
        assert set(both["source"]) == {"gtd", "gtd-incidents-country-year"}     # UKR 2017 in both
        for asked in (None, "gtd"):
            page = c.get("/terrorism?country=UKR" + (f"&source={asked}" if asked else "")).text
            download = _csv(c.get(_page_link(page)))
            assert download["source"].nunique() == 1
            assert not download.duplicated(["country_iso3", "year"]).any()
            shown = download["source"].iloc[0]
            assert shown == (asked or "gtd-incidents-country-year")
            want = both.loc[both["source"] == shown, "incidents"].item()
            assert download.set_index(["country_iso3", "year"]).loc[("UKR", 2017), "incidents"] == want
