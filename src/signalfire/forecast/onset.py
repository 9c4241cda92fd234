"""Onset risk: for countries quiet at the cut-off, the probability of a new state-based conflict within a year.

A country is **quiet** at cut-off month t when it had at most 25 UCDP state-based deaths in every month of the 12
months to t (t included).  Its **onset** at threshold k (25 or 100) is some month of the 12 after t with at least k
deaths.  A LightGBM binary classifier learns P(onset ≥ 25) from the quiet country-months before the cut-off: every origin month t' from January 1993 whose 12 following months are over by the cut-off (t' + 12 ≤ t),
with the features of :mod:`.onset_features` at t'.  So training, like the features, uses only data up to the
cut-off (``tests/test_forecast_onset.py`` checks this end to end for every input).  Onsets of ≥ 100 are too rare
for a classifier of their own (25 in the 18 windows 2005–2022; one scored worse than the base rate on the windows
it was chosen on): P(≥ 100) = P(≥ 25) × the share of the training period's onsets that reached 100.

The forecaster's draws are not used: :func:`.models.forecast` samples each month's quantile function at the same
levels, so its draws are comonotone across months rather than joint paths, and P(some month ≥ k) from them rests
on that assumption (it is the largest of the months' marginal probabilities).  :func:`draws_risk` computes it, as
a benchmark.

Scores (one function each, formulas in the docstrings): :func:`brier_score`, :func:`brier_skill`,
:func:`average_precision`, :func:`reliability`.  :func:`evaluate` scores rolling windows (cut-off October of each
year) against the base rate (the training-period onset frequency) and benchmarks (:data:`BENCHMARKS`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from signalfire.forecast import onset_features

VERSION = "onset-1.0"
QUIET = 25                 # at most this many deaths in every month of the 12 to the cut-off …
THRESHOLDS = (25, 100)     # … and the onsets: some month of the next 12 with at least this many
AHEAD = 12
BENCHMARKS = ("base_rate", "conflictology", "history60")
RELIABILITY_EDGES = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)


@dataclass(frozen=True)
class OnsetConfig:
    trees: int = 200
    learning_rate: float = 0.02
    leaves: int = 7
    min_data_in_leaf: int = 300
    first_origin: int = 36     # columns of history (from January 1990) before the first training origin
    threads: int = 1
    seed: int = 0


FAST = OnsetConfig(trees=20, min_data_in_leaf=5)


# ---------------------------------------------------------------------------------------------- the events

def quiet(Y: np.ndarray, t: int) -> np.ndarray:
    """Countries with at most QUIET deaths in every month of the 12 to column ``t`` (t included)."""
    return Y[:, max(t - 11, 0):t + 1].max(axis=1) <= QUIET


def onset(Y: np.ndarray, t: int, k: int) -> np.ndarray:
    """Countries with at least ``k`` deaths in some month of the AHEAD columns after ``t``."""
    return Y[:, t + 1:t + 1 + AHEAD].max(axis=1) >= k


# ---------------------------------------------------------------------------------------------- the scores

def brier_score(p, y) -> float:
    """Brier score of probabilities p for binary outcomes y (lower is better):  BS = (1/n) Σᵢ (pᵢ - yᵢ)²."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    return float(np.mean((p - y) ** 2)) if len(p) else float("nan")


def brier_skill(score: float, reference: float) -> float:
    """Brier skill score against a reference forecast (e.g. the base rate):  BSS = 1 - BS / BS_ref;  above 0 is
    better than the reference, 1 perfect; NaN when BS_ref is 0."""
    return float(1 - score / reference) if reference else float("nan")


