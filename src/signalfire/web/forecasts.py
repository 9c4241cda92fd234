"""Forecasts as the dashboard and the API read them.

The web layer does not import :mod:`signalfire.forecast`; it reads what that layer stores: ``forecast_runs`` and
``forecasts`` (one row per run, country and month: mean, quantiles, P(≥25 deaths)).  Here: the list of runs, one
month of a run for the map, a country's latest run per model with its observed past (fan charts), and the change
against the previous run of the same model (the SQL shared with ``forecast.store`` is in
:mod:`signalfire.store.forecasts`).
"""

from __future__ import annotations

from pathlib import Path

from signalfire.analysis.panel import month_label, parse_month
from signalfire.store.forecasts import QUANTILES, change_query, month_label_sql, previous_run_query
from signalfire.web.i18n import N_, gettext

NEEDED = {"run_id", "country_iso3", "month_id", "step", "mean", "q05", "q50", "q95", "p_ge25"}
OURS = "qgbm"                         # our model's name in forecast_runs
VIEWS = "views-published"             # VIEWS's published point forecasts, imported (one draw per cell)
MAP_VALUES = ("mean", *QUANTILES, "p_ge25", "mean_change", "p_ge25_change")     # month_values, after iso3, name
CHANGE_VALUES = ("mean", "mean_change", "p_ge25", "p_ge25_change")               # change, after iso3, month


class ForecastLookupError(LookupError):
    """The asked-for run, month or country has no forecast (the message says what exists)."""


def has_forecasts(ds) -> bool:
    def check():
        cols = {r[0] for r in ds.execute("SELECT column_name FROM information_schema.columns "
                                         "WHERE table_name = 'forecasts'").fetchall()}
        runs = ds.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'forecast_runs'")
        return NEEDED <= cols and bool(runs)
    return ds.cached("has_forecasts", check)


def runs(ds) -> list[dict]:
    """Every stored run, newest first, with the months it covers."""
    if not has_forecasts(ds):
        return []
    return ds.cached("forecast_runs", lambda: ds.rows(f"""
        SELECT r.run_id, r.model, r.model_version, r.cutoff, r.created_at, r.horizons, r.draws, r.countries,
               {month_label_sql('m.first')} AS first_month, {month_label_sql('m.last')} AS last_month
        FROM forecast_runs r
        JOIN (SELECT run_id, min(month_id) AS first, max(month_id) AS last FROM forecasts GROUP BY run_id) m
          USING (run_id)
        ORDER BY r.run_id DESC"""))


def pick_run(ds, model: str | None = None, run_id: int | None = None) -> dict:
    """A run by id, else the newest run of ``model``, else the newest of our model (or of any model)."""
    all_runs = runs(ds)
    if not all_runs:
        raise ForecastLookupError("no forecast is stored yet: make one with `signalfire forecast run --cutoff "
                                  "YYYY-MM` (or import VIEWS's with `signalfire forecast import-views FILE`)")
    if run_id is not None:
        for run in all_runs:
            if run["run_id"] == run_id:
                if model and run["model"] != model:   # both given: they must agree, not one silently win
                    raise ForecastLookupError(f"forecast run {run_id} is of model {run['model']!r}, not {model!r}")
                return run
        raise ForecastLookupError(f"no forecast run {run_id}; stored runs: "
                                  + ", ".join(str(r["run_id"]) for r in all_runs[:20]))
    if model:
        for run in all_runs:
            if run["model"] == model:
                return run
        models = sorted({r["model"] for r in all_runs})
        raise ForecastLookupError(f"no forecast run of model {model!r}; stored models: {', '.join(models)}")
    return next((r for r in all_runs if r["model"] == OURS), all_runs[0])


def previous_run(ds, run: dict) -> dict | None:
    """The newest earlier run of the same model (what the change is measured against)."""
    if not has_forecasts(ds):
        return None
    prev_id = ds.cached(("previous_run", run["run_id"]), lambda: ds.scalar(*previous_run_query(run["run_id"])))
    return next((r for r in runs(ds) if r["run_id"] == prev_id), None)


