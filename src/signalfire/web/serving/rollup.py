"""Per-data-version rollups that keep aggregate views fast on millions of events.

After each committed ingest (and at start) the server aggregates ``events`` once into small Arrow tables
held in memory:

* ``daily``: events and deaths per (date_start, country_iso3, category, source);
* ``cells``: the same per 0.1-degree lon/lat cell as well (the clustered event maps), kept while the store holds
  at most :data:`MAX_ROWS` events;
* ``cells_y``: per *year* and cell (bounded by geography, not by the number of events), for larger stores: a map
  grid takes the whole years of its period from it and reads only the partial years at its ends from ``events``
  (a range the store's (date, country) order lets DuckDB's zone maps find, see :mod:`signalfire.store.optimize`);
* ``box_cells``: per 0.1-degree cell aligned on the degree lines, its events and the extent of their coordinates
  (a bounding box's count, :func:`aligned_box_count`).

Aggregate queries (choropleth, top countries, movers, monthly series, counts, map grid) run on these with the
*same* :class:`~signalfire.store.queries.EventFilter` WHERE clause, so results are exactly those of the raw
table; filters the rollups cannot answer (a bounding box, another cell size) go to ``events``.  A rollup
larger than :data:`MAX_ROWS` is not kept (the raw table is then as fast).

Event pages (newest first) take the date of their last row from ``daily`` (:func:`page_cutoff`), so the page
query reads only the events on or after it.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from dataclasses import replace

from signalfire.store.queries import EventFilter

CELL = 0.1
MAX_ROWS = 3_000_000
DAILY_CELLS_MAX_EVENTS = MAX_ROWS   # more events: the per-year cell rollup instead of the per-day one

DAILY_SQL = """SELECT date_start, country_iso3, category, source, count(*)::BIGINT AS n,
                      coalesce(sum(fatalities_best), 0)::BIGINT AS deaths
               FROM events GROUP BY ALL"""
CELLS_SQL = f"""SELECT date_start, country_iso3, category, source,
                       round(longitude / {CELL})::INTEGER AS cx, round(latitude / {CELL})::INTEGER AS cy,
                       count(*)::BIGINT AS n, coalesce(sum(fatalities_best), 0)::BIGINT AS deaths
                FROM events WHERE latitude IS NOT NULL AND longitude IS NOT NULL GROUP BY ALL"""
CELLS_YEAR_SQL = f"""SELECT year(date_start) AS year, country_iso3, category, source,
                            round(longitude / {CELL})::INTEGER AS cx, round(latitude / {CELL})::INTEGER AS cy,
                            count(*)::BIGINT AS n, coalesce(sum(fatalities_best), 0)::BIGINT AS deaths
                     FROM events WHERE latitude IS NOT NULL AND longitude IS NOT NULL GROUP BY ALL"""

# per 0.1-degree cell *aligned on the degree lines* (floor, not round): the cell's events and the extent of their
# coordinates; how many lie on its lower longitude line (longitude * 10 = fx), on its lower latitude line and on
# both, the largest coordinate on each line (x0l, y0l) and the smallest off it (x0b, y0b).  Whether a cell lies
# wholly inside a box, wholly outside, or only its events on a line that is the box's east or north edge are
# inside, is then known from the data (see aligned_box_count).  Only coordinates a box can hold (NaN fails BETWEEN).
BOX_CELLS_SQL = """SELECT fx, fy, count(*)::BIGINT AS n, min(longitude) AS x0, max(longitude) AS x1,
                          min(latitude) AS y0, max(latitude) AS y1,
                          count(*) FILTER (WHERE on_x)::BIGINT AS n_x0, count(*) FILTER (WHERE on_y)::BIGINT AS n_y0,
                          count(*) FILTER (WHERE on_x AND on_y)::BIGINT AS n_x0y0,
                          coalesce(max(longitude) FILTER (WHERE on_x), '-infinity'::DOUBLE) AS x0l,
                          coalesce(max(latitude) FILTER (WHERE on_y), '-infinity'::DOUBLE) AS y0l,
                          coalesce(min(longitude) FILTER (WHERE NOT on_x), 'infinity'::DOUBLE) AS x0b,
                          coalesce(min(latitude) FILTER (WHERE NOT on_y), 'infinity'::DOUBLE) AS y0b
                   FROM (SELECT floor(longitude * 10) AS fx, floor(latitude * 10) AS fy, longitude, latitude,
                                longitude * 10 = floor(longitude * 10) AS on_x, latitude * 10 = floor(latitude * 10) AS on_y
                         FROM events WHERE latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180)
                   GROUP BY fx, fy"""


class Rollups:
    def __init__(self, ds):
        self.ds = ds
        self._lock = threading.Lock()
        self._version = None
        self._events = None       # (count, newest run_id) of the events the tables were made from
        self._tables: dict = {}

    def tables(self) -> dict:
        """{'daily', 'cells', 'cells_y', 'box_cells'}: pa.Table or None, for the current data version.

        A new data version whose events are those the tables were made from (a forecast stored, another stream
        ingested) keeps them: the events' count and newest ``run_id`` tell, since an ingest that adds or updates
        an event writes it under its own, newer run id, and one that changes nothing leaves both as they were.
        (At 50 M events the tables take ~2 minutes of CPU; a stored forecast made the next visitor wait for them.)"""
        version = self.ds.version
        if self._version == version:
            return self._tables
        with self._lock:
            if self._version != version:
                slow = max(self.ds.timeout_s, 600)
                mark = tuple(self.ds.rows("SELECT (SELECT count(*) FROM events) AS n, "
                                          "(SELECT max(run_id) FROM events) AS run", timeout_s=slow)[0].values())
                if self._tables and mark == self._events:
                    self._version = version
                    return self._tables
                events = mark[0]
                # a per-day cell rollup has nearly a row per event on a large store: per year there instead
                plan = [("daily", DAILY_SQL), ("cells", CELLS_SQL) if events <= DAILY_CELLS_MAX_EVENTS else
                        ("cells_y", CELLS_YEAR_SQL), ("box_cells", BOX_CELLS_SQL)]
                tables = {"cells": None, "cells_y": None, "box_cells": None}
                for name, sql in plan:
                    table = self.ds.arrow(sql, timeout_s=slow)
                    tables[name] = table if table.num_rows <= MAX_ROWS else None
                self._tables, self._version, self._events = tables, version, mark
        return self._tables

    def sizes(self) -> dict:
        return {k: (v.num_rows if v is not None else None) for k, v in self.tables().items()}

    def usable(self, flt: EventFilter, name: str = "daily"):
        """The rollup table to query for this filter, or None (use ``events``)."""
        if flt.bbox:
            return None
        return self.tables().get(name)


def page_cutoff(ds, flt: EventFilter, rows: int):
    """``(True, date)``: the ``date_start`` of the ``rows``-th event of ``flt`` newest first (None when fewer match
    or that event has no date), exactly what ``SELECT date_start … ORDER BY date_start DESC LIMIT 1 OFFSET rows-1``
    gives, from the ``daily`` rollup; ``(False, None)`` when the rollup cannot answer ``flt``."""
    known, date, _ = page_span(ds, flt, rows)
    return known, date


def page_span(ds, flt: EventFilter, rows: int):
    """``(True, date, n)``: :func:`page_cutoff`'s date and the number of events of ``flt`` on or after it (the
    rows a page query bounded by that date reads; None with no date); ``(False, None, None)`` when the rollup
    cannot answer ``flt``."""
    daily = ds.rollups.usable(flt, "daily")
    if daily is None:
        return False, None, None
    where, params = flt.where()
    found = ds.rows(f"""SELECT date_start, cum FROM (
                            SELECT date_start, sum(sum(n)) OVER (ORDER BY date_start DESC NULLS LAST
                                                                 ROWS UNBOUNDED PRECEDING) AS cum
                            FROM daily WHERE {where} GROUP BY date_start)
                        WHERE cum >= ? ORDER BY date_start DESC NULLS LAST LIMIT 1""",
                    params + [int(rows)], tables={"daily": daily})
    if not found or found[0]["date_start"] is None:
        return True, None, None
    return True, found[0]["date_start"], int(found[0]["cum"])


def _full_years(flt: EventFilter) -> tuple[int | None, int | None, bool]:
    """(first, last, any): the whole calendar years inside the filter's period (None: open end)."""
    first = last = None
    if flt.since:
        first = flt.since.year + (flt.since != dt.date(flt.since.year, 1, 1))
    if flt.until:
        last = flt.until.year - (flt.until != dt.date(flt.until.year, 12, 31))
    return first, last, first is None or last is None or first <= last


