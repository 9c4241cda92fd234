"""API routes and the page for missile tests (CNS/NTI) and enrichment/reprocessing facilities (Nuclear Latency).

API (JSON, or CSV with ``format=csv``): ``/api/v1/wmd/missile-tests/yearly?country=``,
``/api/v1/wmd/missile-tests?country=&year=``, ``/api/v1/wmd/facilities?country=``.  Page: ``/wmd`` (tests per
year by testing state, a chart and its table; the facilities of the chosen country).  The queries are
:mod:`signalfire.analysis.wmd`, the same the Python API runs.
"""

from __future__ import annotations

from typing import Annotated, Literal

import pandas as pd
from fastapi import APIRouter, Query, Request

from signalfire.analysis import wmd as q
from signalfire.web.api import ERRORS
from signalfire.web.i18n import N_
from signalfire.web.rendering import page_context, render
from signalfire.web.streams.context import _answer as context_answer
from signalfire.web.streams.context import _query
from signalfire.web.streams.crises import records

router = APIRouter()
api = APIRouter(prefix="/api/v1/wmd", responses=ERRORS, tags=["wmd"])
Format = Annotated[Literal["json", "csv"], Query(description="json, or a csv download")]
Country = Annotated[str | None, Query(description="ISO 3166 alpha-3 code, e.g. PRK", max_length=60)]
LICENCES = {
    "cns-missile-tests": N_("CNS/NTI Missile Test Databases (James Martin Center for Nonproliferation Studies): free "
                            "academic use with citation."),
    "nuclear-latency": N_("Nuclear Latency dataset v1.2 (Fuhrmann & Tkach 2015): free academic use with citation."),
}


def _ds(request: Request):
    return request.app.state.ds


def _answer(frame: pd.DataFrame, fmt: str, name: str, source: str):
    return context_answer(frame, fmt, name, source, LICENCES)


@api.get("/missile-tests/yearly", summary="Missile tests per testing state and year (CNS/NTI)")
def yearly_api(request: Request, country: Country = None, format: Format = "json"):
    return _answer(_query(q.missile_tests_by_year, _ds(request), country), format, "missile-tests-yearly",
                   "cns-missile-tests")


@api.get("/missile-tests", summary="Missile tests (CNS/NTI), newest first")
def tests_api(request: Request, country: Country = None,
              year: Annotated[int | None, Query(ge=1900, le=2100)] = None, format: Format = "json"):
    return _answer(_query(q.missile_tests, _ds(request), country, year), format, "missile-tests",
                   "cns-missile-tests")


@api.get("/facilities", summary="Enrichment and reprocessing facilities (Nuclear Latency)")
def facilities_api(request: Request, country: Country = None, format: Format = "json"):
    return _answer(_query(q.nuclear_facilities, _ds(request), country), format, "nuclear-facilities",
                   "nuclear-latency")


def _tables(ds) -> bool:
    return ds.has_table("missile_tests") and ds.has_table("nuclear_facilities")


@router.get("/wmd", include_in_schema=False)
def wmd_page(request: Request, country: str = "PRK"):
    ds = _ds(request)
    iso = _query(q.iso3_of, country or "PRK") or "PRK"
    if not _tables(ds):
        yearly = tests = facilities = by_country = pd.DataFrame()
    else:
        yearly = q.missile_tests_by_year(ds)
        tests = q.missile_tests(ds, iso)
        facilities = q.nuclear_facilities(ds, iso)
        by_country = q.facilities_by_country(ds)
    testers = sorted(yearly["country_iso3"].unique()) if not yearly.empty else []
    pivot = []
    if not yearly.empty:
        wide = yearly.pivot_table(index="year", columns="country_iso3", values="tests", aggfunc="sum",
                                  fill_value=0).reindex(range(int(yearly["year"].min()),
                                                              int(yearly["year"].max()) + 1), fill_value=0)
        pivot = [{"year": int(y), **{c: int(v) for c, v in row.items()}} for y, row in wide.iterrows()]
    return render("wmd/wmd.html", page_context(
        request, "wmd", iso3=iso, yearly=records(yearly), pivot=pivot, testers=testers,
        tests=records(tests.head(200)), tests_total=len(tests), facilities=records(facilities),
        by_country=records(by_country), licences=LICENCES))


def country_panel(ds, iso3: str):
    """The country page's section: the state's missile tests (total, last five years) and its facilities."""
    try:
        if not _tables(ds):
            return None
        yearly = q.missile_tests_by_year(ds, iso3)
        facilities = q.nuclear_facilities(ds, iso3)
    except Exception:  # noqa: BLE001 - a section must never break the country page
        return None
    if yearly.empty and facilities.empty:
        return None
    return "wmd/_country.html", {
        "iso3": iso3, "tests_total": int(yearly["tests"].sum()) if not yearly.empty else 0,
        "recent": records(yearly.tail(5)), "facilities": records(facilities), "licences": LICENCES}


router.include_router(api)
