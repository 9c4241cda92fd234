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


def optimize_events(con) -> dict:
    """Rewrite ``events`` sorted by :data:`ORDER` on an open read-write connection; returns what was done."""
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
        con.execute(f"INSERT INTO {tmp} SELECT * FROM {TABLE} ORDER BY {ORDER}")
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
    return {"events": int(n_new), "order": ORDER, "before": before, "after": row_group_spread(con),
            "seconds": round(time.perf_counter() - t0, 2)}


def optimize_store(path: str | Path | None = None) -> dict:
    """Open the store at ``path`` for writing and rewrite its events (see :func:`optimize_events`)."""
    from signalfire.store.database import Store
    store = Store(path)
    try:
        store.con.execute("SET enable_progress_bar = false")
        return optimize_events(store.con)
    finally:
        store.close()