def grid_rows(ds, flt: EventFilter, cell: float, limit: int) -> list[dict] | None:
    """The map grid's rows (lon, lat, n, deaths; largest first) from the cell rollups, or None when they cannot
    answer (a bounding box, another cell size).  Same rows as the query over ``events``."""
    if flt.bbox or abs(cell - CELL) > 1e-9:
        return None
    tables = ds.rollups.tables()
    head = f"SELECT cx * {CELL} AS lon, cy * {CELL} AS lat, sum(n)::BIGINT AS n, sum(deaths)::BIGINT AS deaths"
    tail = f"GROUP BY cx, cy ORDER BY n DESC, lon, lat LIMIT {int(limit)}"   # ties in a fixed order, as the raw grid
    if tables.get("cells") is not None:
        where, params = flt.where()
        return ds.rows(f"{head} FROM cells WHERE {where} {tail}", params, tables={"cells": tables["cells"]})
    yearly = tables.get("cells_y")
    if yearly is None:
        return None
    first, last, whole = _full_years(flt)
    raw = f"""SELECT round(longitude / {CELL})::INTEGER AS cx, round(latitude / {CELL})::INTEGER AS cy,
                     count(*)::BIGINT AS n, coalesce(sum(fatalities_best), 0)::BIGINT AS deaths
              FROM events WHERE latitude IS NOT NULL AND longitude IS NOT NULL AND {{}} GROUP BY ALL"""
    parts, params = [], []
    if not whole:      # no whole year inside the period: all of it from events
        where, p = flt.where()
        parts.append(raw.format(where))
        params += p
    else:
        undated, p = replace(flt, since=None, until=None).where()
        years = [c for c, v in (("year >= ?", first), ("year <= ?", last)) if v is not None]
        parts.append(f"SELECT cx, cy, n, deaths FROM cells_y WHERE {' AND '.join([undated, *years])}")
        params += p + [v for v in (first, last) if v is not None]
        if first is not None and flt.since and flt.since < dt.date(first, 1, 1):   # the partial year before
            where, p = replace(flt, until=dt.date(first - 1, 12, 31)).where()
            parts.append(raw.format(where))
            params += p
        if last is not None and flt.until and flt.until > dt.date(last, 12, 31):   # the partial year after
            where, p = replace(flt, since=dt.date(last + 1, 1, 1)).where()
            parts.append(raw.format(where))
            params += p
    body = " UNION ALL ".join(f"({q})" for q in parts)
    return ds.rows(f"{head} FROM ({body}) {tail}", params, tables={"cells_y": yearly})