def average_precision(p, y) -> float:
    """Average precision of p ranking the events y = 1 (higher is better):

    AP = Σₙ (Rₙ - Rₙ₋₁) Pₙ over the distinct values of p in decreasing order, Rₙ and Pₙ the recall and precision of
    flagging every case with p ≥ the n-th value (ties flagged together), as
    ``sklearn.metrics.average_precision_score``.  Its chance level is the event rate; NaN when no event occurred."""
    p, y = np.asarray(p, float), np.asarray(y, bool)
    if not y.any():
        return float("nan")
    order = np.argsort(-p, kind="mergesort")
    p, y = p[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(p) != 0), len(p) - 1]   # the last index of each tied group
    tp = np.cumsum(y)[last]
    precision, recall = tp / (last + 1), tp / y.sum()
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def reliability(p, y, edges=RELIABILITY_EDGES) -> list[dict]:
    """The reliability diagram's points: for each bin [eⱼ, eⱼ₊₁) of the predicted probability (the last bin
    closed), the number of cases n, the mean predicted probability p̄ⱼ = mean(pᵢ) and the observed frequency
    ōⱼ = mean(yᵢ) of the cases in it.  Calibrated forecasts lie on ōⱼ = p̄ⱼ.  Empty bins are left out."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    edges = np.asarray(edges, float)
    idx = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    out = []
    for j in range(len(edges) - 1):
        m = idx == j
        if m.any():
            out.append({"lo": float(edges[j]), "hi": float(edges[j + 1]), "n": int(m.sum()),
                        "predicted": float(p[m].mean()), "observed": float(y[m].mean())})
    return out


# ---------------------------------------------------------------------------------------------- the model

def training_set(Y: np.ndarray, X: np.ndarray, first_origin: int) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Features (rows × features) and labels per threshold of the quiet country-months whose AHEAD following
    months are all in ``Y`` (origin t ≤ T - 1 - AHEAD)."""
    T = Y.shape[1]
    rows, labels = [], {k: [] for k in THRESHOLDS}
    for t in range(first_origin, T - AHEAD):
        q = quiet(Y, t)
        rows.append(X[q, t, :])
        for k in THRESHOLDS:
            labels[k].append(onset(Y, t, k)[q])
    if not rows:
        return np.empty((0, X.shape[2])), {k: np.empty(0, bool) for k in THRESHOLDS}
    return np.concatenate(rows), {k: np.concatenate(v) for k, v in labels.items()}


def fit_predict(Y: np.ndarray, X: np.ndarray, cfg: OnsetConfig | None = None) -> dict:
    """P(onset) at the last column of ``Y`` for every threshold, from classifiers trained on the quiet
    country-months before it: {"quiet": mask, "p": {k: probabilities (NaN where not quiet)}, "base_rate": {k: the
    training rows' onset frequency}, "rows": training rows}."""
    import lightgbm as lgb
    cfg = cfg or OnsetConfig()
    T = Y.shape[1]
    Xt, labels = training_set(Y, X, cfg.first_origin)
    now = quiet(Y, T - 1)
    out = {"quiet": now, "p": {}, "base_rate": {}, "rows": len(Xt)}
    for k in THRESHOLDS:
        out["base_rate"][k] = float(labels[k].mean()) if len(Xt) else float("nan")
    y = labels[THRESHOLDS[0]]
    p = np.full(Y.shape[0], np.nan)
    if len(y) and 0 < y.sum() < len(y):
        params = {"objective": "binary", "learning_rate": cfg.learning_rate, "num_leaves": cfg.leaves,
                  "min_data_in_leaf": cfg.min_data_in_leaf, "feature_fraction": 0.8, "bagging_fraction": 0.8,
                  "bagging_freq": 1, "lambda_l2": 10.0, "seed": cfg.seed, "deterministic": True,
                  "num_threads": cfg.threads, "verbose": -1, "max_bin": 63}
        data = lgb.Dataset(Xt, y.astype(float), params={"max_bin": 63, "verbose": -1})
        booster = lgb.train(params, data, num_boost_round=cfg.trees)
        p[now] = booster.predict(X[now, T - 1, :], num_threads=cfg.threads)
    elif len(y):
        p[now] = out["base_rate"][THRESHOLDS[0]]   # no onset (or only onsets) in training: the base rate is all
    out["p"][THRESHOLDS[0]] = p
    low = out["base_rate"][THRESHOLDS[0]]
    for k in THRESHOLDS[1:]:
        # the larger onsets are too rare for a classifier of their own (25 in 18 windows): P(≥k) is P(≥25) times
        # the share of the training period's onsets that reached k
        out["p"][k] = p * (out["base_rate"][k] / low if low else 0.0)
    return out


def features(con, hist: np.ndarray, annual_frame=None, inputs=None) -> np.ndarray:
    """The feature cube of :mod:`.onset_features` for the challenge countries' history ``hist`` (January 1990 to
    the cut-off), with the store's annual values and dated inputs (read if not given)."""
    from signalfire.forecast.countries import challenge_countries
    from signalfire.forecast.features import adjacency
    from signalfire.forecast.inputs import FIRST_MONTH, covariates
    iso3 = list(challenge_countries()["iso3"])
    inputs = onset_features.store_inputs(con) if inputs is None else inputs
    return onset_features.cube(hist, adjacency(iso3), iso3, FIRST_MONTH, covariates(con, hist, annual_frame),
                               inputs)