def months(ds, run_id: int) -> list[str]:
    return [month_label(r["month_id"]) for r in ds.rows(
        "SELECT DISTINCT month_id FROM forecasts WHERE run_id = ? ORDER BY 1", [run_id])]


def resolve_month(ds, run: dict, month: str | None = None, step: int | None = None) -> int:
    """The month id asked for by ``month`` (YYYY-MM) or ``step`` (1 = first forecast month), or the run's first."""
    first, last = parse_month(run["first_month"]), parse_month(run["last_month"])
    if month:
        mid = parse_month(month)          # ValueError → 400
    elif step is not None:
        mid = first + int(step) - 1
    else:
        return first
    if not first <= mid <= last:
        asked = month or f"step {step}"
        raise ForecastLookupError(f"run {run['run_id']} ({run['model']}) forecasts {run['first_month']} to "
                                  f"{run['last_month']}, not {asked}")
    return mid


def month_values(ds, run: dict, month_id: int) -> list[dict]:
    """One month of a run per country: iso3, name, mean, quantiles, p_ge25 and the change since the previous
    run of the same model (mean_change, p_ge25_change; None without a previous run or row)."""
    from signalfire.geo.borders import country_names
    prev = previous_run(ds, run)
    rows = ds.rows(*change_query(run["run_id"], prev["run_id"] if prev else None, month_id, every_row=True,
                                 order="a.p_ge25 DESC, a.mean DESC, a.country_iso3"))
    names = country_names()
    return [{"iso3": r["country_iso3"], "name": names.get(r["country_iso3"], r["country_iso3"]),
             **{k: r[k] for k in MAP_VALUES}} for r in rows]


def change(ds, run: dict, month_id: int | None = None) -> tuple[dict | None, list[dict]]:
    """(previous run, rows of iso3, month, mean, mean_change, p_ge25, p_ge25_change) — the change of each
    country-month common to the run and the previous run of the same model."""
    prev = previous_run(ds, run)
    if prev is None:
        return None, []
    rows = ds.rows(*change_query(run["run_id"], prev["run_id"], month_id))
    return prev, [{"iso3": r["country_iso3"], "month": r["month"], **{k: r[k] for k in CHANGE_VALUES}}
                  for r in rows]


def observed(ds, iso3: str, last_month_id: int, n: int = 24) -> list[dict]:
    """The country's UCDP state-based deaths for the ``n`` months to ``last_month_id`` (0 where none recorded),
    from the same panel the forecasts are made from."""
    from signalfire.analysis.panel import country_month_panel

    def panel():
        cur = ds.store.con.cursor()
        try:
            frame = country_month_panel(cur)
        finally:
            cur.close()
        return {(r.country_iso3, int(r.month_id)): float(r.value) for r in frame.itertuples()}
    values = ds.cached("deaths_panel", panel, size=256)
    return [{"month": month_label(m), "deaths": values.get((iso3, m), 0.0)}
            for m in range(last_month_id - n + 1, last_month_id + 1)]


def country_forecasts(ds, iso3: str, limit: int = 36) -> list[dict]:
    """[{run_id, model, model_version, cutoff, created_at, rows: [{month, step, mean, q05 … q95, p_ge25}]}],
    the latest run of each model that has rows for the country (ours first)."""
    if not has_forecasts(ds):
        return []
    latest = ds.rows("""SELECT r.run_id, r.model, r.model_version, r.cutoff, r.created_at FROM forecast_runs r
                        WHERE r.run_id IN (SELECT run_id FROM forecasts WHERE country_iso3 = ?)
                        QUALIFY row_number() OVER (PARTITION BY r.model ORDER BY r.run_id DESC) = 1
                        ORDER BY r.model != ?, r.model""", [iso3, OURS])
    out = []
    for run in latest:
        rows = ds.rows(f"""SELECT month_id, step, mean, {', '.join(QUANTILES)}, p_ge25 FROM forecasts
                           WHERE run_id = ? AND country_iso3 = ? ORDER BY month_id LIMIT {int(limit)}""",
                       [run["run_id"], iso3])
        for r in rows:
            r["month"] = month_label(r.pop("month_id"))
        out.append({**run, "rows": rows})
    return out