# the events in and around a box (whole degrees) from which its count takes the rollup path: the plain count costs
# ~6-20 ms per million events in the box on 2 cores, the rollup path 45-90 ms whatever the box (50 M-event store)
BOX_ROLLUP_FROM = 8_000_000
# ... and only while the whole-degree cells its edges cross hold at most this share of the events in the cells it
# touches: the border strips are read in events, so a box whose edges run through the densest places is counted
# quicker plainly (50 M store, idle: a box with 87% of its events in its edges' cells, rollup path 195-295 ms,
# plain 156 ms; boxes at 2% and 18%, rollup 76-93 ms, plain 68-488 ms)
BOX_BORDER_SHARE_MAX = 0.5
# a box alone (no other filter): :func:`aligned_box_count` may read this many strips of the cells its edges cross in
# events (a box off the 0.1-degree lines needs four, one per edge).  The bench's 20 off-grid boxes on a 50 M store,
# idle, their coordinates' blocks loaded: the slowest request 103 ms, where the rollup's border strips or the plain
# count took 169 and 365 ms (two 0.1-degree cells' strips per edge, told apart by round(); or every event of a box
# whose edges run through its densest places)
BOX_STRIP_QUERIES_MAX = 4


def _cell_rollup(tables: dict) -> tuple[str | None, object]:
    """(name, table) of the cell rollup kept for this data version: per day on a small store, else per year."""
    for name in ("cells", "cells_y"):
        if tables.get(name) is not None:
            return name, tables[name]
    return None, None


def _per_degree(ds, name: str, table):
    """Events per whole-degree cell (any filter), from the cell rollup, once per data version."""
    import numpy as np

    def compute():
        grid = np.zeros((362, 182), dtype=np.int64)
        rows = ds.rows(f"""SELECT floor(cx * {CELL})::INTEGER + 180 AS gx, floor(cy * {CELL})::INTEGER + 90 AS gy,
                                  sum(n)::BIGINT AS n FROM {name} GROUP BY ALL""", tables={name: table})
        for r in rows:
            grid[min(max(r["gx"], 0), 361), min(max(r["gy"], 0), 181)] += r["n"]
        return grid
    return ds.cached(("events_per_degree", name), compute)


def _degree_span(bbox, pad: int = 0) -> tuple[list[int], list[int]]:
    """The first and last column and row of :func:`_per_degree`'s grid that the box, widened by ``pad`` degrees,
    touches."""
    west, south, east, north = bbox
    return ([min(max(math.floor(v) + 180, 0), 361) for v in (west - pad, east + pad)],
            [min(max(math.floor(v) + 90, 0), 181) for v in (south - pad, north + pad)])


