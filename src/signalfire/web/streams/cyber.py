"""API routes and pages for cyber operations (CFR, DCID) and STIX 2.1 objects (bundles, ATT&CK).

API (JSON; ``format=csv`` for the tables): ``/api/v1/cyber/incidents`` (filtered incidents, newest first;
``total`` is how many match, whatever the ``limit``; a csv download holds them all), ``…/timeline`` (per year and
type; undated incidents a row per type with an empty year, so the rows add up to ``total``), ``…/matrix``
(sponsor → victim pairs), ``…/victims`` (per victim state),
``…/groups`` and ``…/groups/{name}`` (ATT&CK groups: techniques, software, incidents naming them), ``…/stix``
(a STIX 2.1 bundle, as ``signalfire export stix``: nothing above ``tlp`` leaves).  Pages: ``/cyber`` (timeline,
sponsor → victim matrix, victims on the map), ``/cyber/country`` (a state's incidents as sponsor and as victim),
``/cyber/groups`` and ``/cyber/groups/{name}``.  Every query is a function of :mod:`signalfire.analysis.cyber`,
the same the Python API calls, on the dashboard's read-only connection.

**One count of incidents**: every incident matching the filters, dated or not (:func:`q.count_incidents`).  A
per-year figure cannot show an incident without a start date: the pages say how many are left out of the chart
("… and N undated"), and the timeline download holds them as rows with no year.
"""

from __future__ import annotations

import math
from typing import Literal

import pandas as pd
import pyarrow as pa
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from signalfire.analysis import cyber as q
from signalfire.reports import stix as writer
from signalfire.web.api import ERRORS, MAX_EXPORT, table_response
from signalfire.web.i18n import N_
from signalfire.web.rendering import page_context, render

router = APIRouter()
api = APIRouter(prefix="/api/v1/cyber", tags=["cyber"], responses=ERRORS)

# marked for the catalogue (N_), translated where shown (|translate): without the marks they stayed English in Polish
TYPE_LABELS = {"espionage": N_("Espionage"), "sabotage": N_("Sabotage"), "ddos": N_("Denial of service"),
               "defacement": N_("Defacement"), "data_destruction": N_("Data destruction"),
               "financial_theft": N_("Financial theft"), "doxing": N_("Doxing"), "unknown": N_("Type not given")}
SOURCE_LABELS = {"cfr-cyber": "CFR Cyber Operations Tracker", "dcid": "DCID v2.0 (Maness, Valeriano et al.)"}
Fmt = Literal["json", "csv"]
CountryQ = Query(None, description="ISO3 code or country name, e.g. POL")
RoleQ = Query("any", description="with country: sponsor, victim or any")
SinceQ = Query(None, description="first date: YYYY, YYYY-MM or YYYY-MM-DD")
UntilQ = Query(None, description="last date: YYYY, YYYY-MM or YYYY-MM-DD")
TypeQ = Query(None, description="espionage, sabotage, ddos, defacement, data_destruction, financial_theft, doxing")
SourceQ = Query(None, description="cfr-cyber or dcid")
PAGE = 1000            # incidents in a JSON answer when no limit is given


def _ds(request: Request):
    return request.app.state.ds


def _call(fn, *args, **kw):
    """Run a query; a bad argument is a 400 with its message, for the API and the pages alike."""
    try:
        return fn(*args, **kw)
    except (q.CyberQueryError, writer.ExportError) as exc:
        raise HTTPException(400, str(exc)) from None


