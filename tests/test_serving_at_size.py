"""Serving at size: the (date, country) rewrite of events, the per-year cell rollup and the page cut-off from the
per-day rollup give exactly what the plain queries over ``events`` give (on the demo store, the large-store paths
forced on)."""

from __future__ import annotations

import pytest
from conftest import demo_copy

from signalfire.store.optimize import optimize_store
from signalfire.store.queries import EVENT_ORDER, EventFilter
from signalfire.web.serving import analytics, rollup
from signalfire.web.serving.datastore import DataStore

FILTERS = [EventFilter(),
           EventFilter.parse(country="UKR"),
           EventFilter.parse(country="UKR", since="2021-03", until="2022-10-17"),
           EventFilter.parse(since="2016-07-04"),
           EventFilter.parse(until="2019-06"),
           EventFilter.parse(since="2018", until="2020"),
           EventFilter.parse(country="UKR,SYR", category="armed_conflict", since="2014-02-11", until="2014-12-30"),
           EventFilter.parse(country="AFG", since="2022-02-01", until="2022-02-27"),
           EventFilter.parse(since="2031")]


def raw_grid(ds, flt, cell=0.1, limit=20000):
    where, params = flt.where()
    return ds.rows(f"""SELECT round(longitude / {cell}) * {cell} AS lon, round(latitude / {cell}) * {cell} AS lat,
                              count(*) AS n, coalesce(sum(fatalities_best), 0)::BIGINT AS deaths
                       FROM events WHERE {where} AND latitude IS NOT NULL AND longitude IS NOT NULL
                       GROUP BY ALL ORDER BY n DESC LIMIT {limit}""", params)


def cells(rows):
    return sorted((round(float(r["lon"]), 4), round(float(r["lat"]), 4), r["n"], r["deaths"]) for r in rows)


@pytest.fixture(scope="module")
def large_paths(tmp_path_factory, demo_template):
    """The demo store served as a large store would be: optimized, with the per-year cell rollup."""
    path = demo_copy(demo_template, tmp_path_factory.mktemp("size"))
    ds = DataStore(path, load_demo_if_empty=False)
    before = ds.rows(f"SELECT * FROM events ORDER BY {EVENT_ORDER}")
    ds.close()
    report = optimize_store(path)
    ds = DataStore(path, load_demo_if_empty=False)
    saved = rollup.DAILY_CELLS_MAX_EVENTS
    rollup.DAILY_CELLS_MAX_EVENTS = 0
    try:
        ds.version += 1
        assert ds.rollups.tables()["cells"] is None and ds.rollups.tables()["cells_y"] is not None
        yield ds, before, report
    finally:
        rollup.DAILY_CELLS_MAX_EVENTS = saved
        ds.close()


def test_optimize_keeps_every_row_and_orders_by_date(large_paths):
    ds, before, report = large_paths
    assert report["events"] == len(before) > 0
    assert ds.rows(f"SELECT * FROM events ORDER BY {EVENT_ORDER}") == before
    dates = [r["date_start"] for r in ds.rows("SELECT date_start FROM events")]   # stored order
    assert dates == sorted(dates)


@pytest.mark.parametrize("flt", FILTERS)
def test_grid_from_yearly_cells_equals_the_raw_query(large_paths, flt):
    ds = large_paths[0]
    got = rollup.grid_rows(ds, flt, 0.1, 20000)
    assert got is not None
    assert cells(got) == cells(raw_grid(ds, flt))


def test_grid_rollups_decline_what_they_cannot_answer(large_paths):
    ds = large_paths[0]
    assert rollup.grid_rows(ds, EventFilter.parse(bbox="20,40,40,55"), 0.1, 100) is None
    assert rollup.grid_rows(ds, EventFilter(), 0.5, 100) is None


@pytest.mark.parametrize("flt", FILTERS)
@pytest.mark.parametrize("rows", [1, 20, 1000, 10 ** 7])
def test_page_cutoff_from_daily_equals_the_raw_query(large_paths, flt, rows):
    ds = large_paths[0]
    where, params = flt.where()
    raw = ds.scalar(f"SELECT date_start FROM events WHERE {where} ORDER BY date_start DESC "
                    f"LIMIT 1 OFFSET {rows - 1}", params)
    assert rollup.page_cutoff(ds, flt, rows) == (True, raw)
    assert rollup.page_cutoff(ds, EventFilter.parse(bbox="20,40,40,55"), rows) == (False, None)


