"""The forecast API under ``/api/v1/forecasts``: stored runs, one month as a map (JSON, CSV or GeoJSON joined to
the shipped country shapes), a country's fan-chart series and the change since the previous run of a model.

Reads the tables :mod:`signalfire.forecast.store` writes (through the web layer's datastore; the web layer does
not import the forecast layer).  Errors are ``{"error": {"status": …, "message": …}}``: 404 when the run, month or
country has no forecast (the message says what exists), 400 for a malformed month.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from signalfire.web import forecasts as fc
from signalfire.web.api import ERRORS, rows_table

router = APIRouter(prefix="/api/v1/forecasts", tags=["forecasts"], responses=ERRORS)

MapFormat = Literal["json", "csv", "geojson"]
TableFormat = Literal["json", "csv"]
CSV = "text/csv; charset=utf-8"


def _ds(request: Request):
    return request.app.state.ds


@contextmanager
def lookup_errors():
    """Forecast lookups (``fc.pick_run``, ``fc.resolve_month``) as HTTP errors, for this API and the Forecasts page:
    404 when the run or month has no forecast, 400 for a malformed month (the message says which)."""
    try:
        yield
    except fc.ForecastLookupError as exc:
        raise HTTPException(404, str(exc)) from None
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None


def _run(request: Request, model: str | None, run_id: int | None) -> dict:
    with lookup_errors():
        return fc.pick_run(_ds(request), model=model, run_id=run_id)


def _month(request: Request, run: dict, month: str | None, step: int | None) -> int:
    with lookup_errors():
        return fc.resolve_month(_ds(request), run, month, step)


def _csv(rows: list[dict], name: str, columns: tuple[str, ...]) -> Response:
    """``rows`` as a CSV download; with no rows, the header of ``columns`` alone."""
    from signalfire.reports.export import to_bytes
    return Response(to_bytes(rows_table(rows, columns), "csv"), media_type=CSV,
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def _state(request: Request) -> dict | None:
    job = getattr(_ds(request), "forecast_job", None)
    return dict(job) if job else None


@router.get("/runs", summary="Stored forecast runs, newest first (model, version, cut-off, months, created)")
def list_runs(request: Request):
    """Empty ``data`` when no forecast is stored; ``job`` tells whether the server is making one now."""
    return {"data": fc.runs(_ds(request)), "job": _state(request)}


@router.get("/map", summary="One forecast month per country: mean, quantiles, P(≥25 deaths), change")
def forecast_map(request: Request,
                 model: str | None = Query(None, description="Model (default: qgbm, our model, if stored)"),
                 run_id: int | None = Query(None, description="A run id (default: the model's latest run)"),
                 month: str | None = Query(None, description="YYYY-MM (default: the run's first month)"),
                 step: int | None = Query(None, ge=1, le=120, description="Months after the cut-off (1 = first)"),
                 format: MapFormat = "json"):
    """Countries without a row in the run are absent from ``data`` (in GeoJSON their values are null)."""
    ds = _ds(request)
    run = _run(request, model, run_id)
    mid = _month(request, run, month, step)
    rows = fc.month_values(ds, run, mid)
    label = fc.month_label(mid)
    prev = fc.previous_run(ds, run)
    name = f"forecast_{run['model']}_run{run['run_id']}_{label}"
    if format == "csv":
        return _csv([{"month": label, **r} for r in rows], name, ("month", "iso3"))
    if format == "geojson":
        from signalfire.web.geometry import DETAIL, countries_geojson
        shapes = json.loads(countries_geojson(*DETAIL["high"]))
        values = {r["iso3"]: r for r in rows}
        empty = {k: None for k in ("mean", *fc.QUANTILES, "p_ge25", "mean_change", "p_ge25_change")}
        for feature in shapes["features"]:
            row = values.get(feature["properties"]["iso3"], empty)
            feature["properties"].update({k: v for k, v in row.items() if k not in ("iso3", "name")},
                                         month=label, run_id=run["run_id"], model=run["model"])
        return Response(json.dumps(shapes, separators=(",", ":")).encode(), media_type="application/geo+json",
                        headers={"Content-Disposition": f'attachment; filename="{name}.geojson"'})
    onset = {r["iso3"]: {k: r[k] for k in ("quiet", "p_ge25", "p_ge100")} for r in fc.onset_risk(ds, run)}
    return {"run": run, "previous_run": prev, "month": label, "months": fc.months(ds, run["run_id"]),
            "data": rows, "onset": onset}


@router.get("/onset", summary="Risk of new conflict: P(≥25 / ≥100 deaths in some month of the next 12) for "
            "countries quiet at the cut-off")
def forecast_onset(request: Request, model: str | None = None, run_id: int | None = None,
                   format: TableFormat = "json"):
    """Per country of the run: quiet (≤25 state-based deaths in every month of the 12 to the cut-off),
    deaths_max12, p_ge25 and p_ge100 (null where not quiet), the base rates; empty ``data`` when the run has no
    onset risk stored (runs of other models, or made before the onset model)."""
    run = _run(request, model, run_id)
    rows = fc.onset_risk(_ds(request), run)
    if format == "csv":
        return _csv(rows, f"onset_risk_{run['model']}_run{run['run_id']}", ("iso3", "name", "quiet"))
    return {"run": run, "data": rows}


@router.get("/change", summary="Change of mean and P(≥25 deaths) since the previous run of the same model")
def forecast_change(request: Request, model: str | None = None, run_id: int | None = None,
                    month: str | None = Query(None, description="YYYY-MM (default: every month both runs cover)"),
                    format: TableFormat = "json"):
    """``previous_run`` is null and ``data`` empty when the model has only one run."""
    ds = _ds(request)
    run = _run(request, model, run_id)
    mid = _month(request, run, month, None) if month else None
    prev, rows = fc.change(ds, run, mid)
    if format == "csv":
        return _csv(rows, f"forecast_change_{run['model']}_run{run['run_id']}", ("iso3", "month", *fc.CHANGE_VALUES))
    message = None if prev else f"run {run['run_id']} is the only run of model {run['model']!r}: nothing to compare"
    return {"run": run, "previous_run": prev, "message": message, "data": rows}


@router.get("/countries/{iso3}", summary="A country's forecasts for fan charts: latest run per model + observed")
def country_series(request: Request, iso3: str,
                   observed_months: int = Query(24, ge=0, le=240, description="Observed months before the cut-off")):
    """``runs`` holds the latest run of each model with rows for the country (ours first), each with
    per-month mean, q05…q95 and p_ge25; ``observed`` the UCDP state-based deaths of the months to our cut-off."""
    from signalfire.geo.borders import country_names
    iso3 = iso3.upper()
    names = country_names()
    if iso3 not in names:
        raise HTTPException(404, f"unknown country {iso3!r} (use ISO 3166 alpha-3, e.g. UKR)")
    data = fc.country_series(_ds(request), iso3, observed_months)
    message = None if data["runs"] else f"no forecast is stored for {names[iso3]}"
    return {"iso3": iso3, "name": names[iso3], "message": message, **data, "job": _state(request)}
