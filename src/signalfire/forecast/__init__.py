"""Probabilistic forecasts of UCDP state-based deaths per country and month (VIEWS prediction challenge protocol).

Python API (all take a DuckDB connection, e.g. ``signalfire.open(path).con``):

* ``run(con, cutoff_month_id, horizons=36, draws=1000)`` — forecast from the store's data up to the cut-off and
  store it; returns the forecast run id (month ids: 1 = January 1980; ``parse_month("2023-10")``).
* ``latest_forecast(con, country=None, run_id=None)`` — per country-month mean, quantiles q05…q95 and P(≥25).
* ``forecast_change(con, run_id=None)`` — change of mean and P(≥25) since the model's previous run.
* ``evaluate(con, years)`` — the challenge evaluation of our model and the four benchmarks.
* ``export_window(con, year, directory)`` — the challenge submission layout.
"""

from __future__ import annotations


def __getattr__(name):  # lazy: importing the package stays cheap (the CLI imports it at start)
    from importlib import import_module
    where = {"run": "runs", "history": "runs", "latest_forecast": "store", "forecast_change": "store",
             "latest_run_id": "store", "runs_table": "store", "evaluate": "evaluation.evaluate", "export_window": "export",
             "parse_month": "countries", "month_label": "countries", "challenge_countries": "countries"}
    if name not in where:
        raise AttributeError(name)
    module = import_module(f"signalfire.forecast.{where[name]}")
    return getattr(module, "runs" if name == "runs_table" else name)


__all__ = [
    "challenge_countries",
    "evaluate",
    "export_window",
    "forecast_change",
    "history",
    "latest_forecast",
    "latest_run_id",
    "month_label",
    "parse_month",
    "run",
    "runs_table",
]