def test_event_pages_equal_the_plain_order_by(large_paths):
    ds = large_paths[0]
    for flt in FILTERS[:4]:
        where, params = flt.where()
        for offset in (0, 37, 500):
            plain = ds.rows(f"SELECT source, source_id FROM events WHERE {where} ORDER BY {EVENT_ORDER} "
                            f"LIMIT 25 OFFSET {offset}", params)
            paged = ds.rows(*analytics.page_query(flt, ["source", "source_id"], 25, offset, ds))
            assert paged == plain


def test_country_coverage_from_the_rollup_equals_the_raw_query(large_paths):
    from signalfire.web.pages_analysis import events_coverage
    ds, _, _ = large_paths
    for iso3 in ("UKR", "SYR", "POL", "XXX"):
        raw = ds.rows("""SELECT source, count(*) AS events, coalesce(sum(fatalities_best), 0) AS deaths,
                                min(date_start) AS first, max(date_start) AS last FROM events
                         WHERE country_iso3 = ? GROUP BY source ORDER BY source""", [iso3])
        assert events_coverage(ds, iso3)["sources"] == raw
    assert events_coverage(ds, "UKR")["sources"], "the demo has Ukrainian events"


def test_cached_computes_a_key_once_while_threads_ask_at_once(large_paths):
    import threading
    import time
    ds, _, _ = large_paths
    calls, start = [], threading.Barrier(4)

    def compute():
        calls.append(1)
        time.sleep(0.2)          # long enough that the other threads ask while it runs
        return len(calls)

    answers = []

    def ask():
        start.wait()
        answers.append(ds.cached(("single-flight test", ds.version), compute))
    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and answers == [1, 1, 1, 1]


def test_has_table_follows_the_store(large_paths):
    ds, _, _ = large_paths
    assert ds.has_table("events") and not ds.has_table("no_such_table")
    ds.store.con.execute("CREATE TABLE sf_probe_table (x INTEGER)")
    ds.version += 1           # what a committed ingest does
    try:
        assert ds.has_table("sf_probe_table")
    finally:
        ds.store.con.execute("DROP TABLE sf_probe_table")
        ds.version += 1
    assert not ds.has_table("sf_probe_table")


def test_grid_answer_is_the_grid_as_fastapi_would_encode_it(large_paths):
    import json

    from fastapi.encoders import jsonable_encoder
    from fastapi.testclient import TestClient

    from signalfire.web.app import create_app
    ds, _, _ = large_paths
    with TestClient(create_app(ds=ds)) as client:
        for query, flt, cell in [("country=UKR", EventFilter.parse(country="UKR"), 0.1),
                                 ("since=2020&country=SYR", EventFilter.parse(since="2020", country="SYR"), 0.1),
                                 ("bbox=20,40,40,55&cell=0.5", EventFilter.parse(bbox="20,40,40,55"), 0.5)]:
            for _ in range(2):      # computed, then from the cache
                answer = client.get(f"/api/v1/map/grid?{query}")
                assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
                expected = json.loads(json.dumps(jsonable_encoder(analytics.grid(ds, flt, cell_deg=cell))))
                assert answer.json() == expected and expected["features"]


def _cm_series_sql(ds, countries, first, last):
    """The query the country-month series used to run per period (the reference)."""
    where, params = "", ["views-cm", "ged_sb_best", first, last]
    if countries is not None:
        where = f" AND country_iso3 IN ({', '.join('?' for _ in countries)})"
        params += list(countries)
    out = {}
    for r in ds.rows(f"""SELECT country_iso3, (year - 1980) * 12 + month AS mid, max(value) AS v FROM country_month
                         WHERE source = ? AND measure = ? AND (year - 1980) * 12 + month BETWEEN ? AND ?
                           AND country_iso3 IS NOT NULL{where} GROUP BY ALL""", params):
        out.setdefault(r["country_iso3"], [0.0] * (last - first + 1))[int(r["mid"]) - first] = float(r["v"] or 0)
    return out


@pytest.mark.parametrize("countries", [None, ["UKR"], ["POL", "UKR", "BLR", "XXX"], []])
@pytest.mark.parametrize("first,last", [(1, 600), (400, 527), (520, 540), (527, 527), (700, 720), (300, 299)])
def test_country_month_slices_equal_the_query_per_period(large_paths, countries, first, last):
    from signalfire.web.serving import country_month as cm
    ds, _, _ = large_paths
    assert cm._coverage(ds)["source"] == "views-cm"
    expected = _cm_series_sql(ds, countries, first, last) if countries != [] and last >= first else {}
    assert cm.series(ds, countries, first, last) == expected
    if countries is None and (first, last) == (400, 527):
        assert len(expected) > 150


