"""The challenge protocol: for each window (calendar year Y) forecast the 12 months of Y from the data up to
October of Y-1, for the 191 countries, and score our model and the four benchmarks against the store's values.
With ``lead`` 2 the cut-off is October of Y-2: the window is then months 15–26 of a forecast, which the fan charts
show and the challenge does not score."""

from __future__ import annotations

import time

import numpy as np

from signalfire.analysis.panel import last_month_id, panel_matrix
from signalfire.forecast import annual, models, reference, scores
from signalfire.forecast.benchmarks import BENCHMARKS, benchmark
from signalfire.forecast.countries import challenge_countries, month_label, window_months
from signalfire.forecast.runs import ForecastError, covariates, forecast_draws, history

METRICS = ("crps", "ign", "mis", "brier25", "ap25")
OURS = "qgbm"
REFERENCE = "reference"   # the fifth benchmark: quantile LightGBM on the country's own history (forecast/reference.py)
ONSET_BEFORE = 25    # deaths/month in the 12 months to the cut-off, at most …
ONSET_AFTER = 100    # … and at least this many per month in the window: an onset the series could not foresee
SHARE = 0.05         # countries carrying at least this share of a window's CRPS are listed
CHALLENGE_DRAWS = 1000  # the challenge scores IGN on this many draws per forecaster (benchmarks resampled to it)


def parse_windows(text: str) -> list[int]:
    """``2018-2023`` or ``2018,2020`` → years; anything else, or a reversed (empty) range such as ``2023-2018``,
    is a ValueError saying how to write it."""
    years: list[int] = []
    for part in str(text).split(","):
        try:
            ends = [int(x) for x in part.split("-")]
        except ValueError:
            ends = []
        if not 1 <= len(ends) <= 2:
            raise ValueError(f"not a list of windows (e.g. 2018-2023 or 2018,2020): {text!r}")
        first, last = ends[0], ends[-1]
        if first > last:
            raise ValueError(f"reversed range of windows {part.strip()!r}: write the first year first, "
                             f"e.g. {last}-{first}")
        years.extend(range(first, last + 1))
    return years


def window_forecasts(con, year: int, draws: int = 1000, cfg: models.Config | None = None,
                     benchmarks=BENCHMARKS, annual_frame=None, lead: int = 1,
                     ref: reference.ReferenceConfig | None = None) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Actuals (countries × 12), each forecaster's draws (countries × 12 × draws) for window ``year`` and the
    history to the cut-off (countries × months).  ``annual_frame``: the annual covariates' values
    (:func:`.annual.values`), read from the store if not given; ``lead``: years from the cut-off's to the window
    (:func:`.countries.window_months`); ``ref``: also the reference forecaster (:mod:`.reference`), as ``REFERENCE``."""
    cutoff, months = window_months(year, lead)
    last = last_month_id(con)
    if last is None or last < months[-1]:
        raise ForecastError(f"window {year} needs data to {month_label(months[-1])} to be scored; the store's "
                            f"data end in {month_label(last) if last else '(no data)'}")
    hist = history(con, cutoff)
    actual = panel_matrix(con, list(challenge_countries()["iso3"]), months[0], months[-1])
    steps = months[-1] - cutoff
    out = {OURS: forecast_draws(hist, steps, draws, cfg, covariates(con, hist, annual_frame))[:, steps - 12:]}
    for name in benchmarks:
        out[name] = benchmark(name, hist, 12, draws, seed=year)
    if ref is not None:
        out[REFERENCE] = reference.forecast(hist, [m - cutoff for m in months], draws, ref)
    return actual, out, hist


def contributions(actual: np.ndarray, crps: dict[str, np.ndarray], hist: np.ndarray) -> dict:
    """Where a window's CRPS came from: the countries carrying ≥ SHARE of our model's CRPS (each with its share
    of the window's mean CRPS for us and for conflictology, deaths/month before and in the window, and whether it
    was an onset), and the window's CRPS without the onsets.  An onset (≤ ONSET_BEFORE deaths/month in the 12
    months to the cut-off, ≥ ONSET_AFTER in the window) is a war the deaths series could not announce.

    ``crps``: each forecaster's CRPS per country-month (``actual`` flattened), for our model and conflictology."""
    iso3 = list(challenge_countries()["iso3"])
    n = actual.shape[0]
    per = {name: crps[name].reshape(actual.shape).sum(axis=1) / actual.size for name in (OURS, "conflictology")}
    before, during = hist[:, -12:].mean(axis=1), actual.mean(axis=1)
    onset = (before <= ONSET_BEFORE) & (during >= ONSET_AFTER)
    total = per[OURS].sum()
    rows = [{"iso3": iso3[i], "crps": round(float(per[OURS][i]), 3),
             "crps_conflictology": round(float(per["conflictology"][i]), 3),
             "deaths_per_month_before": round(float(before[i]), 1), "deaths_per_month_window": round(float(during[i]), 1),
             "onset": bool(onset[i])}
            for i in np.argsort(-per[OURS]) if total and per[OURS][i] >= SHARE * total]
    keep = ~onset
    return {"countries": rows, "onsets": [iso3[i] for i in range(n) if onset[i]],
            "crps_without_onsets": {name: float(v[keep].sum() * n / keep.sum()) for name, v in per.items()}}


