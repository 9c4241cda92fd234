"""Forecasts in the API and the dashboard: values read back from stored draws, the change between two runs, the
GeoJSON join, clear errors; `serve`'s background forecast; and the Forecasts page and fan chart in Chromium."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from signalfire.demo import demo_files
from signalfire.forecast.countries import challenge_countries
from signalfire.forecast.store import save_forecast
from signalfire.forecast.views_published import import_published
from signalfire.sources import get
from signalfire.store.ingest import ingest_file
from signalfire.web.app import create_app
from signalfire.web.serving.datastore import DataStore

CUTOFF = 527                       # 2023-11: the demo VIEWS file goes on to 2023-12
PICK = ["UKR", "SDN", "NOR", "MEX"]
H, M = 4, 400                      # horizons, draws


def views_cm_file():
    return next(p for a, p in demo_files() if a == "views-cm")


def synthetic_draws(seed: int, n: int) -> np.ndarray:
    """Countries × horizons × draws: negative-binomial-like counts with a different scale per country."""
    rng = np.random.default_rng(seed)
    scale = np.array([900.0, 60.0, 0.2, 20.0])[:n, None, None] * (1 + 0.1 * np.arange(H))[None, :, None]
    return rng.poisson(rng.gamma(1.5, scale / 1.5, size=(n, H, M))).astype(float)


def views_published_csv(path: Path, countries: pd.DataFrame) -> Path:
    """A small invented file in VIEWS's predictions.csv layout (step, country_id, month_id, step_combined)."""
    rows = [{"step": s, "country_id": cid, "month_id": CUTOFF + s, "step_combined": np.log1p(100.0 * (k + 1) + s)}
            for k, cid in enumerate(countries["country_id"]) for s in range(1, 7)]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def fc_store(tmp_path_factory):
    """A store with the demo VIEWS country-month data, two synthetic runs of qgbm and one views-published run."""
    root = tmp_path_factory.mktemp("fc")
    ds = DataStore(root / "fc.duckdb", load_demo_if_empty=False)
    ingest_file(ds.store, get("views-cm"), views_cm_file())
    cc = challenge_countries()
    countries = cc[cc["iso3"].isin(PICK)].set_index("iso3").loc[PICK].reset_index()
    d1, d2 = synthetic_draws(1, len(PICK)), synthetic_draws(2, len(PICK))
    run1 = save_forecast(ds.store.con, countries, CUTOFF - 1, d1, model="qgbm", model_version="test-1")
    run2 = save_forecast(ds.store.con, countries, CUTOFF, d2, model="qgbm", model_version="test-2")
    run3 = import_published(ds.store.con, views_published_csv(root / "predictions.csv", countries))
    ds.version += 1
    yield {"ds": ds, "countries": countries, "draws": {run1: d1, run2: d2}, "runs": (run1, run2, run3)}
    ds.close()


@pytest.fixture(scope="module")
def client(fc_store):
    app = create_app(ds=fc_store["ds"])
    with TestClient(app) as c:
        yield c


def month(mid: int) -> str:
    return f"{(mid - 1) // 12 + 1980:04d}-{(mid - 1) % 12 + 1:02d}"


def test_runs_list_newest_first(client, fc_store):
    run1, run2, run3 = fc_store["runs"]
    data = client.get("/api/v1/forecasts/runs").json()["data"]
    assert [r["run_id"] for r in data] == [run3, run2, run1]
    by_id = {r["run_id"]: r for r in data}
    assert by_id[run2]["model"] == "qgbm" and by_id[run2]["model_version"] == "test-2"
    assert by_id[run2]["cutoff"] == month(CUTOFF) and by_id[run2]["first_month"] == month(CUTOFF + 1)
    assert by_id[run2]["last_month"] == month(CUTOFF + H) and by_id[run2]["draws"] == M
    assert by_id[run3]["model"] == "views-published" and by_id[run3]["draws"] == 1
    # a run id and a model that disagree are an error, not one of them silently ignored
    r = client.get("/api/v1/forecasts/map", params={"run_id": run2, "model": "views-published"})
    assert r.status_code == 404 and "is of model 'qgbm', not 'views-published'" in r.json()["error"]["message"]