def _events_near(ds, name: str, table, bbox) -> int:
    """All events (any filter) in the whole-degree cells the box touches: an upper bound that only chooses the
    quicker of two exact counts."""
    gx, gy = _degree_span(bbox, pad=1)
    return int(_per_degree(ds, name, table)[gx[0]:gx[1] + 1, gy[0]:gy[1] + 1].sum())


def _border_share(ds, name: str, table, bbox) -> float:
    """The share of the events (any filter) in the whole-degree cells the box touches that lie in the cells its
    edges run through: an estimate that only chooses the quicker of two exact counts."""
    gx, gy = _degree_span(bbox)
    grid = _per_degree(ds, name, table)
    touched = int(grid[gx[0]:gx[1] + 1, gy[0]:gy[1] + 1].sum())
    inner = int(grid[gx[0] + 1:gx[1], gy[0] + 1:gy[1]].sum())
    return (touched - inner) / touched if touched else 1.0


def warm_boxes(ds) -> None:
    """Compute the per-degree event counts that choose a box count's path and the aligned cells' arrays (at start,
    off the request path)."""
    name, table = _cell_rollup(ds.rollups.tables())
    if table is not None:
        _per_degree(ds, name, table)
    _box_cells(ds)


def box_count(ds, flt: EventFilter, events: str = "events") -> int | None:
    """The number of events of ``flt`` (which has a bounding box) from the cell rollup for the cells wholly inside
    the box, plus the events of the border cells counted in ``events`` (the Z-ordered copy when there is one); None
    when the rollup cannot answer (no box, a box across the antimeridian, no interior cell, a period with only
    the per-year rollup) or should not (fewer than :data:`BOX_ROLLUP_FROM` events near the box, or more than
    :data:`BOX_BORDER_SHARE_MAX` of them in the cells its edges cross).  Exact: the
    interior keeps a cell's margin from the box's edges, and the four border strips are told apart by the rollup's
    own ``round(coordinate / CELL)``.  A box holding millions of events
    otherwise reads every one of them (18 M in one box of a 50 M store: 220 ms).  A box alone (no other filter)
    first tries :func:`aligned_box_count`, with up to :data:`BOX_STRIP_QUERIES_MAX` strips read in ``events``."""
    if not flt.bbox:
        return None
    west, south, east, north = flt.bbox
    if west > east:
        return None
    if not (flt.countries or flt.categories or flt.sources or flt.since or flt.until):
        aligned = aligned_box_count(ds, flt, events, max_queries=BOX_STRIP_QUERIES_MAX)
        if aligned is not None:
            return aligned
    name, table = _cell_rollup(ds.rollups.tables())
    if table is None or (name == "cells_y" and (flt.since or flt.until)):
        return None
    if _events_near(ds, name, table, flt.bbox) < BOX_ROLLUP_FROM:
        return None          # few events in and around the box: counting them in events is the quicker
    if _border_share(ds, name, table, flt.bbox) > BOX_BORDER_SHARE_MAX:
        return None          # its edges run through most of its events: so would the border strips
    x_lo, x_hi = math.ceil(west / CELL + 0.5) + 1, math.floor(east / CELL - 0.5) - 1
    y_lo, y_hi = math.ceil(south / CELL + 0.5) + 1, math.floor(north / CELL - 0.5) - 1
    if x_lo > x_hi or y_lo > y_hi:
        return None
    rest, rest_params = replace(flt, bbox=None).where()
    inner = ds.scalar(f"SELECT coalesce(sum(n), 0)::BIGINT FROM {name} WHERE {rest} AND cx BETWEEN ? AND ? "
                      "AND cy BETWEEN ? AND ?", rest_params + [x_lo, x_hi, y_lo, y_hi], tables={name: table})
    where, params = flt.where()
    cx, cy = f"round(longitude / {CELL})", f"round(latitude / {CELL})"
    strips = [(f"{cx} < ? AND longitude <= ?", [x_lo, x_lo * CELL]),                  # west of the interior
              (f"{cx} > ? AND longitude >= ?", [x_hi, x_hi * CELL]),                  # east
              (f"{cx} BETWEEN ? AND ? AND {cy} < ? AND latitude <= ?", [x_lo, x_hi, y_lo, y_lo * CELL]),  # south
              (f"{cx} BETWEEN ? AND ? AND {cy} > ? AND latitude >= ?", [x_lo, x_hi, y_hi, y_hi * CELL])]  # north
    sql = " + ".join(f"(SELECT count(*) FROM {events} WHERE {where} AND {s})" for s, _ in strips)
    border = ds.scalar(f"SELECT {sql}", [v for _, p in strips for v in params + p])
    return int(inner) + int(border)


