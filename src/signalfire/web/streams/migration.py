"""API routes and pages for migration and displacement: UNHCR, Frontex, IOM Missing Migrants, IDMC, Eurostat.

API (JSON, or ``format=csv``; incidents also ``geojson``) under ``/api/v1/migration``: ``/refugees`` (UNHCR
population per origin × asylum × year), ``/flows``, ``/asylum-applications``, ``/frontex`` (detections per route
and month), ``/missing-migrants`` (IOM incidents), ``/missing-migrants/routes``, ``/idmc``.  Page ``/migration``:
flows into the home country and its land neighbours, routes over time, deaths on routes on the map.  Every query
is a function of :mod:`signalfire.analysis.migration`, the same the Python API calls.
"""

from __future__ import annotations

import math
from typing import Literal

import pandas as pd
import pyarrow as pa
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from signalfire.analysis import migration as q
from signalfire.web.api import ERRORS, table_response
from signalfire.web.rendering import page_context, render

router = APIRouter()
api = APIRouter(prefix="/api/v1/migration", tags=["migration"], responses=ERRORS)
Fmt = Literal["json", "csv"]
POPULATION = ("refugees", "asylum_seekers", "oip")
SINCE = 2000            # the page's series start here (UNHCR's go back to 1951)
DEFAULT_ROUTE = "Eastern Borders Route"


def year_q():
    """A fresh year parameter each time (FastAPI binds a shared Query object's name to its first parameter)."""
    return Query(None, ge=1900, le=2100)


def _ds(request: Request):
    return request.app.state.ds


def call(fn, *args, **kw):
    """Run a query; a bad argument is a 400 with its message, for the API and the pages alike."""
    try:
        return fn(*args, **kw)
    except q.MigrationQueryError as exc:
        raise HTTPException(400, str(exc)) from None


def records(frame: pd.DataFrame) -> list[dict]:
    """JSON-safe rows: missing values as null, numbers as numbers, dates as ISO text."""
    out = []
    for row in frame.to_dict("records"):
        clean = {}
        for key, value in row.items():
            if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
                clean[key] = None
            elif hasattr(value, "isoformat"):
                clean[key] = value.isoformat()[:10]
            elif hasattr(value, "item"):
                clean[key] = value.item()
            else:
                clean[key] = value
        out.append(clean)
    return out


def respond(frame: pd.DataFrame, fmt: str, name: str, **meta):
    if fmt in ("csv", "geojson"):
        table = pa.Table.from_pylist(records(frame)) if len(frame) else pa.table(
            {c: pa.array([], pa.float64() if c in ("latitude", "longitude") else pa.string()) for c in frame.columns})
        return table_response(table, fmt, name)
    return {**meta, "total": len(frame), "data": records(frame)}


def _span(since: int | None, until: int | None):
    return None if since is None and until is None else (since, until)


# -- API ------------------------------------------------------------------------------------------------------
@api.get("/refugees", summary="UNHCR population (end-year stocks) per origin × asylum × year")
def api_refugees(request: Request, origin: str | None = None, asylum: str | None = None,
                 since: int | None = year_q(), until: int | None = year_q(), format: Fmt = "json"):
    frame = call(q.refugees, _ds(request), origin, asylum, _span(since, until), POPULATION)
    return respond(frame, format, "unhcr_population", origin=origin, asylum=asylum)


@api.get("/flows", summary="UNHCR flows: people newly displaced across a border per origin × asylum × year")
def api_flows(request: Request, origin: str | None = None, asylum: str | None = None,
              since: int | None = year_q(), until: int | None = year_q(), format: Fmt = "json"):
    frame = call(q.flows, _ds(request), origin, asylum, _span(since, until))
    return respond(frame, format, "unhcr_flows", origin=origin, asylum=asylum)


@api.get("/asylum-applications", summary="Asylum applications per origin × asylum × year (UNHCR or Eurostat)")
def api_applications(request: Request, origin: str | None = None, asylum: str | None = None,
                     since: int | None = year_q(), until: int | None = year_q(),
                     source: Literal["unhcr", "eurostat"] = "unhcr", format: Fmt = "json"):
    frame = call(q.asylum_applications, _ds(request), origin, asylum, _span(since, until), source)
    return respond(frame, format, f"asylum_applications_{source}", origin=origin, asylum=asylum, source=source)


