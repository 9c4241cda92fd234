"""Serving from stores in other states than the large-store paths of ``test_serving_at_size``: the start-up warming
(health, the country pages' parts), an optimize done in batches of years, a read-only store, a stale Z-ordered copy,
a (source, source_id) that is not unique, and the aligned box cells holding every event a box can hold.  Each test
builds its own copy of the demo store."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import demo_copy
from test_serving_at_size import _plain_page

from signalfire.store.queries import EVENT_ORDER, EventFilter
from signalfire.web import warming
from signalfire.web.serving import analytics, rollup
from signalfire.web.serving.datastore import DataStore

DEMO_GED = Path(__file__).resolve().parents[1] / "src" / "signalfire" / "demo" / "ged_ukraine_2014-2023.csv.gz"


def test_health_says_when_the_start_up_warming_is_done(tmp_path, demo_template):
    import time

    from fastapi.testclient import TestClient

    from signalfire.web.app import create_app
    ds = DataStore(demo_copy(demo_template, tmp_path), load_demo_if_empty=False)
    try:
        with TestClient(create_app(ds=ds)) as client:
            first = client.get("/api/v1/health").json()
            assert first["status"] == "ok" and isinstance(first["warm"], bool)
            deadline = time.monotonic() + 300
            while not client.get("/api/v1/health").json()["warm"] and time.monotonic() < deadline:
                time.sleep(0.2)
            assert client.get("/api/v1/health").json() == {"status": "ok", "warm": True,
                                                           "data_version": ds.version}
            assert ("sources" in {k for _, k in ds._cache})   # the source summary was warmed
    finally:
        ds.close()


def test_optimize_in_batches_of_years_equals_one_sort(tmp_path, demo_template):
    import duckdb

    from signalfire.store.optimize import ORDER, _batches, optimize_events
    con = duckdb.connect(str(demo_copy(demo_template, tmp_path)))
    try:
        con.execute("UPDATE events SET date_start = NULL WHERE rowid % 97 = 0")      # undated events sort last
        one_sort = con.execute(f"SELECT * FROM events ORDER BY {ORDER}").fetchall()
        keys = con.execute(f"SELECT {ORDER} FROM events ORDER BY {ORDER}").fetchall()
        spans = _batches(con, 500)
        assert len(spans) > 3 and spans[-1] == "date_start IS NULL"
        report = optimize_events(con, batch_rows=500)
        assert report["batches"] == len(spans) and report["events"] == len(one_sort)
        stored = con.execute("SELECT * FROM events").fetchall()                  # the stored order
        assert con.execute(f"SELECT {ORDER} FROM events").fetchall() == keys     # same (date, country) order
        assert sorted(stored, key=repr) == sorted(one_sort, key=repr)           # every row, unchanged
    finally:
        con.close()


def test_read_only_store_queries_the_arrow_tables(tmp_path, demo_template):
    import pyarrow as pa

    from signalfire.store.database import Store
    path = demo_copy(demo_template, tmp_path)
    ds = DataStore(path, load_demo_if_empty=False)
    ds.store.close()
    ds.store = Store(path, read_only=True)
    try:
        table = pa.table({"x": [1, 2, 3]})
        assert ds.native(table) is None
        assert ds.scalar("SELECT sum(x) FROM t", tables={"t": table}) == 6
    finally:
        ds.close()


def test_warming_fills_the_country_pages_parts_with_the_uncached_values(tmp_path, demo_template):
    from signalfire.web import streams
    ds = DataStore(demo_copy(demo_template, tmp_path), load_demo_if_empty=False)
    try:
        warming.warm_countries(ds)                        # the demo is below the size worth warming
        assert not any(isinstance(k, tuple) and k[0] == "country-panels" for _, k in ds._cache)
        warming.warm(ds)
        warming.warm_countries(ds, min_events=0, limit=6)          # the six busiest (0.2-0.4 s of CPU each)
        keys = {k for _, k in ds._cache}
        countries = [r[0] for r in ds.store.con.execute(
            "SELECT country_iso3 FROM events WHERE country_iso3 IS NOT NULL GROUP BY 1 "
            "ORDER BY count(*) DESC, 1").fetchall()]
        assert len(countries) > 6 and all(("country-panels", c) in keys for c in countries[:6])
        assert not any(("country-panels", c) in keys for c in countries[6:])
        assert any(k[0] == "loaded_sources" for k in keys if isinstance(k, tuple))
        for iso3 in countries[:5]:
            flt = EventFilter(countries=[iso3])
            assert analytics.count_events(ds, flt) == ds.scalar(
                "SELECT count(*) FROM events WHERE country_iso3 = ?", [iso3])
            plain = ds.rows(f"SELECT source, source_id FROM events WHERE country_iso3 = ? ORDER BY {EVENT_ORDER} "
                            "LIMIT 25", [iso3])
            assert [(e["source"], e["source_id"]) for e in analytics.latest_events(ds, flt, 25, 0)] == \
                [(e["source"], e["source_id"]) for e in plain]
            cached = streams.country_panels(ds, iso3)
            ds.version += 1                       # recomputed from scratch
            assert streams.country_panels(ds, iso3) == cached
    finally:
        ds.close()


def test_a_stale_z_ordered_copy_is_not_used(tmp_path, demo_template):
    import duckdb

    from signalfire.store.optimize import build_geo
    path = demo_copy(demo_template, tmp_path)
    con = duckdb.connect(str(path))
    try:
        build_geo(con)
        con.execute("DELETE FROM events WHERE rowid % 5 = 0")   # the store changed after the copy was written
    finally:
        con.close()
    ds = DataStore(path, load_demo_if_empty=False)
    try:
        assert analytics.geo_table(ds) is None
        flt = EventFilter.parse(bbox="20,40,40,55")
        where, params = flt.where()
        assert analytics.count_events(ds, flt) == ds.scalar(f"SELECT count(*) FROM events WHERE {where}", params)
    finally:
        ds.close()


@pytest.mark.parametrize("stale", [False, True])
def test_the_warming_loads_the_z_ordered_copys_coordinates_while_it_is_current(tmp_path, demo_template, stale):
    """The bounding boxes' copy has its coordinates read once at start (their blocks then stay in DuckDB's buffer
    pool); a stale copy, which no count reads, is left alone."""
    import duckdb

    from signalfire.store.optimize import build_geo
    path = demo_copy(demo_template, tmp_path)
    con = duckdb.connect(str(path))
    try:
        build_geo(con)
        if stale:
            con.execute("DELETE FROM events WHERE rowid % 5 = 0")
    finally:
        con.close()
    ds = DataStore(path, load_demo_if_empty=False)
    read = []
    scalar = ds.scalar
    ds.scalar = lambda sql, *args, **kwargs: read.append(sql) or scalar(sql, *args, **kwargs)
    try:
        warming.load_coordinates(ds)
        assert read == ([] if stale else ["SELECT sum(latitude + longitude) FROM events_geo"])
    finally:
        ds.close()


def test_rollups_outlive_a_data_version_that_left_the_events_alone(tmp_path, demo_template):
    """A stored forecast (or another stream's ingest) moves the data version: the event rollups stay, as they still
    sum the events; an ingest's new or updated events, or events deleted, make them anew."""
    ds = DataStore(demo_copy(demo_template, tmp_path), load_demo_if_empty=False)
    try:
        first = ds.rollups.tables()
        ds.version += 1                                         # nothing changed in events
        assert ds.rollups.tables() is first
        total = ds.scalar("SELECT count(*) FROM events")
        newest = ds.scalar("SELECT max(run_id) FROM events")
        ds.store.con.execute("INSERT INTO events SELECT * REPLACE (source_id || '-new' AS source_id, ? AS run_id) "
                             "FROM events LIMIT 3", [newest + 1])
        ds.version += 1
        second = ds.rollups.tables()
        assert second is not first and second["daily"].column("n").to_pylist() != [] and \
            sum(second["daily"].column("n").to_pylist()) == total + 3
        ds.store.con.execute("DELETE FROM events WHERE source_id LIKE '%-new'")
        ds.version += 1
        third = ds.rollups.tables()
        assert third is not second and sum(third["daily"].column("n").to_pylist()) == total
    finally:
        ds.close()


def test_event_rows_read_the_page_in_one_query_when_a_key_is_not_unique(tmp_path, demo_template, monkeypatch):
    """(source, source_id) names one event; a store where it does not (two rows a day apart) still gets the
    plain query's page."""
    monkeypatch.setattr(analytics, "PAGE_SORT_ROWS", 0)       # the keys first, then their columns
    ds = DataStore(demo_copy(demo_template, tmp_path), load_demo_if_empty=False)
    try:
        newest = ds.rows(f"SELECT source, source_id FROM events ORDER BY {EVENT_ORDER} LIMIT 3")
        for key in newest:
            ds.store.con.execute("INSERT INTO events SELECT * REPLACE (date_start + 1 AS date_start) FROM events "
                                 "WHERE source = ? AND source_id = ?", [key["source"], key["source_id"]])
        ds.version += 1
        for flt in (EventFilter(), EventFilter.parse(bbox="-180,-90,180,90")):
            for limit, offset in ((10, 0), (5, 2)):
                plain = _plain_page(ds, flt, ["source", "source_id", "date_start", "place"], limit, offset)
                assert analytics.event_rows(ds, flt, ["source", "source_id", "date_start", "place"],
                                            limit, offset) == plain
                assert len({(r["source"], r["source_id"]) for r in plain}) < len(plain)   # the duplicates shown
    finally:
        ds.close()


def test_box_cells_hold_every_event_a_box_can_hold(tmp_path, demo_template):
    """Coordinates outside -180..180 / -90..90 are in no box and in no cell; the count stays exact."""
    ds = DataStore(demo_copy(demo_template, tmp_path), load_demo_if_empty=False)
    try:
        ds.store.con.execute("""INSERT INTO events SELECT * REPLACE (source_id || '-odd' || (rowid % 3)::VARCHAR AS source_id,
                                    CASE rowid % 3 WHEN 0 THEN -91.0 WHEN 1 THEN 95.0 ELSE latitude END AS latitude,
                                    CASE rowid % 3 WHEN 2 THEN 200.0 ELSE longitude END AS longitude)
                                FROM events USING SAMPLE 50 ROWS""")
        ds.version += 1
        cells = ds.rollups.tables()["box_cells"]
        inside = ds.scalar("SELECT count(*) FROM events WHERE latitude BETWEEN -90 AND 90 "
                           "AND longitude BETWEEN -180 AND 180")
        assert sum(cells.column("n").to_pylist()) == inside < ds.scalar("SELECT count(*) FROM events")
        for box in ("-180,-90,180,90", "30,30,40,40", "30.05,30.05,40.05,40.05"):
            flt = EventFilter.parse(bbox=box)
            where, params = flt.where()
            raw = ds.scalar(f"SELECT count(*) FROM events WHERE {where}", params)
            assert rollup.aligned_box_count(ds, flt, "events", max_queries=100) == raw
    finally:
        ds.close()


def test_a_part_month_is_not_compared_with_whole_months(tmp_path, demo_template):
    """Events to 5 March: March is not "the latest month" of the movers or the neighbourhood's trend (its few days
    against whole months had made Ukraine's April 2024 a "sharp decrease"); February, the last whole month, is."""
    import pandas as pd
    from fastapi.testclient import TestClient

    from signalfire.warehouse import Warehouse
    from signalfire.web.app import create_app
    ged = pd.read_csv(DEMO_GED, low_memory=False, encoding="cp1252", nrows=1)
    ged.loc[0, ["id", "date_start", "date_end", "year"]] = [999999001, "2023-03-05 00:00:00.000",
                                                            "2023-03-05 00:00:00.000", 2023]
    extra = tmp_path / "ged_march.csv"
    ged.to_csv(extra, index=False)
    store = demo_copy(demo_template, tmp_path)
    with Warehouse(store) as wh:
        assert wh.ingest("ucdp-ged", extra).new == 1
    app = create_app(store)
    with TestClient(app) as c:
        assert c.get("/api/v1/movers").json()["month"] == "2023-02-01"
        assert c.get("/api/v1/movers", params={"until": "2023-03-05"}).json()["month"] == "2023-03-01"  # asked
        page = c.get("/neighbourhood", params={"home": "POL", "basis": "events"},
                     headers={"Accept": "text/html"}).text
    app.state.ds.close()
    assert "in 2023-02" in page and "in 2023-03" not in page



def test_the_demo_data_go_only_into_an_empty_store(tmp_path):
    """A store of country-month data alone (the hidden-window protocol's, cut at 2023-10) had been taken for empty
    (no events) and filled with the demo data, to 2023-12: data past its cut-off."""
    import pandas as pd

    from signalfire.warehouse import Warehouse
    frame = pd.read_csv(Path(__file__).resolve().parents[1] / "src" / "signalfire" / "demo"
                        / "views_ged_cm_sb_1990-2023.csv.gz")
    cut = tmp_path / "cut.csv"
    frame[frame.month_id <= 526].to_csv(cut, index=False)
    store = tmp_path / "cut.duckdb"
    with Warehouse(store) as wh:
        wh.ingest("views-cm", cut)
    ds = DataStore(store)                     # loads the demo data only into an empty store
    try:
        assert not ds.is_empty()
        assert ds.scalar("SELECT count(*) FROM events") == 0
        assert ds.scalar("SELECT max(year * 100 + month) FROM country_month") == 202310
    finally:
        ds.close()
    fresh = DataStore(tmp_path / "fresh.duckdb")
    try:
        assert fresh.scalar("SELECT count(*) FROM events") > 0   # an empty one still gets them
    finally:
        fresh.close()
