"""Features for the country-month models, computed from the panel only up to each origin month.

``Y`` is a (countries × months) array of deaths; column ``t`` holds the month ``first + t``.  Every feature of
origin ``t`` uses columns ``≤ t`` only (the leakage test checks this end to end).  Neighbours come from the land
borders of the shipped Natural Earth polygons (:func:`signalfire.geo.borders.land_borders`).  The annual
covariates (non-state and one-sided violence deaths, :mod:`.annual`) come aligned to the same columns, each column
holding only what was known in that month (the value of the year before).
"""

from __future__ import annotations

import numpy as np

LONG = 60  # months of history a feature may look back (the "long mean")
NAMES = ("lag0", "lag1", "lag2", "mean3", "mean6", "mean12", "mean24", "mean60", "max12", "max60",
         "ewm6", "ewm24", "since1", "since25", "share12", "nb_mean12", "nb_lag0", "nb_max12", "nb_count12",
         "world12", "med6", "med12", "sd6", "sd12", "ns_year", "os_year", "nb_ns_year", "nb_os_year")


def adjacency(iso3: list[str]) -> np.ndarray:
    """Land-border adjacency (countries × countries, 0/1) for the given ISO3 codes.  The borders ship with the
    package: a broken install fails here rather than silently forecasting without neighbours."""
    from signalfire.geo.borders import land_borders
    a = np.zeros((len(iso3), len(iso3)))
    borders = land_borders()
    index = {c: i for i, c in enumerate(iso3)}
    for c, nbs in borders.items():
        if c in index:
            for n in nbs:
                if n in index:
                    a[index[c], index[n]] = 1.0
    return a


def _rolling(x: np.ndarray, k: int, how: str) -> np.ndarray:
    """Rolling mean/max over the last k columns (fewer at the start), per row."""
    n, t = x.shape
    if how == "mean":
        c = np.concatenate([np.zeros((n, 1)), np.cumsum(x, axis=1)], axis=1)
        lo = np.maximum(np.arange(t) - k + 1, 0)
        return (c[:, 1:] - c[:, lo]) / (np.arange(t) - lo + 1)
    pad = np.concatenate([np.full((n, k - 1), -np.inf), x], axis=1)
    view = np.lib.stride_tricks.sliding_window_view(pad, k, axis=1)
    return view.max(axis=2)


def _median(x: np.ndarray, k: int) -> np.ndarray:
    """Rolling median over the last k columns (the first k-1 columns repeat the first value as padding): a level
    that one extreme month does not move."""
    pad = np.concatenate([np.repeat(x[:, :1], k - 1, axis=1), x], axis=1)
    return np.median(np.lib.stride_tricks.sliding_window_view(pad, k, axis=1), axis=2)


def _sd(x: np.ndarray, k: int) -> np.ndarray:
    """Rolling standard deviation over the last k columns (fewer at the start): how steady the level is."""
    m = _rolling(x, k, "mean")
    return np.sqrt(np.maximum(_rolling(x * x, k, "mean") - m * m, 0))


def _ewm(x: np.ndarray, halflife: float) -> np.ndarray:
    alpha = 1 - 0.5 ** (1 / halflife)
    out = np.empty_like(x)
    acc = x[:, 0].copy()
    for j in range(x.shape[1]):
        acc = alpha * x[:, j] + (1 - alpha) * acc if j else acc
        out[:, j] = acc
    return out


def _since(mask: np.ndarray, cap: int = 120) -> np.ndarray:
    out = np.empty(mask.shape)
    cur = np.full(mask.shape[0], float(cap))
    for j in range(mask.shape[1]):
        cur = np.where(mask[:, j], 0.0, np.minimum(cur + 1, cap))
        out[:, j] = cur
    return out


def feature_cube(Y: np.ndarray, adj: np.ndarray, annual: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """All features for every origin: array (countries × months × features), column t using Y[:, :t+1] only.

    ``annual``: the annual covariates ``ns`` and ``os`` (deaths, countries × months like Y, see
    :func:`.annual.monthly`); without them those features are missing (NaN), which the trees treat as unknown."""
    L = np.log1p(Y)
    nb_sum = adj @ Y
    nb_L = np.log1p(nb_sum)
    active = (Y > 0).astype(float)
    world = np.log1p(Y.sum(axis=0, keepdims=True))
    cols = [
        L, np.concatenate([L[:, :1], L[:, :-1]], axis=1), np.concatenate([L[:, :1], L[:, :1], L[:, :-2]], axis=1),
        _rolling(L, 3, "mean"), _rolling(L, 6, "mean"), _rolling(L, 12, "mean"), _rolling(L, 24, "mean"),
        _rolling(L, LONG, "mean"), _rolling(L, 12, "max"), _rolling(L, LONG, "max"),
        _ewm(L, 6), _ewm(L, 24), _since(Y >= 1), _since(Y >= 25), _rolling(active, 12, "mean"),
        _rolling(nb_L, 12, "mean"), nb_L, _rolling(nb_L, 12, "max"), _rolling(adj @ active, 12, "mean"),
        np.repeat(_rolling(world, 12, "mean"), Y.shape[0], axis=0), _median(L, 6), _median(L, 12),
        _sd(L, 6), _sd(L, 12),
    ]
    for key in ("ns", "os"):
        cols.append(np.log1p(annual[key]) if annual is not None else np.full(Y.shape, np.nan))
    for key in ("ns", "os"):
        cols.append(np.log1p(adj @ annual[key]) if annual is not None else np.full(Y.shape, np.nan))
    return np.stack(cols, axis=2)