def test_native_copies_of_the_rollups_answer_as_the_arrow_tables(large_paths):
    ds = large_paths[0]
    for name, table in ds.rollups.tables().items():
        if table is None:
            continue
        native = ds.native(table)
        assert native is not None and ds.native(table) == native           # copied once
        cols = ", ".join(table.column_names)
        got = ds.rows(f"SELECT {cols} FROM {name} ORDER BY ALL", tables={name: table})
        cur = ds.store.con.cursor()
        try:
            cur.register("arrow_probe", table)
            want = [dict(zip(table.column_names, r)) for r in
                    cur.execute(f"SELECT {cols} FROM arrow_probe ORDER BY ALL").fetchall()]
        finally:
            cur.close()
        assert got == want and len(got) == table.num_rows


BOXES = ["20,40,40,55", "30,30,40,40", "-10,0,0,8", "170,-50,-170,10", "36.25,33.1,36.4,33.3"]


def test_bbox_counts_from_the_z_ordered_copy_equal_the_raw_count(large_paths):
    ds = large_paths[0]
    assert analytics.geo_table(ds) == "events_geo"          # written by optimize, still current
    for box in BOXES:
        for extra in ({}, {"since": "2015", "until": "2021-06"}, {"country": "UKR,SYR"}, {"category": "armed_conflict"}):
            flt = EventFilter.parse(bbox=box, **extra)
            where, params = flt.where()
            assert analytics.count_events(ds, flt) == ds.scalar(f"SELECT count(*) FROM events WHERE {where}", params)


def _boxes():
    """Boxes of every size, some with edges on cell boundaries (x.x5) and on cell centres, none across 180°."""
    import numpy as np
    rng = np.random.default_rng(17)
    out = ["20,40,40,55", "30,30,40,40", "-10,0,0,8", "29.95,30.05,40.05,39.95", "30.0,30.0,40.0,40.0",
           "36.25,33.1,36.4,33.3", "-180,-90,180,90"]
    for _ in range(40):
        w, s = rng.uniform(-20, 60), rng.uniform(-10, 50)
        out.append(f"{w:.3f},{s:.3f},{w + rng.uniform(0.05, 30):.3f},{s + rng.uniform(0.05, 20):.3f}")
    return out


def test_bbox_counts_from_the_cell_rollups_equal_the_raw_count(large_paths, tmp_path, demo_template, monkeypatch):
    """The cells inside the box from the rollup (per year on a large store, per day on a small one) plus the
    border strips counted in events: the raw count, box by box; None where the rollup cannot answer."""
    large_paths[0].rollups.tables()                                   # the large store's, per year
    monkeypatch.setattr(rollup, "DAILY_CELLS_MAX_EVENTS", rollup.MAX_ROWS)   # the small store's, per day
    monkeypatch.setattr(rollup, "BOX_ROLLUP_FROM", 0)       # the demo's boxes are small: the rollup path forced
    monkeypatch.setattr(rollup, "BOX_BORDER_SHARE_MAX", 1.0)   # whatever share of their events their edges cross
    small = DataStore(demo_copy(demo_template, tmp_path), load_demo_if_empty=False)
    try:
        assert small.rollups.tables()["cells"] is not None
        used = {"cells_y": 0, "cells": 0}
        for ds, name, extras in ((large_paths[0], "cells_y", ({}, {"country": "UKR,SYR"}, {"category": "armed_conflict"})),
                                 (small, "cells", ({}, {"since": "2015", "until": "2021-06"}, {"country": "UKR"}))):
            geo = analytics.geo_table(ds) or "events"
            for box in _boxes():
                for extra in extras:
                    flt = EventFilter.parse(bbox=box, **extra)
                    where, params = flt.where()
                    raw = ds.scalar(f"SELECT count(*) FROM events WHERE {where}", params)
                    got = rollup.box_count(ds, flt, geo)
                    if got is not None:
                        used[name] += 1
                        assert got == raw, (box, extra)
                    assert analytics.count_events(ds, flt) == raw
        assert used["cells_y"] > 40 and used["cells"] > 40       # the rollup answered most boxes on both paths
        # what it declines: a period on the per-year rollup, a box across 180°, a box narrower than three cells
        # (with another filter: a box alone may be answered by the aligned cells, see the test below)
        big = large_paths[0]
        assert rollup.box_count(big, EventFilter.parse(bbox="20,40,40,55", since="2015"), "events") is None
        assert rollup.box_count(big, EventFilter.parse(bbox="170,-50,-170,10"), "events") is None
        assert rollup.box_count(big, EventFilter.parse(bbox="36.25,33.1,36.4,33.3", category="armed_conflict"),
                                "events") is None
        monkeypatch.setattr(rollup, "BOX_BORDER_SHARE_MAX", 0.0)                  # boxes whose edges cross events
        flt = EventFilter.parse(bbox="20,40,40,55", category="armed_conflict")
        assert rollup._border_share(big, "cells_y", big.rollups.tables()["cells_y"], flt.bbox) > 0
        assert rollup.box_count(big, flt, "events") is None
        monkeypatch.setattr(rollup, "BOX_BORDER_SHARE_MAX", 1.0)
        assert rollup.box_count(big, flt, "events") is not None                  # (declined by that rule alone)
        monkeypatch.setattr(rollup, "BOX_ROLLUP_FROM", 10 ** 9)                   # and boxes with few events near
        assert rollup.box_count(big, flt, "events") is None
    finally:
        small.close()


