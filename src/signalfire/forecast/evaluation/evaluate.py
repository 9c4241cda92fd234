"""The challenge protocol: for each window (calendar year Y) forecast the 12 months of Y from the data up to
October of Y-1, for the 191 countries, and score our model and the four benchmarks against the store's values.
With ``lead`` 2 the cut-off is October of Y-2: the window is then months 15–26 of a forecast, which the fan charts
show and the challenge does not score."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from signalfire.analysis.panel import last_month_id, panel_matrix
from signalfire.forecast import annual, ensemble, models
from signalfire.forecast.countries import challenge_countries, month_label, window_months
from signalfire.forecast.evaluation import reference, scores
from signalfire.forecast.evaluation.benchmarks import BENCHMARKS, benchmark
from signalfire.forecast.inputs import ForecastError, covariates, forecast_draws, history

METRICS = ("crps", "ign", "mis", "brier25", "ap25")
OURS = "qgbm"
REFERENCE = "reference"   # the fifth benchmark: quantile LightGBM on the country's own history (forecast/evaluation/reference.py)
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


def window_data(con, year: int, lead: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Actuals (countries × 12) of window ``year`` and the history to its cut-off (countries × months), from the
    store's country-month values (the VIEWS file from January 1990: every window from 1994 on can be scored)."""
    cutoff, months = window_months(year, lead)
    last = last_month_id(con)
    if last is None or last < months[-1]:
        raise ForecastError(f"window {year} needs data to {month_label(months[-1])} to be scored; the store's "
                            f"data end in {month_label(last) if last else '(no data)'}")
    hist = history(con, cutoff)
    return panel_matrix(con, list(challenge_countries()["iso3"]), months[0], months[-1]), hist


def window_forecasts(con, year: int, draws: int = 1000, cfg: models.Config | None = None,
                     benchmarks=BENCHMARKS, annual_frame=None, lead: int = 1,
                     ref: reference.ReferenceConfig | None = None, data=None,
                     ) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Actuals (countries × 12), each forecaster's draws (countries × 12 × draws) for window ``year`` and the
    history to the cut-off (countries × months).  ``annual_frame``: the annual covariates' values
    (:func:`.annual.values`), read from the store if not given; ``lead``: years from the cut-off's to the window
    (:func:`.countries.window_months`); ``ref``: also the reference forecaster (:mod:`.reference`), as ``REFERENCE``;
    ``data``: :func:`window_data`'s result, if already read."""
    cutoff, months = window_months(year, lead)
    actual, hist = data if data is not None else window_data(con, year, lead)
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
             progress=None, lead: int = 1, ref: reference.ReferenceConfig | None = None,
             cache: Path | None = None, on_window=None) -> dict:
    """Scores per window and their means over windows, plus PIT values per forecaster (for the plot).  ``lead``
    2 scores months 15–26 of the forecasts instead of the challenge's 3–14; with ``ref`` the reference forecaster
    is scored too, as a fifth benchmark.  The rolling model choice (:func:`rolling.choose`) is in ``rolling``.

    ``cache``: a JSON file of per-window results (:mod:`.rolling`); a window found there for the same model,
    configurations, draws, lead and data is not computed again, and each window computed is added to it at once, so
    a long evaluation that was stopped goes on where it stopped.  ``on_window(year, actual, forecasts, hist)`` is
    called for each window computed (not for those read from the cache)."""
    from signalfire.forecast.evaluation import rolling
    first = 3 + 12 * (lead - 1)
    result: dict = {"windows": {}, "mean": {}, "countries": len(challenge_countries()), "draws": draws,
                    "model_version": models.VERSION, "lead": lead, "months_ahead": [first, first + 11]}
    pits: dict[str, list] = {}
    started = time.perf_counter()
    frame = annual.values(con)  # read once: the same for every window (each sees only the years over by then)
    key = rolling.cache_key(cfg, ref, draws, lead, frame)
    result["cached_windows"] = []
    for year in years:
        t0 = time.perf_counter()
        data = window_data(con, year, lead)
        found = rolling.cached(cache, key, year, data) if cache else None
        if found is not None:
            per, pit = found
            per = {**per, "cached": True}
            result["cached_windows"].append(year)
        else:
            per, pit = score_window(con, year, draws, cfg, frame, lead, ref, data, on_window)
            per["seconds"] = round(time.perf_counter() - t0, 2)
            if cache:
                rolling.store(cache, key, year, data, per, pit)
        for name, values in pit.items():
            pits.setdefault(name, []).append(np.asarray(values, dtype=float))
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
    result["rolling"] = rolling.rolling_choice(result["windows"], years, lead, candidates(result))
    result["seconds"] = round(time.perf_counter() - started, 2)
    result["pit"] = {k: np.concatenate(v) for k, v in pits.items()}
    return result


def upper_variant(scale: float) -> str:
    """The name of our model with its upper half drawn in by ``scale`` (:func:`.models.shrink_upper`)."""
    return f"{OURS}-up{scale:g}"


def upper_variants(draws: np.ndarray) -> dict[str, np.ndarray]:
    """Our model's draws with the upper half drawn in by each of :data:`.models.UPPER_SCALES`: candidates of the
    rolling model choice, scored with every window at little cost (no model is fitted again)."""
    return {upper_variant(s): models.shrink_upper(draws, s) for s in models.UPPER_SCALES}


def spread_variant(scale: float) -> str:
    """The name of our model with its whole spread scaled by ``scale`` (:func:`.models.scale_spread`)."""
    return f"{OURS}-sp{scale:g}"


def variants(forecasts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The candidates of the rolling choice made from a window's draws without fitting anything again: our
    model's upper-half and spread variants, and the quantile averages of our model, the reference and
    conflictology (:mod:`.ensemble`; those whose members were scored)."""
    ours = forecasts[OURS]
    return {**upper_variants(ours),
            **{spread_variant(s): models.scale_spread(ours, s) for s in models.SPREAD_SCALES},
            **ensemble.combinations(forecasts, ours.shape[-1])}


def candidates(result: dict) -> list[str]:
    """The candidates of the rolling model choice that every window scored: our model, its upper-half and spread
    variants, the quantile averages (:mod:`.ensemble`) and the reference."""
    names = [OURS, *(upper_variant(s) for s in models.UPPER_SCALES), *(spread_variant(s) for s in models.SPREAD_SCALES),
             *(ensemble.name(w) for w in ensemble.WEIGHTS), REFERENCE]
    return [n for n in names if all(n in per for per in result["windows"].values())]


def score_window(con, year, draws, cfg, frame, lead, ref, data, on_window=None) -> tuple[dict, dict]:
    """One window's scores per forecaster (and its CRPS contributions) and PIT values per forecaster."""
    actual, forecasts, hist = window_forecasts(con, year, draws, cfg, annual_frame=frame, lead=lead, ref=ref,
                                               data=data)
    forecasts.update(variants(forecasts))
    if on_window:
        on_window(year, actual, forecasts, hist)
    y = actual.reshape(-1)
    per, crps, pit = {}, {}, {}
    for name, d in forecasts.items():
        x = d.reshape(-1, d.shape[2])
        scored = scores.per_observation(y, x, ign_draws=CHALLENGE_DRAWS)
        per[name] = scores.summary(y, x, scored)
        crps[name] = scored["crps"]
        pit[name] = scores.pit(y, x, np.random.default_rng(year))
    if OURS in crps and "conflictology" in crps:
        per["contributions"] = contributions(actual, crps, hist)
    return per, pit


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
