"""API routes and pages for peacekeeping and other missions: deployments, missions, deployment sites, fatalities.

API (JSON, or ``format=csv`` for the tables): ``/api/v1/missions`` (every mission), ``/api/v1/missions/deployments``
(a country's personnel per month and type), ``…/deployments/yearly``, ``…/mission/{acronym}`` (identity, strength
against authorised strength, contributors), ``…/sites`` (Geo-PKO locations, also GeoJSON), ``…/fatalities`` and
``…/country/{iso3}`` (a country's engagement).  Pages: ``/missions`` (a country's deployments, Poland by default),
``/missions/mission/{acronym}``, ``/missions/map`` and ``/missions/fatalities``.  Every query is a function of
:mod:`signalfire.analysis.missions`, the same the Python API calls, on the dashboard's read-only connection.
"""

from __future__ import annotations

import math
from typing import Literal

import pandas as pd
import pyarrow as pa
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from signalfire.analysis import missions as q
from signalfire.web.api import ERRORS, table_response
from signalfire.web.i18n import N_, gettext
from signalfire.web.rendering import _request_language, page_context, render

TROOP_TYPE_LABELS = {"Infantry": N_("Infantry troops"), "eng": N_("Engineering"), "med": N_("Medical"),
                     "sig": N_("Signals"), "av": N_("Aviation"), "riv": N_("Riverine"), "maint": N_("Maintenance"), "trans": N_("Transport")}
router = APIRouter(dependencies=[Depends(_request_language)])   # labels built in Python in the page's language
api = APIRouter(prefix="/api/v1/missions", tags=["missions"], responses=ERRORS)

TYPE_LABELS = {"troops": N_("Troops"), "staff_officers": N_("Staff officers"),
               "experts": N_("Experts on mission / observers"), "individual_police": N_("Individual police"), "formed_police": N_("Formed police units"),
               "police": N_("Police (not split)")}
SOURCE_LABELS = {"ipi-contributions": N_("IPI Peacekeeping Database, contributions by country and month"),
                 "ipi-contributions-mission": N_("IPI Peacekeeping Database, contributions by country and mission"),
                 "un-pko-hub": N_("UN Peace and Security Data Hub, contributions"),
                 "missions-user-contributions": N_("user-supplied (see each row's source)"),
                 "ipi-missions": N_("IPI Peacekeeping Database, missions by month"),
                 "un-pko-strength": N_("UN authorised vs deployed strength (compiled from UN reports)"),
                 "bara-hultman": N_("Bara & Hultman, UN and non-UN peacekeeping v2-2019"),
                 "geopko": N_("Geo-PKO v2.3 (Uppsala University)"),
                 "un-pko-fatalities": N_("UN peacekeeping fatalities (UN DPKO records)"),
                 "combined": N_("IPI / UN data hub, most detailed source per month")}
CAUSE_LABELS = {"malicious": N_("Malicious acts"), "accident": N_("Accident"), "illness": N_("Illness"),
                "other_cause": N_("Other")}
Fmt = Literal["json", "csv"]
CountryQ = Query("POL", description="ISO 3166 alpha-3 code (or a country name), e.g. POL")
SourceQ = Query("combined", description="a contributions source, 'combined' (the most detailed UN source per "
                                        "month) or 'all'")


def _ds(request: Request):
    return request.app.state.ds


def _call(fn, *args, **kw):
    """Run a query; a bad argument is a 400 with its message, for the API and the pages alike."""
    try:
        return fn(*args, **kw)
    except q.MissionsQueryError as exc:
        raise HTTPException(400, str(exc)) from None


def records(frame: pd.DataFrame) -> list[dict]:
    """JSON-safe rows: missing values as null, numbers as numbers, dates as ISO text."""
    out = []
    for row in frame.to_dict("records"):
        clean = {}
        for key, value in row.items():
            if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
                clean[key] = None
            elif hasattr(value, "isoformat"):
                clean[key] = value.isoformat()[:10]
            elif hasattr(value, "item"):
                clean[key] = value.item()
            else:
                clean[key] = value
        out.append(clean)
    return out


def _respond(frame: pd.DataFrame, fmt: str, name: str, **meta):
    if fmt == "csv":
        table = pa.Table.from_pylist(records(frame)) if len(frame) else pa.table(
            {c: pa.array([], pa.string()) for c in frame.columns})
        return table_response(table, "csv", name)
    return {**meta, "total": len(frame), "data": records(frame)}


def _source(source: str | None) -> str | None:
    return None if source in (None, "", "all") else source


# -- API ------------------------------------------------------------------------------------------------------
@api.get("", summary="Every mission known to the store (datasets and user-supplied)")
def api_missions(request: Request, organisation: str | None = None, host: str | None = None,
                 active_in: int | None = Query(None, ge=1900, le=2100), search: str | None = None,
                 format: Fmt = "json"):
    frame = _call(q.missions, _ds(request), organisation, host, active_in, search)
    return _respond(frame, format, "missions")


