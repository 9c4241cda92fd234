"""The analysts' answers on the demo data, server side: the change rule, the complete country-month coverage behind
the overview map and the neighbourhood answer, sorting, the provenance page (ids with '/'), comparison, admin1,
actors, the Data page (every source, no server paths), the header's data-to list and the forecast skill figures."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
from conftest import demo_copy
from fastapi.testclient import TestClient
from test_web_support import DEMO

from signalfire.web.app import create_app
from signalfire.web.serving import trends

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def client(tmp_path_factory, demo_template):
    store = demo_copy(demo_template, tmp_path_factory.mktemp("pages"))   # the demo data
    app = create_app(store)
    with TestClient(app) as c:
        c.store = store
        yield c


def text_of(html: str) -> str:
    html = re.sub(r"<script.*?</script>|<svg.*?</svg>", " ", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture(scope="module")
def views():
    """The demo's VIEWS country-month file, read independently with pandas."""
    frame = pd.read_csv(DEMO / "views_ged_cm_sb_1990-2023.csv.gz")
    frame["ym"] = frame["year"].astype(str) + "-" + frame["month"].map("{:02d}".format)
    return frame


# -- the rule -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("values, cls", [
    ([0] * 7, "no events"),
    ([10, 10, 10, 10, 10, 10, 12], "stable"),              # within ±5
    ([100] * 6 + [130], "increase"),
    ([100] * 6 + [210], "sharp increase"),
    ([0] * 6 + [40], "sharp increase"),
    ([100] * 6 + [75], "decrease"),
    ([100] * 6 + [40], "sharp decrease"),
    ([100] * 6 + [0], "sharp decrease"),
    ([100] * 6 + [110], "stable"),
])
def test_change_class_follows_the_documented_rule(values, cls):
    assert trends.change_class(values)["cls"] == cls
    assert cls in trends.CLASSES


def test_trend_is_the_least_squares_slope_and_sparklines_are_inert():
    assert trends.trend(list(range(0, 24, 2))) == 2.0
    assert trends.trend([5] * 12) == 0.0
    svg = str(trends.sparkline([0, 3, 1], label='<img src=x onerror="alert(1)">'))
    assert "<img" not in svg and "&lt;img" in svg and svg.startswith("<svg")


# -- one truth per figure -----------------------------------------------------------------------------------------
def test_overview_story_is_the_complete_series_of_the_last_month(client, views):
    page = text_of(client.get("/").text)
    last = views["ym"].max()
    month = views[views["ym"] == last]
    total = int(month["ucdp_ged_sb_best_sum"].sum())
    top = month.sort_values("ucdp_ged_sb_best_sum", ascending=False).iloc[0]
    assert f"In {last}, {total:,} state-based conflict deaths" in page
    assert f"({int(top['ucdp_ged_sb_best_sum']):,})" in page
    assert "VIEWS country-month" in page and "Events loaded:" in page


def test_overview_month_slider_month_from_the_url(client, views):
    page = text_of(client.get("/?layer=cm&m=2022-03").text)
    total = int(views[views["ym"] == "2022-03"]["ucdp_ged_sb_best_sum"].sum())
    assert f"In 2022-03, {total:,} state-based" in page
    events_layer = client.get("/?layer=events").text
    assert 'data-kind="choropleth"' in events_layer and "cm-choropleth" not in events_layer


def test_sudan_shows_the_complete_series_beside_its_partial_events(client, views):
    page = text_of(client.get("/country/SDN").text)
    sdn = views[(views["isoab"] == "SDN")]
    last = sdn[sdn["ym"] == sdn["ym"].max()]["ucdp_ged_sb_best_sum"].iloc[0]
    assert f"{int(last):,} state-based conflict deaths in {sdn['ym'].max()}" in page
    assert "Events loaded: ucdp-ged 9 events, 58 deaths" in page
    assert "excerpts" in page


