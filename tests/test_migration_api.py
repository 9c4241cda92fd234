"""The migration and terrorism REST API returns what the Python API returns; the pages render the same figures.

A store of fixtures only (UNHCR download excerpt, IOM download layout, invented Frontex and GTD figures)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from signalfire.sources import get
from signalfire.store.ingest import ingest_file

FIXTURES = [("unhcr-refugee-data-finder", "unhcr_rdf_population.csv"),
            ("iom-missing-migrants-download", "iom_missing_migrants_download.csv"),
            ("frontex", "frontex_sample.csv"), ("gtd-country-year", "gtd_country_year_sample.csv"),
            ("gtd-incidents-country-year", "gtd_incidents_country_year_sample.csv"),
            ("gtd", "gtd_full_layout_sample.csv")]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    from conftest import FIXTURES as DIR

    from signalfire.warehouse import Warehouse
    from signalfire.web.app import create_app
    path = tmp_path_factory.mktemp("migration_api") / "s.duckdb"
    wh = Warehouse(path)
    for name, file in FIXTURES:
        ingest_file(wh, get(name), DIR / file)
    wh.close()
    app = create_app(path, load_demo=False)
    with TestClient(app) as client:
        yield client, app.state.ds, DIR


def _same(api_rows: list[dict], frame: pd.DataFrame):
    got = pd.DataFrame(api_rows)
    want = frame.reset_index(drop=True)
    assert len(got) == len(want) > 0
    for column in want.columns:
        left, right = got[column], want[column]
        if pd.api.types.is_numeric_dtype(right):
            assert pd.to_numeric(left).fillna(-1).tolist() == pytest.approx(right.astype(float).fillna(-1).tolist())
        else:
            assert left.astype(str).str[:10].tolist() == right.astype(str).str[:10].tolist()


def test_api_equals_python_api(env):
    from signalfire.analysis import migration as q
    from signalfire.analysis import terrorism as tq
    client, ds, _ = env
    cases = [
        ("/api/v1/migration/refugees?origin=UKR&asylum=POL&since=2022&until=2023",
         q.refugees(ds, "UKR", "POL", (2022, 2023), ("refugees", "asylum_seekers", "oip"))),
        ("/api/v1/migration/refugees?asylum=LTU", q.refugees(ds, None, "LTU", None,
                                                             ("refugees", "asylum_seekers", "oip"))),
        ("/api/v1/migration/frontex?route=Eastern%20Borders%20Route&since=2021&until=2021",
         q.frontex_routes(ds, "Eastern Borders Route", (2021, 2021))),
        ("/api/v1/migration/frontex?by=nationality", q.frontex_routes(ds, by="nationality")),
        ("/api/v1/migration/missing-migrants?since=2021&until=2021", q.missing_migrants(ds, (2021, 2021))),
        ("/api/v1/migration/missing-migrants/routes", q.missing_by_route(ds)),
        ("/api/v1/terrorism?country=POL,COD", tq.terrorism(ds, ["POL", "COD"])),
        ("/api/v1/migration/country/POL/series", q.country_series(ds, "POL")),
    ]
    for url, frame in cases:
        response = client.get(url)
        assert response.status_code == 200, url
        _same(response.json()["data"], frame)
    # the Warehouse methods are the same functions on the store's connection
    ukr = client.get(cases[0][0]).json()["data"]
    assert [r["refugees"] for r in ukr] == [958147, 955891]
    hosted = {r["year"]: r["value"] for r in client.get(cases[-1][0]).json()["data"] if r["measure"] == "hosted"}
    assert hosted[2022] == 958147 + 372 + 5547 + 672 + 120 + 5     # UKR, BLR and stateless in Poland (fixture)
    east = client.get(cases[2][0]).json()["data"]
    assert sum(r["detections"] for r in east) == _eastern_2021(env[2])


def _eastern_2021(fixtures) -> float:
    frame = pd.read_csv(fixtures / "frontex_sample.csv")
    return frame[(frame.route == "Eastern Borders Route") & frame.t.str.startswith("2021")]["n"].sum()


def test_csv_and_geojson_downloads(env):
    client = env[0]
    csv = client.get("/api/v1/migration/refugees?origin=UKR&asylum=POL&format=csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    table = pd.read_csv(io.StringIO(csv.text))
    assert table.set_index("year").loc[2023, "refugees"] == 955891
    geo = client.get("/api/v1/migration/missing-migrants?format=geojson").json()
    assert len(geo["features"]) == 6
    pylos = next(f for f in geo["features"] if f["properties"]["incident_id"] == "2023.MMP00201")
    assert pylos["geometry"]["coordinates"] == [21.4, 36.4] and pylos["properties"]["missing"] == 500


def test_bad_arguments_are_400_with_a_message(env):
    client, _, _ = env
    for url in ("/api/v1/migration/refugees?origin=Atlantis", "/api/v1/terrorism?country=ZZZ"):
        response = client.get(url)
        assert response.status_code == 400 and "unknown country" in response.json()["error"]["message"]
    assert client.get("/api/v1/migration/refugees?since=1800").status_code == 422


def test_pages_show_the_figures(env):
    client, _, fixtures = env
    page = client.get("/migration?country=POL&origin=UKR&route=Eastern%20Borders%20Route&year=2021")
    assert page.status_code == 200
    text = page.text
    assert "958,147" in text and "955,891" in text               # Ukrainians in Poland, 2022 and 2023
    assert f"{_eastern_2021(fixtures):,.0f} detections" in text  # Eastern Borders Route 2021 (invented figures)
    assert 'data-url="/api/v1/migration/missing-migrants?since=2021&until=2021&format=geojson"' in text
    terror = client.get("/terrorism?country=POL&source=gtd-country-year")
    assert terror.status_code == 200 and "gtd-country-year" in terror.text
    country = client.get("/country/POL")
    assert country.status_code == 200
    assert 'id="migration-panel"' in country.text and 'id="terrorism-panel"' in country.text
    assert "/migration" in client.get("/").text and "/terrorism" in client.get("/").text   # nav entries


def test_source_text_is_inert(tmp_path, fixtures_dir):
    """IOM's location text reaches the page escaped (Jinja autoescape), never as markup."""
    from signalfire.warehouse import Warehouse
    from signalfire.web.app import create_app
    hostile = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
    frame = pd.read_csv(fixtures_dir / "iom_missing_migrants_download.csv", dtype=str, keep_default_na=False)
    frame["Location of Incident"] = hostile
    path = tmp_path / "iom.csv"
    frame.head(3).to_csv(path, index=False)
    wh = Warehouse(tmp_path / "h.duckdb")
    ingest_file(wh, get("iom-missing-migrants-download"), path)
    wh.close()
    with TestClient(create_app(tmp_path / "h.duckdb", load_demo=False)) as client:
        text = client.get("/migration?year=2021").text
    assert hostile not in text and "&lt;script&gt;window.__xss=1&lt;/script&gt;" in text
