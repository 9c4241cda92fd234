"""The reference forecaster: quantile LightGBM on each country's own deaths history alone — a simple model that a
forecast worth its complexity must beat out of sample (issue: "a reference to beat").

For country i, origin month t (the last month known) and horizon h, the features are computed from Y[i, ≤ t]:

* log(1 + deaths) of the last 12 months (lags 0 … 11);
* the means of log(1 + deaths) over the last 3, 12 and 36 months;
* the maxima of log(1 + deaths) over the last 12 and 36 months;
* the standard deviation of log(1 + deaths) over the last 12 months;
* the months since the last month with a death (the whole history if none);
* the horizon h;

and the target is log(1 + deaths at t + h).  Origins are the months of the last ``years`` years whose targets are
known at the cut-off, horizons those being scored (3–14 for the challenge's windows: October cut-off, January to
December of the next year), two of them drawn at random per country and origin.  One model per quantile level (``levels`` equally spaced levels (k + ½)/levels); draws
come from the piecewise-linear quantile function between them (flat beyond the outer levels), taken back through
exp(·) - 1 and rounded to whole deaths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FEATURES = (*(f"lag{k}" for k in range(12)), "mean3", "mean12", "mean36", "max12", "max36", "sd12", "since",
            "horizon")


@dataclass(frozen=True)
class ReferenceConfig:
    levels: int = 50            # quantile levels (k + ½) / levels
    years: int = 12             # origins over the last 12 years
    per_origin: int = 2         # horizons drawn per country and origin
    trees: int = 100
    learning_rate: float = 0.08
    leaves: int = 15
    seed: int = 0


def features(L: np.ndarray, t: int) -> np.ndarray:
    """The features (countries × len(FEATURES) - 1, without the horizon) at origin column ``t`` of the log panel
    ``L`` = log1p(deaths); columns before the first are taken as 0."""
    n = L.shape[0]
    pad = np.concatenate([np.zeros((n, 36)), L[:, :t + 1]], axis=1)   # the last 36 columns always exist
    last36 = pad[:, -36:]
    lags = last36[:, ::-1][:, :12]
    newest_first = L[:, t::-1] > 0
    since = np.where(newest_first.any(axis=1), np.argmax(newest_first, axis=1), t + 1)
    return np.column_stack([lags, last36[:, -3:].mean(axis=1), last36[:, -12:].mean(axis=1), last36.mean(axis=1),
                            last36[:, -12:].max(axis=1), last36.max(axis=1), last36[:, -12:].std(axis=1), since])


def training_set(L: np.ndarray, steps: list[int], years: int, per_origin: int,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Rows (country, origin, horizon) whose target month is at or before the last column of ``L``: for each
    country and origin of the last ``years`` years, ``per_origin`` of the horizons drawn at random (all of them
    would repeat each origin's features 12 times over for little gain, at 12 times the training time)."""
    T = L.shape[1]
    X, y = [], []
    steps = np.asarray(steps)
    for t in range(max(T - 1 - steps.min() - 12 * years + 1, 0), T - steps.min()):
        f = features(L, t)
        h = rng.choice(steps, size=(len(f), per_origin))
        ok = t + h < T
        rows, cols = np.nonzero(ok)
        X.append(np.column_stack([f[rows], h[rows, cols]]))
        y.append(L[rows, t + h[rows, cols]])
    return np.concatenate(X), np.concatenate(y)


def forecast(Y: np.ndarray, steps: list[int], draws: int = 1000, cfg: ReferenceConfig | None = None) -> np.ndarray:
    """Draws (countries × len(steps) × draws) of deaths ``steps`` months after the last column of ``Y``."""
    import lightgbm as lgb
    cfg = cfg or ReferenceConfig()
    L = np.log1p(np.asarray(Y, dtype=float))
    X, y = training_set(L, list(steps), cfg.years, cfg.per_origin, np.random.default_rng(cfg.seed))
    levels = (np.arange(cfg.levels) + 0.5) / cfg.levels
    now = features(L, L.shape[1] - 1)
    Xp = np.concatenate([np.column_stack([now, np.full(len(now), h)]) for h in steps])
    data = lgb.Dataset(X, y, free_raw_data=False, params={"max_bin": 63, "verbose": -1})
    q = np.empty((len(Xp), cfg.levels))
    for j, alpha in enumerate(levels):
        params = {"objective": "quantile", "alpha": float(alpha), "learning_rate": cfg.learning_rate,
                  "num_leaves": cfg.leaves, "min_data_in_leaf": 50, "seed": cfg.seed, "deterministic": True,
                  "num_threads": 1, "verbose": -1}
        q[:, j] = lgb.train(params, data, num_boost_round=cfg.trees).predict(Xp, num_threads=1)
    q = np.maximum(np.sort(q, axis=1), 0)                   # quantiles do not cross, deaths are not negative
    u = (np.arange(draws) + 0.5) / draws
    logd = np.stack([np.interp(u, levels, row) for row in q])   # flat beyond the outer levels
    out = np.rint(np.expm1(logd))
    n = Y.shape[0]
    return out.reshape(len(steps), n, draws).transpose(1, 0, 2)
