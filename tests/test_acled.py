"""ACLED export/API CSV: invented fixtures in ACLED's layouts always; the real files when ../shared/data has them."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from signalfire.sources import get
from signalfire.store.ingest import ingest_file
from signalfire.warehouse import Warehouse


def _ingest(store, path):
    result = ingest_file(store, get("acled"), path)
    assert result.read == result.new + result.updated + result.unchanged + result.quarantined
    return result


def _events(store):
    return store.df("SELECT * FROM events WHERE source = 'acled' ORDER BY source_id").set_index("source_id")


# -- invented fixtures (ACLED's current export layout, and its pre-2019 layout) --------------------------------
def test_export_fixture_maps_every_event_type(store, fixtures_dir):
    result = _ingest(store, fixtures_dir / "acled_export_sample.csv")
    assert (result.read, result.new, result.quarantined) == (10, 10, 0)
    ev = _events(store)
    assert ev.loc["KEN90001", "category"] == "armed_conflict" and ev.loc["KEN90001", "subtype"] == "Armed clash"
    assert ev.loc["SOM90007", "category"] == "armed_conflict"  # Explosions/Remote violence
    assert ev.loc["KEN90002", "category"] == "violence_against_civilians"
    assert ev.loc["KEN90003", "category"] == "unrest" and ev.loc["KEN90004", "category"] == "unrest"
    assert ev.loc["KEN90005", "category"] == "strategic_development"
    # time_precision 1/2/3 and geo_precision 1/2/3
    assert list(ev.loc[["KEN90001", "KEN90002", "KEN90003"], "date_precision"]) == ["day", "week", "month"]
    assert list(ev.loc[["KEN90001", "KEN90002", "KEN90004"], "geo_precision"]) == ["exact", "near", "admin1"]
    # iso numeric -> ISO3 and GW; Kosovo (ACLED iso 0) falls back to the country name
    assert ev.loc["KEN90001", "country_iso3"] == "KEN" and ev.loc["KEN90001", "country_gw"] == 501
    assert ev.loc["XKX90008", "country_iso3"] == "XKX" and ev.loc["XKX90008", "country_gw"] == 347
    assert ev.loc["ARG90010", "country_iso3"] == "ARG"
    # timestamp (epoch seconds) is the record's version
    assert ev.loc["KEN90001", "source_version"] == "2023-03-16T20:53:20Z"
    assert str(ev.loc["KEN90002", "date_start"])[:10] == "2023-03-15"
    assert ev.loc["KEN90001", "fatalities_best"] == 3 and ev.fatalities_best.sum() == 16
    # description, source and places
    assert ev.loc["ARG90010", "description"].startswith('On 22 March 2023, bus drivers held a "silent" rally')
    assert ev.loc["KEN90004", "source_reference"] == "Invented Daily; Invented Radio"
    assert (ev.loc["KEN90002", "place"], ev.loc["KEN90002", "admin1"]) == ("Mpeketoni", "Lamu")
    assert ev.loc["KEN90002", "latitude"] == pytest.approx(-2.3906)


def test_civilian_deaths_only_where_acled_says_victims_are_civilians(store, fixtures_dir):
    _ingest(store, fixtures_dir / "acled_export_sample.csv")
    ev = _events(store)
    assert ev.loc["KEN90002", "civilian_deaths"] == 2           # violence against civilians: victims are civilians
    assert pd.isna(ev.loc["SOM90006", "civilian_deaths"])       # civilian targeting bomb, attacker among the dead
    assert pd.isna(ev.loc["KEN90001", "civilian_deaths"])       # battle: unknown, not zero
    assert ev.loc["UKR90009", "civilian_deaths"] == 0           # nobody died
    assert ev.loc["KEN90003", "civilian_deaths"] == 0


def test_legacy_layout_dates_types_and_iso3_fallback(store, fixtures_dir):
    result = _ingest(store, fixtures_dir / "acled_legacy_export_sample.csv")
    assert (result.read, result.new, result.quarantined) == (3, 3, 0)
    ev = _events(store)
    assert [str(d)[:10] for d in ev.date_start] == ["2017-06-05", "2017-06-12", "2017-06-30"]
    assert list(ev.category) == ["armed_conflict", "unrest", "armed_conflict"]
    assert list(ev.subtype) == ["Battle-No change of territory", "Riots/Protests", "Remote violence"]
    assert set(ev.country_iso3) == {"NGA"}  # the third row has no iso: iso3 is used


def test_reingest_is_a_noop(store, fixtures_dir):
    path = fixtures_dir / "acled_export_sample.csv"
    _ingest(store, path)
    before = store.df("SELECT * FROM events ORDER BY source_id")
    second = _ingest(store, path)
    assert (second.new, second.updated, second.unchanged, second.status) == (0, 0, 10, "unchanged")
    pd.testing.assert_frame_equal(before, store.df("SELECT * FROM events ORDER BY source_id"))


def test_recode_updates_the_event_and_keeps_its_history(store, fixtures_dir):
    _ingest(store, fixtures_dir / "acled_export_sample.csv")
    result = _ingest(store, fixtures_dir / "acled_export_recode.csv")
    assert (result.read, result.new, result.updated, result.unchanged) == (2, 0, 1, 1)
    history = Warehouse.event_history(store, "acled", "KEN90001")
    assert list(history.state) == ["current", "superseded"]
    assert list(history.fatalities_best) == [5, 3]
    assert list(history.source_version) == ["2023-04-09T00:26:40Z", "2023-03-16T20:53:20Z"]
    assert len(Warehouse.event_history(store, "acled", "KEN90005")) == 1
    assert store.df("SELECT count(*) AS n FROM events").n[0] == 10


def test_cli_ingest_json(tmp_path, fixtures_dir):
    from typer.testing import CliRunner

    from signalfire.cli import app
    db = tmp_path / "cli.duckdb"
    run = CliRunner().invoke(app, ["ingest", "acled", str(fixtures_dir / "acled_export_sample.csv"),
                                   "--store", str(db), "--json"])
    assert run.exit_code == 0, run.output
    payload = json.loads(run.stdout)
    assert (payload["read"], payload["new"], payload["quarantined"], payload["source"]) == (10, 10, 0, "acled")


# -- ACLED's real files (restricted: read from ../shared/data, skipped when absent) ----------------------------
def _independent(path):
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["fat"] = pd.to_numeric(frame["fatalities"]).astype(int)
    frame["y"] = pd.to_numeric(frame["year"]).astype(int)
    return frame


def test_ukraine_api_page_loads_with_totals(store, shared_data):
    path = shared_data("acled/acled_ukraine_extract_1000.csv")
    result = _ingest(store, path)
    expected = _independent(path)
    assert result.read == len(expected) == 1000
    assert (result.new, result.quarantined) == (1000, 0)
    got = store.df("SELECT country_iso3 AS c, year(date_start) AS y, count(*) AS n, sum(fatalities_best) AS f "
                   "FROM events GROUP BY ALL").set_index(["c", "y"])
    want = expected.assign(c="UKR").groupby(["c", "y"]).agg(n=("fat", "size"), f=("fat", "sum"))
    assert got.sort_index()["n"].to_dict() == want.sort_index()["n"].to_dict()
    assert got.sort_index()["f"].to_dict() == want.sort_index()["f"].to_dict()
    # event_date is day first (14/08/2020): every date matches an independent day-first parse
    dates = pd.to_datetime(expected["event_date"], format="%d/%m/%Y %H:%M:%S").dt.date
    stored = store.df("SELECT source_id, date_start FROM events")
    assert dict(zip(stored.source_id, stored.date_start.dt.date)) == dict(zip(expected.event_id_cnty, dates))
    cats = store.df("SELECT category, count(*) AS n FROM events GROUP BY ALL")
    counts = expected.event_type.value_counts()
    assert dict(zip(cats.category, cats.n)) == {
        "armed_conflict": counts["Battles"] + counts["Explosions/Remote violence"],
        "violence_against_civilians": counts["Violence against civilians"],
        "unrest": counts["Protests"] + counts["Riots"],
        "strategic_development": counts["Strategic developments"]}
    versions = store.df("SELECT source_id, source_version FROM events")
    stamps = pd.to_datetime(pd.to_numeric(expected.timestamp), unit="s").dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert dict(zip(versions.source_id, versions.source_version)) == dict(zip(expected.event_id_cnty, stamps))


def test_argentina_r_conversion_loads_with_totals(store, shared_data):
    path = shared_data("acled/acled_argentina_2022-06.csv")
    result = _ingest(store, path)
    expected = _independent(path)
    assert (result.read, result.new, result.quarantined) == (len(expected), 326, 0)
    got = store.df("SELECT year(date_start) AS y, month(date_start) AS m, count(*) AS n, sum(fatalities_best) AS f "
                   "FROM events WHERE country_iso3 = 'ARG' GROUP BY ALL")
    assert list(got.itertuples(index=False, name=None)) == [(2022, 6, 326, int(expected.fat.sum()))]
    prec = store.df("SELECT date_precision AS p, count(*) AS n FROM events GROUP BY ALL")
    tp = pd.to_numeric(expected.time_precision).astype(int).map({1: "day", 2: "week", 3: "month"}).value_counts()
    assert dict(zip(prec.p, prec.n)) == tp.to_dict()


def test_real_reingest_noop_and_recode(store, shared_data, tmp_path):
    path = shared_data("acled/acled_ukraine_extract_1000.csv")
    _ingest(store, path)
    again = _ingest(store, path)
    assert (again.new, again.updated, again.unchanged, again.status) == (0, 0, 1000, "unchanged")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    target = frame.loc[1, "event_id_cnty"]
    old_fat = int(frame.loc[1, "fatalities"])
    frame.loc[1, "fatalities"] = str(old_fat + 2)
    frame.loc[1, "timestamp"] = str(int(frame.loc[1, "timestamp"]) + 86_400)
    recoded = tmp_path / "acled_ukraine_recoded.csv"
    frame.to_csv(recoded, index=False)
    result = _ingest(store, recoded)
    assert (result.new, result.updated, result.unchanged) == (0, 1, 999)
    history = Warehouse.event_history(store, "acled", target)
    assert list(history.fatalities_best) == [old_fat + 2, old_fat]
    assert history.source_version.iloc[0] > history.source_version.iloc[1]
