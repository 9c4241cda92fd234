"""Read queries on the forecast tables (``forecast_runs`` and ``forecasts``, created in :mod:`signalfire.store.schema`)
shared by the forecast layer (CLI, Python API) and the web layer, which may not import ``signalfire.forecast``.

Each builder returns ``(sql, params)`` for the caller to run on its own connection (a DuckDB connection or the
web's datastore): the newest run, the previous run of the same model, the change of each country-month between two
runs; and :func:`month_label_sql`, a month id as ``YYYY-MM`` in SQL.
"""

from __future__ import annotations

QUANTILES = ("q05", "q10", "q25", "q50", "q75", "q90", "q95")
CHANGE_ORDER = "a.country_iso3, a.month_id"


def month_label_sql(column: str) -> str:
    """SQL for ``column`` (a VIEWS month id, 1 = January 1980) as ``YYYY-MM``: the SQL twin of
    :func:`signalfire.analysis.panel.month_label`."""
    return f"printf('%04d-%02d', ({column} - 1) // 12 + 1980, ({column} - 1) % 12 + 1)"


def latest_run_query(cutoff_month_id: int | None = None, model: str | None = None) -> tuple[str, list]:
    """One value: the newest run id (optionally for a cut-off and/or model), NULL when there is none."""
    where, params = [], []
    if cutoff_month_id is not None:
        where.append("cutoff_month_id = ?")
        params.append(cutoff_month_id)
    if model is not None:
        where.append("model = ?")
        params.append(model)
    return "SELECT max(run_id) FROM forecast_runs" + (" WHERE " + " AND ".join(where) if where else ""), params


def previous_run_query(run_id: int) -> tuple[str, list]:
    """One value: the newest run of the same model before ``run_id`` (what a change is measured against), NULL
    when there is none."""
    sql = ("SELECT max(run_id) FROM forecast_runs WHERE run_id < ? AND model = "
           "(SELECT model FROM forecast_runs WHERE run_id = ?)")
    return sql, [run_id, run_id]


def change_query(run_id: int, previous_run_id: int | None, month_id: int | None = None, *,
                 every_row: bool = False, order: str = CHANGE_ORDER) -> tuple[str, list]:
    """Each country-month of run ``run_id`` (optionally one month) beside the previous run's: country_iso3,
    month_id, month (YYYY-MM), mean, q05 … q95, p_ge25, mean_change, p_ge25_change (run minus previous run).

    Only the country-months both runs cover; with ``every_row`` every row of the run, the changes NULL where the
    previous run (which may be None) has no row.  ``order`` is the ORDER BY over ``a`` (the run) and ``b``."""
    where = " AND a.month_id = ?" if month_id is not None else ""
    sql = f"""
        SELECT a.country_iso3, a.month_id, {month_label_sql('a.month_id')} AS month, a.mean,
               {', '.join('a.' + q for q in QUANTILES)}, a.p_ge25,
               a.mean - b.mean AS mean_change, a.p_ge25 - b.p_ge25 AS p_ge25_change
        FROM forecasts a {'LEFT JOIN' if every_row else 'JOIN'} forecasts b
          ON b.run_id = ? AND b.country_id = a.country_id AND b.month_id = a.month_id
        WHERE a.run_id = ?{where}
        ORDER BY {order}"""
    prev = previous_run_id if previous_run_id is not None else -1
    return sql, [prev, run_id, *([month_id] if month_id is not None else [])]


# Onset risk (signalfire.forecast.onset), one row per run and challenge country, stored with each forecast run of
# our model: quiet = at most 25 state-based deaths in every month of the 12 to the cut-off; p_ge25 / p_ge100 = the
# probability of ≥25 / ≥100 deaths in some month of the 12 after it (NULL where not quiet); base_ge* the training
# period's onset frequencies.  Created when first written (a store without it has no onset risk to show).
ONSET_TABLE = "onset_risk"
ONSET_DDL = """CREATE TABLE IF NOT EXISTS onset_risk (
    run_id INTEGER, country_id INTEGER, country_iso3 VARCHAR, quiet BOOLEAN, deaths_max12 DOUBLE,
    p_ge25 DOUBLE, p_ge100 DOUBLE, base_ge25 DOUBLE, base_ge100 DOUBLE, model_version VARCHAR
)"""
ONSET_COLUMNS = ("country_iso3", "quiet", "deaths_max12", "p_ge25", "p_ge100", "base_ge25", "base_ge100",
                 "model_version")


def onset_query(run_id: int) -> tuple[str, list]:
    """A run's onset risk per country (:data:`ONSET_COLUMNS`), the quiet countries first, highest risk first."""
    sql = (f"SELECT {', '.join(ONSET_COLUMNS)} FROM onset_risk WHERE run_id = ? "
           "ORDER BY quiet DESC, p_ge25 DESC NULLS LAST, p_ge100 DESC NULLS LAST, country_iso3")
    return sql, [run_id]