def test_map_values_match_the_draws(client, fc_store):
    run1, run2, _ = fc_store["runs"]
    draws = fc_store["draws"][run2]
    body = client.get("/api/v1/forecasts/map").json()          # default: latest qgbm run, its first month
    assert body["run"]["run_id"] == run2 and body["month"] == month(CUTOFF + 1)
    assert body["previous_run"]["run_id"] == run1
    assert body["months"] == [month(CUTOFF + s) for s in range(1, H + 1)]
    for step in (1, 3):
        rows = {r["iso3"]: r for r in client.get("/api/v1/forecasts/map", params={"step": step}).json()["data"]}
        same = {r["iso3"]: r for r in client.get("/api/v1/forecasts/map",
                                                 params={"month": month(CUTOFF + step)}).json()["data"]}
        assert rows == same and set(rows) == set(PICK)
        for i, iso3 in enumerate(PICK):
            d = draws[i, step - 1]
            assert rows[iso3]["p_ge25"] == pytest.approx((d >= 25).mean())
            assert rows[iso3]["mean"] == pytest.approx(d.mean(), rel=1e-6)
            assert rows[iso3]["q50"] == pytest.approx(np.quantile(d, 0.5))
            assert rows[iso3]["q05"] == pytest.approx(np.quantile(d, 0.05))
            assert rows[iso3]["q95"] == pytest.approx(np.quantile(d, 0.95))
    assert rows["UKR"]["name"] == "Ukraine"
    assert 0 < rows["SDN"]["p_ge25"] < 1 and rows["NOR"]["p_ge25"] == 0      # the synthetic spread is real


def test_change_is_the_difference_of_the_two_runs(client, fc_store):
    run1, run2, _ = fc_store["runs"]
    d1, d2 = fc_store["draws"][run1], fc_store["draws"][run2]
    body = client.get("/api/v1/forecasts/change").json()
    assert body["run"]["run_id"] == run2 and body["previous_run"]["run_id"] == run1
    # run 1 (cut-off one month earlier) covers months CUTOFF .. CUTOFF+H-1; run 2 CUTOFF+1 .. CUTOFF+H
    assert len(body["data"]) == len(PICK) * (H - 1)
    for r in body["data"]:
        i = PICK.index(r["iso3"])
        mid = int(r["month"][:4]) * 12 - 1980 * 12 + int(r["month"][5:])
        a, b = d2[i, mid - CUTOFF - 1], d1[i, mid - CUTOFF]
        assert r["mean_change"] == pytest.approx(a.mean() - b.mean(), rel=1e-6, abs=1e-9)
        assert r["p_ge25_change"] == pytest.approx((a >= 25).mean() - (b >= 25).mean())
    # the map rows carry the same change; the last month has no counterpart in run 1
    last = {r["iso3"]: r for r in client.get("/api/v1/forecasts/map", params={"step": H}).json()["data"]}
    assert all(r["mean_change"] is None for r in last.values())
    first = {r["iso3"]: r for r in client.get("/api/v1/forecasts/map", params={"step": 1}).json()["data"]}
    ukr = next(r for r in body["data"] if r["iso3"] == "UKR" and r["month"] == month(CUTOFF + 1))
    assert first["UKR"]["mean_change"] == pytest.approx(ukr["mean_change"])
    # one run only: nothing to compare, said in words
    _, _, run3 = fc_store["runs"]
    alone = client.get("/api/v1/forecasts/change", params={"run_id": run3}).json()
    assert alone["previous_run"] is None and alone["data"] == [] and "only run" in alone["message"]


