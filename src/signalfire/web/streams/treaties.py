"""API routes and pages for arms-control and non-proliferation instruments and each state's actions under them.

API (``/api/v1/treaties``): instruments, a state's status and timeline, the states × instruments matrix, who has
not joined an instrument, the validation flags; JSON, or CSV with ``format=csv``.  Pages: ``/treaties`` (the
matrix, filterable by region and alliance), ``/treaties/country/{iso3}`` (status, timeline, flags),
``/treaties/not-joined`` (CTBT split by its Annex 2 states).  Every query is the Python API's
(``analysis/treaties.py``), run on a cursor of the server's read connection.
"""

from __future__ import annotations

import math
import threading
from datetime import date, datetime
from typing import Literal

import pandas as pd
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from signalfire.analysis import treaties as q
from signalfire.store.queries import QueryError
from signalfire.web.api import ERRORS

router = APIRouter(responses=ERRORS)   # the documented error body on every API route (pages are out of the schema)
API = "/api/v1/treaties"
TIMEOUT_S = 10.0
SOURCE_NOTE = ("manytreaties (GGO/HUGGO, IEADB; CC BY 4.0), manyios (Vabulas & Snidal; CC BY 4.0), "
               "with Signalfire's documented overrides")
STATUS_LABELS = {"party": "party", "signatory": "signatory", "member": "member", "withdrawn": "withdrawn",
                 "ended": "ended", "none": "—"}


def run(request: Request, fn, *args):
    """``fn(cursor, *args)`` on a fresh cursor of the server's read connection, stopped after TIMEOUT_S."""
    ds = request.app.state.ds
    cur = ds.store.con.cursor()
    timer = threading.Timer(TIMEOUT_S, cur.interrupt)
    timer.daemon = True
    timer.start()
    try:
        return fn(cur, *args)
    finally:
        timer.cancel()
        cur.close()


def has_tables(request: Request, *names: str) -> bool:
    ds = request.app.state.ds
    return all(ds.has_table(n) for n in names) and all(
        ds.scalar(f"SELECT count(*) > 0 FROM {n}") for n in names)