def _plain_page(ds, flt, columns, limit, offset):
    where, params = flt.where()
    return ds.rows(f"SELECT {', '.join(columns)} FROM events WHERE {where} ORDER BY {EVENT_ORDER} "
                   f"LIMIT {limit} OFFSET {offset}", params)


PAGE_FILTERS = FILTERS + [EventFilter.parse(bbox=b, **extra) for b in BOXES
                          for extra in ({}, {"since": "2015", "until": "2021-06"}, {"country": "UKR,SYR"},
                                        {"until": "2016-03-20"}, {"since": "2022-12-01"})]


@pytest.mark.parametrize("windows,sort_rows", [(analytics.PAGE_WINDOWS_DAYS, analytics.PAGE_SORT_ROWS),
                                               ((31, 366, 4000), 0), ((100_000,), 10 ** 9)])
def test_event_rows_equal_the_plain_order_by(large_paths, monkeypatch, windows, sort_rows):
    """One query bounded by the rollup's cut-off date, or the keys first (from that date, a recent window or the
    whole filter) and then the page's columns: the page of the plain query, for every filter, page size and
    offset, whichever window holds the page."""
    from signalfire.store.queries import EVENT_OUTPUT
    ds = large_paths[0]
    monkeypatch.setattr(analytics, "PAGE_WINDOWS_DAYS", windows)
    monkeypatch.setattr(analytics, "PAGE_SORT_ROWS", sort_rows)
    import datetime as dt
    end = analytics.as_of(ds)
    seen, windowed = 0, 0
    for flt in PAGE_FILTERS:
        where, params = flt.where()
        for limit, offset in ((1, 0), (25, 0), (100, 0), (25, 37), (100, 500)):
            plain = _plain_page(ds, flt, EVENT_OUTPUT, limit, offset)
            assert analytics.event_rows(ds, flt, EVENT_OUTPUT, limit, offset) == plain, (flt, limit, offset)
            seen += len(plain)
            starts = [min(end, flt.until or end) - dt.timedelta(days=d - 1) for d in windows]
            windowed += bool(flt.bbox) and any(   # a window held this box page (what the keys' query kept)
                (not flt.since or start > flt.since) and ds.scalar(
                    f"SELECT count(*) FROM events WHERE {where} AND date_start >= ?", params + [start]) >= offset + limit
                for start in starts)
    assert seen > 3000
    assert windowed > (0 if windows == analytics.PAGE_WINDOWS_DAYS else 20)


def test_events_answer_is_the_page_as_fastapi_would_encode_it(large_paths):
    """The events route's JSON (orjson) is byte for byte what FastAPI's encoder gives for the plain query's page
    and the raw count, boxes included."""
    from fastapi.encoders import jsonable_encoder
    from fastapi.responses import JSONResponse
    from fastapi.testclient import TestClient

    from signalfire.store.queries import EVENT_OUTPUT
    from signalfire.web.app import create_app
    ds, _, _ = large_paths
    with TestClient(create_app(ds=ds)) as client:
        for query, flt, limit, offset in [
                ("bbox=20,40,40,55&limit=100", EventFilter.parse(bbox="20,40,40,55"), 100, 0),
                ("bbox=30,30,40,40&since=2015&limit=7&offset=3", EventFilter.parse(bbox="30,30,40,40", since="2015"), 7, 3),
                ("country=UKR&limit=50&offset=20", EventFilter.parse(country="UKR"), 50, 20),
                ("since=2031", EventFilter.parse(since="2031"), 100, 0)]:
            where, params = flt.where()
            total = ds.scalar(f"SELECT count(*) FROM events WHERE {where}", params)
            data = _plain_page(ds, flt, EVENT_OUTPUT, limit, offset)
            expected = JSONResponse(jsonable_encoder({
                "total": total, "limit": limit, "offset": offset,
                "next_offset": offset + limit if offset + limit < total else None, "data": data})).body
            for _ in range(2):      # computed, then the count from the cache
                answer = client.get(f"/api/v1/events?{query}")
                assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
                assert answer.content == expected, query
            assert query.startswith("since=2031") or data