def _value(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if hasattr(value, "tolist") and not hasattr(value, "isoformat"):
        return value.tolist()
    if isinstance(value, list):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if hasattr(value, "item"):
        return value.item()
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    """JSON-safe rows: missing values as null, lists as lists, dates as ISO text."""
    return [{k: _value(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _respond(frame: pd.DataFrame, fmt: str, name: str, total: int | None = None, **meta):
    """JSON ``{…meta, "total", "data"}`` or a csv download.  ``total``: the rows matching (default: the rows
    given); in a download it is the X-Total-Count header, with X-Signalfire-Truncated when the download holds
    fewer."""
    rows = records(frame)
    if fmt == "csv":
        flat = [{k: "; ".join(map(str, v)) if isinstance(v, list) else v for k, v in r.items()} for r in rows]
        table = pa.Table.from_pylist(flat) if flat else pa.table({c: pa.array([], pa.string()) for c in frame.columns})
        return table_response(table, "csv", name, total=total)
    return {**meta, "total": len(rows) if total is None else total, "data": rows}


def _ready(ds) -> bool:
    return ds.cached("cyber_tables", lambda: ds.has_table("cyber_incidents") and ds.has_table("stix_objects"))


def _need(ds) -> None:
    if not _ready(ds):
        raise HTTPException(503, "this store has no cyber tables (cyber_incidents, stix_objects): it was created "
                                 "before they existed; load the cyber data into a new store")


# -- API ----------------------------------------------------------------------------------------------------------
@api.get("/incidents", summary="Cyber incidents (CFR, DCID) matching the filters, newest first; total: how many "
                             "match")
def incidents(request: Request, country: str | None = CountryQ, role: str = RoleQ, since: str | None = SinceQ,
              until: str | None = UntilQ, type: str | None = TypeQ, source: str | None = SourceQ,
              limit: int | None = Query(None, ge=0, le=MAX_EXPORT, description=(
                  f"At most this many incidents, newest first. Default: {PAGE:,} in JSON; a csv download holds every "
                  f"matching incident (up to {MAX_EXPORT:,}). JSON's total, and a download's X-Total-Count header, "
                  "is the number of incidents matching the filters (dated or not) whatever the limit; "
                  "X-Signalfire-Truncated says when a download holds fewer")),
              format: Fmt = "json"):
    ds = _ds(request)
    _need(ds)
    total = _call(q.count_incidents, ds, country, role, since, until, type, source)
    shown = limit if limit is not None else (PAGE if format == "json" else MAX_EXPORT)
    frame = _call(q.cyber_incidents, ds, country, role, since, until, type, source, shown)
    return _respond(frame, format, "cyber_incidents", total=total, limit=shown)


@api.get("/timeline", summary="Incidents per year and type (undated incidents: year null)")
def timeline(request: Request, country: str | None = CountryQ, role: str = RoleQ, since: str | None = SinceQ,
             until: str | None = UntilQ, type: str | None = TypeQ, source: str | None = SourceQ,
             undated: bool = Query(True, description="Incidents without a start date as a row per type with year "
                                   "null (empty in csv), after the years, so the rows add up to /incidents' total "
                                   "(JSON's undated says how many); false leaves them out"),
             format: Fmt = "json"):
    ds = _ds(request)
    _need(ds)
    frame = _call(q.incidents_timeline, ds, country, role, since, until, type, source, undated)
    meta = {"undated": int(frame.loc[frame["year"].isna(), "incidents"].sum())} if undated else {}
    return _respond(frame, format, "cyber_timeline", **meta)


@api.get("/matrix", summary="Incidents per sponsor state and victim state")
def matrix(request: Request, since: str | None = SinceQ, until: str | None = UntilQ, type: str | None = TypeQ,
           source: str | None = SourceQ, format: Fmt = "json"):
    ds = _ds(request)
    _need(ds)
    return _respond(_call(q.sponsor_victim_matrix, ds, since, until, type, source), format, "cyber_matrix")


@api.get("/victims", summary="Incidents per victim state")
def victims(request: Request, since: str | None = SinceQ, until: str | None = UntilQ, type: str | None = TypeQ,
            source: str | None = SourceQ, format: Fmt = "json"):
    ds = _ds(request)
    _need(ds)
    return _respond(_call(q.victims_by_country, ds, since, until, type, source), format, "cyber_victims")


@api.get("/groups", summary="ATT&CK groups (intrusion sets) in the store")
def groups(request: Request, format: Fmt = "json"):
    ds = _ds(request)
    _need(ds)
    return _respond(q.groups(ds), format, "attack_groups")


def _group(ds, name: str) -> dict:
    try:
        return q.attack_group(ds, name)
    except q.CyberQueryError as exc:
        raise HTTPException(404, str(exc)) from None


@api.get("/groups/{name}", summary="An ATT&CK group: techniques, software and the incidents that name it")
def group(request: Request, name: str):
    ds = _ds(request)
    _need(ds)
    found = _group(ds, name)
    return {"group": found["group"], "techniques": records(found["techniques"]),
            "software": records(found["software"]), "incidents": records(found["incidents"])}


@api.get("/stix", summary="A STIX 2.1 bundle of filtered incidents and stored objects; nothing above tlp leaves")
def stix(request: Request, tlp: str = Query("clear", description="highest TLP level that leaves: clear, green, "
                                            "amber, amber+strict, red"),
         unmarked: str = Query("amber", description="level assumed for objects without a TLP marking"),
         country: str | None = CountryQ, role: str = RoleQ, since: str | None = SinceQ, until: str | None = UntilQ,
         incident_type: str | None = TypeQ, source: str | None = SourceQ,
         type: str | None = Query(None, description="STIX types, comma-separated (incident, intrusion-set, …)")):
    ds = _ds(request)
    _need(ds)
    sel = writer.Selection(tlp=tlp, unmarked=unmarked, country=country, role=role, since=since, until=until,
                           incident_type=incident_type, source=source,
                           types=[t.strip() for t in (type or "").split(",") if t.strip()])
    bundle = _call(writer.export_bundle, ds, sel)
    return Response(writer.dumps(bundle), media_type="application/stix+json;version=2.1")


router.include_router(api)


# -- pages ----------------------------------------------------------------------------------------------------------
def _filters(request: Request) -> dict:
    p = request.query_params
    return {k: (p.get(k) or None) for k in ("since", "until", "type", "source")}


def _labels(frame: pd.DataFrame) -> list[dict]:
    rows = records(frame)
    for r in rows:
        if "type" in r:
            r["label"] = TYPE_LABELS.get(r["type"] or "unknown", r["type"])
    return rows


@router.get("/cyber", response_class=HTMLResponse, include_in_schema=False)
def cyber_page(request: Request):
    ds = _ds(request)
    _need(ds)
    f = _filters(request)
    timeline_rows = _labels(_call(q.incidents_timeline, ds, None, "any", f["since"], f["until"], f["type"],
                                  f["source"]))
    pairs = records(_call(q.sponsor_victim_matrix, ds, f["since"], f["until"], f["type"], f["source"]))
    victim_rows = records(_call(q.victims_by_country, ds, f["since"], f["until"], f["type"], f["source"]))
    latest = _labels(_call(q.cyber_incidents, ds, None, "any", f["since"], f["until"], f["type"], f["source"], 25))
    total = _call(q.count_incidents, ds, None, "any", f["since"], f["until"], f["type"], f["source"])
    dated = sum(r["incidents"] for r in timeline_rows)
    years = [r["year"] for r in timeline_rows]
    sponsors = _top(pairs, "sponsor", 8)
    victims_top = _top(pairs, "victim", 12)
    cells = {(p["sponsor"], p["victim"]): p["incidents"] for p in pairs}
    return render("cyber/index.html", page_context(
        request, "cyber", f=f, types=TYPE_LABELS, source_labels=SOURCE_LABELS, timeline=timeline_rows,
        pairs=pairs[:40], victims=victim_rows, latest=latest, matrix_sponsors=sponsors, matrix_victims=victims_top,
        cells=cells, total=total, dated=dated, undated=total - dated,
        period=(min(years), max(years)) if years else None))


def _top(pairs: list[dict], key: str, n: int) -> list[str]:
    totals: dict[str, int] = {}
    for p in pairs:
        totals[p[key]] = totals.get(p[key], 0) + p["incidents"]
    return [k for k, _ in sorted(totals.items(), key=lambda kv: -kv[1])[:n]]


@router.get("/cyber/country", response_class=HTMLResponse, include_in_schema=False)
def cyber_country_page(request: Request, country: str = "POL"):
    ds = _ds(request)
    _need(ds)
    f = _filters(request)
    code = _call(q.iso3, country) or "POL"
    as_sponsor = _labels(_call(q.cyber_incidents, ds, code, "sponsor", f["since"], f["until"], f["type"],
                               f["source"]))
    as_victim = _labels(_call(q.cyber_incidents, ds, code, "victim", f["since"], f["until"], f["type"], f["source"]))
    series = _labels(_call(q.incidents_timeline, ds, code, "victim", f["since"], f["until"], f["type"], f["source"]))
    dated = sum(r["incidents"] for r in series)
    return render("cyber/country.html", page_context(
        request, "cyber", iso3=code, f=f, types=TYPE_LABELS, source_labels=SOURCE_LABELS, as_sponsor=as_sponsor,
        as_victim=as_victim, series=series, dated=dated, undated=len(as_victim) - dated))


@router.get("/cyber/groups", response_class=HTMLResponse, include_in_schema=False)
def groups_page(request: Request):
    ds = _ds(request)
    _need(ds)
    table = q.groups(ds)
    named = q.incident_groups(ds)
    counts = named["group"].value_counts().to_dict() if len(named) else {}
    rows = records(table)
    for r in rows:
        r["incidents"] = int(counts.get(r["name"], 0))
    rows.sort(key=lambda r: (-r["incidents"], r["name"] or ""))
    return render("cyber/groups.html", page_context(request, "cyber-groups", groups=rows))


@router.get("/cyber/groups/{name}", response_class=HTMLResponse, include_in_schema=False)
def group_page(request: Request, name: str):
    ds = _ds(request)
    _need(ds)
    found = _group(ds, name)
    techniques = records(found["techniques"])
    tactics: dict[str, int] = {}
    for t in techniques:
        for tactic in t.get("tactics") or []:
            tactics[tactic] = tactics.get(tactic, 0) + 1
    return render("cyber/group.html", page_context(
        request, "cyber-groups", group=found["group"], techniques=techniques, software=records(found["software"]),
        incidents=_labels(found["incidents"]), tactics=[{"tactic": k, "techniques": v} for k, v in tactics.items()],
        types=TYPE_LABELS))


def country_panel(ds, iso3: str):
    """The country page's cyber section: incidents with the state as victim and as sponsor, per year."""
    if not _ready(ds):
        return None
    as_victim = q.cyber_incidents(ds, iso3, "victim")
    as_sponsor = q.cyber_incidents(ds, iso3, "sponsor")
    if as_victim.empty and as_sponsor.empty:
        return None
    years = pd.concat([as_victim.assign(role="victim"), as_sponsor.assign(role="sponsor")])
    undated = int(years["date_start"].isna().sum())          # per role, as the chart counts: not in the chart
    years = years[years["date_start"].notna()]
    series = (years.assign(year=pd.to_datetime(years["date_start"]).dt.year).groupby(["year", "role"]).size()
              .rename("incidents").reset_index())
    return "cyber/_country.html", {"iso3": iso3, "victim_total": len(as_victim), "sponsor_total": len(as_sponsor),
                                   "series": records(series), "latest": _labels(as_victim.head(5)),
                                   "undated": undated, "types": TYPE_LABELS}