def _plain(value):
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: dates as ISO strings, missing values as None."""
    frame = frame.astype(object).where(frame.notna(), None)
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def respond(frame: pd.DataFrame, fmt: str, name: str, **meta):
    """JSON ``{meta…, "data": [...]}`` or a CSV download of the same rows."""
    if fmt == "csv":
        text = frame.to_csv(index=False, date_format="%Y-%m-%d")
        return Response(text, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return {**meta, "data": records(frame)}


NEEDED = {"treaty_actions": "manytreaties", "treaty_instruments": "treaty-instruments"}   # table -> its adapter


def _missing(request: Request) -> list[str]:
    """The adapters whose table the treaty views need and the store lacks (empty when all are loaded)."""
    return [adapter for table, adapter in NEEDED.items() if not has_tables(request, table)]


def _require(request: Request) -> None:
    missing = _missing(request)
    if missing:
        raise HTTPException(404, "no treaty data in this store: ingest manytreaties, manyios, treaty-instruments "
                                 f"(and treaty-overrides) first; missing now: {', '.join(missing)}")


def _empty_page(request: Request) -> HTMLResponse | None:
    """A header page without the data it needs answers 200 with what to ingest (the API keeps its 404): all of it
    when nothing is loaded, else only what is missing (treaty actions without the instrument list had been told
    "no treaty data is loaded")."""
    missing = _missing(request)
    if not missing:
        return None
    from signalfire.web.rendering import page_context, render
    return render("treaties/empty.html", page_context(request, "treaties", stream="treaties", missing=missing,
                                                      partly=len(missing) < len(NEEDED)))


Fmt = Literal["json", "csv"]


# -- API --------------------------------------------------------------------------------------------------------
@router.get(API + "/instruments", summary="Arms-control instruments with data, their dates and counts of parties")
def api_instruments(request: Request, format: Fmt = "json"):
    _require(request)
    return respond(run(request, q.instruments), format, "instruments", source=SOURCE_NOTE)


@router.get(API + "/status/{iso3}", summary="A state's status under each instrument, with dates and flags")
def api_status(request: Request, iso3: str, format: Fmt = "json"):
    _require(request)
    return respond(run(request, q.treaty_status, iso3), format, f"treaty_status_{iso3.upper()}",
                   country=iso3.upper(), source=SOURCE_NOTE)


@router.get(API + "/timeline/{iso3}", summary="Every dated treaty action of a state, oldest first")
def api_timeline(request: Request, iso3: str, format: Fmt = "json"):
    _require(request)
    return respond(run(request, q.treaty_timeline, iso3), format, f"treaty_timeline_{iso3.upper()}",
                   country=iso3.upper(), source=SOURCE_NOTE)


@router.get(API + "/matrix", summary="Current states × instruments: status, by region and/or alliance")
def api_matrix(request: Request, instruments: str = "", region: str = "", alliance: str = "", format: Fmt = "json"):
    _require(request)
    frame = run(request, q.treaty_matrix, instruments or None, region or None, alliance or None)
    return respond(frame, format, "treaty_matrix", region=region or None, alliance=alliance or None,
                   source=SOURCE_NOTE)


@router.get(API + "/not-joined/{instrument}", summary="Current states that are not parties of an instrument")
def api_not_joined(request: Request, instrument: str, format: Fmt = "json"):
    _require(request)
    return respond(run(request, q.not_joined, instrument), format, f"not_joined_{instrument}",
                   instrument=instrument, source=SOURCE_NOTE)


@router.get(API + "/flags", summary="Validation flags on the producers' treaty data, with their corrections")
def api_flags(request: Request, country: str = "", instrument: str = "", format: Fmt = "json"):
    _require(request)
    return respond(run(request, q.treaty_flags, country or None, instrument or None), format, "treaty_flags",
                   source=SOURCE_NOTE)


@router.get(API + "/nuclear/{iso3}", summary="ν-CLEAR capabilities (last year) and nuclear cooperation agreements")
def api_nuclear(request: Request, iso3: str):
    profile = run(request, q.nuclear_profile, iso3)
    return {**profile, "nca": records(profile["nca"]),
            "source": "ν-CLEAR (Smith & Spaniel 2019); Nuclear Cooperation Agreements (Fuhrmann 2009), 1951-2003"}


# -- pages ------------------------------------------------------------------------------------------------------
def _page(request: Request, template: str, **values) -> HTMLResponse:
    from signalfire.web.rendering import page_context, render
    return render(template, page_context(request, "treaties", status_labels=STATUS_LABELS, **values))


@router.get("/treaties", response_class=HTMLResponse, include_in_schema=False)
def matrix_page(request: Request, region: str = "", alliance: str = "", topic: str = ""):
    if (empty := _empty_page(request)) is not None:
        return empty
    instruments = run(request, q.instruments)
    topics = sorted(instruments["topic"].dropna().unique())
    if topic and topic not in topics:
        raise QueryError(f"unknown topic {topic!r}; known: {', '.join(topics)}")
    chosen = instruments[instruments["topic"] == topic] if topic else instruments
    matrix = run(request, q.treaty_matrix, list(chosen["instrument"]), region or None, alliance or None)
    groups = q.group_names()
    return _page(request, "treaties/matrix.html", instruments=records(chosen), columns=list(chosen["instrument"]),
                 rows=records(matrix), groups=groups, region=region, alliance=alliance, topic=topic, topics=topics,
                 query=str(request.url.query))


@router.get("/treaties/country/{iso3}", response_class=HTMLResponse, include_in_schema=False)
def country_page(request: Request, iso3: str, goto: str = ""):
    if (empty := _empty_page(request)) is not None:
        return empty
    if goto:
        if not goto.isalpha() or len(goto) != 3:
            raise QueryError(f"unknown country {goto!r}; give an ISO3 code such as POL")
        return RedirectResponse(f"/treaties/country/{goto.upper()}", status_code=303)
    iso3 = iso3.upper()
    status = run(request, q.treaty_status, iso3)
    timeline = run(request, q.treaty_timeline, iso3)
    flags = run(request, q.treaty_flags, iso3, None)
    names = q._names()
    nuclear = run(request, q.nuclear_profile, iso3)
    nuclear["nca"] = records(nuclear["nca"])
    return _page(request, "treaties/country.html", iso3=iso3, name=names.get(iso3, iso3), status=records(status),
                 nuclear=nuclear,
                 timeline=records(timeline), flags=records(flags), states=sorted(names.items(), key=lambda x: x[1]))


@router.get("/treaties/not-joined", response_class=HTMLResponse, include_in_schema=False)
def not_joined_page(request: Request, instrument: str = "CTBT"):
    if (empty := _empty_page(request)) is not None:
        return empty
    frame = run(request, q.not_joined, instrument)
    choices = list(run(request, q.instruments)["instrument"])
    name = next((c for c in choices if c.lower() == instrument.strip().lower()), instrument)
    rows = records(frame)
    annex2 = [r for r in rows if r.get("annex2")]
    others = [r for r in rows if not r.get("annex2")]
    return _page(request, "treaties/not_joined.html", instrument=name, choices=choices, rows=rows,
                 annex2=annex2, others=others, is_ctbt=name == "CTBT")


# -- the country page's section ---------------------------------------------------------------------------------
def country_panel(ds, iso3: str):
    """Treaty status summary for ``/country/{iso3}``: parties, signatories, regimes, what it has not joined."""
    if not (ds.has_table("treaty_actions") and ds.scalar("SELECT count(*) > 0 FROM treaty_actions")):
        return None
    def compute():
        cur = ds.store.con.cursor()
        try:
            return q.treaty_status(cur, iso3)
        except QueryError:
            return None
        finally:
            cur.close()
    status = ds.cached(("treaties-panel", iso3), compute)
    if status is None or status.empty:
        return None
    by = {s: status.loc[status["status"] == s, "instrument"].tolist() for s in q.STATUSES}
    flagged = status.loc[status["flags"] != "", "instrument"].tolist()
    return "treaties/_country.html", {"iso3": iso3, "by": by, "flagged": flagged,
                                      "corrected": status.loc[status["corrected"], "instrument"].tolist()}