def predict(con, hist: np.ndarray, cfg: OnsetConfig | None = None, annual_frame=None, inputs=None) -> pd.DataFrame:
    """Onset risk at the last column of ``hist`` per challenge country: country_id, country_iso3, quiet,
    deaths_max12 (the largest month of the last 12), p_ge25, p_ge100 (NaN where not quiet) and the base rates."""
    from signalfire.forecast.countries import challenge_countries
    result = fit_predict(hist, features(con, hist, annual_frame, inputs), cfg)
    countries = challenge_countries()
    frame = pd.DataFrame({"country_id": countries["country_id"].to_numpy(int),
                          "country_iso3": countries["iso3"].to_numpy(object), "quiet": result["quiet"],
                          "deaths_max12": hist[:, -12:].max(axis=1)})
    for k in THRESHOLDS:
        frame[f"p_ge{k}"] = result["p"][k]
        frame[f"base_ge{k}"] = result["base_rate"][k]
    return frame


def save(con, run_id: int, frame: pd.DataFrame) -> None:
    """Store :func:`predict`'s frame as forecast run ``run_id``'s onset risk (table ``onset_risk``)."""
    from signalfire.store.forecasts import ONSET_DDL
    con.execute(ONSET_DDL)
    rows = frame.assign(run_id=run_id, model_version=VERSION)
    rows = rows[["run_id", "country_id", "country_iso3", "quiet", "deaths_max12", "p_ge25", "p_ge100", "base_ge25",
                 "base_ge100", "model_version"]]
    con.register("new_onset_risk", rows)
    try:
        con.execute("DELETE FROM onset_risk WHERE run_id = ?", [run_id])
        con.execute("INSERT INTO onset_risk SELECT * FROM new_onset_risk")
    finally:
        con.unregister("new_onset_risk")


def stored(con, run_id: int) -> pd.DataFrame:
    """A run's stored onset risk (:data:`signalfire.store.forecasts.ONSET_COLUMNS`); empty if none."""
    import duckdb

    from signalfire.store.forecasts import ONSET_COLUMNS, onset_query
    try:
        return con.execute(*onset_query(run_id)).df()
    except duckdb.CatalogException:
        return pd.DataFrame(columns=list(ONSET_COLUMNS))


# ---------------------------------------------------------------------------------------------- benchmarks

def benchmark(name: str, hist: np.ndarray, k: int, base_rate: float) -> np.ndarray:
    """A benchmark's P(onset ≥ k) for every country at the last column of ``hist``:

    * ``base_rate``: the training period's onset frequency, the same for every country (climatology);
    * ``conflictology``: the share of the last 12 months with ≥ k deaths (for a quiet country 0 for k > 25, and
      above 0 for k = 25 only in months of exactly 25);
    * ``history60``: the share of the last 60 months with ≥ k deaths (a conflict that ended within 5 years)."""
    n = hist.shape[0]
    if name == "base_rate":
        return np.full(n, base_rate)
    if name == "conflictology":
        return (hist[:, -12:] >= k).mean(axis=1)
    if name == "history60":
        return (hist[:, -60:] >= k).mean(axis=1)
    raise ValueError(f"unknown onset benchmark {name!r}; known: {', '.join(BENCHMARKS)}")


def draws_risk(draws: np.ndarray, k: int) -> np.ndarray:
    """P(some month ≥ k) from draws (countries × months × draws) read as joint paths: the share of draws j whose
    largest month maxₕ x[·, h, j] is ≥ k.  For the forecaster's comonotone draws this equals the largest of the
    months' marginal probabilities (a lower bound for independent months)."""
    return (draws.max(axis=1) >= k).mean(axis=1)


# ---------------------------------------------------------------------------------------------- evaluation

def window_cutoff(year: int) -> int:
    """Onset window ``year``: the cut-off October of that year (the 12 months scored: November to October)."""
    from signalfire.forecast.countries import month_id
    return month_id(year, 10)


