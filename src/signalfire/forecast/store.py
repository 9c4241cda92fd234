"""Forecasts in the store: ``forecast_runs`` (model, version, cut-off) and ``forecasts`` (per country-month
summaries and the draws), and the queries the CLI and the Python API read (the SQL they share with the web layer is
in :mod:`signalfire.store.forecasts`)."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, is_dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from signalfire.forecast.countries import month_label
from signalfire.store import forecasts as queries

QUANTILES = queries.QUANTILES  # q05 … q95
SUMMARY_COLUMNS = ("mean", *QUANTILES, "p_ge25")


def summarise(draws: np.ndarray) -> dict[str, np.ndarray]:
    """Per-row mean, quantiles and P(≥25) of draws (rows × draws)."""
    qs = np.quantile(draws, [int(name[1:]) / 100 for name in QUANTILES], axis=1)  # "q05" → 0.05
    out = {"mean": draws.mean(axis=1)}
    out.update(zip(QUANTILES, qs))
    out["p_ge25"] = (draws >= 25).mean(axis=1)
    return out


def save_forecast(con, countries: pd.DataFrame, cutoff_month_id: int, draws: np.ndarray, *, model: str,
                  model_version: str, data_last_month_id: int | None = None, seconds: float | None = None,
                  config=None) -> int:
    """Store draws (countries × horizons × draws) for the months after ``cutoff_month_id``; returns the run id."""
    n, horizons, m = draws.shape
    flat = draws.reshape(n * horizons, m)
    summary = summarise(flat)
    cfg = json.dumps(asdict(config) if is_dataclass(config) else (config or {}), default=str)
    con.execute("BEGIN TRANSACTION")
    try:
        run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM forecast_runs").fetchone()[0]
        con.execute("INSERT INTO forecast_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?, ?)",
                    [run_id, model, model_version, month_label(cutoff_month_id), cutoff_month_id,
                     data_last_month_id, horizons, m, n, seconds, cfg])
        steps = np.tile(np.arange(1, horizons + 1), n)
        table = pa.table({
            "run_id": pa.array(np.full(n * horizons, run_id, dtype=np.int32)),
            "country_id": pa.array(np.repeat(countries["country_id"].to_numpy(np.int32), horizons)),
            "country_iso3": pa.array(np.repeat(countries["iso3"].to_numpy(object), horizons)),
            "month_id": pa.array((cutoff_month_id + steps).astype(np.int32)),
            "step": pa.array(steps.astype(np.int32)),
            **{k: pa.array(summary[k]) for k in SUMMARY_COLUMNS},
            "draws": pa.FixedSizeListArray.from_arrays(pa.array(flat.astype(np.float32).ravel()), m),
        })
        con.register("new_forecasts", table)
        con.execute("INSERT INTO forecasts SELECT run_id, country_id, country_iso3, month_id, step, "
                    + ", ".join(SUMMARY_COLUMNS) + ", draws::FLOAT[] FROM new_forecasts")
        con.unregister("new_forecasts")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return int(run_id)


def runs(con) -> pd.DataFrame:
    return con.execute("SELECT * FROM forecast_runs ORDER BY run_id").df()


def latest_run_id(con, cutoff_month_id: int | None = None, model: str | None = None) -> int | None:
    """The newest run (optionally for a cut-off and/or model)."""
    row = con.execute(*queries.latest_run_query(cutoff_month_id, model)).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def latest_forecast(con, country: str | None = None, run_id: int | None = None) -> pd.DataFrame:
    """Per country-month summaries of the newest forecast run (or ``run_id``): run_id, cutoff, country_id,
    country_iso3, month_id, month (YYYY-MM), step, mean, q05 … q95, p_ge25; ``country`` filters by ISO3.
    Empty frame if no forecast is stored."""
    run_id = run_id if run_id is not None else latest_run_id(con)
    cols = ", ".join(f"f.{c}" for c in SUMMARY_COLUMNS)
    if run_id is None:
        return pd.DataFrame(columns=["run_id", "cutoff", "country_id", "country_iso3", "month_id", "month", "step",
                                     *SUMMARY_COLUMNS])
    sql = (f"SELECT f.run_id, r.cutoff, f.country_id, f.country_iso3, f.month_id, "
           f"{queries.month_label_sql('f.month_id')} AS month, f.step, {cols} "
           "FROM forecasts f JOIN forecast_runs r USING (run_id) WHERE f.run_id = ?")
    params: list = [run_id]
    if country:
        sql += " AND f.country_iso3 = ?"
        params.append(country.upper())
    return con.execute(sql + " ORDER BY f.country_iso3, f.month_id", params).df()


def forecast_change(con, run_id: int | None = None) -> pd.DataFrame:
    """Change of mean and P(≥25) per country-month between a run and the previous run of the same model."""
    run_id = run_id if run_id is not None else latest_run_id(con)
    if run_id is None:
        return pd.DataFrame()
    prev = con.execute(*queries.previous_run_query(run_id)).fetchone()[0]
    if prev is None:
        return pd.DataFrame()
    frame = con.execute(*queries.change_query(run_id, prev)).df()
    return frame[["country_iso3", "month_id", "mean", "mean_change", "p_ge25", "p_ge25_change"]]


def draws_frame(con, run_id: int, months: list[int] | None = None) -> pd.DataFrame:
    """Long draws of a run: month_id, country_id, draw, outcome (the challenge's submission layout)."""
    sql = ("SELECT month_id, country_id, generate_subscripts(draws, 1) - 1 AS draw, unnest(draws) AS outcome "
           "FROM forecasts WHERE run_id = ?")
    params: list = [run_id]
    if months:
        sql += f" AND month_id BETWEEN {int(min(months))} AND {int(max(months))}"
    frame = con.execute(f"SELECT * FROM ({sql}) ORDER BY month_id, country_id, draw", params).df()
    return frame.astype({"month_id": "int32", "country_id": "int32", "draw": "int32", "outcome": "float64"})


def timer() -> float:
    return time.perf_counter()
