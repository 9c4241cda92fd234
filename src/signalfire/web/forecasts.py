"""Forecasts on the country page, once they exist.

The web layer does not import :mod:`signalfire.forecast`; it reads what that layer stores: ``forecast_runs`` and
``forecasts`` (one row per run, country and month: mean, quantiles, P(≥25 deaths)).  For a country it shows
the latest run of each model; with no forecast rows for the country the page shows no forecast panel.
"""

from __future__ import annotations

from signalfire.analysis.panel import month_label

NEEDED = {"run_id", "country_iso3", "month_id", "step", "mean", "q05", "q50", "q95", "p_ge25"}


def has_forecasts(ds) -> bool:
    def check():
        cols = {r[0] for r in ds.execute("SELECT column_name FROM information_schema.columns "
                                         "WHERE table_name = 'forecasts'").fetchall()}
        runs = ds.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'forecast_runs'")
        return NEEDED <= cols and bool(runs)
    return ds.cached("has_forecasts", check)


def country_forecasts(ds, iso3: str, limit: int = 24) -> list[dict]:
    """[{run_id, model, cutoff, created_at, rows: [{month, step, mean, q05, q50, q95, p_ge25}]}], latest run
    of each model that has rows for the country."""
    if not has_forecasts(ds):
        return []
    runs = ds.rows("""SELECT r.run_id, r.model, r.cutoff, r.created_at FROM forecast_runs r
                      WHERE r.run_id IN (SELECT run_id FROM forecasts WHERE country_iso3 = ?)
                      QUALIFY row_number() OVER (PARTITION BY r.model ORDER BY r.run_id DESC) = 1
                      ORDER BY r.model""", [iso3])
    out = []
    for run in runs:
        rows = ds.rows(f"""SELECT month_id, step, mean, q05, q50, q95, p_ge25 FROM forecasts
                           WHERE run_id = ? AND country_iso3 = ? ORDER BY month_id LIMIT {int(limit)}""",
                       [run["run_id"], iso3])
        for r in rows:
            r["month"] = month_label(r.pop("month_id"))
        out.append({**run, "rows": rows})
    return out