def evaluate(con, years: list[int], cfg: OnsetConfig | None = None, with_model: bool = False,
             progress=None) -> dict:
    """Score the onset model and the benchmarks on each window (cut-off October of ``year``): per window and
    threshold the quiet countries' Brier score, the base rate's, the Brier skill score against it, average
    precision, the observed onset rate and each benchmark's Brier and AP; pooled over windows the same, and the
    reliability diagram's points (predicted and observed per bin).  ``with_model`` adds the forecaster's draws
    (:func:`draws_risk`; about half a minute a window)."""
    from signalfire.analysis.panel import last_month_id, panel_matrix
    from signalfire.forecast import annual
    from signalfire.forecast.countries import challenge_countries, month_label
    from signalfire.forecast.inputs import ForecastError, history
    iso3 = list(challenge_countries()["iso3"])
    frame, inputs = annual.values(con), onset_features.store_inputs(con)
    names = ["onset", *BENCHMARKS, *(["qgbm"] if with_model else [])]
    pooled = {k: {name: [] for name in [*names, "outcome"]} for k in THRESHOLDS}
    result: dict = {"version": VERSION, "windows": {}, "inputs": {key: v is not None for key, v in inputs.items()}}
    started = time.perf_counter()
    last = last_month_id(con)
    for year in years:      # every window checked before any is computed (the last one had failed after the rest)
        cutoff = window_cutoff(year)
        if last is None or last < cutoff + AHEAD:
            raise ForecastError(f"onset window {year} needs data to {month_label(cutoff + AHEAD)}; the store's "
                                f"data end in {month_label(last) if last else '(no data)'}")
    for year in years:
        t0 = time.perf_counter()
        cutoff = window_cutoff(year)
        hist = history(con, cutoff)
        actual = panel_matrix(con, iso3, cutoff + 1, cutoff + AHEAD)
        fit = fit_predict(hist, features(con, hist, frame, inputs), cfg)
        q = fit["quiet"]
        draws = None
        if with_model:
            from signalfire.forecast.inputs import covariates, forecast_draws
            draws = forecast_draws(hist, AHEAD, 1000, None, covariates(con, hist, frame))
        per: dict = {"quiet": int(q.sum())}
        for k in THRESHOLDS:
            y = (actual.max(axis=1) >= k)[q]
            preds = {"onset": fit["p"][k][q]}
            for name in BENCHMARKS:
                preds[name] = benchmark(name, hist, k, fit["base_rate"][k])[q]
            if draws is not None:
                preds["qgbm"] = draws_risk(draws, k)[q]
            row = {"events": int(y.sum()), "rate": float(y.mean()), "train_rate": fit["base_rate"][k]}
            for name, p in preds.items():
                row[name] = {"brier": brier_score(p, y), "ap": average_precision(p, y)}
                pooled[k][name].append(p)
            row["bss"] = brier_skill(row["onset"]["brier"], row["base_rate"]["brier"])
            pooled[k]["outcome"].append(y)
            per[str(k)] = row
        per["seconds"] = round(time.perf_counter() - t0, 2)
        result["windows"][str(year)] = per
        if progress:
            progress(year, per)
    result["pooled"] = {}
    for k in THRESHOLDS:
        y = np.concatenate(pooled[k]["outcome"])
        row = {"events": int(y.sum()), "cases": len(y), "rate": float(y.mean())}
        for name in names:
            p = np.concatenate(pooled[k][name])
            row[name] = {"brier": brier_score(p, y), "ap": average_precision(p, y), "reliability": reliability(p, y)}
        row["bss"] = brier_skill(row["onset"]["brier"], row["base_rate"]["brier"])
        row["mean_window_bss"] = float(np.nanmean([result["windows"][str(yr)][str(k)]["bss"] for yr in years]))
        result["pooled"][str(k)] = row
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def reliability_plot(result: dict, path) -> None:
    """The pooled reliability diagram (observed frequency against mean predicted probability, one panel per
    threshold; the onset model, the base rate and history60; marker area ∝ cases) as an image (PNG/SVG/PDF)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(THRESHOLDS), figsize=(5 * len(THRESHOLDS), 4.6))
    styles = {"onset": ("#c2410c", "o", "onset model"), "base_rate": ("#475467", "s", "base rate"),
              "history60": ("#1f5fa8", "^", "history60")}
    years = list(result["windows"])
    for ax, k in zip(np.atleast_1d(axes), THRESHOLDS):
        row = result["pooled"][str(k)]
        top = max([0.05] + [b["observed"] for n in styles for b in row[n]["reliability"]]
                  + [b["predicted"] for n in styles for b in row[n]["reliability"]]) * 1.1
        ax.plot([0, top], [0, top], color="#98a2b3", lw=1, ls="--", label="perfect calibration")
        for name, (colour, marker, label) in styles.items():
            bins = row[name]["reliability"]
            ax.plot([b["predicted"] for b in bins], [b["observed"] for b in bins], color=colour, marker=marker,
                    lw=1.2, label=f"{label} (Brier {row[name]['brier']:.4f})", markersize=4)
            if name == "onset":
                for b in bins:
                    ax.annotate(f"{b['n']}", (b["predicted"], b["observed"]), textcoords="offset points",
                                xytext=(4, -10), fontsize=7, color=colour)
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.set_xlabel("predicted probability (bin mean)")
        ax.set_ylabel("observed frequency")
        ax.set_title(f"≥{k} deaths in some month of the next 12\n{row['cases']} quiet country-windows, "
                     f"{row['events']} onsets", fontsize=10)
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle(f"Onset risk ({result['version']}), cut-offs October {years[0]}–{years[-1]}; numbers: cases per "
                 "bin", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