def evaluate(con, years: list[int], draws: int = 1000, cfg: models.Config | None = None,
             progress=None, lead: int = 1, ref: reference.ReferenceConfig | None = None) -> dict:
    """Scores per window and their means over windows, plus PIT values per forecaster (for the plot).  ``lead``
    2 scores months 15–26 of the forecasts instead of the challenge's 3–14; with ``ref`` the reference forecaster
    is scored too, as a fifth benchmark."""
    first = 3 + 12 * (lead - 1)
    result: dict = {"windows": {}, "mean": {}, "countries": len(challenge_countries()), "draws": draws,
                    "model_version": models.VERSION, "lead": lead, "months_ahead": [first, first + 11]}
    pits: dict[str, list] = {}
    started = time.perf_counter()
    frame = annual.values(con)  # read once: the same for every window (each sees only the years over by then)
    for year in years:
        t0 = time.perf_counter()
        actual, forecasts, hist = window_forecasts(con, year, draws, cfg, annual_frame=frame, lead=lead, ref=ref)
        y = actual.reshape(-1)
        per, crps = {}, {}
        for name, d in forecasts.items():
            x = d.reshape(-1, d.shape[2])
            scored = scores.per_observation(y, x, ign_draws=CHALLENGE_DRAWS)
            per[name] = scores.summary(y, x, scored)
            crps[name] = scored["crps"]
            pits.setdefault(name, []).append(scores.pit(y, x, np.random.default_rng(year)))
        if OURS in crps and "conflictology" in crps:
            per["contributions"] = contributions(actual, crps, hist)
        per["seconds"] = round(time.perf_counter() - t0, 2)
        result["windows"][str(year)] = per
        if progress:
            progress(year, per)
    names = [OURS, *benchmark_names(result)]
    result["benchmarks"] = names[1:]
    for name in names:
        result["mean"][name] = {m: float(np.nanmean([result["windows"][str(y)][name][m] for y in years]))
                                for m in METRICS}
    without = [result["windows"][str(y)]["contributions"]["crps_without_onsets"] for y in years
               if "contributions" in result["windows"][str(y)]]
    if without:
        result["mean_without_onsets"] = {name: float(np.mean([w[name] for w in without]))
                                         for name in (OURS, "conflictology")}
    result["seconds"] = round(time.perf_counter() - started, 2)
    result["pit"] = {k: np.concatenate(v) for k, v in pits.items()}
    return result


def benchmark_names(result: dict) -> list[str]:
    """The benchmarks a result scored: the challenge's four, and the reference where it was scored."""
    first = next(iter(result["windows"].values()), {})
    return [*BENCHMARKS, *([REFERENCE] if REFERENCE in first else [])]


def best_benchmark_margins(result: dict) -> dict:
    """Per window and metric: ours vs the best benchmark (lower is better except ap25)."""
    out = {}
    for year, per in result["windows"].items():
        row = {}
        for m in METRICS:
            bench = [per[b][m] for b in benchmark_names(result) if not np.isnan(per[b][m])]
            best = max(bench) if m == "ap25" else min(bench)
            ours = per[OURS][m]
            row[m] = {"ours": ours, "best_benchmark": best,
                      "beats": bool(ours > best if m == "ap25" else ours < best)}
        out[year] = row
    return out