def _box_cells(ds):
    """The ``box_cells`` rollup as numpy arrays (fx, fy, n, x0, x1, y0, y1), once per data version; None without."""
    table = ds.rollups.tables().get("box_cells")
    if table is None:
        return None
    return ds.cached("box_cells_arrays", lambda: {c: table.column(c).to_numpy() for c in table.column_names})


def aligned_box_count(ds, flt: EventFilter, events: str = "events", max_queries: int = 0) -> int | None:
    """The number of events in ``flt``'s box (``flt`` has no other filter) from the ``box_cells`` rollup, exactly:
    the events of every cell whose coordinates all lie inside the box, those on the lower longitude (latitude) line
    of a cell whose other events lie beyond the box's east (north) edge, plus those counted in ``events`` in the
    cells' columns and rows that an edge of the box crosses otherwise.  A box whose edges lie on the 0.1-degree lines
    (whole degrees, say) crosses no cell that way: no query at all.  None when the rollup
    is missing, or when counting the crossed columns and rows would take more than ``max_queries`` queries (each
    reads the events of a strip along an edge, about what :func:`box_count`'s border strips cost)."""
    import numpy as np
    cells = _box_cells(ds)
    if cells is None:
        return None
    west, south, east, north = flt.bbox
    x0, x1, y0, y1, n = cells["x0"], cells["x1"], cells["y0"], cells["y1"], cells["n"]
    outside = (x1 < west) | (x0 > east) | (y1 < south) | (y0 > north)
    inside = (x0 >= west) & (x1 <= east) & (y0 >= south) & (y1 <= north)
    # a cell the east (north) edge crosses where only its events on its lower longitude (latitude) line are on or
    # before that edge: its events inside the box are those on that line (on both lines at a corner)
    over_x, over_y = x1 > east, y1 > north
    on_line = (~inside & ~outside & (x0 >= west) & (y0 >= south)
               & (~over_x | ((cells["x0l"] <= east) & (cells["x0b"] > east)))
               & (~over_y | ((cells["y0l"] <= north) & (cells["y0b"] > north))))
    on_line_n = np.where(over_x & over_y, cells["n_x0y0"], np.where(over_x, cells["n_x0"], cells["n_y0"]))
    edge = ~inside & ~outside & ~on_line
    crossed_x = (x0 < west) | (x1 > east)          # cells an east or west edge crosses
    cols = np.unique(cells["fx"][edge & crossed_x])
    rows = np.unique(cells["fy"][edge & ~crossed_x])
    in_strips = np.isin(cells["fx"], cols) | np.isin(cells["fy"], rows)
    # every event of such a cell inside the box is counted here and in no strip
    total = int(n[inside & ~in_strips].sum()) + int(on_line_n[on_line & ~in_strips].sum())
    if not len(cols) and not len(rows):
        return total
    runs = {axis: np.split(keys, np.flatnonzero(np.diff(keys) > 1) + 1) if len(keys) else []   # adjacent lines
            for axis, keys in (("longitude", cols), ("latitude", rows))}
    if sum(len(parts) for parts in runs.values()) > max_queries:
        return None
    # each strip: its columns (or rows) and the extent of their events' coordinates (lets the zone maps skip)
    strips = []
    for axis, key_col, lo, hi in (("longitude", "fx", x0, x1), ("latitude", "fy", y0, y1)):
        for part in runs[axis]:
            mine = np.isin(cells[key_col], part)
            strips.append((axis, [float(v) for v in part], float(lo[mine].min()), float(hi[mine].max())))
    where, params = flt.where()
    not_cols = ""
    if len(cols):
        not_cols = f" AND floor(longitude * 10) NOT IN ({', '.join('?' for _ in cols)})"
    parts, values = [], []
    for axis, keys, lo, hi in strips:
        expr = "floor(longitude * 10)" if axis == "longitude" else "floor(latitude * 10)"
        sql = f"{where} AND {axis} BETWEEN ? AND ? AND {expr} IN ({', '.join('?' for _ in keys)})"
        values += params + [lo, hi, *keys]
        if axis == "latitude":            # a row's events in the crossed columns are counted there
            sql += not_cols
            values += [float(v) for v in cols]
        parts.append(f"(SELECT count(*) FROM {events} WHERE {sql})")
    return total + int(ds.scalar(f"SELECT {' + '.join(parts)}", values))