def test_header_data_to_names_each_stream(client):
    from signalfire.web.serving import analytics
    ds = client.app.state.ds
    data_to = dict(analytics.data_to(ds))
    assert data_to["ucdp-ged events"] == "2023-02-28"
    assert data_to["views-cm country-month"] == "2023-12"


# -- answers ------------------------------------------------------------------------------------------------------
def answer_rows(html: str) -> list[tuple[str, str, str]]:
    body = html.split('id="ring-answer"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr[^>]*data-iso3="(\w+)">(.*?)</tr>', body, flags=re.DOTALL)
    return [(iso3, text_of(cells)) for iso3, cells in rows]


def test_neighbourhood_answers_which_neighbour_is_worst(client, views):
    html = client.get("/neighbourhood?home=POL").text
    page = text_of(html)
    ukr = views[views["isoab"] == "UKR"].sort_values("ym")["ucdp_ged_sb_best_sum"].tolist()
    last, base = ukr[-1], sum(ukr[-7:-1]) / 6
    assert page.count("Ukraine:") >= 1
    assert f"Ukraine: {int(last):,} deaths in 2023-12" in page
    assert trends.change_class(ukr)["cls"] in page
    rows = answer_rows(html)
    assert rows[0][0] == "UKR"                          # sorted by deaths, worst first
    assert {r[0] for r in rows} >= {"POL", "UKR", "BLR", "RUS", "DEU", "CZE", "SVK", "LTU"}
    assert "How the class is set:" in page and "6 months" in page
    assert base > 0


@pytest.mark.parametrize("sort", ["change", "trend", "deaths"])
def test_neighbourhood_table_sorts(client, sort):
    html = client.get(f"/neighbourhood?home=POL&sort={sort}").text
    assert re.search(rf'aria-sort="descending"><a class="sort" href="[^"]*sort={sort}', html)
    rows = answer_rows(html)
    column = {"deaths": 1, "change": 3, "trend": 5}[sort]
    cells = html.split('id="ring-answer"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    values = []
    for tr in re.findall(r"<tr.*?</tr>", cells, flags=re.DOTALL):
        tds = re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.DOTALL)
        values.append(float(text_of(tds[column]).strip().replace(",", "").replace("\u2212", "-").replace("+", "")))
    assert values == sorted(values, reverse=True)
    assert len(rows) == len(values)


def test_events_basis_is_labelled_as_events(client):
    page = text_of(client.get("/neighbourhood?home=POL&basis=events").text)
    assert "events loaded (may be excerpts)" in page and "2023-02" in page


def test_compare_one_line_per_country_and_unknown_names(client):
    html = client.get("/compare?countries=POL,UKR&add=Belarus,Atlantis").text
    lines = re.search(r'<script type="application/json" id="compare-lines">(.*?)</script>', html, flags=re.DOTALL)
    import json
    data = json.loads(lines.group(1))
    assert {r["country"] for r in data} == {"Poland", "Ukraine", "Belarus"}
    assert "Not understood: Atlantis" in text_of(html)
    assert 'list="country-list"' in html


def test_admin1_sums_to_the_country(client):
    ds = client.app.state.ds
    events, deaths = ds.rows("SELECT count(*) AS e, sum(fatalities_best)::BIGINT AS d FROM events "
                             "WHERE country_iso3 = 'UKR'")[0].values()
    page = text_of(client.get("/country/UKR/admin1").text)
    assert f"{events:,} events, {deaths:,} deaths" in page


def test_actor_search_type_ahead(client):
    html = client.get("/actors?actor=government of ukraine").text
    assert 'list="actor-list"' in html and "Government of Ukraine" in html
    assert 'id="actor-summary"' in html


