"""Serving at size: the (date, country) rewrite of events, the per-year cell rollup and the page cut-off from the
per-day rollup give exactly what the plain queries over ``events`` give (on the demo store, the large-store paths
forced on)."""

from __future__ import annotations

import pytest
from conftest import demo_copy

from signalfire.store.optimize import optimize_store
from signalfire.store.queries import EVENT_ORDER, EventFilter
from signalfire.web import analytics, rollup
from signalfire.web.datastore import DataStore

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
