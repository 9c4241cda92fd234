"""API routes and pages for context per country: military expenditure, capabilities, alliances, leaders.

API (JSON, or CSV with ``format=csv``): ``/api/v1/context/{iso3}/military-expenditure`` (SIPRI),
``/capabilities`` (COW NMC), ``/allies`` (ATOP, ``year`` default the last), ``/leaders`` (Archigos),
``/arms-transfers`` (SIPRI TIV per period), ``/arms-companies`` (SIPRI Top 100); ``/api/v1/context/arms-companies``
(one year's Top 100).
Page: ``/context/{iso3}`` with each figure's source and licence.  The queries are
:mod:`signalfire.analysis.context`, the same the Python API runs.
"""

from __future__ import annotations

from typing import Annotated, Literal

import pandas as pd
import pyarrow as pa
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse

from signalfire.analysis import context as q
from signalfire.analysis.crises import CrisesQueryError
from signalfire.web.api import ERRORS, table_response
from signalfire.web.i18n import N_
from signalfire.web.rendering import page_context, render
from signalfire.web.streams.crises import records

router = APIRouter()
api = APIRouter(prefix="/api/v1/context", responses=ERRORS, tags=["context"])
Format = Annotated[Literal["json", "csv"], Query(description="json, or a csv download")]
LICENCES = {
    "sipri-milex": N_("SIPRI Military Expenditure Database: free for non-commercial use with citation (no open "
                      "licence); © SIPRI. Not redistributed by Signalfire."),
    "cow-nmc": N_("Correlates of War National Material Capabilities v6.0: free with citation."),
    "atop": N_("ATOP v5.0 (Leeds et al.): free with citation."),
    "archigos": N_("Archigos 4.1 (Goemans, Gleditsch & Chiozza): free with citation."),
    "sipri-arms-transfers": N_("SIPRI Arms Transfers Database (trend-indicator values, as the World Bank republishes "
                               "them, summed per period): free for non-commercial use with citation (no open licence); "
                               "© SIPRI. Not redistributed by Signalfire."),
    "sipri-top100": N_("SIPRI Arms Industry Database (Top 100): free for non-commercial use with citation (no open "
                       "licence); © SIPRI. Not redistributed by Signalfire."),
}


def _ds(request: Request):
    return request.app.state.ds


def _query(call, *args, **kw):
    """Run a country query; an unknown country becomes 404, another argument error 400 (the WMD routes share it)."""
    try:
        return call(*args, **kw)
    except CrisesQueryError as exc:
        raise HTTPException(404 if str(exc).startswith("unknown country") else 400, str(exc)) from None


def _answer(frame: pd.DataFrame, fmt: str, name: str, source: str, licences: dict | None = None, **extra):
    """A CSV download, or JSON with the source, its licence (from ``licences``, by default this stream's) and rows."""
    if fmt == "csv":
        return table_response(pa.Table.from_pandas(frame, preserve_index=False), "csv", name, total=len(frame))
    licence = (LICENCES if licences is None else licences)[source]
    return {"total": len(frame), "source": source, "licence": licence, **extra, "data": records(frame)}


@api.get("/{iso3}/military-expenditure", summary="SIPRI military expenditure of a country by year")
def milex_api(request: Request, iso3: str, format: Format = "json"):
    frame = _query(q.military_expenditure, _ds(request), iso3)
    return _answer(frame, format, f"milex-{iso3.upper()}", "sipri-milex", edition=q.milex_base(_ds(request)))


@api.get("/{iso3}/capabilities", summary="COW National Material Capabilities of a country by year")
def capabilities_api(request: Request, iso3: str, format: Format = "json"):
    return _answer(_query(q.capabilities, _ds(request), iso3), format, f"nmc-{iso3.upper()}", "cow-nmc")


@api.get("/{iso3}/allies", summary="ATOP allies of a country in a year (default: the last ATOP year)")
def allies_api(request: Request, iso3: str, year: Annotated[int | None, Query(ge=1815, le=2100)] = None,
               format: Format = "json"):
    return _answer(_query(q.allies, _ds(request), iso3, year), format, f"allies-{iso3.upper()}", "atop")


@api.get("/{iso3}/leaders", summary="Archigos leaders of a country")
def leaders_api(request: Request, iso3: str, since: Annotated[int | None, Query(ge=1800, le=2100)] = None,
                format: Format = "json"):
    return _answer(_query(q.leaders, _ds(request), iso3, since=since), format, f"leaders-{iso3.upper()}",
                   "archigos")


