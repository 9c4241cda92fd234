"""How often a country's month goes past its own record, and draws held to that rate (since qgbm-1.7).

A country's **record** at month t is its largest month of deaths up to t.  In the VIEWS country-month file
(1990–2023), months 3–14 after an origin went past the country's record at that origin in 0.2–1.8 % of
country-months, depending on the record's size, and far more often where the country's recent level was near its
record: 0.1–1.1 % of months when the last 3 months' mean was below a tenth of the record, 4.7–22 % when it was at
half or more (docs/FORECASTS.md, *Changes of 2026-12-01: draws held to the record's rate*).  A forecast whose 95 % quantile lies well above
the record says something the history does not: Ukraine's 95 % quantile for 2023 was about 37,000 deaths a month,
its record 21,216 and its last 3 months a fifth of that.

:func:`exceedance_rates` measures that rate in the history up to the cut-off, per class of record (size ×
nearness, :func:`record_class`) and per horizon; :func:`hold_to_record` keeps at most that share of each
country-month's draws above the country's record and sets the other draws above it to the record.  The draws at or
below the record, the draws' positions and the largest draws are kept; nothing is tuned on a scored window (the
rates come from the history the forecast is made from).
"""

from __future__ import annotations

import numpy as np

from signalfire.forecast.features import _rolling

# sizes of record (deaths in the country's largest month) whose rates are measured apart: never any death; fewer
# than 25 (the challenge's threshold); 25–99; 100–999; 1,000–4,999; 5,000 and more …
RECORD_EDGES = (1.0, 25.0, 100.0, 1000.0, 5000.0)
# … and how near the country's recent level (the mean of its last 3 months) is to its record: a country at its
# record goes past it far more often (in the VIEWS file, months 3–14 ahead: 0.1–1.1 % below a tenth of the
# record, 4.7–22 % from half of it)
NEAR_EDGES = (0.1, 0.25, 0.5)
MIN_PAIRS = 200   # a class and horizon with fewer (country, origin) pairs takes its nearness's rate (exceedance_rates)
RATE_HORIZONS = 36  # rates are counted for horizons 1 … 36 (at least), however many months a forecast asks for,
# so a month's draws are held the same way in a 14-month evaluation and a 36-month run (a thin nearness's rate is
# pooled over these horizons)


def record_class(record: np.ndarray, recent: np.ndarray) -> np.ndarray:
    """The class of each (record, recent level): size of record (RECORD_EDGES) × nearness (NEAR_EDGES)."""
    record, recent = np.asarray(record, dtype=float), np.asarray(recent, dtype=float)
    size = np.searchsorted(np.asarray(RECORD_EDGES), record, side="right")
    near = np.searchsorted(np.asarray(NEAR_EDGES), recent / np.maximum(record, 1.0), side="right")
    return size * (len(NEAR_EDGES) + 1) + near


CLASSES = (len(RECORD_EDGES) + 1) * (len(NEAR_EDGES) + 1)


def recent_level(Y: np.ndarray) -> np.ndarray:
    """The mean of the last 3 months up to each month (fewer at the start)."""
    return _rolling(np.asarray(Y, dtype=float), 3, "mean")


def exceedance_rates(Y: np.ndarray, horizons: int) -> np.ndarray:
    """(CLASSES, horizons): for each class (:func:`record_class`) and each horizon h = 1 … ``horizons``, the share
    of (country, origin t) pairs of the history ``Y`` (countries × months, NaN for no value) whose month t + h went
    past the country's record at t.  Only pairs with t + h within ``Y`` count, so nothing after the cut-off is
    read.

    A class and horizon with fewer than MIN_PAIRS pairs (a handful of countries: the largest wars near their record)
    takes the rate of its nearness over every size of record (at least one death) at that horizon: nearness is what
    the rate depends on most (0.1–1.1 % of months far below the record, 4.7–22 % at half of it or more, whatever the
    size).  If that too has fewer than MIN_PAIRS pairs, the nearness's rate over all horizons (0 if it has none)."""
    Y = np.nan_to_num(np.asarray(Y, dtype=float))
    record = np.maximum.accumulate(Y, axis=1)
    cls = record_class(record, recent_level(Y))
    hits = np.zeros((CLASSES, horizons))
    seen = np.zeros((CLASSES, horizons))
    T = Y.shape[1]
    for h in range(1, min(horizons, T - 1) + 1):
        past = Y[:, h:] > record[:, :T - h]
        c = cls[:, :T - h].ravel()
        hits[:, h - 1] = np.bincount(c, weights=past.ravel(), minlength=CLASSES)
        seen[:, h - 1] = np.bincount(c, minlength=CLASSES)
    k = len(NEAR_EDGES) + 1
    near_hits = hits[k:].reshape(-1, k, horizons).sum(axis=0)   # (nearness, horizons), sizes with a death
    near_seen = seen[k:].reshape(-1, k, horizons).sum(axis=0)
    near_all = np.divide(near_hits.sum(1), near_seen.sum(1), out=np.zeros(k), where=near_seen.sum(1) > 0)
    near = np.where(near_seen >= MIN_PAIRS, near_hits / np.maximum(near_seen, 1), near_all[:, None])
    fallback = near[np.arange(CLASSES) % k]
    return np.where(seen >= MIN_PAIRS, hits / np.maximum(seen, 1), fallback)


def hold_to_record(draws: np.ndarray, Y: np.ndarray, first_horizon: int = 1,
                   rates: np.ndarray | None = None) -> np.ndarray:
    """The draws (countries × months × draws; month j is horizon ``first_horizon`` + j) with at most the
    history's share of each country-month's draws above the country's record (:func:`exceedance_rates` for the
    country's class at the cut-off, counted over RATE_HORIZONS horizons, rounded up to whole draws): of the draws
    above the record, the largest that many are kept and the others set to the record.  ``Y``: the history to the
    cut-off (countries × months), whose largest month per country is its record."""
    draws = np.asarray(draws, dtype=float)
    _, months, m = draws.shape
    last = first_horizon + months - 1
    Y = np.nan_to_num(np.asarray(Y, dtype=float))
    if rates is None:
        rates = exceedance_rates(Y, max(last, RATE_HORIZONS))
    record = Y.max(axis=1)
    cls = record_class(record, recent_level(Y)[:, -1])
    allowed = np.ceil(rates[cls][:, first_horizon - 1:last] * m - 1e-9).astype(int)
    above = draws > record[:, None, None]
    busy = above.sum(axis=2) > allowed  # the country-months with more draws above the record than allowed
    if not busy.any():
        return draws
    out = draws.copy()
    sub = draws[busy]                                                  # (k, draws)
    rank = np.argsort(np.argsort(sub, axis=1, kind="stable"), axis=1, kind="stable")  # 0 = smallest
    cap = np.broadcast_to(record[:, None], busy.shape)[busy][:, None]
    out[busy] = np.where((sub > cap) & (rank < m - allowed[busy][:, None]), cap, sub)
    return out
