"""API routes and pages for UN General Assembly roll-call votes (resolutions, votes) and Security Council terms.

API (``/api/v1/unga``): resolution search with tallies, one roll call with every state's vote, a state's voting
agreement with every other (a session or a year, optionally one issue), a pair's agreement over time and by
issue, Security Council elected terms; JSON, or CSV with ``format=csv``.  Pages: ``/unga`` (search),
``/unga/roll-calls/{rcid}``, ``/unga/agreement`` (partners table and a pair's agreement over time).  Every query
is the Python API's (``analysis/unga.py``).
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from signalfire.analysis import unga as q
from signalfire.store.queries import QueryError
from signalfire.web.api import ERRORS
from signalfire.web.streams.treaties import has_tables, records, respond, run

router = APIRouter(responses=ERRORS)   # the documented error body on every API route (pages are out of the schema)
API = "/api/v1/unga"
SOURCE_NOTE = ("Erik Voeten, United Nations General Assembly Voting Data (Harvard Dataverse), via the unvotes "
               "package (MIT); sessions 1-74, 1946-2019")
UNSC_NOTE = "UN Security Council elected members (un.org), shipped reference table, complete for 1989-2026"
Fmt = Literal["json", "csv"]
DEFAULT_HOME = "POL"
PAGE = 50


def _require(request: Request) -> None:
    if not has_tables(request, "unga_roll_calls", "unga_votes"):
        raise HTTPException(404, "no UN General Assembly votes in this store: ingest unvotes-roll-calls, unvotes "
                                 "and unvotes-issues first")


def _empty_page(request: Request) -> HTMLResponse | None:
    """A header page with no data loaded answers 200 with what to ingest (the API keeps its 404)."""
    if has_tables(request, "unga_roll_calls", "unga_votes"):
        return None
    from signalfire.web.rendering import page_context, render
    return render("treaties/empty.html", page_context(request, "unga", stream="unga"))


# -- API --------------------------------------------------------------------------------------------------------
@router.get(API + "/resolutions", summary="Roll calls matching every word of the search, with tallies")
def api_resolutions(request: Request, search: str = "", session: str = "", year: str = "", issue: str = "",
                    country: str = "", limit: int = 50, offset: int = 0, format: Fmt = "json"):
    _require(request)
    frame = run(request, q.resolutions, search or None, session or None, year or None, issue or None,
                country or None, limit, offset)
    return respond(frame, format, "resolutions", search=search, limit=limit, offset=offset, source=SOURCE_NOTE)


@router.get(API + "/roll-calls/{rcid}", summary="One roll call and each state's vote")
def api_roll_call(request: Request, rcid: int, format: Fmt = "json"):
    _require(request)
    info = run(request, q.roll_call, rcid)
    if info is None:
        raise HTTPException(404, f"no roll call {rcid}")
    frame = run(request, q.votes, rcid)
    return respond(frame, format, f"roll_call_{rcid}", roll_call=records_one(info), source=SOURCE_NOTE)


def records_one(info: dict) -> dict:
    import pandas as pd
    return records(pd.DataFrame([info]))[0]


@router.get(API + "/agreement/{iso3}", summary="A state's voting agreement with every other state")
def api_agreement(request: Request, iso3: str, session: str = "", year: str = "", issue: str = "",
                  min_votes: str = "", format: Fmt = "json"):
    _require(request)
    frame = run(request, q.vote_agreement, iso3, session or None, year or None, issue or None, min_votes or None)
    return respond(frame, format, f"agreement_{iso3.upper()}", country=iso3.upper(), source=SOURCE_NOTE,
                   measures={"identical": "share of the votes in common that were the same",
                             "coincidence": "same vote 1, one abstains 0.5, opposite 0; mean"})


@router.get(API + "/agreement/{iso3}/{partner}", summary="Two states' agreement per session (or per issue)")
def api_pair(request: Request, iso3: str, partner: str, issue: str = "", by: Literal["session", "issue"] = "session",
             session: str = "", year: str = "", format: Fmt = "json"):
    _require(request)
    if by == "issue":
        frame = run(request, q.agreement_by_issue, iso3, partner, session or None, year or None)
    else:
        frame = run(request, q.agreement_over_time, iso3, partner, issue or None)
    return respond(frame, format, f"agreement_{iso3.upper()}_{partner.upper()}", country=iso3.upper(),
                   partner=partner.upper(), source=SOURCE_NOTE)


@router.get(API + "/unsc", summary="Elected UN Security Council terms (all, or one state's)")
def api_unsc(request: Request, country: str = "", format: Fmt = "json"):
    return respond(q.unsc_terms(country or None), format, "unsc_terms", source=UNSC_NOTE)


# -- pages ------------------------------------------------------------------------------------------------------
def _page(request: Request, template: str, **values) -> HTMLResponse:
    from signalfire.web.rendering import page_context, render
    return render(template, page_context(request, "unga", issues=q.ISSUES, **values))


def _states() -> list[tuple[str, str]]:
    from signalfire.analysis.treaties import _names
    return sorted(_names().items(), key=lambda x: x[1])


@router.get("/unga", response_class=HTMLResponse, include_in_schema=False)
def search_page(request: Request, search: str = "", session: str = "", issue: str = "", country: str = "",
                page: int = 1):
    if (empty := _empty_page(request)) is not None:
        return empty
    country = (country or DEFAULT_HOME).upper()
    page = max(1, min(page, 1000))
    frame = run(request, q.resolutions, search or None, session or None, None, issue or None, country, PAGE + 1,
                (page - 1) * PAGE)
    rows = records(frame)
    more = len(rows) > PAGE
    return _page(request, "unga/search.html", search=search, session=session, issue=issue, country=country,
                 rows=rows[:PAGE], page=page, more=more, states=_states(),
                 last_session=run(request, q.last_session))


@router.get("/unga/roll-calls/{rcid}", response_class=HTMLResponse, include_in_schema=False)
def roll_call_page(request: Request, rcid: int):
    if (empty := _empty_page(request)) is not None:
        return empty
    info = run(request, q.roll_call, rcid)
    if info is None:
        raise HTTPException(404, f"no roll call {rcid}")
    votes = records(run(request, q.votes, rcid))
    tally = {v: sum(1 for r in votes if r["vote"] == v) for v in ("yes", "no", "abstain")}
    return _page(request, "unga/roll_call.html", rc=records_one(info), votes=votes, tally=tally)


@router.get("/unga/agreement", response_class=HTMLResponse, include_in_schema=False)
def agreement_page(request: Request, country: str = "", session: str = "", issue: str = "", partner: str = ""):
    if (empty := _empty_page(request)) is not None:
        return empty
    country = (country or DEFAULT_HOME).upper()
    frame = run(request, q.vote_agreement, country, session or None, None, issue or None)
    rows = records(frame)
    chosen = rows[0]["session"] if rows else (session or run(request, q.last_session))
    partner = (partner or (rows[0]["partner_iso3"] if rows else "")).upper()
    if partner and partner == country:
        raise QueryError("choose a partner other than the country itself")
    names = dict(_states())
    return _page(request, "unga/agreement.html", country=country, name=names.get(country, country),
                 session=chosen, issue=issue, partner=partner, partner_name=names.get(partner, partner),
                 closest=rows[:15], distant=list(reversed(rows[-15:])) if len(rows) > 15 else [], rows=rows,
                 states=_states(), unsc=records(q.unsc_terms(country)))


# -- the country page's section ---------------------------------------------------------------------------------
def country_panel(ds, iso3: str):
    """UN voting partners in the last session and Security Council terms for ``/country/{iso3}``."""
    try:
        terms = records(q.unsc_terms(iso3))
    except QueryError:
        return None
    partners, session = [], None
    if ds.has_table("unga_votes") and ds.scalar("SELECT count(*) > 0 FROM unga_votes"):
        def compute():
            cur = ds.store.con.cursor()
            try:
                return q.vote_agreement(cur, iso3)
            except QueryError:
                return None
            finally:
                cur.close()
        frame = ds.cached(("unga-panel", iso3), compute)
        if frame is not None and len(frame):
            session = int(frame["session"].iloc[0])
            partners = records(frame)
    if not partners and not terms:
        return None
    return "unga/_country.html", {"iso3": iso3, "session": session, "closest": partners[:5],
                                  "distant": list(reversed(partners[-5:])) if len(partners) > 5 else [],
                                  "terms": terms}