def test_geojson_and_csv_carry_the_values(client, fc_store):
    _, run2, _ = fc_store["runs"]
    json_rows = {r["iso3"]: r for r in client.get("/api/v1/forecasts/map", params={"step": 2}).json()["data"]}
    r = client.get("/api/v1/forecasts/map", params={"step": 2, "format": "geojson"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    features = {f["properties"]["iso3"]: f for f in r.json()["features"]}
    assert len(features) > 150                               # every shipped country shape, joined
    for iso3 in PICK:
        props = features[iso3]["properties"]
        assert props["p_ge25"] == pytest.approx(json_rows[iso3]["p_ge25"])
        assert props["mean"] == pytest.approx(json_rows[iso3]["mean"])
        assert props["month"] == month(CUTOFF + 2) and props["run_id"] == run2
        assert features[iso3]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert features["FRA"]["properties"]["p_ge25"] is None   # no forecast for France in this run
    text = client.get("/api/v1/forecasts/map", params={"step": 2, "format": "csv"}).text
    rows = {row["iso3"]: row for row in csv.DictReader(io.StringIO(text))}
    assert set(rows) == set(PICK)
    assert float(rows["SDN"]["p_ge25"]) == pytest.approx(json_rows["SDN"]["p_ge25"])
    assert rows["UKR"]["month"] == month(CUTOFF + 2)


def test_country_series_for_fan_charts(client, fc_store):
    _, run2, run3 = fc_store["runs"]
    body = client.get("/api/v1/forecasts/countries/ukr").json()
    assert body["iso3"] == "UKR" and body["message"] is None
    assert [r["run_id"] for r in body["runs"]] == [run2, run3]          # latest per model, ours first
    ours = body["runs"][0]
    assert [r["month"] for r in ours["rows"]] == [month(CUTOFF + s) for s in range(1, H + 1)]
    assert ours["rows"][0]["q25"] <= ours["rows"][0]["q50"] <= ours["rows"][0]["q75"]
    views = body["runs"][1]
    assert views["model"] == "views-published" and views["rows"][0]["q50"] == pytest.approx(101.0, rel=1e-6)
    # observed: 24 months to our cut-off, the values the VIEWS file holds for Ukraine
    src = pd.read_csv(views_cm_file())
    obs = body["observed"]
    assert len(obs) == 24 and obs[-1]["month"] == month(CUTOFF) and obs[0]["month"] == month(CUTOFF - 23)
    ukr = src[src["country_id"] == int(fc_store["countries"].set_index("iso3").loc["UKR", "country_id"])]
    expected = dict(zip(ukr["month_id"], ukr["ucdp_ged_sb_best_sum"]))
    assert [o["deaths"] for o in obs] == [float(expected.get(m, 0)) for m in range(CUTOFF - 23, CUTOFF + 1)]
    assert max(o["deaths"] for o in obs) > 1000
    none = client.get("/api/v1/forecasts/countries/FRA").json()
    assert none["runs"] == [] and "no forecast" in none["message"]


def test_clear_errors_not_tracebacks(client):
    cases = [("/api/v1/forecasts/map?month=2030-01", 404, "forecasts 2023-12 to"),
             ("/api/v1/forecasts/map?month=Jan-2024", 400, "use YYYY-MM"),
             ("/api/v1/forecasts/map?month=2024-13", 400, "use YYYY-MM"),
             ("/api/v1/forecasts/map?step=9", 404, "not step 9"),
             ("/api/v1/forecasts/map?step=0", 422, "step"),
             ("/api/v1/forecasts/map?model=nope", 404, "stored models: qgbm, views-published"),
             ("/api/v1/forecasts/change?run_id=999", 404, "no forecast run 999"),
             ("/api/v1/forecasts/map?format=xml", 422, "format"),
             ("/api/v1/forecasts/countries/XYZ", 404, "unknown country")]
    for url, status, text in cases:
        r = client.get(url)
        assert r.status_code == status, url
        assert text in r.json()["error"]["message"], (url, r.json())
        assert "Traceback" not in r.text


def test_openapi_lists_the_forecast_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for p in ("/api/v1/forecasts/runs", "/api/v1/forecasts/map", "/api/v1/forecasts/change",
              "/api/v1/forecasts/countries/{iso3}"):
        assert p in paths and paths[p]["get"]["summary"]


def test_pages_show_the_forecast(client, fc_store):
    html = client.get("/forecasts").text
    assert 'data-forecast-map="/api/v1/forecasts/map?run_id=' in html and 'id="legend"' in html
    table = html.split('id="forecast-table"')[1].split("</table>")[0]
    assert table.index("Ukraine") < table.index("Sudan")            # sorted by P(≥25), then mean
    assert ">0 pt<" in table and "+0 pt" not in table and "-0 pt" not in table   # Norway: 0% in both runs
    assert "/static/js/forecasts.mjs" in html and "<script>" not in html   # no inline script (CSP)
    assert 'aria-current="page">Forecasts' in html
    # VIEWS's published point forecast beside ours: Ukraine's is expm1(log1p(100 + 1)) = 101 in the first month
    assert ">VIEWS (data to " in table and '<td class="num views">101</td>' in table     # its cut-off, stated
    assert "point forecasts, one value per country-month" in client.get("/forecasts?model=views-published").text
    for query, status in (("month=2030-01", 404), ("month=Jan-2024", 400), ("model=nope", 404), ("run_id=999", 404)):
        page = client.get(f"/forecasts?{query}")           # the same mapping of lookup errors as the API's
        assert page.status_code == status and "Traceback" not in page.text, query
    mean_first = client.get("/forecasts", params={"metric": "mean"}).text
    assert 'data-metric="mean" role="region"' in mean_first        # a region: the map holds focusable controls
    assert 'aria-pressed="true">Expected deaths' in mean_first
    country = client.get("/country/UKR").text
    panel = country.split('id="forecasts"')[1].split("</section>")[0]
    assert 'data-fan="/api/v1/forecasts/countries/UKR"' in panel and "views-published" in panel
    assert "CC BY-NC 4.0" in panel


def test_empty_store_says_no_forecast(tmp_path):
    ds = DataStore(tmp_path / "empty.duckdb", load_demo_if_empty=False)
    with TestClient(create_app(ds=ds)) as c:
        assert c.get("/api/v1/forecasts/runs").json()["data"] == []
        r = c.get("/api/v1/forecasts/map")
        assert r.status_code == 404 and "no forecast is stored yet" in r.json()["error"]["message"]
        assert c.get("/api/v1/forecasts/countries/UKR").json()["runs"] == []
        page = c.get("/forecasts")
        assert page.status_code == 200 and 'id="no-forecast"' in page.text and "signalfire forecast run" in page.text
        assert 'id="forecast-job"' not in page.text
        ds.forecast_job = {"status": "running", "message": "model qgbm, data to 2023-12"}   # what serve sets
        assert 'id="forecast-job"' in c.get("/forecasts").text
        assert 'id="forecast-pending"' in c.get("/country/UKR").text
        assert c.get("/api/v1/forecasts/runs").json()["job"]["status"] == "running"
        ds.forecast_job.update(fits_done=1, fits_total=4)                                # as the fits finish
        assert "1 of 4 model fits done" in c.get("/forecasts").text
        assert "1 of 4 model fits done" in c.get("/country/UKR").text
        assert c.get("/api/v1/forecasts/runs").json()["job"]["fits_total"] == 4
    ds.close()


def test_serve_makes_a_forecast_in_the_background(tmp_path):
    """What `signalfire serve` does with a store that has country-month data but no forecast (fast config)."""
    from signalfire.web.commands import start_forecast_if_missing
    ds = DataStore(tmp_path / "bg.duckdb", load_demo_if_empty=False)
    assert start_forecast_if_missing(ds, say=lambda m: None) is None      # no data: nothing to do
    ingest_file(ds.store, get("views-cm"), views_cm_file())
    said: list[str] = []
    thread = start_forecast_if_missing(ds, say=said.append, config="fast", horizons=3)
    assert thread is not None and ds.forecast_job["status"] in ("queued", "running", "done")
    thread.join(120)
    assert ds.forecast_job["status"] == "done", ds.forecast_job
    assert ds.forecast_job["fits_done"] == ds.forecast_job["fits_total"] == 2     # fast: 2 members, 1 band
    runs = ds.rows("SELECT model, cutoff, horizons FROM forecast_runs ORDER BY run_id")
    assert runs[0] == {"model": "qgbm", "cutoff": "2023-12", "horizons": 3}    # cut-off: last month of data
    assert runs[1]["model"] == "views-published" and runs[1]["cutoff"] == "2022-07"
    assert any("stored" in m for m in said)
    assert start_forecast_if_missing(ds, say=said.append) is None          # once is enough
    ds.close()


# -- in Chromium ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served(tmp_path_factory, demo_template):
    from browser_support import require_browser
    from conftest import demo_copy
    from test_web_support import Server
    require_browser()
    path = demo_copy(demo_template, tmp_path_factory.mktemp("fcb"), "fcb.duckdb")
    ds = DataStore(path, load_demo_if_empty=False)
    cc = challenge_countries()
    last = ds.store.con.execute("SELECT max(month_id) FROM country_month").fetchone()[0]
    hist = ds.store.con.execute("""SELECT country_iso3, avg(value) FROM country_month
                                   WHERE month_id > ? GROUP BY 1""", [last - 12]).fetchall()
    level = dict(hist)
    rng = np.random.default_rng(3)
    for shift in (1, 0):           # two runs, so the page has a change to show
        mu = np.array([level.get(c, 0.0) for c in cc["iso3"]]) * (1 + 0.3 * shift) + 0.05
        draws = rng.poisson(rng.gamma(0.8, mu[:, None, None] / 0.8 * np.ones((1, 12, 300))))
        save_forecast(ds.store.con, cc, last - shift, draws.astype(float), model="qgbm", model_version="synthetic")
    from signalfire.demo import PUBLISHED_FORECASTS
    root = Path(str(views_cm_file())).parent
    import_published(ds.store.con, root / PUBLISHED_FORECASTS)
    ds.close()
    srv = Server(path)          # the store is not empty and has forecasts: no demo load, no background run
    yield srv
    srv.stop()


@pytest.mark.browser
@pytest.mark.slow
def test_forecast_map_and_fan_chart_in_chromium(served):
    from browser_support import ARGS, CHROMIUM, SHOTS
    from playwright.sync_api import sync_playwright
    from test_web_browser import READ_PIXELS
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        foreign, errors = [], []
        context.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(
            ("http://127.0.0.1:", "data:", "blob:")) else None)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(served.base + "/forecasts")
        page.wait_for_selector("#map[data-painted=true]", timeout=20000)
        page.wait_for_timeout(300)
        before = page.evaluate(READ_PIXELS)
        assert len(set(before)) > 8                                   # a choropleth, not a blank canvas
        assert sum(1 for px in before if px != before[-2]) > 5000     # land drawn over the sea
        legend = page.locator("#legend").inner_text()
        assert "P(≥25 deaths)" in legend and "90%+" in legend
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "forecasts.png"), full_page=True)
        page.click("button[data-metric=mean]")
        page.wait_for_selector("#map[data-painted-metric=mean][data-painted=true]", timeout=20000)
        page.wait_for_timeout(300)
        after = page.evaluate(READ_PIXELS)
        changed = sum(1 for a, b in zip(before, after) if a != b)
        assert changed > 1000, changed                                # the map's colours changed
        assert "expected deaths" in page.locator("#legend").inner_text()
        assert "metric=mean" in page.url
        visible = page.locator("#forecast-table tbody tr:not([hidden])")
        assert visible.count() == 20
        means = [float(v) for v in visible.evaluate_all("rows => rows.map(r => r.dataset.mean)")]
        assert means == sorted(means, reverse=True)                  # the table re-sorted by expected deaths
        page.select_option("#fc-month", index=2)
        page.wait_for_timeout(300)
        assert "month=" not in page.url                              # a select never reloads on change (WCAG 3.2.2)
        page.click("#forecast-controls button[type=submit]")
        page.wait_for_url("**month=**")
        page.wait_for_selector("#map[data-painted=true]", timeout=20000)
        assert page.locator("#fc-month").input_value() in page.url
        page.goto(served.base + "/country/UKR")
        page.wait_for_selector("#fan-chart[data-rendered=true]", timeout=20000)
        svg = page.locator("#fan-chart svg")
        assert svg.count() == 1
        assert page.locator("#fan-chart svg path[aria-roledescription='area mark']").count() >= 2   # the bands
        text = page.locator("#fan-chart").inner_text() + page.locator("#fan-chart svg").inner_html()
        assert "observed (UCDP state-based" in text and "qgbm median" in text and "VIEWS published (point)" in text
        page.locator("#forecasts").screenshot(path=str(SHOTS / "country_forecast.png"))
        context.close()
        browser.close()
    assert not foreign, f"requests to other hosts: {foreign}"
    assert not errors, f"page errors: {errors}"
