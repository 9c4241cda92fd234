"""What a forecast is made from: the store's deaths to a cut-off month and the annual covariates aligned to them, and
our model's draws from those (:mod:`.runs` stores them; :mod:`.evaluation` and :mod:`.onset` use them too)."""

from __future__ import annotations

import numpy as np

from signalfire.analysis.panel import last_month_id, panel_matrix
from signalfire.forecast import annual, models
from signalfire.forecast.countries import challenge_countries, month_label
from signalfire.forecast.features import adjacency

FIRST_MONTH = 121  # January 1990: UCDP GED (and the VIEWS country-month file) start here


class ForecastError(Exception):
    """A forecast cannot be made (no data, data ending before the cut-off, …); the message says why."""


def history(con, cutoff_month_id: int) -> np.ndarray:
    """Deaths of the challenge countries from January 1990 to the cut-off month (countries × months)."""
    last = last_month_id(con)
    if last is None:
        raise ForecastError("the store holds no UCDP state-based deaths: ingest a VIEWS country-month file "
                            "(signalfire ingest views-cm FILE) or UCDP GED events first")
    if last < cutoff_month_id:
        raise ForecastError(f"the store's data end in {month_label(last)}, before the cut-off "
                            f"{month_label(cutoff_month_id)}: ingest newer data or choose an earlier cut-off")
    if cutoff_month_id < FIRST_MONTH + 36:
        raise ForecastError(f"cut-off {month_label(cutoff_month_id)} leaves less than 3 years of history")
    return panel_matrix(con, list(challenge_countries()["iso3"]), FIRST_MONTH, cutoff_month_id)


def covariates(con, hist: np.ndarray, frame=None) -> dict[str, np.ndarray]:
    """The annual covariates (:mod:`.annual`: the shipped UCDP excerpt and the store's ``ucdp-cy`` values, or
    ``frame`` if given) aligned to the columns of ``hist`` (January 1990 onwards)."""
    frame = annual.values(con) if frame is None else frame
    return annual.monthly(frame, list(challenge_countries()["iso3"]), FIRST_MONTH, hist.shape[1])


def forecast_draws(hist: np.ndarray, horizons: int = 36, draws: int = 1000, cfg: models.Config | None = None,
                   covars: dict[str, np.ndarray] | None = None, progress=None) -> np.ndarray:
    """Our model's draws (countries × horizons × draws) for the months after the last column of ``hist``, with the
    annual covariates ``covars`` (:func:`covariates`)."""
    adj = adjacency(list(challenge_countries()["iso3"]))
    return models.forecast(hist, adj, horizons=horizons, draws=draws, cfg=cfg, annual=covars, progress=progress)
