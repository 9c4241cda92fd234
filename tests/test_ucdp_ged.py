"""UCDP GED CSV: real files load, totals match an independent pandas reading, re-ingest is a no-op."""

from __future__ import annotations

import pandas as pd

from signalfire.sources import get
from signalfire.store.ingest import ingest_file


def _independent(path, encoding="utf-8"):
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
    frame["best_n"] = pd.to_numeric(frame["best"]).astype(int)
    return frame


def test_ukraine_excel_resave_loads_with_totals(store, shared_data):
    path = shared_data("ucdp/ged_ukraine_2014-2023.csv")
    result = ingest_file(store, get("ucdp-ged"), path)
    expected = _independent(path, encoding="cp1252")
    assert result.read == len(expected) == 3883
    assert result.new == 3883 and result.quarantined == 0
    assert result.read == result.new + result.updated + result.unchanged + result.quarantined
    got = store.df("SELECT year(date_start) AS y, sum(fatalities_best) AS f FROM events GROUP BY y ORDER BY y")
    want = expected.assign(y=expected["year"].astype(int)).groupby("y")["best_n"].sum()
    assert dict(zip(got.y, got.f)) == want.to_dict()
    # Excel's two date styles both parse, month first (US locale), and agree with the year column
    years = store.df("SELECT source_id, year(date_start) AS y, date_end >= date_start AS ordered FROM events")
    assert dict(zip(years.source_id, years.y)) == dict(zip(expected.id, expected.year.astype(int)))
    assert years.ordered.all()
    # the Windows-1252 apostrophe was transcoded, not lost
    refs = store.df("SELECT source_reference FROM events WHERE source_reference LIKE '%Ukraine’s Lvov%'")
    assert len(refs) >= 1
    assert set(store.df("SELECT DISTINCT country_iso3 FROM events").country_iso3) == {"UKR"}


def test_reingest_is_a_noop(store, shared_data):
    path = shared_data("ucdp/ged_v23_1_sample1000.csv")
    first = ingest_file(store, get("ucdp-ged"), path)
    before = store.df("SELECT * FROM events ORDER BY source_id")
    runs = store.df("SELECT count(*) AS n FROM ingest_runs").n[0]
    second = ingest_file(store, get("ucdp-ged"), path)
    assert first.new == 1000 and first.source_version == "23.1"
    assert (second.new, second.updated, second.unchanged, second.quarantined) == (0, 0, 1000, 0)
    assert second.status == "unchanged" and "nothing changed" in second.message
    assert store.df("SELECT count(*) AS n FROM ingest_runs").n[0] == runs
    pd.testing.assert_frame_equal(before, store.df("SELECT * FROM events ORDER BY source_id"))


def test_sample_fatalities_per_country_year_match_pandas(store, shared_data):
    path = shared_data("ucdp/ged_v23_1_sample1000.csv")
    ingest_file(store, get("ucdp-ged"), path)
    expected = _independent(path)
    expected["gw"] = pd.to_numeric(expected["country_id"]).astype(int)
    expected["y"] = pd.to_numeric(expected["year"]).astype(int)
    want = expected.groupby(["gw", "y"])["best_n"].sum()
    got = store.df("SELECT country_gw AS gw, year(date_start) AS y, sum(fatalities_best) AS f FROM events "
                   "GROUP BY ALL")
    got = got.set_index(["gw", "y"])["f"]
    # UCDP keeps GW 345 for Serbia after 2006; the store carries Serbia's current GW code 340 then
    want.index = pd.MultiIndex.from_tuples([(340 if g == 345 and y > 2006 else g, y) for g, y in want.index])
    assert got.sort_index().to_dict() == want.sort_index().to_dict()


def test_newer_version_updates_and_keeps_history(store, tmp_path, shared_data):
    src = pd.read_csv(shared_data("ucdp/ged_v23_1_sample1000.csv"), dtype=str, keep_default_na=False).head(20)
    old = tmp_path / "ged_v23_1_part.csv"
    src.to_csv(old, index=False)
    ingest_file(store, get("ucdp-ged"), old)
    new = src.copy()
    new.loc[0, "best"] = "999"
    newer = tmp_path / "ged_v24_1_part.csv"
    new.to_csv(newer, index=False)
    result = ingest_file(store, get("ucdp-ged"), newer)
    assert (result.new, result.updated, result.unchanged) == (0, 20, 0)  # version changed on every row
    event_id = str(int(float(src.loc[0, "id"])))
    from signalfire.warehouse import Warehouse
    history = Warehouse.event_history(store, "ucdp-ged", event_id)
    assert list(history.state) == ["current", "superseded"]
    assert list(history.fatalities_best) == [999, int(float(src.loc[0, "best"]))]
    assert list(history.source_version) == ["24.1", "23.1"]
