"""VIEWS's own published country-month forecasts, imported as a forecast run beside ours.

Reads the layout of VIEWS's ``predictions.csv`` (``step, country_id, month_id, step_combined, …``) where
``step_combined`` is the point forecast of ln(1 + state-based deaths).  VIEWS publishes points, not draws: the run
stores one draw per country-month, ``exp(step_combined) - 1``, so its quantiles all equal the point and P(≥25) is
0 or 1 — shown for comparison, not scored as a distribution.  The cut-off is the month before the first forecast
month.  The run's config keeps the file's SHA-256, so importing the same file again stores nothing new (it
returns the run already made).  VIEWS data: CC BY-NC 4.0 (non-commercial use, with attribution).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from signalfire.forecast.countries import challenge_countries
from signalfire.forecast.inputs import ForecastError
from signalfire.store.ingest import file_sha256

REQUIRED = ("country_id", "month_id", "step_combined")
MAX_LOG_DEATHS = float(np.log1p(1e7))


def read_published(path: Path) -> pd.DataFrame:
    path = Path(path)
    try:
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except Exception as exc:  # noqa: BLE001 - whatever the reader raises becomes one clear message
        raise ForecastError(f"{path.name}: cannot read ({str(exc).splitlines()[0]})") from None
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ForecastError(f"{path.name}: missing column(s) {', '.join(missing)}; expected VIEWS's "
                            "predictions.csv layout (step, country_id, month_id, step_combined)")
    if frame.empty:
        raise ForecastError(f"{path.name}: no rows")
    for col in REQUIRED:
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    bad = frame[list(REQUIRED)].isna().any(axis=1)
    if bad.any():
        raise ForecastError(f"{path.name}: {int(bad.sum())} rows with missing or non-numeric values "
                            f"(first at data row {int(np.flatnonzero(bad.to_numpy())[0]) + 1})")
    # ln(1 + deaths) beyond ln(1 + 10^7) (80 times the largest month on record anywhere) is no forecast: 1e6 had been
    # stored as 1.8e308 deaths, and the Forecasts page then answered 500 formatting it
    wild = ~np.isfinite(frame["step_combined"]) | (frame["step_combined"] > MAX_LOG_DEATHS)
    if wild.any():
        first = int(np.flatnonzero(wild.to_numpy())[0])
        raise ForecastError(f"{path.name}: {int(wild.sum())} rows with step_combined beyond ln(1 + 10^7) "
                            f"(first at data row {first + 1}: {frame['step_combined'].iloc[first]!r}); VIEWS's "
                            "step_combined is ln(1 + deaths)")
    return frame


def imported_run(con, sha256: str) -> int | None:
    """The run (model ``views-published``) that already holds the content of the file with this SHA-256, if any."""
    rows = con.execute("SELECT run_id, config FROM forecast_runs WHERE model = 'views-published' "
                       "ORDER BY run_id").fetchall()
    for run_id, config in rows:
        try:
            if json.loads(config or "{}").get("sha256") == sha256:
                return int(run_id)
        except (ValueError, AttributeError):
            continue
    return None


def import_published(con, path: Path, sha256: str | None = None) -> int:
    """Store VIEWS's published point forecasts as a run (model ``views-published``); returns the run id — the
    existing run's if this file's content was imported before (see :func:`imported_run`).  ``sha256``: the
    file's, if the caller has hashed it already."""
    from signalfire.forecast.store import save_forecast
    if sha256 is None:
        try:
            sha256 = file_sha256(path)
        except OSError as exc:
            raise ForecastError(f"{Path(path).name}: cannot read ({exc.strerror or exc})") from None
    existing = imported_run(con, sha256)
    if existing is not None:
        return existing
    frame = read_published(path)
    cc = challenge_countries()
    first, last = int(frame.month_id.min()), int(frame.month_id.max())
    grid = (frame.pivot_table(index="country_id", columns="month_id", values="step_combined", aggfunc="first")
            .reindex(index=cc.country_id, columns=range(first, last + 1)))
    have = grid.notna().any(axis=1).to_numpy()
    if not have.any():
        raise ForecastError(f"{Path(path).name}: no rows for the challenge's countries")
    values = np.expm1(grid.to_numpy(float)[have].clip(min=0))
    values = np.nan_to_num(values, nan=0.0)
    return save_forecast(con, cc[have].reset_index(drop=True), first - 1, values[:, :, None],
                         model="views-published", model_version=Path(path).name,
                         config={"source": str(Path(path).name), "note": "point forecasts (1 draw)",
                                 "sha256": sha256})
