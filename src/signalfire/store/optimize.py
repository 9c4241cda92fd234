"""Store compaction: rewrite ``events`` in (date, country) order so DuckDB's zone maps skip what a query
does not need.

DuckDB keeps, per row group (122,880 rows) and column, the smallest and largest value, and a scan skips every
row group whose range cannot match the filter.  Events arrive in the order their files list them, and after
re-ingests and several sources a row group holds events of every year and country: each filtered query reads
the whole table.  Rewritten in ``date_start, country_iso3`` order, a row group covers a few days, so a period
filter or a newest-first page reads only the row groups of its dates (the web's event pages first find the
page's oldest date from the per-day rollup, then read from that date on).

The rewrite is one transaction (readers see the old table until it commits; a failure leaves it as it was),
keeps the table's definition and every row, and is run by ``signalfire optimize`` after large ingests (ingests
append; new releases mostly add recent dates, which keeps the order roughly right until the next rewrite).
"""

from __future__ import annotations

import time
from pathlib import Path

ORDER = "date_start, country_iso3"
TABLE = "events"
BATCH_ROWS = 2_000_000


def row_group_spread(con, table: str = TABLE) -> dict:
    """How well the zone maps of ``date_start`` can prune: row groups, and the mean days one row group spans."""
    rows = con.execute(f"""SELECT row_group_id, any_value(stats) AS stats FROM pragma_storage_info('{table}')
                           WHERE column_name = 'date_start' AND segment_type = 'DATE'
                           GROUP BY row_group_id""").fetchall()
    spans = []
    for _, stats in rows:
        try:
            lo = stats.split("Min: ")[1].split(",")[0].strip()
            hi = stats.split("Max: ")[1].split("]")[0].strip()
            from datetime import date
            spans.append((date.fromisoformat(hi) - date.fromisoformat(lo)).days)
        except (IndexError, ValueError):
            continue
    return {"row_groups": len(rows), "mean_days_per_row_group": round(sum(spans) / len(spans), 1) if spans else None}


def _batches(con, batch_rows: int) -> list[str]:
    """WHERE clauses over ``date_start`` that split the table into runs of whole consecutive years of about
    ``batch_rows`` events each, in date order, then the undated events (sorted last, as ``ORDER BY date_start``
    puts NULLs)."""
    years = con.execute(f"""SELECT year(date_start) AS y, count(*) FROM {TABLE} WHERE date_start IS NOT NULL
                             GROUP BY y ORDER BY y""").fetchall()
    out, rows, lower = [], 0, None
    for i, (year, n) in enumerate(years):
        rows += n
        if rows >= batch_rows or i == len(years) - 1:
            bounds = ["date_start IS NOT NULL"]
            if lower is not None:
                bounds.append(f"year(date_start) > {int(lower)}")
            if i < len(years) - 1:
                bounds.append(f"year(date_start) <= {int(year)}")
            out.append(" AND ".join(bounds))
            lower, rows = year, 0
    return out + ["date_start IS NULL"]


def optimize_events(con, batch_rows: int = BATCH_ROWS) -> dict:
    """Rewrite ``events`` sorted by :data:`ORDER` on an open read-write connection; returns what was done.

    The sort runs in batches of whole years of about ``batch_rows`` events (each batch sorted and appended in
    date order, which is the same table as one sort of everything): memory is bounded by the batch, not by the
    store (one sort of 5 M events peaked at 3.0 GB)."""
    t0 = time.perf_counter()
    before = row_group_spread(con)
    ddl = con.execute("SELECT sql FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'",
                      [TABLE]).fetchone()[0]
    tmp = f"{TABLE}__sorted"
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DROP TABLE IF EXISTS {tmp}")
        con.execute(ddl.replace(f"CREATE TABLE {TABLE}(", f"CREATE TABLE {tmp}(", 1)
                    .replace(f"CREATE TABLE {TABLE} (", f"CREATE TABLE {tmp} (", 1))
        batches = _batches(con, batch_rows)
        for span in batches:
            con.execute(f"INSERT INTO {tmp} SELECT * FROM {TABLE} WHERE {span} ORDER BY {ORDER}")
        n_old = con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]
        n_new = con.execute(f"SELECT count(*) FROM {tmp}").fetchone()[0]
        if n_old != n_new:
            raise RuntimeError(f"optimize: {n_new:,} rows written for {n_old:,}; the store is unchanged")
        con.execute(f"DROP TABLE {TABLE}")
        con.execute(f"ALTER TABLE {tmp} RENAME TO {TABLE}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("CHECKPOINT")
    geo = build_geo(con)
    return {"events": int(n_new), "order": ORDER, "batches": len(batches), "before": before,
            "after": row_group_spread(con), "geo": geo, "seconds": round(time.perf_counter() - t0, 2)}


GEO_TABLE = "events_geo"
GEO_COLUMNS = "latitude, longitude, date_start, country_iso3, category, source, fatalities_best"


def _zorder(bits: int = 12) -> str:
    """A Z-order (Morton) key of 0.1-degree cells: nearby cells get nearby keys, so a row group of the sorted table
    covers a compact patch of the map and its latitude/longitude zone maps skip what lies outside a box."""
    cx = "least(4095, greatest(0, floor((longitude + 180) * 10)))::BIGINT"
    cy = "least(4095, greatest(0, floor((latitude + 90) * 10)))::BIGINT"
    return " + ".join(f"((({cx} >> {i}) & 1) << {2 * i}) + ((({cy} >> {i}) & 1) << {2 * i + 1})"
                      for i in range(bits))


def build_geo(con) -> dict:
    """Write ``events_geo``: the events' coordinates and filter columns in Z-order of place, and
    ``events_geo_meta``: the event count and newest ingest run it was written at.  A bounding-box count reads it
    (zone maps skip the row groups outside the box) while both still match the store
    (:func:`signalfire.web.serving.analytics.geo_table`); any ingest since makes it stale, and the count reads ``events``."""
    t0 = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"""CREATE OR REPLACE TABLE {GEO_TABLE} AS SELECT {GEO_COLUMNS} FROM {TABLE}
                        WHERE latitude IS NOT NULL AND longitude IS NOT NULL ORDER BY {_zorder()}""")
        con.execute(f"""CREATE OR REPLACE TABLE {GEO_TABLE}_meta AS
                        SELECT (SELECT count(*) FROM {TABLE}) AS events,
                               (SELECT max(run_id) FROM ingest_runs) AS last_run""")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("CHECKPOINT")
    rows = con.execute(f"SELECT count(*) FROM {GEO_TABLE}").fetchone()[0]
    return {"rows": int(rows), "seconds": round(time.perf_counter() - t0, 2)}


def optimize_store(path: str | Path | None = None) -> dict:
    """Open the store at ``path`` for writing and rewrite its events (see :func:`optimize_events`)."""
    from signalfire.store.database import Store
    store = Store(path)
    try:
        store.con.execute("SET enable_progress_bar = false")
        return optimize_events(store.con)
    finally:
        store.close()