@api.get("/frontex", summary="Frontex detections of illegal border-crossing per route and month")
def api_frontex(request: Request, route: str | None = None, nationality: str | None = None,
                since: int | None = year_q(), until: int | None = year_q(),
                by: Literal["route", "nationality", "year"] = "route", format: Fmt = "json"):
    frame = call(q.frontex_routes, _ds(request), route, _span(since, until), nationality, by)
    return respond(frame, format, "frontex_detections", route=route, by=by)


@api.get("/missing-migrants", summary="IOM Missing Migrants incidents (dead and missing, with coordinates)")
def api_missing(request: Request, since: int | None = year_q(), until: int | None = year_q(), route: str | None = None,
                country: str | None = None, source: Literal["iom-mmp", "iom-mmp-gdidata"] | None = None,
                format: Literal["json", "csv", "geojson"] = "json"):
    frame = call(q.missing_migrants, _ds(request), _span(since, until), route, country, None, source)
    return respond(frame, format, "missing_migrants", source=source or q.iom_source(_ds(request)))


@api.get("/missing-migrants/routes", summary="IOM dead and missing per route and year")
def api_missing_routes(request: Request, since: int | None = year_q(), until: int | None = year_q(),
                       format: Fmt = "json"):
    ds = _ds(request)
    if q.iom_source(ds) is None:
        return respond(pd.DataFrame(columns=["route", "year", "incidents", "dead", "missing"]), format, "routes")
    frame = call(q.missing_by_route, ds, _span(since, until))
    return respond(frame, format, "missing_migrants_routes", source=q.iom_source(ds))


@api.get("/idmc", summary="IDMC internal displacements per country, year and cause")
def api_idmc(request: Request, country: str | None = None, since: int | None = year_q(), until: int | None = year_q(),
             format: Fmt = "json"):
    frame = call(q.internal_displacement, _ds(request), country, _span(since, until))
    return respond(frame, format, "idmc_displacements", country=country)


@api.get("/country/{iso3}/series", summary="A country's displacement per year, for a timeline (hosted, abroad, "
        "asylum applications, internal displacements)")
def api_country_series(request: Request, iso3: str, format: Fmt = "json"):
    frame = call(q.country_series, _ds(request), iso3)
    return respond(frame, format, f"displacement_{iso3.upper()}", country=iso3.upper())


router.include_router(api)


# -- page -----------------------------------------------------------------------------------------------------
def neighbours(iso3: str) -> list[str]:
    from signalfire.geo.borders import land_borders
    return sorted(land_borders().get(iso3, set()))


def _country(country: str) -> str:
    found = call(q.codes, country or "POL")
    return found[0] if found else "POL"


def _total(frame: pd.DataFrame) -> pd.Series:
    present = [c for c in POPULATION if c in frame.columns]
    return frame[present].fillna(0).sum(axis=1) if present else pd.Series(0.0, index=frame.index)


def hosts(ds, countries: list[str]) -> pd.DataFrame:
    """Refugees, asylum-seekers and others in need of protection hosted per country and year (all origins)."""
    long = q.dyad_values(ds, "unhcr-population", None, countries, (SINCE, None), POPULATION)
    if long.empty:
        return pd.DataFrame(columns=["asylum", "year", "people"])
    return long.groupby(["asylum", "year"], as_index=False)["value"].sum().rename(columns={"value": "people"})


def origins(ds, iso3: str) -> tuple[int | None, pd.DataFrame]:
    """The largest origins of the people hosted in ``iso3`` in the latest year, with the year before."""
    long = q.dyad_values(ds, "unhcr-population", None, iso3, (SINCE, None), POPULATION)
    if long.empty:
        return None, long
    latest = int(long["year"].max())
    per = long[long["year"] >= latest - 1].groupby(["origin", "year"])["value"].sum()
    now = per.xs(latest, level="year")
    before = per.xs(latest - 1, level="year") if (latest - 1) in per.index.get_level_values("year") else None
    top = pd.DataFrame({"now": now, "before": before.reindex(now.index) if before is not None else float("nan")})
    return latest, top.sort_values("now", ascending=False).head(10).rename_axis("origin").reset_index()


@router.get("/migration", response_class=HTMLResponse, include_in_schema=False)
def migration_page(request: Request, country: str = "POL", origin: str = "UKR", route: str = DEFAULT_ROUTE,
                   year: str = ""):
    ds = _ds(request)
    iso = _country(country)
    org = _country(origin)
    values = ds.cached(("migration-page", iso, org, route, year), lambda: page_values(ds, iso, org, route, year))
    return render("migration/migration.html", page_context(request, "migration", **values))


