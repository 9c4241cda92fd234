"""Running our model from the store: the panel up to a cut-off month in (:mod:`.inputs`), draws for the months after
it and the onset risks (:mod:`.onset`) stored as one forecast run."""

from __future__ import annotations

import contextlib
import dataclasses
import time

from signalfire.analysis.panel import last_month_id
from signalfire.forecast import annual, models
from signalfire.forecast.countries import challenge_countries
from signalfire.forecast.inputs import covariates, forecast_draws, history


def run(con, cutoff_month_id: int, horizons: int = 36, draws: int = 1000, cfg: models.Config | None = None,
        write_lock=None, progress=None) -> int:
    """Forecast from the store's data up to the cut-off and store the draws; returns the forecast run id.

    ``write_lock`` (e.g. the server's writer lock) is held only while the draws are written, not while the model
    runs, so other writers are not held up for the half minute a forecast takes.  ``progress(done, total)``: as
    each model fit finishes (:func:`.models.forecast`)."""
    from signalfire.forecast.store import save_forecast
    started = time.perf_counter()
    hist = history(con, cutoff_month_id)
    cfg = cfg or models.Config()
    frame = annual.values(con)
    out = forecast_draws(hist, horizons, draws, cfg, covariates(con, hist, frame), progress=progress)
    # the last year of annual data the forecast saw: the year before the cut-off's, or earlier if the data end there
    known = min(annual.last_year_over(cutoff_month_id), int(frame["year"].max()))
    from signalfire.forecast import onset  # the risk of new conflict, stored with the run (forecast/onset.py)
    risk = onset.predict(con, hist, annual_frame=frame)
    with write_lock or contextlib.nullcontext():
        run_id = save_forecast(con, challenge_countries(), cutoff_month_id, out, model="qgbm",
                               model_version=models.VERSION, data_last_month_id=last_month_id(con),
                               seconds=time.perf_counter() - started,
                               config={**dataclasses.asdict(cfg), "annual_covariates_to": known,
                                       "onset_model": onset.VERSION})
        onset.save(con, run_id, risk)
        return run_id