def country_series(ds, iso3: str, n_observed: int = 24) -> dict:
    """A country's fan chart data: observed deaths for the ``n_observed`` months to the newest cut-off of our
    model (or of any run) and the latest run of each model."""
    fcs = country_forecasts(ds, iso3)
    observed_rows: list[dict] = []
    if fcs:
        ours = next((f for f in fcs if f["model"] == OURS), fcs[0])
        observed_rows = observed(ds, iso3, parse_month(ours["cutoff"]), n_observed)
    return {"observed": observed_rows, "runs": fcs}


EVALUATION = "evaluation_2018-2023.json"
SKILL_METRICS = (("crps", "CRPS", 2), ("ign", "IGN", 3), ("mis", "MIS", 1))


def skill(path=None) -> dict | None:
    """The model's measured skill on the challenge windows, from the evaluation shipped with the package
    (``forecast/data/evaluation_2018-2023.json``: what ``signalfire forecast evaluate --json`` wrote, never
    restated here): per window ours against the best benchmark for CRPS, IGN and MIS, the mean CRPS ratio to
    conflictology, Brier score and average precision for ≥25 deaths.  None when the file is absent."""
    import json
    from importlib import resources
    try:
        text = (Path(path) if path else resources.files("signalfire.forecast") / "data" / EVALUATION).read_text()
        result = json.loads(text)
    except (OSError, ValueError):
        return None
    from signalfire.web.formatting import fmt_num  # numbers as the page's language writes them
    ours, benches = "qgbm", result.get("benchmarks", ["zero", "last", "boot", "conflictology"])
    header = [gettext(N_("window"))] + [h for _, label, _ in SKILL_METRICS for h in (
        gettext(N_("%(metric)s ours")) % {"metric": label}, gettext(N_("best benchmark")))]
    rows = []
    for key, per in [*result["windows"].items(), (gettext(N_("mean")), result["mean"])]:
        row = [(key, False)]
        for metric, _, digits in SKILL_METRICS:
            value, name = min((per[b][metric], b) for b in benches)
            mine = per[ours][metric]
            row += [(fmt_num(mine, digits), mine < value), (f"{fmt_num(value, digits)} ({name})", value < mine)]
        rows.append(row)
    mean = result["mean"]
    return {"file": f"forecast/data/{EVALUATION}", "header": header, "rows": rows,
            "measured": result.get("measured"), "model": result.get("model_version"),
            "ratio": fmt_num(mean[ours]['crps'] / mean['conflictology']['crps'], 3),
            "brier": (fmt_num(mean[ours]['brier25'], 4), fmt_num(mean['conflictology']['brier25'], 4),
                      fmt_num(mean[ours]['ap25'], 3), fmt_num(mean['conflictology']['ap25'], 3)),
            "pit": gettext(N_("the PIT histogram is drawn by signalfire forecast evaluate --plot pit.png"))}


def onset_risk(ds, run: dict) -> list[dict]:
    """The run's risk of new conflict (``onset_risk``, written with each run of our model by
    :mod:`signalfire.forecast.onset`): per country iso3, name, quiet (≤25 deaths in every month of the 12 to the
    cut-off), deaths_max12, p_ge25 and p_ge100 (≥25 / ≥100 deaths in some month of the next 12; None where not
    quiet), the base rates and the onset model's version; quiet countries first, highest risk first.  Empty when
    the run has none (another model, or a store from before the onset model)."""
    from signalfire.geo.borders import country_names
    from signalfire.store.forecasts import onset_query
    if not ds.has_table("onset_risk"):
        return []
    names = country_names()
    rows = ds.rows(*onset_query(run["run_id"]))
    return [{"iso3": r["country_iso3"], "name": names.get(r["country_iso3"], r["country_iso3"]),
             **{k: v for k, v in r.items() if k != "country_iso3"}} for r in rows]
