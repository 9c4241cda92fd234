"""API routes and pages for international crises and militarised interstate disputes (ICB, MID) with their actors.

API: ``/api/v1/crises`` (JSON or CSV; filters country, search, since, until, mediated), ``/api/v1/crises/{no}``
(the crisis with its actors and dyads), ``/api/v1/disputes`` (since, until, hostility), ``/api/v1/disputes/{no}``.
Pages: ``/crises`` (the registry, filters applied on submit), ``/crises/{no}``, ``/disputes``.  The queries are
:mod:`signalfire.analysis.crises`, the same the Python API runs.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from urllib.parse import urlencode

import pandas as pd
import pyarrow as pa
from fastapi import APIRouter, HTTPException, Path, Query, Request

from signalfire.analysis import crises as q
from signalfire.web.api import ERRORS, table_response
from signalfire.web.i18n import N_
from signalfire.web.rendering import page_context, render

router = APIRouter()
api = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["crises"])
Format = Annotated[Literal["json", "csv"], Query(description="json, or a csv download")]
Year = Annotated[str | None, Query(description="A year, e.g. 1990")]
Number = Annotated[int, Path(ge=1, le=2**31 - 1, description="The producer's number")]
ICB_LICENCE = N_("International Crisis Behavior (ICB) Project v15: free with citation.")
MID_LICENCE = N_("Gibler-Miller-Little MID data 2.2.1 (dispute level): free with citation.")


def records(frame: pd.DataFrame) -> list[dict]:
    """JSON-ready rows: dates as ISO text, missing values as null, numpy scalars as Python ones."""
    out = []
    for row in frame.to_dict("records"):
        clean = {}
        for key, value in row.items():
            if value is None or (not isinstance(value, (list, tuple, str)) and pd.isna(value)):
                clean[key] = None
            elif isinstance(value, (pd.Timestamp, dt.date)):
                clean[key] = value.date().isoformat() if isinstance(value, pd.Timestamp) else value.isoformat()
            elif hasattr(value, "item"):
                clean[key] = value.item()
            else:
                clean[key] = value
        out.append(clean)
    return out


def _ds(request: Request):
    return request.app.state.ds


def _query(call, *args, **kw):
    """Run a query; its argument errors become 400 (404 for a missing crisis or dispute)."""
    try:
        return call(*args, **kw)
    except q.CrisesQueryError as exc:
        raise HTTPException(404 if str(exc).startswith("no ") else 400, str(exc)) from None


def _flag(value: str | None) -> bool | None:
    if value in (None, ""):
        return None
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise HTTPException(400, f"mediated must be true or false, not {value!r}")


PAGE_ROWS = 100


def _paged(request: Request, frame: pd.DataFrame, page: int) -> dict:
    """One page of a registry's rows, with the links to the pages before and after (filters kept)."""
    pages = max(1, -(-len(frame) // PAGE_ROWS))
    page = min(max(page, 1), pages)
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"])
    return {"rows": records(frame.iloc[(page - 1) * PAGE_ROWS: page * PAGE_ROWS]), "total": len(frame),
            "page": page, "pages": pages, "query": query}


def _download(frame: pd.DataFrame, name: str):
    return table_response(pa.Table.from_pandas(frame, preserve_index=False), "csv", name, total=len(frame))


@api.get("/crises", summary="ICB crises: one row per crisis with actors, dates, severity and mediation")
def crises_api(request: Request, country: Annotated[str | None, Query(description="ISO3 code: crises it was an "
                                                                      "actor in")] = None,
               search: Annotated[str | None, Query(description="Text in the crisis name or actor codes")] = None,
               since: Year = None, until: Year = None,
               mediated: Annotated[str | None, Query(description="true: mediated crises only")] = None,
               format: Format = "json"):
    frame = _query(q.crises, _ds(request), country=country, search=search, since=since, until=until,
                   mediated=_flag(mediated))
    if format == "csv":
        return _download(frame, "crises")
    return {"total": len(frame), "licence": ICB_LICENCE, "data": records(frame)}


@api.get("/crises/{crisis_no}", summary="One ICB crisis with its actors and dyads")
def crisis_api(request: Request, crisis_no: Number):
    actors = _query(q.crisis, _ds(request), crisis_no)
    summary = _query(q.crises, _ds(request)).query("crisis_no == @crisis_no")
    return {"crisis": records(summary)[0], "actors": records(actors),
            "dyads": records(q.crisis_dyads(_ds(request), crisis_no)), "licence": ICB_LICENCE}


@api.get("/disputes", summary="Militarised interstate disputes (GML MID, dispute level)")
def disputes_api(request: Request, since: Year = None, until: Year = None,
                 hostility: Annotated[int | None, Query(ge=1, le=5, description="At least this hostility level "
                                                        "(1 none … 5 war)")] = None,
                 format: Format = "json"):
    frame = _query(q.disputes, _ds(request), since=since, until=until, hostility=hostility)
    if format == "csv":
        return _download(frame, "disputes")
    return {"total": len(frame), "licence": MID_LICENCE, "data": records(frame)}


@api.get("/disputes/{dispute_no}", summary="One militarised interstate dispute")
def dispute_api(request: Request, dispute_no: Number):
    return {"dispute": records(_query(q.dispute, _ds(request), dispute_no))[0], "licence": MID_LICENCE}


# -- pages ------------------------------------------------------------------------------------------------------
@router.get("/crises", include_in_schema=False)
def crises_page(request: Request, country: str = "", search: str = "", since: str = "", until: str = "",
                mediated: str = "", page: int = 1):
    frame = _query(q.crises, _ds(request), country=country or None, search=search or None, since=since or None,
                   until=until or None, mediated=True if mediated else None)
    f = {"country": (q.iso3_of(country) or "") if country else "", "search": search, "since": since,
         "until": until, "mediated": bool(mediated)}
    return render("crises/crises.html", page_context(request, "crises", f=f, licence=ICB_LICENCE,
                                                     **_paged(request, frame, page)))


def _name(iso3) -> str | None:
    from signalfire.geo.countries import country
    found = country(iso3) if isinstance(iso3, str) and iso3 else None
    return found.name if found else None


@router.get("/crises/{crisis_no}", include_in_schema=False)
def crisis_page(request: Request, crisis_no: Number):
    actors = _query(q.crisis, _ds(request), crisis_no)
    summary = records(q.crises(_ds(request)).query("crisis_no == @crisis_no"))[0]
    actors["country_name"] = actors["country_iso3"].map(_name)
    dyads = q.crisis_dyads(_ds(request), crisis_no)
    dyads["state_a_name"] = dyads["state_a_iso3"].map(_name)
    dyads["state_b_name"] = dyads["state_b_iso3"].map(_name)
    return render("crises/crisis.html", page_context(request, "crises", crisis=summary, actors=records(actors),
                                                     dyads=records(dyads), licence=ICB_LICENCE))


@router.get("/disputes", include_in_schema=False)
def disputes_page(request: Request, since: str = "", until: str = "", hostility: str = "", page: int = 1):
    level = None
    if hostility:
        try:
            level = int(hostility)
        except ValueError:
            raise HTTPException(400, f"hostility must be a level from 1 to 5, not {hostility!r}") from None
    frame = _query(q.disputes, _ds(request), since=since or None, until=until or None, hostility=level)
    f = {"since": since, "until": until, "hostility": level}
    return render("crises/disputes.html", page_context(request, "disputes", f=f, licence=MID_LICENCE,
                                                       **_paged(request, frame, page)))


def country_panel(ds, iso3: str):
    """The country page's section: the ICB crises the country was an actor in, linked."""
    try:
        if not ds.has_table("crisis_actors"):
            return None
        frame = q.country_crises(ds, iso3)
    except Exception:  # noqa: BLE001 - a section must never break the country page
        return None
    if frame.empty:
        return None
    return "crises/_country.html", {"rows": records(frame), "iso3": iso3, "licence": ICB_LICENCE}


router.include_router(api)
