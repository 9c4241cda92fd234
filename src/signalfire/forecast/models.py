"""Our model: quantile gradient boosting on log deaths, pooled over horizons, sampled into draws.

For origin month t, country i and horizon h (1 … 36 months ahead) the model predicts quantiles of
log(1 + deaths at t + h) from features of the history up to t (:mod:`.features`) and h.  One LightGBM model per
quantile level is trained on (country, origin, horizon) triples whose target month is at or before the
cut-off (a random subset of horizons per origin keeps it fast), one model per band of horizons: months 1–14 from a
model trained on horizons 1–14, months 15–36 from one trained on 1–36 (:func:`horizon_bands`; since qgbm-1.4, each
band's own model scored best on its months in validation).  Draws come from the interpolated quantile function,
with linear tails, rounded to whole deaths.  The model draws are an equal-weight ensemble of members that differ
only in the offset the target is measured from (``Config.offsets``): a tree's output is bounded by the targets it
saw, so measuring the target from the country's recent level lets the forecast move with a war at a level never seen
before.  The two members measure it from the mean log deaths of the last 3 months (responsive: follows an
escalation at once) and from the median of the last 12 (robust: one extreme month, such as Ethiopia's October 2022,
does not move it).  The features include how steady the level has been (the spread of log deaths over 6 and 12
months), which lets a long war at a steady level keep a narrow forecast.  The final forecast mixes these draws with
each country's own last 12 months (the ``conflictology`` benchmark's draws): a small share of recent history
protects against over-confident extrapolation in the few countries that dominate the CRPS.  Since qgbm-1.3 the
features also hold the previous year's non-state and one-sided violence deaths of the country and of its
neighbours (:mod:`.annual`, UCDP): organized violence of the other kinds often goes before a state-based war.
Since qgbm-1.7 no more of a forecast's draws lie above the country's own record (its largest month up to the
cut-off) than the history's share of months that went past such a record (:mod:`.records`): Ukraine's 95 %
quantile for 2023 had been 37,000 deaths a month against a record of 21,216.

Chosen on the windows 2011–2017 only (cut-offs October 2010 … 2016), never on the challenge windows 2018–2023:
mean CRPS there 0.94 × conflictology, against 0.98 × for qgbm-1.1 (offsets none / 3-month mean / 12-month mean,
3 horizons per origin).  The annual covariates of qgbm-1.3 lowered it by 0.004 on average over three seeds and
the store path, never raising it: within the noise — see docs/FORECASTS.md for the comparison.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

import numpy as np

from signalfire.forecast import records
from signalfire.forecast.features import NAMES, feature_cube

VERSION = "qgbm-1.7"
QUANTILES = (0.1, 0.3, 0.5, 0.7, 0.85, 0.95, 0.99)


@dataclass
class Config:
    quantiles: tuple[float, ...] = QUANTILES
    trees: int = 70                 # 70 trees at 0.114 since qgbm-1.6 (100 at 0.08 before: same trees × rate, 30%
    learning_rate: float = 0.8 / 7  # less CPU, scores within the seed noise; docs/FORECASTS.md, "Speed and memory")
    leaves: int = 31
    horizons_per_origin: int = 6
    bands: tuple[int, ...] = (14, 36)  # last horizon of each band; its model trains on horizons 1 … that
    blend_months: int = 6           # months over which a band's forecast moves from the previous band's (see _join)
    quiet_keep: float = 0.2          # share of training rows kept whose country had no deaths in 60 months
    first_origin: int = 24          # columns of history before the first training origin
    history_share: float = 0.25     # share of draws taken from the country's own last 12 months
    recency_halflife: float = 0.0   # years; > 0 weights recent training origins more
    upper_tail: float = 1.0         # slope factor of the linear tail above the last quantile (0: flat)
    upper_scale: float = 1.0        # < 1 draws the upper half of each forecast towards its median (shrink_upper)
    hold_to_record: bool = True     # at most the history's share of draws above a country's record (qgbm-1.7)
    scale_weight: float = 0.0       # > 0 weights training rows by (1 + recent deaths/month) ** scale_weight
    offsets: tuple[str, ...] = ("mean3", "med12")  # ensemble members: feature the target is measured from
    threads: int = 1                # LightGBM threads per fit (2 is slower on a busy 2-core machine) …
    workers: int = 2                # … and fits (members × bands) run at once, in threads
    seed: int = 0
    params: dict = field(default_factory=dict)


FAST = Config(quantiles=(0.1, 0.5, 0.9, 0.99), trees=20, horizons_per_origin=1, offsets=("", "mean3"))
CONFIGS = {"full": Config(), "fast": FAST}


def horizon_bands(horizons: int, cfg: Config) -> list[tuple[int, int, int]]:
    """(first, last, trained to) for each band of the horizons 1 … ``horizons``: the band's months come from a model
    trained on horizons 1 … ``trained to`` (``Config.bands``).

    The first 14 months (the challenge window's horizons from an October cut-off) come from a model trained on
    horizons 1–14, months 15–36 from one trained on 1–36: on the validation windows each scored better on its own
    months than the other (docs/FORECASTS.md).  A band's model is the same however many of its months a run asks
    for, so a month's forecast is the same whether a run asks for 14 months (an evaluation window) or 36
    (``forecast run``, whose export the hidden window scores).  The last band stretches to ``horizons`` if that is
    further."""
    out, first = [], 1
    for i, end in enumerate(cfg.bands):
        if first > horizons:
            break
        if i == len(cfg.bands) - 1:
            end = max(end, horizons)
        out.append((first, min(end, horizons), end))
        first = end + 1
    return out


def training_rows(T: int, n: int, horizons: int, cfg: Config, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(country, origin, horizon) index triples, ``cfg.horizons_per_origin`` random horizons of 1 … ``horizons``
    for every origin, with target month ≤ T - 1 (the cut-off column)."""
    origins = np.arange(cfg.first_origin, T - 1)
    ii, tt = np.meshgrid(np.arange(n), origins, indexing="ij")
    ii, tt = ii.ravel(), tt.ravel()
    k = cfg.horizons_per_origin
    hh = rng.integers(1, horizons + 1, size=(len(ii), k))
    ii, tt, hh = np.repeat(ii, k), np.repeat(tt, k), hh.ravel()
    keep = tt + hh <= T - 1
    return ii[keep], tt[keep], hh[keep]


def _jobs(Y: np.ndarray, cube: np.ndarray, horizons: int, cfg: Config, offset: str) -> list:
    """One job (a function of no arguments) per band of horizons, returning that band's quantiles (n, months, Q)."""
    base = cube[:, :, NAMES.index(offset)] if offset else np.zeros(Y.shape)
    return [functools.partial(_fit_band, Y, cube, base, trained_to, np.arange(first, last + 1), cfg)
            for first, last, trained_to in horizon_bands(horizons, cfg)]


def fit_predict_quantiles(Y: np.ndarray, adj: np.ndarray, horizons: int, cfg: Config,
                          offset: str = "", annual: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Quantiles of log1p(deaths) for months T … T+horizons-1 after the last column of Y: (n, horizons, Q), from
    one model per band of horizons (:func:`horizon_bands`).

    With ``offset`` (a feature name, e.g. ``"mean3"``) the trees learn log1p(deaths) minus that feature and it is
    added back: a tree's output is bounded by the targets it saw, so without an offset a conflict at a level never
    seen before is pulled down towards the levels of the past; with it the forecast moves with the country's level."""
    return _join([job() for job in _jobs(Y, feature_cube(Y, adj, annual), horizons, cfg, offset)], cfg)


def _join(parts: list[np.ndarray], cfg: Config) -> np.ndarray:
    """The bands' quantiles (n, months, Q) side by side.  Over the first ``cfg.blend_months`` months of a later band
    its quantiles move linearly from the previous band's last month to its own, so the fan chart does not step where
    the model changes (the first band, the months the challenge scores, is never changed)."""
    out = [parts[0]]
    for part in parts[1:]:
        k = min(cfg.blend_months, part.shape[1])
        if k:
            w = (np.arange(1, k + 1) / (cfg.blend_months + 1))[None, :, None]  # weight of the band's own model
            part = part.copy()
            part[:, :k] = (1 - w) * out[-1][:, -1:] + w * part[:, :k]
        out.append(part)
    return np.concatenate(out, axis=1)


def _fit_band(Y, cube, base, trained_to: int, ahead: np.ndarray, cfg: Config) -> np.ndarray:
    """Train the quantile models on horizons 1 … ``trained_to`` and predict the horizons ``ahead`` from the last
    column: (n, len(ahead), Q).  Its own random generator, so a band's model does not depend on the others."""
    import lightgbm as lgb
    n, T = Y.shape
    rng = np.random.default_rng(cfg.seed)
    ii, tt, hh = training_rows(T, n, trained_to, cfg, rng)
    quiet = cube[ii, tt, NAMES.index("max60")] == 0
    keep = ~quiet | (rng.random(len(ii)) < cfg.quiet_keep)
    ii, tt, hh, quiet = ii[keep], tt[keep], hh[keep], quiet[keep]
    weight = np.where(quiet, 1 / cfg.quiet_keep, 1.0)  # the kept quiet rows stand for the dropped ones
    if cfg.recency_halflife > 0:
        weight = weight * 0.5 ** ((T - 1 - tt) / (12 * cfg.recency_halflife))
    if cfg.scale_weight > 0:
        weight = weight * (1 + np.expm1(cube[ii, tt, NAMES.index("mean12")])) ** cfg.scale_weight
    X = np.column_stack([cube[ii, tt, :], hh])
    target = np.log1p(Y[ii, tt + hh]) - base[ii, tt]
    Xp = np.column_stack([np.repeat(cube[:, T - 1, :], len(ahead), axis=0), np.tile(ahead, n)])
    data = lgb.Dataset(X, target, weight=weight, free_raw_data=False, params={"max_bin": 63, "verbose": -1})
    out = np.empty((n * len(ahead), len(cfg.quantiles)))
    for j, q in enumerate(cfg.quantiles):
        params = {"objective": "quantile", "alpha": q, "learning_rate": cfg.learning_rate,
                  "num_leaves": cfg.leaves, "min_data_in_leaf": 50, "bagging_fraction": 0.7, "bagging_freq": 1,
                  "feature_fraction": 0.8, "num_threads": cfg.threads, "seed": cfg.seed, "verbose": -1,
                  "max_bin": 63, "force_row_wise": True, **cfg.params}  # row-wise is what LightGBM chose
        # by timing both ways at every fit (0.08 s each); the histograms, so the trees, are the same either way
        booster = lgb.train(params, data, num_boost_round=cfg.trees)
        out[:, j] = booster.predict(Xp, num_threads=cfg.threads) + np.repeat(base[:, T - 1], len(ahead))
    out = np.maximum(np.sort(out, axis=1), 0)
    return out.reshape(n, len(ahead), len(cfg.quantiles))


def sample_quantiles(qvals: np.ndarray, levels, draws: int, upper_tail: float = 1.0) -> np.ndarray:
    """Draws (…, draws) from quantile values (…, Q) of log1p(deaths) at ``levels``: piecewise-linear quantile
    function with linear tails to u = 0 and u = 1 (clipped at 0), evaluated at u = (k + ½)/draws."""
    levels = np.asarray(levels, dtype=float)
    lo = qvals[..., :1] - (qvals[..., 1:2] - qvals[..., :1]) * levels[0] / (levels[1] - levels[0])
    hi = qvals[..., -1:] + upper_tail * (qvals[..., -1:] - qvals[..., -2:-1]) * (1 - levels[-1]) / (levels[-1] - levels[-2])
    grid = np.concatenate([[0.0], levels, [1.0]])
    vals = np.maximum(np.concatenate([lo, qvals, hi], axis=-1), 0)
    u = (np.arange(draws) + 0.5) / draws
    pos = np.clip(np.searchsorted(grid, u, side="right") - 1, 0, len(grid) - 2)
    w = (u - grid[pos]) / (grid[pos + 1] - grid[pos])
    logd = vals[..., pos] * (1 - w) + vals[..., pos + 1] * w
    return np.expm1(logd)


def tail_bound(Y: np.ndarray) -> float:
    """The largest number of deaths a draw may take: the largest month on record in any country up to the
    cut-off (the history ``Y``; at least 1).  The quantile function's linear upper tail, taken through
    exp(log-deaths), can reach millions a month (Ethiopia 2023: 2.5 million, 20 times the record); no month of the
    record comes near that, so such draws are set to the record instead (since qgbm-1.5)."""
    return float(max(np.nanmax(Y, initial=0.0), 1.0))


def shrink_upper(draws: np.ndarray, scale: float) -> np.ndarray:
    """The draws (… × draws) with the upper half of each forecast drawn towards its median by ``scale`` on the
    log scale: log1p(x) → m + scale · (log1p(x) − m) for draws above the median m (rounded to whole deaths; the
    order of the draws and the lower half are kept).  ``scale`` 1 leaves them as they are.  The rolling evaluation
    chooses it among :data:`UPPER_SCALES` on the windows before each one scored (:mod:`.rolling`): the 90% interval
    of the unscaled forecast covered 97–98% of the country-months, wider than a 90% interval should."""
    if scale == 1:
        return draws
    L = np.log1p(np.asarray(draws, dtype=float))
    m = np.median(L, axis=-1, keepdims=True)
    return np.rint(np.expm1(np.where(L > m, m + scale * (L - m), L)))


UPPER_SCALES = (0.9, 0.8, 0.7, 0.6)   # the candidates the rolling evaluation scores besides 1 (docs/FORECASTS.md)


def scale_spread(draws: np.ndarray, scale: float) -> np.ndarray:
    """The draws (… × draws) with each forecast's whole spread scaled around its median on the log scale:
    log1p(x) → m + scale · (log1p(x) − m) for every draw, m the median of log1p(x) (clipped at 0 deaths, rounded
    to whole deaths; the order of the draws is kept).  ``scale`` < 1 narrows every interval, > 1 widens it; 1
    leaves the draws as they are.  A candidate of the rolling choice (:data:`SPREAD_SCALES`): the 90% interval
    covered 97% of the country-months, so a narrower forecast might score better (docs/FORECASTS.md)."""
    if scale == 1:
        return draws
    L = np.log1p(np.asarray(draws, dtype=float))
    m = np.median(L, axis=-1, keepdims=True)
    return np.rint(np.expm1(np.maximum(m + scale * (L - m), 0)))


SPREAD_SCALES = (0.8, 0.9, 1.1)       # the candidates the rolling evaluation scores besides 1 (docs/FORECASTS.md)


def forecast(Y: np.ndarray, adj: np.ndarray, horizons: int = 36, draws: int = 1000,
             cfg: Config | None = None, annual: dict[str, np.ndarray] | None = None, progress=None) -> np.ndarray:
    """Draws (countries × horizons × draws) of deaths for the months after the last column of Y; ``annual`` the
    annual covariates aligned to Y's columns (:func:`signalfire.forecast.annual.monthly`).  ``progress(done,
    total)`` is called as each model fit (one per member and band of horizons) finishes."""
    cfg = cfg or Config()
    k_hist = round(draws * cfg.history_share)
    members = cfg.offsets or ("",)
    share = np.diff(np.round(np.linspace(0, draws - k_hist, len(members) + 1))).astype(int)
    cube = feature_cube(Y, adj, annual)
    jobs = [_jobs(Y, cube, horizons, cfg, off) for off in members]
    with ThreadPoolExecutor(max(cfg.workers, 1)) as pool:  # LightGBM releases the GIL while it trains
        futures = [[pool.submit(job) for job in member] for member in jobs]
        every = [f for member in futures for f in member]
        if progress:
            progress(0, len(every))
            for done, _ in enumerate(as_completed(every), start=1):
                progress(done, len(every))
        quantiles = [_join([f.result() for f in member], cfg) for member in futures]
    model = np.concatenate([sample_quantiles(q, cfg.quantiles, k, cfg.upper_tail) for q, k in zip(quantiles, share)],
                           axis=2)
    # deaths are counts: a draw of 0.3 is no possible outcome, and with it an observed 0 would sit below the
    # draws near 0 (the PIT's top decile then looked empty: an artefact, not a too-wide upper tail)
    model = np.rint(model)
    model = np.minimum(model, tail_bound(Y))
    if k_hist:
        recent = Y[:, -12:]
        idx = (np.arange(k_hist) * 12) // k_hist  # each of the 12 months equally often
        hist = np.broadcast_to(recent[:, None, idx], (Y.shape[0], horizons, k_hist))
        model = np.concatenate([model, hist], axis=2)
    if cfg.hold_to_record:  # since qgbm-1.7: draws past the country's own record no likelier than in the history
        model = records.hold_to_record(model, Y)
    return shrink_upper(model, cfg.upper_scale)