@api.get("/deployments", summary="A country's personnel per month and personnel type, summed over missions")
def api_deployments(request: Request, country: str = CountryQ, source: str = SourceQ, format: Fmt = "json"):
    frame = _call(q.deployment_series, _ds(request), country, _source(source))
    return _respond(frame, format, f"deployments_{country}", country=country.upper(), source=source)


@api.get("/deployments/yearly", summary="A country's January personnel by type and each year's peak month")
def api_deployments_yearly(request: Request, country: str = CountryQ, source: str = SourceQ, format: Fmt = "json"):
    frame = _call(q.deployments_by_year, _ds(request), country, _source(source))
    return _respond(frame, format, f"deployments_yearly_{country}", country=country.upper(), source=source)


@api.get("/deployments/rows", summary="Contribution rows as stored (contributor x mission x month x type)")
def api_deployment_rows(request: Request, country: str | None = "POL", mission: str | None = None,
                        source: str | None = None, since: str | None = None, until: str | None = None,
                        format: Fmt = "json"):
    frame = _call(q.deployments, _ds(request), country, mission, source, since, until)
    return _respond(frame, format, "contributions")


@api.get("/mission/{acronym}", summary="A mission: identity, strength against authorised strength, contributors")
def api_mission(request: Request, acronym: str, month: str | None = Query(None, pattern=r"^\d{4}-\d{2}$")):
    ds = _ds(request)
    identity = q.mission(ds, acronym)
    if identity.empty:
        raise HTTPException(404, f"unknown mission {acronym!r}: see /api/v1/missions")
    return {"mission": records(identity)[0], "strength": records(q.mission_strength(ds, acronym)),
            "contributors": records(q.mission_contributors(ds, acronym, month)),
            "fatalities_by_year": records(q.pko_fatalities(ds, mission=acronym, by="year"))}


@api.get("/sites", summary="Geo-PKO deployment locations of a contributor, mission or year")
def api_sites(request: Request, country: str | None = "POL", mission: str | None = None,
              year: int | None = Query(None, ge=1900, le=2100), format: Literal["json", "csv", "geojson"] = "json"):
    frame = _call(q.deployment_sites, _ds(request), country, mission, year)
    if format == "geojson":
        return table_response(pa.Table.from_pylist(records(frame)) if len(frame) else
                              pa.table({"latitude": pa.array([], pa.float64()),
                                        "longitude": pa.array([], pa.float64())}), "geojson", "sites")
    return _respond(frame, format, "sites")


@api.get("/site-types", summary="Geo-PKO troop types per deployment site (TTMap, or FrontMap)")
def api_site_types(request: Request, mission: str | None = None, year: int | None = Query(None, ge=1900, le=2100),
                   source: Literal["geopko-ttmap", "geopko-frontmap"] = "geopko-ttmap",
                   format: Literal["json", "csv"] = "json"):
    return _respond(_call(q.site_types, _ds(request), mission, year, source), format, "site-types")


@api.get("/mission/{acronym}/troop-types", summary="A mission's Geo-PKO troop types per year, summed over sites")
def api_troop_types(request: Request, acronym: str,
                    source: Literal["geopko-ttmap", "geopko-frontmap"] = "geopko-ttmap",
                    format: Literal["json", "csv"] = "json"):
    return _respond(_call(q.troop_types_by_year, _ds(request), acronym, source), format, "troop-types")


@api.get("/fatalities", summary="Peacekeeper fatalities by nationality, mission and month (or summed by)")
def api_fatalities(request: Request, country: str | None = None, mission: str | None = None,
                   since: int | None = Query(None, ge=1900, le=2100), until: int | None = Query(None, ge=1900, le=2100),
                   by: Literal["year", "mission", "nationality"] | None = None, format: Fmt = "json"):
    frame = _call(q.pko_fatalities, _ds(request), country, mission, since, until, by)
    return _respond(frame, format, "fatalities")


@api.get("/country/{iso3}", summary="A country's engagement: latest deployment, missions served in and hosted")
def api_country(request: Request, iso3: str):
    got = _call(q.engagement, _ds(request), iso3)
    return {"country": got["country"], "latest": got["latest"], "served": records(got["served"]),
            "hosted": records(got["hosted"]), "fatalities": got["fatalities"]}


router.include_router(api)


# -- pages ----------------------------------------------------------------------------------------------------
def _country_or_400(country: str) -> str:
    return _call(q._iso3, country) or "POL"


@router.get("/missions", response_class=HTMLResponse, include_in_schema=False)
def deployments_page(request: Request, country: str = "POL", source: str = "combined"):
    ds = _ds(request)
    iso = _country_or_400(country)
    series = _call(q.deployment_series, ds, iso, _source(source))
    series = series.assign(label=series["personnel_type"].map(lambda t: gettext(TYPE_LABELS.get(t, t))))
    yearly = q.deployments_by_year(ds, iso, _source(source))
    types = [c for c in yearly.columns if c in TYPE_LABELS]
    sources = ["combined", *q._sources(ds, "mission_contributions")]
    served = q.country_missions(ds, iso)
    period = (series["month"].min(), series["month"].max()) if len(series) else None
    return render("missions/deployments.html", page_context(
        request, "missions", iso3=iso, country=iso, source=source, sources=sources, source_labels=SOURCE_LABELS,
        series=records(series[["month", "source", "label", "total"]]), yearly=records(yearly),
        types=types, type_labels=TYPE_LABELS, served=records(served), period=period,
        missions=ds.cached("missions-all", lambda: records(q.missions(ds)))))


