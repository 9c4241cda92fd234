"""Per-data-version rollups that keep aggregate views fast on millions of events.

After each committed ingest (and at start) the server aggregates ``events`` once into two small Arrow tables
held in memory:

* ``daily``: events and deaths per (date_start, country_iso3, category, source);
* ``cells``: the same per 0.1-degree lon/lat cell as well (the clustered event maps).

Aggregate queries (choropleth, top countries, movers, monthly series, counts, map grid) run on these with the
*same* :class:`~signalfire.store.queries.EventFilter` WHERE clause, so results are exactly those of the raw
table; filters the rollups cannot answer (a bounding box, another cell size) go to ``events``.  A rollup
larger than :data:`MAX_ROWS` is not kept (the raw table is then as fast).
"""

from __future__ import annotations

import threading

from signalfire.store.queries import EventFilter

CELL = 0.1
MAX_ROWS = 3_000_000

DAILY_SQL = """SELECT date_start, country_iso3, category, source, count(*)::BIGINT AS n,
                      coalesce(sum(fatalities_best), 0)::BIGINT AS deaths
               FROM events GROUP BY ALL"""
CELLS_SQL = f"""SELECT date_start, country_iso3, category, source,
                       round(longitude / {CELL})::INTEGER AS cx, round(latitude / {CELL})::INTEGER AS cy,
                       count(*)::BIGINT AS n, coalesce(sum(fatalities_best), 0)::BIGINT AS deaths
                FROM events WHERE latitude IS NOT NULL AND longitude IS NOT NULL GROUP BY ALL"""


class Rollups:
    def __init__(self, ds):
        self.ds = ds
        self._lock = threading.Lock()
        self._version = None
        self._tables: dict = {}

    def tables(self) -> dict:
        """{'daily': pa.Table | None, 'cells': pa.Table | None} for the current data version."""
        version = self.ds.version
        if self._version == version:
            return self._tables
        with self._lock:
            if self._version != version:
                tables = {}
                for name, sql in (("daily", DAILY_SQL), ("cells", CELLS_SQL)):
                    table = self.ds.arrow(sql, timeout_s=max(self.ds.timeout_s, 120))
                    tables[name] = table if table.num_rows <= MAX_ROWS else None
                self._tables, self._version = tables, version
        return self._tables

    def sizes(self) -> dict:
        return {k: (v.num_rows if v is not None else None) for k, v in self.tables().items()}

    def usable(self, flt: EventFilter, name: str = "daily"):
        """The rollup table to query for this filter, or None (use ``events``)."""
        if flt.bbox:
            return None
        return self.tables().get(name)
