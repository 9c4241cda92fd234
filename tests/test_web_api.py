"""The JSON API, downloads, errors, limits, security headers and escaping (in-process, no browser)."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import time
from html import unescape
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import demo_copy
from fastapi.testclient import TestClient
from test_web_support import XSS, hostile_ged_file

from signalfire.web.app import create_app
from signalfire.web.serving.datastore import QueryTimeout

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "signalfire" / "web" / "templates"


@pytest.fixture(scope="module")
def client(tmp_path_factory, demo_template):
    store = demo_copy(demo_template, tmp_path_factory.mktemp("web"))     # the demo data
    app = create_app(store)
    with TestClient(app) as c:
        yield c
    app.state.ds.close()


def test_events_paginate_and_filter(client):
    first = client.get("/api/v1/events", params={"country": "UKR", "limit": 10}).json()
    assert first["limit"] == 10 and len(first["data"]) == 10 and first["next_offset"] == 10
    assert {e["country_iso3"] for e in first["data"]} == {"UKR"}
    second = client.get("/api/v1/events", params={"country": "UKR", "limit": 10, "offset": 10}).json()
    assert second["total"] == first["total"]
    ids1 = {e["source_id"] for e in first["data"]}
    assert ids1.isdisjoint({e["source_id"] for e in second["data"]})
    dates = [e["date_start"] for e in first["data"] + second["data"]]
    assert dates == sorted(dates, reverse=True)
    bbox = client.get("/api/v1/events", params={"bbox": "30,45,40,52", "limit": 1000}).json()
    assert bbox["total"] > 0
    assert all(30 <= e["longitude"] <= 40 and 45 <= e["latitude"] <= 52 for e in bbox["data"])
    since = client.get("/api/v1/events", params={"country": "UKR", "since": "2022-02-24", "limit": 1000}).json()
    assert since["total"] > 0 and min(e["date_start"] for e in since["data"]) >= "2022-02-24"


def test_errors_are_consistent_json(client):
    for url, status, words in [("/api/v1/events?since=yesterday", 400, "not a date"),
                               ("/api/v1/events?bbox=1,2,3", 400, "W,S,E,N"),
                               ("/api/v1/events?limit=5000", 422, "limit"),
                               ("/api/v1/events?offset=-1", 422, "offset"),
                               ("/api/v1/nope", 404, "no such"),
                               ("/api/v1/countries/XXX/neighbours", 404, "unknown country"),
                               ("/api/v1/events/ucdp-ged/does-not-exist", 404, "no event"),
                               ("/api/v1/movers?until=0001", 400, "out of range"),          # not date arithmetic
                               ("/api/v1/events?since=２０２３", 400, "not a date"),
                               ("/api/v1/ingest-runs?offset=9223372036854775808", 422, "offset"),
                               ("/api/v1/events?country=UKR,ZZZ", 400, "unknown 'ZZZ'"),    # a typo is no "0 events"
                               ("/api/v1/series?category=nonsense", 400, "armed_conflict"),
                               ("/api/v1/events?source=acled,nope", 400, "unknown 'nope'")]:
        r = client.get(url)
        assert r.status_code == status, url
        body = r.json()
        assert set(body) == {"error"} and body["error"]["status"] == status
        assert words in body["error"]["message"], (url, body)


def test_an_unexpected_error_is_an_ordinary_500(client, monkeypatch):
    # answered inside the middleware: the same JSON shape (or error page) and the same security headers as any
    # response, and the server keeps going
    from signalfire.web.serving import analytics

    def broken(ds):
        raise RuntimeError("boom")
    monkeypatch.setattr(analytics, "sources_summary", broken)
    r = client.get("/api/v1/sources")
    assert r.status_code == 500 and r.json() == {"error": {"status": 500,
                                                           "message": "unexpected RuntimeError: the server logged it"}}
    assert r.headers["x-frame-options"] == "DENY" and "content-security-policy" in r.headers
    assert "boom" not in r.text
    assert client.get("/api/v1/events?limit=1").status_code == 200
    r = client.post("/api/v1/events")
    assert r.status_code == 405 and r.headers["allow"] == "GET"
    for url in ("/", "/api/v1/countries/shapes.geojson", "/api/v1/events?limit=1"):  # HEAD answers as GET, no body
        head, get = client.head(url), client.get(url)
        assert head.status_code == 200 and head.content == b"", url
        assert head.headers["content-type"] == get.headers["content-type"], url


def test_empty_downloads_keep_their_header(client):
    import pyarrow.csv as pacsv
    for url in ("/api/v1/series?since=2199", "/api/v1/countries/summary?since=2199", "/api/v1/quarantine?run=-1"):
        csv = client.get(url + "&format=csv")
        table = pacsv.read_csv(io.BytesIO(csv.content))
        assert table.num_rows == 0 and table.num_columns >= 3, url
        assert pq.read_table(io.BytesIO(client.get(url + "&format=parquet").content)).num_columns >= 3, url
    # run 0 is a run id like any other (none here), not "every run"
    assert client.get("/api/v1/quarantine?run=0").json()["total"] == 0
    for url in ("/api/v1/ingest-runs?limit=1", "/api/v1/quarantine?limit=1"):   # every paged endpoint pages alike
        body = client.get(url).json()
        assert set(body) == {"total", "limit", "offset", "next_offset", "data"} and body["limit"] == 1, url
        assert body["next_offset"] == (1 if body["total"] > 1 else None), url


def test_query_cost_is_limited(client, monkeypatch):
    ds = client.app.state.ds
    started = time.perf_counter()
    with pytest.raises(QueryTimeout):
        ds.execute("SELECT count(*) FROM range(100000000000) a", timeout_s=0.2)
    assert time.perf_counter() - started < 5       # interrupted, not run to the end
    assert ds.scalar("SELECT count(*) FROM events") > 0   # the store still answers

    from signalfire.web.serving import analytics

    def slow(*args, **kwargs):
        raise QueryTimeout("the query took longer than 5 s and was stopped: narrow the filters")
    monkeypatch.setattr(analytics, "count_events", slow)
    r = client.get("/api/v1/events")
    assert r.status_code == 503 and "narrow the filters" in r.json()["error"]["message"]


def test_series_countries_neighbours_sources(client):
    series = client.get("/api/v1/series", params={"country": "UKR", "by": "source"}).json()
    assert series["by"] == "source" and {r["series"] for r in series["data"]} == {"ucdp-ged"}
    total_deaths = sum(r["deaths"] for r in series["data"])
    summary = {r["iso3"]: r for r in client.get("/api/v1/countries/summary").json()["data"]}
    assert summary["UKR"]["deaths"] == total_deaths
    nb = client.get("/api/v1/countries/pol/neighbours", params={"distance_km": 0}).json()
    assert nb["land_borders"] == ["BLR", "CZE", "DEU", "LTU", "RUS", "SVK", "UKR"]
    assert [c["iso3"] for c in nb["ring"]] == nb["land_borders"]
    sources = client.get("/api/v1/sources").json()["data"]
    assert sources[0]["source"] == "ucdp-ged" and sources[0]["events"] > 4000
    runs = client.get("/api/v1/ingest-runs").json()
    assert runs["total"] >= 2 and {r["status"] for r in runs["data"]} == {"loaded"}
    quarantine = client.get("/api/v1/quarantine").json()
    assert quarantine["total"] == sum(r["rows_quarantined"] for r in runs["data"])
    assert all(q["reason"] and q["record_ref"] for q in quarantine["data"])
    countries = {c["iso3"]: c for c in client.get("/api/v1/countries").json()["data"]}
    assert countries["UKR"]["events"] > 3000 and countries["POL"]["name"] == "Poland"
    shapes = client.get("/api/v1/countries/shapes.geojson").json()
    assert {"UKR", "POL", "RUS", "FJI"} <= {f["id"] for f in shapes["features"]}


def test_movers_compare_against_own_baseline(client):
    movers = client.get("/api/v1/movers", params={"measure": "deaths"}).json()
    assert movers["month"] == "2023-02-01"
    ukr = next(r for r in movers["rows"] if r["iso3"] == "UKR")
    series = client.get("/api/v1/series", params={"country": "UKR", "since": "2022-02-01",
                                                   "until": "2023-02-28"}).json()["data"]
    current = sum(r["deaths"] for r in series if r["month"] == "2023-02-01")
    before = sum(r["deaths"] for r in series if r["month"] < "2023-02-01")
    assert ukr["current"] == current and ukr["baseline"] == round(before / 12, 1)


def test_downloads_in_three_formats(client, monkeypatch):
    params = {"country": "UKR", "since": "2023-01-01"}
    n = client.get("/api/v1/events", params=params).json()["total"]
    csv = client.get("/api/v1/events", params={**params, "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    import pyarrow.csv as pacsv
    assert pacsv.read_csv(io.BytesIO(csv.content)).num_rows == n
    assert csv.headers["x-total-count"] == str(n) and "x-signalfire-truncated" not in csv.headers
    from signalfire.web import api
    monkeypatch.setattr(api, "MAX_EXPORT", 5)            # a download larger than the cap says it was cut short
    cut = client.get("/api/v1/events", params={**params, "format": "csv"})
    assert pacsv.read_csv(io.BytesIO(cut.content)).num_rows == 5 and cut.headers["x-total-count"] == str(n)
    assert f"the first 5 of {n:,} rows" in cut.headers["x-signalfire-truncated"]
    monkeypatch.undo()
    geo = client.get("/api/v1/events", params={**params, "format": "geojson"}).json()
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == n
    assert geo["features"][0]["geometry"]["type"] == "Point"
    table = pq.read_table(io.BytesIO(client.get("/api/v1/events", params={**params, "format": "parquet"}).content))
    assert table.num_rows == n and "source_reference" in table.column_names
    poly = client.get("/api/v1/countries/summary", params={"format": "geojson"}).json()
    ukr = next(f for f in poly["features"] if f["id"] == "UKR")
    assert ukr["geometry"]["type"] in ("Polygon", "MultiPolygon") and ukr["properties"]["events"] > 0
    series = client.get("/api/v1/series", params={"country": "UKR", "format": "parquet"})
    assert pq.read_table(io.BytesIO(series.content)).num_rows > 10


def test_security_headers_and_no_inline_script(client):
    for url in ["/", "/country/UKR", "/neighbourhood", "/data", "/privacy", "/api/docs", "/api/v1/sources"]:
        r = client.get(url)
        assert r.status_code == 200, url
        csp = r.headers["content-security-policy"]
        script_src = re.search(r"script-src ([^;]*)", csp).group(1)
        assert script_src.strip() == "'self'"
        assert "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        if r.headers["content-type"].startswith("text/html"):
            html = r.text
            for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.DOTALL):
                if 'type="application/json"' in attrs:      # a data island: inert JSON, never run
                    json.loads(body)
                    assert "<" not in body, (url, attrs)     # |tojson escapes markup
                    continue
                assert "src=" in attrs and not body.strip(), (url, attrs)   # no inline scripts
            assert not re.search(r"\son[a-z]+\s*=", re.sub(r"&[a-z#0-9]+;", "", html)), url
            assert not re.search(r"(src|href)=\"(https?:)?//", html), url   # nothing from another host
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>", text), template.name
        assert not re.search(r"\son[a-z]+=", text), template.name


def test_docs_page_and_openapi_are_local(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/events" in spec["paths"] and "/api/v1/_internal/ingest" not in spec["paths"]
    html = client.get("/api/docs").text
    assert "/static/vendor/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    # the documented errors are the ones the API sends, so generated clients parse them right
    for path in ("/api/v1/events", "/api/v1/forecasts/map"):
        responses = spec["paths"][path]["get"]["responses"]
        assert {"400", "404", "422", "503"} <= set(responses), path
        assert responses["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    assert "HTTPValidationError" not in str(spec)
    params = {p["name"]: p for p in spec["paths"]["/api/v1/events"]["get"]["parameters"]}
    assert all(params[name].get("description") for name in ("country", "category", "source", "since", "until",
                                                             "bbox", "format"))


def test_handoff_endpoint_needs_the_token(client, tmp_path):
    path = hostile_ged_file(tmp_path / "ged_hostile_v23_1.csv")
    body = {"adapter": "ucdp-ged", "files": [str(path)]}
    assert client.post("/api/v1/_internal/ingest", json=body).status_code == 403
    r = client.post("/api/v1/_internal/ingest", json=body, headers={"X-Signalfire-Token": "wrong"})
    assert r.status_code == 403 and "token" in r.json()["error"]["message"]
    bad = client.post("/api/v1/_internal/ingest", json={"adapter": "ucdp-ged", "files": ["/nonexistent.csv"]},
                      headers={"X-Signalfire-Token": client.app.state.token})
    assert bad.status_code == 400 and "no such file" in bad.json()["error"]["message"]


def test_hostile_event_text_renders_inert(client, tmp_path):
    """An event whose description holds <script> and an onerror= image is shown as text."""
    path = hostile_ged_file(tmp_path / "ged_hostile_v23_1.csv")
    token = {"X-Signalfire-Token": client.app.state.token}
    job = client.post("/api/v1/_internal/ingest", json={"adapter": "ucdp-ged", "files": [str(path)]},
                      headers=token).json()
    for _ in range(200):
        job = client.get(f"/api/v1/_internal/ingest/{job['id']}", headers=token).json()
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert job["status"] == "done" and job["results"][0]["new"] == 3
    api = client.get("/api/v1/events", params={"limit": 3}).json()["data"]
    assert all(XSS in e["description"] for e in api)       # stored verbatim
    for url in ["/", "/country/SYR?since=2023-03-01", "/country/AGO?since=2023-03-01"]:
        html = client.get(url).text
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html, url
        assert "<script>window.__xss" not in html and "<img src=x" not in html, url


def test_consent_is_recorded_without_ip(client):
    fresh = TestClient(client.app, headers={"Origin": "http://testserver"})   # a browser on this site's pages
    page = fresh.get("/")
    assert 'id="consent-banner"' in page.text and "set-cookie" not in page.headers   # nothing stored yet
    r = fresh.post("/privacy/consent", data={"decision": "refuse", "next": "/data"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/data"
    consent_id = fresh.cookies.get("sf_consent")
    assert consent_id
    assert 'id="consent-banner"' not in fresh.get("/").text
    # refused: the home country is not remembered
    fresh.get("/neighbourhood", params={"home": "DEU"})
    assert "sf_home" not in fresh.cookies
    assert "Poland" in fresh.get("/neighbourhood").text.split("<h1>")[1].split("</h1>")[0]
    # change of mind from the footer's settings page: choose preferences
    fresh.post("/privacy/consent", data={"decision": "choose", "preferences": "1", "next": "/privacy"})
    assert "preferences" in fresh.get("/privacy").text.split('id="consent-status"')[1].split("</p>")[0]
    fresh.get("/neighbourhood", params={"home": "DEU"})
    assert fresh.cookies.get("sf_home") == "DEU"
    assert "Germany" in fresh.get("/neighbourhood").text.split("<h1>")[1].split("</h1>")[0]
    # the record: in a SQLite file beside the store, with time and notice version, no IP or user agent
    db = Path(str(client.app.state.ds.path) + ".consent.sqlite")
    with sqlite3.connect(db) as con:
        cols = [r[1] for r in con.execute("PRAGMA table_info(consent)")]
        rows = con.execute("SELECT * FROM consent WHERE consent_id = ?", [consent_id]).fetchall()
    assert cols == ["consent_id", "recorded_at", "notice_version", "decision", "purposes"]
    assert [r[3] for r in rows] == ["refuse", "choose"]
    assert json.loads(rows[1][4]) == ["necessary", "preferences"]
    assert "testclient" not in json.dumps(rows) and "127.0.0.1" not in json.dumps(rows)
    # every page's footer links to the settings
    assert 'href="/privacy#choices" id="cookie-settings"' in fresh.get("/country/UKR").text


def test_consent_cannot_be_forged_or_implied(client):
    fresh = TestClient(client.app)
    # another site's form posting "accept" for a visitor is refused, and nothing is stored
    r = fresh.post("/privacy/consent", data={"decision": "accept"}, headers={"Origin": "https://evil.example"},
                   follow_redirects=False)
    assert r.status_code == 403 and "this site" in r.json()["error"]["message"] and "sf_consent" not in fresh.cookies
    # from this site's own page (the test client's host) it is recorded
    r = fresh.post("/privacy/consent", data={"decision": "accept"}, headers={"Origin": "http://testserver"},
                   follow_redirects=False)
    assert r.status_code == 303 and fresh.cookies.get("sf_consent")
    # an unticked or "0"/"off" preferences value is no consent to preferences
    for value in ("0", "off", "no", ""):
        fresh.post("/privacy/consent", data={"decision": "choose", "preferences": value},
                   headers={"Origin": "http://testserver"})
        assert client.app.state.consent.latest(fresh.cookies.get("sf_consent"))["purposes"] == ["necessary"], value
    # a consent id the server did not issue is not taken over: the server issues its own
    forged = TestClient(client.app, cookies={"sf_consent": "AAAAAAAAAAAAAAAA"}, headers={"Origin": "http://testserver"})
    r = forged.post("/privacy/consent", data={"decision": "refuse"}, follow_redirects=False)
    assert r.cookies.get("sf_consent") not in (None, "AAAAAAAAAAAAAAAA")
    assert client.app.state.consent.latest("AAAAAAAAAAAAAAAA") is None


def test_pages_render_and_filters_live_in_the_url(client):
    overview = client.get("/", params={"category": "violence_against_civilians", "measure": "events"}).text
    assert 'value="violence_against_civilians" selected' in overview
    assert "/api/v1/countries/summary?since=" in overview and "category=violence_against_civilians" in overview
    country = client.get("/country/UKR", params={"since": "2022-01-01"}).text
    assert "Ukraine" in country and "/api/v1/series?by=category&amp;since=2022-01-01" in country
    assert "Land borders" in country and "/country/POL" in country
    nb = client.get("/neighbourhood").text
    assert "Poland" in nb and "land border" in nb and "within 200 km" in nb
    assert client.get("/country/ZZZ").status_code == 404
    assert "No Armed Conflict Dataset rows" in country or 'id="conflicts-table"' in country
    data = client.get("/data").text
    assert "ged_ukraine_2014-2023.csv.gz" in data and "Quarantined records" in data


def test_forecasts_show_once_stored(client):
    ds = client.app.state.ds
    assert 'id="forecasts"' not in client.get("/country/UKR").text      # none stored yet
    if not ds.has_table("forecasts") or not ds.has_table("forecast_runs"):
        pytest.skip("this store has no forecast tables")
    con = ds.store.con
    con.execute("INSERT INTO forecast_runs (run_id, model, cutoff) VALUES (9001, 'test-model', '2023-02')")
    con.execute("""INSERT INTO forecasts (run_id, country_iso3, month_id, step, mean, q05, q50, q95, p_ge25)
                   VALUES (9001, 'UKR', 519, 1, 812.5, 120, 640, 2100, 0.97)""")
    ds.version += 1            # what a committed write does
    html = client.get("/country/UKR").text
    panel = html.split('id="forecasts"')[1].split("</section>")[0]
    assert "test-model" in panel and "2023-03" in panel and "120–2,100" in panel and "97%" in panel
    con.execute("DELETE FROM forecasts WHERE run_id = 9001")
    con.execute("DELETE FROM forecast_runs WHERE run_id = 9001")
    ds.version += 1


@pytest.mark.parametrize("url, words", [
    ("/?measure=deth", "measure: 'deth' is not one of deaths, events"),
    ("/?layer=zzz", "layer: 'zzz' is not one of cm, events"),
    ("/neighbourhood?distance_km=-5", "distance_km: -5 is not from 0 to 2000 km"),
    ("/neighbourhood?sort=size", "sort: 'size' is not one of"),
    ("/neighbourhood?basis=xx", "basis: 'xx' is not one of cm, events"),
    ("/forecasts?metric=zzz", "metric: 'zzz' is not one of p_ge25, mean, onset"),
])
def test_a_page_parameter_out_of_its_choices_is_a_400(client, url, words):
    """A mistyped choice had shown the default page as if it were the one asked for (-5 km was quietly 0 km)."""
    r = client.get(url, headers={"Accept": "text/html"})
    assert r.status_code == 400 and words in unescape(r.text)
    if "distance_km" not in url:     # a blank choice is the default
        assert client.get(url.split("=")[0] + "=", headers={"Accept": "text/html"}).status_code == 200