@router.get("/missions/mission/{acronym}", response_class=HTMLResponse, include_in_schema=False)
def mission_page(request: Request, acronym: str, month: str = ""):
    ds = _ds(request)
    identity = q.mission(ds, acronym)
    if identity.empty:
        raise HTTPException(404, f"unknown mission {acronym!r}: see the list on /missions")
    info = records(identity)[0]
    strength = q.mission_strength(ds, acronym)
    deployed = strength[strength["measure"].isin(["total", "authorised_total"])
                        & strength["source"].isin(["ipi-missions", "un-pko-strength"])]
    deployed = deployed.assign(series=deployed["measure"].map({"total": "deployed", "authorised_total": "authorised"})
                               + " (" + deployed["source"] + ")")
    contributors = q.mission_contributors(ds, acronym, month or None)
    contributors = contributors.assign(label=contributors["personnel_type"].map(TYPE_LABELS))
    per_country = (contributors.groupby(["contributor_iso3", "contributor"], dropna=False)["total"].sum()
                   .sort_values(ascending=False).reset_index())
    deaths = q.pko_fatalities(ds, mission=acronym, by="year")
    latest = (deployed.sort_values("month").groupby("series").tail(1)) if len(deployed) else deployed
    return render("missions/mission.html", page_context(
        request, "missions", mission=info, strength=records(deployed[["month", "series", "value"]]),
        latest=records(latest), contributors=records(contributors), per_country=records(per_country),
        contrib_rows=records(contributors[["contributor", "label", "total"]].head(300)),
        contrib_month=contributors["month"].iloc[0] if len(contributors) else None,
        contrib_source=contributors["source"].iloc[0] if len(contributors) else None,
        deaths=records(deaths), source_labels=SOURCE_LABELS, type_labels=TYPE_LABELS))


@router.get("/missions/map", response_class=HTMLResponse, include_in_schema=False)
def map_page(request: Request, country: str = "POL", year: str = ""):
    ds = _ds(request)
    iso = _country_or_400(country)
    years = q.deployment_sites(ds, iso)["year"].drop_duplicates().tolist()
    picked = int(year) if year.isdigit() else (years[0] if years else None)
    sites = q.deployment_sites(ds, iso, year=picked) if picked else q.deployment_sites(ds, iso).head(0)
    types = pd.DataFrame()
    if picked and len(sites) and ds.has_table("mission_site_types"):
        types = q.site_types(ds, year=picked, missions_in=sorted(sites["mission"].unique()))
    return render("missions/map.html", page_context(
        request, "missions-map", iso3=iso, country=iso, year=picked, years=years, sites=records(sites),
        site_types=records(types), type_columns=TROOP_TYPE_LABELS,
        sites_rows=records(sites[["mission", "location", "latitude", "longitude", "troops", "contributor"]])))


@router.get("/missions/fatalities", response_class=HTMLResponse, include_in_schema=False)
def fatalities_page(request: Request, country: str = "", mission: str = ""):
    ds = _ds(request)
    iso = _call(q._iso3, country) if country else None
    by_year = _call(q.pko_fatalities, ds, iso, mission or None, by="year")
    causes = by_year.melt(id_vars="year", value_vars=["illness", "accident", "malicious", "other_cause"],
                          var_name="cause", value_name="deaths")
    causes["cause"] = causes["cause"].map(lambda c: gettext(CAUSE_LABELS[c]) if c in CAUSE_LABELS else None)
    by_mission = q.pko_fatalities(ds, iso, mission or None, by="mission").head(25)
    by_nationality = q.pko_fatalities(ds, iso, mission or None, by="nationality").head(25)
    return render("missions/fatalities.html", page_context(
        request, "missions-fatalities", country=iso or "", mission=mission, by_year=records(by_year),
        causes=records(causes), by_mission=records(by_mission), by_nationality=records(by_nationality),
        total=int(by_year["total"].sum()) if len(by_year) else 0))


def country_panel(ds, iso3: str):
    """The country page's section: latest deployment, missions served in and hosted, fatalities."""
    try:
        got = ds.cached(("missions-engagement", iso3.upper()), lambda: q.engagement(ds, iso3))
    except q.MissionsQueryError:
        return None
    if got["latest"] is None and got["served"].empty and got["hosted"].empty and not got["fatalities"]:
        return None
    return ("missions/_country.html", {"iso3": got["country"], "latest": got["latest"],
                                       "served": records(got["served"].head(12)),
                                       "hosted": records(got["hosted"].head(12)), "fatalities": got["fatalities"],
                                       "type_labels": TYPE_LABELS, "source_labels": SOURCE_LABELS})