ALIGNED_BOXES = ["30,30,40,40", "-10,0,0,8", "20,40,40,55", "32,30,42,38", "36.2,33.1,36.5,33.4", "-180,-90,180,90",
                 "24,44,25,45", "30.5,45.5,39.9,52.3", "0,0,0.1,0.1"]


@pytest.mark.parametrize("which", ["large", "small"])
def test_box_counts_from_the_aligned_cells_equal_the_raw_count(large_paths, tmp_path, demo_template, which):
    """Cells wholly inside from the rollup, the columns and rows an edge crosses counted in events: the raw count
    for boxes of every size, with edges on the 0.1-degree lines or not; boxes on the lines mostly need no query."""
    small = None if which == "large" else DataStore(demo_copy(demo_template, tmp_path), load_demo_if_empty=False)
    ds = large_paths[0] if small is None else small
    try:
        assert ds.rollups.tables()["box_cells"] is not None
        geo = analytics.geo_table(ds) or "events"
        assert (geo == "events_geo") == (which == "large")
        # and boxes whose edges cross cells with events on both sides (west, then south, through a cell's middle)
        spread = ds.rows("""SELECT (x0 + x1) / 2 AS x, (y0 + y1) / 2 AS y FROM (SELECT floor(longitude * 10) AS fx,
                                   floor(latitude * 10) AS fy, min(longitude) AS x0, max(longitude) AS x1,
                                   min(latitude) AS y0, max(latitude) AS y1
                                   FROM events WHERE latitude IS NOT NULL GROUP BY ALL)
                            WHERE x0 < x1 AND y0 < y1 ORDER BY x1 - x0 + y1 - y0 DESC, x, y LIMIT 12""")
        crossing = [f"{r['x']:.6f},{r['y'] - 2:.6f},{r['x'] + 3:.6f},{r['y'] + 2:.6f}" for r in spread[:6]]
        crossing += [f"{r['x'] - 3:.6f},{r['y']:.6f},{r['x'] + 3:.6f},{r['y'] + 2:.6f}" for r in spread[6:]]
        # and boxes whose east or north edge (or both) is a cell's lower line, with events on it and beyond it
        # (events on the edge are inside): the events on that line, from the rollup
        cells = ds.rollups.tables()["box_cells"].to_pylist()
        lines = sorted((c for c in cells if c["n"] > c["n_x0y0"] > 0), key=lambda c: (-c["n"], c["fx"], c["fy"]))
        for c in lines[:4]:
            crossing += [f"{c['x0'] - 2},{c['y0'] - 2},{c['x0l']},{c['y1'] + 1}",     # east edge on the line
                         f"{c['x0'] - 2},{c['y0'] - 2},{c['x1'] + 1},{c['y0l']}",     # north edge
                         f"{c['x0'] - 2},{c['y0'] - 2},{c['x0l']},{c['y0l']}"]        # both
        aligned_without_query, with_queries = 0, 0
        for box in ALIGNED_BOXES + _boxes() + crossing:
            flt = EventFilter.parse(bbox=box)
            where, params = flt.where()
            raw = ds.scalar(f"SELECT count(*) FROM events WHERE {where}", params)
            assert rollup.aligned_box_count(ds, flt, geo, max_queries=10 ** 6) == raw, box
            # a rectangle's edges cross at most two columns and two rows of cells: box_count's strip budget answers
            assert rollup.aligned_box_count(ds, flt, geo, max_queries=rollup.BOX_STRIP_QUERIES_MAX) == raw, box
            quick = rollup.aligned_box_count(ds, flt, geo)             # no query allowed
            assert quick in (None, raw), box
            aligned_without_query += box in ALIGNED_BOXES and quick is not None and raw > 0
            with_queries += quick is None and raw > 0
            assert analytics.count_events(ds, flt) == raw
        assert aligned_without_query >= 4 and with_queries >= 10
        # another filter, or a box across 180 degrees: not this path
        assert rollup.box_count(ds, EventFilter.parse(bbox="170,-50,-170,10"), geo) is None
    finally:
        if small is not None:
            small.close()