@api.get("/arms-companies", summary="SIPRI Top 100 arms-producing companies of a year (default: the last)")
def companies_year_api(request: Request, year: Annotated[int | None, Query(ge=2002, le=2100)] = None,
                       format: Format = "json"):
    frame = _query(q.arms_companies, _ds(request), None, year)
    return _answer(frame, format, f"top100-{year or 'last'}", "sipri-top100", edition=q.arms_companies_base(_ds(request)))


@api.get("/{iso3}/arms-transfers", summary="SIPRI arms imports and exports (TIV) of a country per period")
def arms_transfers_api(request: Request, iso3: str, format: Format = "json"):
    return _answer(_query(q.arms_transfers, _ds(request), iso3), format, f"arms-transfers-{iso3.upper()}",
                   "sipri-arms-transfers")


@api.get("/{iso3}/arms-companies", summary="A country's companies in the SIPRI Top 100, by year")
def arms_companies_api(request: Request, iso3: str, format: Format = "json"):
    frame = _query(q.arms_companies, _ds(request), iso3)
    return _answer(frame, format, f"top100-{iso3.upper()}", "sipri-top100", edition=q.arms_companies_base(_ds(request)))


def _arms(ds, iso: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    transfers = q.arms_transfers(ds, iso)
    companies = q.arms_companies(ds, iso) if ds.has_table("arms_company_year") else pd.DataFrame()
    return transfers, companies


# -- pages ------------------------------------------------------------------------------------------------------
@router.get("/context", include_in_schema=False)
def context_home(country: str = "POL"):
    return RedirectResponse(f"/context/{(country or 'POL').upper()[:3]}", status_code=303)


@router.get("/context/{iso3}", include_in_schema=False)
def context_page(request: Request, iso3: str, goto: str = ""):
    if goto and goto.upper() != iso3.upper():
        return RedirectResponse(f"/context/{goto.upper()[:3]}", status_code=303)
    ds = _ds(request)
    milex = _query(q.military_expenditure, ds, iso3)
    iso = q.iso3_of(iso3)
    caps = q.capabilities(ds, iso)
    allies = q.allies(ds, iso)
    counts = q.allies_count(ds, iso)
    leaders = q.leaders(ds, iso)
    transfers, companies = _arms(ds, iso)
    return render("context/context.html", page_context(
        request, "context", iso3=iso, milex=records(milex), edition=q.milex_base(ds),
        transfers=records(transfers), companies=records(companies),
        companies_base=q.arms_companies_base(ds) if len(companies) else None,
        caps=records(caps.tail(15).iloc[::-1]), allies=records(allies), counts=records(counts),
        leaders=records(leaders), licences=LICENCES))


def _panel_values(ds, iso3: str) -> dict:
    values: dict = {"iso3": iso3, "licences": LICENCES}
    milex = q.military_expenditure(ds, iso3).dropna(subset=["milex_constant_usd_m"])
    if not milex.empty:
        last = milex.iloc[-1]
        earlier = milex[milex["year"] <= last["year"] - 10]
        values["milex"] = {"year": int(last["year"]), "value": float(last["milex_constant_usd_m"]),
                           "share_gdp": None if pd.isna(last["milex_share_gdp"]) else float(last["milex_share_gdp"])}
        if not earlier.empty:
            base = earlier.iloc[-1]
            values["milex"]["base_year"] = int(base["year"])
            values["milex"]["change"] = float(last["milex_constant_usd_m"] / base["milex_constant_usd_m"] - 1)
        values["edition"] = q.milex_base(ds)
    counts = q.allies_count(ds, iso3)
    if not counts.empty:
        values["allies"] = records(counts.tail(1))[0]
    leaders = q.leaders(ds, iso3)
    if not leaders.empty:
        values["leader"] = records(leaders.tail(1))[0]
    transfers, companies = _arms(ds, iso3)
    if not transfers.empty:
        values["transfers"] = records(transfers.tail(1))[0]
    if not companies.empty:
        last = companies[companies["year"] == companies["year"].max()]
        values["companies"] = {"year": int(last["year"].iloc[0]), "names": records(last)}
    return values


def country_panel(ds, iso3: str):
    """The country page's section: military expenditure (latest, ten-year trend), allies, the last leader."""
    try:
        if not ds.has_table("leaders"):
            return None
        values = _panel_values(ds, iso3)
    except Exception:  # noqa: BLE001 - a section must never break the country page
        return None
    if not any(k in values for k in ("milex", "allies", "leader", "transfers", "companies")):
        return None
    return "context/_country.html", values


router.include_router(api)