def page_values(ds, iso: str, org: str, route: str, year: str) -> dict:
    """What the migration page shows (cached per data version by the page)."""
    ring = neighbours(iso)
    hosted = hosts(ds, [iso, *ring])
    latest, top = origins(ds, iso)
    dyad = q.refugees(ds, org, iso, (2014, None), POPULATION)
    apps = q.asylum_applications(ds, None, iso, (2010, None))
    apps_year = q.by_year(apps, ["applications"])
    apps_top = (apps[apps["year"] == apps["year"].max()].sort_values("applications", ascending=False).head(10)
                if len(apps) else apps)
    routes = q.route_names(ds)
    route = route if route in routes else (routes[0] if routes else "")
    frontex = q.frontex_routes(ds)
    frontex_year = q.frontex_routes(ds, by="year")
    years_route = sorted(frontex_year.loc[frontex_year["route"] == route, "year"].unique().tolist(), reverse=True)
    route_year = int(year) if year.isdigit() and int(year) in years_route else (
        2021 if 2021 in years_route else (years_route[0] if years_route else None))
    monthly = (q.frontex_routes(ds, route, route_year) if route_year else frontex.head(0))
    iom = q.iom_source(ds)
    iom_years = (q.missing_by_route(ds)["year"].drop_duplicates().sort_values(ascending=False).tolist()
                 if iom else [])
    map_year = route_year if route_year in iom_years else (iom_years[0] if iom_years else None)
    by_route = q.missing_by_route(ds, (map_year, map_year)) if map_year else pd.DataFrame()
    worst = q.missing_migrants(ds, (map_year, map_year)) if map_year else pd.DataFrame()
    if len(worst):
        worst = worst.assign(toll=worst["dead"].fillna(0) + worst["missing"].fillna(0))
        worst = worst.sort_values("toll", ascending=False).head(15)
    pivot = (frontex_year.pivot_table(index="year", columns="route", values="detections", aggfunc="sum")
             .sort_index(ascending=False) if len(frontex_year) else pd.DataFrame())
    return {
        "iso3": iso, "origin": org, "ring": ring, "route": route, "routes": routes, "route_year": route_year,
        "years_route": years_route, "hosted": records(hosted), "hosted_table": _host_table(hosted, [iso, *ring]),
        "latest": latest, "top": records(top), "dyad": records(dyad.assign(people=_total(dyad))),
        "apps_year": records(apps_year), "apps_top": records(apps_top), "frontex": records(frontex),
        "frontex_pivot": records(pivot.reset_index()) if len(pivot) else [], "pivot_routes": list(pivot.columns),
        "monthly": records(monthly), "monthly_total": float(monthly["detections"].sum()) if len(monthly) else 0,
        "iom_source": iom, "map_year": map_year, "iom_years": iom_years, "by_route": records(by_route),
        "worst": records(worst)}


def _host_table(hosted: pd.DataFrame, countries: list[str]) -> dict:
    if hosted.empty:
        return {"years": [], "countries": [], "rows": []}
    wide = hosted.pivot_table(index="year", columns="asylum", values="people", aggfunc="sum").sort_index(
        ascending=False)
    cols = [c for c in countries if c in wide.columns]
    return {"countries": cols, "rows": [{"year": int(y), **{c: (None if pd.isna(wide.loc[y, c]) else
                                                                 float(wide.loc[y, c])) for c in cols}}
                                        for y in wide.index]}


def country_panel(ds, iso3: str):
    """The country page's section: refugees from and in the country, asylum applications per year."""
    try:
        into = q.refugees(ds, None, iso3, (2010, None), POPULATION)
        out = q.refugees(ds, iso3, None, (2010, None), POPULATION)
        apps = q.by_year(q.asylum_applications(ds, None, iso3, (2010, None)), ["applications"])
    except q.MigrationQueryError:
        return None
    hosted = into.assign(people=_total(into)).groupby("year")["people"].sum() if len(into) else pd.Series(dtype=float)
    fled = out.assign(people=_total(out)).groupby("year")["people"].sum() if len(out) else pd.Series(dtype=float)
    years = sorted(set(hosted.index) | set(fled.index) | set(apps["year"] if len(apps) else []), reverse=True)
    apps_by = apps.set_index("year")["applications"] if len(apps) else pd.Series(dtype=float)
    rows = [{"year": int(y), "hosted": _num(hosted.get(y)), "fled": _num(fled.get(y)), "applications":
             _num(apps_by.get(y))} for y in years[:12]]
    if not rows:
        return None
    return ("migration/_country.html", {"iso3": iso3, "rows": rows})


def _num(value):
    return None if value is None or pd.isna(value) else float(value)