# -- provenance ---------------------------------------------------------------------------------------------------
def test_provenance_page_is_readable_and_takes_ids_with_a_slash(client, tmp_path):
    ds = client.app.state.ds
    ev = ds.rows("SELECT source, source_id, record_ref, run_id FROM events WHERE source = 'ucdp-ged' LIMIT 1")[0]
    r = client.get(f"/events/{ev['source']}/{ev['source_id']}", headers=HTML)
    page = text_of(r.text)
    assert r.status_code == 200
    assert "ged_v23_1_sample1000.csv.gz" in page or "ged_ukraine_2014-2023.csv.gz" in page
    assert ev["record_ref"] in page and "File SHA-256" in page and "No earlier version" in page
    assert f'href="/api/v1/events/{ev["source"]}/{ev["source_id"]}"' in r.text
    missing = client.get("/events/ucdp-ged/abc/123", headers=HTML)
    assert missing.status_code == 404 and "abc/123" in missing.text
    country = client.get("/country/UKR").text
    assert 'href="/events/ucdp-ged/' in country


# -- data page ----------------------------------------------------------------------------------------------------
def test_data_page_lists_every_source_and_no_server_path(client):
    html = client.get("/data").text
    page = text_of(html)
    loaded = html.split('id="loaded-table"', 1)[1].split("</table>", 1)[0]
    for adapter in ("ucdp-ged", "ucdp-acd", "views-cm"):
        assert f"<td>{adapter}</td>" in loaded
    assert "views_ged_cm_sb_1990-2023.csv.gz" in page
    assert str(client.store) not in html and str(client.store.parent) not in html


def test_data_page_with_a_stream_that_has_no_span(tmp_path, demo_template):
    """Missions, cyber, treaties … have no first/last/countries span: their three NULL columns had one name, the
    row's dict folded them and the Data page answered 500 (IndexError) on every store that held such a stream."""
    from signalfire.warehouse import Warehouse
    store = demo_copy(demo_template, tmp_path)
    fixtures = Path(__file__).resolve().parent / "fixtures"
    with Warehouse(store) as wh:
        wh.ingest("missions-user", fixtures / "missions_user_example.csv")
        wh.ingest("stix", fixtures / "cyber" / "stix20_bundle.json")
    with TestClient(create_app(store)) as c:
        r = c.get("/data", headers=HTML)
    assert r.status_code == 200
    loaded = r.text.split('id="loaded-table"', 1)[1].split("</table>", 1)[0]
    for adapter in ("missions-user", "stix", "ucdp-ged"):
        assert f"<td>{adapter}</td>" in loaded


# -- forecasts ----------------------------------------------------------------------------------------------------
def test_skill_is_read_from_the_shipped_evaluation_and_agrees_with_the_forecasts_doc():
    import json
    from importlib import resources

    from signalfire.web.forecasts import skill
    got = skill()
    result = json.loads((resources.files("signalfire.forecast") / "data" / "evaluation_2018-2023.json").read_text())
    assert got["model"] == result["model_version"] and got["rows"][-1][0] == ("mean", False)
    mean = result["mean"]
    assert got["rows"][-1][1] == (f"{mean['qgbm']['crps']:,.2f}", True)            # ours, and better
    assert got["rows"][-1][2] == (f"{mean['conflictology']['crps']:,.2f} (conflictology)", False)
    assert got["ratio"] == f"{mean['qgbm']['crps'] / mean['conflictology']['crps']:.3f}"
    doc = Path(__file__).resolve().parents[1] / "docs" / "FORECASTS.md"
    if doc.exists():                              # the page and the doc tell the same figures
        text = doc.read_text()
        assert f"| mean | **{mean['qgbm']['crps']:.2f}** |" in text and f"{got['ratio']} × conflictology" in text


def test_counts_take_their_plural_forms(client):
    """"376 events, 354 deaths in 1 countries" had been the overview's line for one country."""
    english = text_of(client.get("/?country=UKR&since=2022-02-24&until=2022-02-24", headers=HTML).text)
    assert re.search(r"Events loaded: [\d,]+ events, [\d,]+ deaths in 1 country,", english), english[:400]
    polish = text_of(client.get("/?country=UKR&since=2022-02-24&until=2022-02-24&lang=pl", headers=HTML).text)
    assert "w 1 kraju" in polish and "krajach" not in polish.split("Wczytane zdarzenia", 1)[1][:120]
