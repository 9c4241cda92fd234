"""Forecasts on the country page, once they exist.

The forecasting layer (:mod:`signalfire.forecast`) is written separately; the web layer does not import it.
It shows forecasts only when the store has a table whose name starts with ``forecast`` and that has a
``country_iso3`` column: the rows for the country, as stored, newest first.
"""

from __future__ import annotations


def forecast_tables(ds) -> list[str]:
    return ds.cached("forecast_tables", lambda: [r[0] for r in ds.execute(
        """SELECT table_name FROM information_schema.columns
           WHERE table_name LIKE 'forecast%' AND column_name = 'country_iso3' ORDER BY table_name""").fetchall()])


def country_forecasts(ds, iso3: str, limit: int = 36) -> list[dict]:
    """[{table, columns, rows}] for each forecast table with rows for the country."""
    out = []
    for table in forecast_tables(ds):
        cols = [r[0] for r in ds.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [table]).fetchall()]
        shown = [c for c in cols if c not in ("row_hash", "country_iso3")][:10]
        order = next((c for c in ("month_id", "target_month", "month", "date", "year", "created_at") if c in cols),
                     None)
        sql = f'SELECT {", ".join(chr(34) + c + chr(34) for c in shown)} FROM "{table}" WHERE country_iso3 = ?'
        if order:
            sql += f' ORDER BY "{order}" DESC'
        rows = ds.rows(sql + f" LIMIT {int(limit)}", [iso3])
        if rows:
            out.append({"table": table, "columns": shown, "rows": rows})
    return out
