"""API routes and pages for terrorism: GTD incidents (events, category ``terrorism``) and country-year aggregates.

API: ``/api/v1/terrorism`` (incidents and deaths per source, country and year; JSON or CSV; ``source`` keeps one
source, an unknown one is a 400).  Every row names its source: the sources overlap (GTD's incidents and its
country-year tables count the same attacks), so a download never holds two sources' figures for one country-year
without the ``source`` column telling them apart.  Page ``/terrorism``: a country and its land neighbours, per year,
one source at a time; its download is that source's rows.  The incidents themselves are events: the overview and
country pages show them under the category ``terrorism``.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from signalfire.analysis import terrorism as tq
from signalfire.web.api import ERRORS
from signalfire.web.i18n import N_, gettext
from signalfire.web.rendering import page_context, render
from signalfire.web.streams.migration import _country, call, neighbours, records, respond, year_q

router = APIRouter()
api = APIRouter(prefix="/api/v1/terrorism", tags=["terrorism"], responses=ERRORS)
SOURCE_LABELS = {"gtd": N_("GTD incidents loaded (events)"),
                 "gtd-country-year": N_("GTD country-year aggregate (Jones & Lupu)"),
                 "gtd-incidents-country-year": N_("GTD incidents per country and year")}
DEFAULT_SOURCE = "gtd-incidents-country-year"      # the page's source when none is asked for (or it has no rows)
SourceQ = Query(None, description="Source, or several comma-separated: " + ", ".join(
    f"{s} ({SOURCE_LABELS[s]})" for s in tq.SOURCES) + ". Default: all, each row naming its source in the source "
    "column; the sources overlap (the same attacks counted differently), so never add up rows of two sources. "
    "An unknown source is a 400.")


@api.get("", summary="GTD incidents and deaths per source, country and year")
def api_terrorism(request: Request, country: str | None = Query(None, description="ISO3 code(s), comma-separated"),
                  since: int | None = year_q(), until: int | None = year_q(), source: str | None = SourceQ,
                  format: Literal["json", "csv"] = "json"):
    countries = [c for c in (country or "").split(",") if c.strip()] or None
    span = None if since is None and until is None else (since, until)
    frame = call(tq.terrorism, request.app.state.ds, countries, span, source)
    return respond(frame, format, "terrorism", country=country, source=source)


router.include_router(api)


@router.get("/terrorism", response_class=HTMLResponse, include_in_schema=False)
def terrorism_page(request: Request, country: str = "POL", source: str = DEFAULT_SOURCE):
    ds = request.app.state.ds
    iso = _country(country)
    ring = neighbours(iso)
    frame = call(tq.terrorism, ds, [iso, *ring])
    sources = [s for s in tq.SOURCES if s in set(frame["source"])]
    # the page shows one source, and its download is that source's rows (the sources overlap: never mixed)
    source = source if source in sources else (sources[0] if sources else DEFAULT_SOURCE)
    picked = frame[frame["source"] == source]
    totals = call(tq.terrorism_totals, ds, [iso, *ring], None, source).sort_values("incidents", ascending=False)
    wide = (picked.pivot_table(index="year", columns="country_iso3", values="incidents", aggfunc="sum")
            .sort_index(ascending=False) if len(picked) else pd.DataFrame())
    cols = [c for c in [iso, *ring] if c in wide.columns]
    table = [{"year": int(y), **{c: (None if pd.isna(wide.loc[y, c]) else float(wide.loc[y, c])) for c in cols}}
             for y in wide.index if wide.loc[y, cols].fillna(0).sum() > 0]
    return render("terrorism/terrorism.html", page_context(
        request, "terrorism", iso3=iso, ring=ring, source=source, sources=sources, source_labels=SOURCE_LABELS,
        series=records(picked[["country_iso3", "year", "incidents", "killed"]]), totals=records(totals),
        table=table, table_countries=cols,
        period=(int(picked["year"].min()), int(picked["year"].max())) if len(picked) else None))


def country_panel(ds, iso3: str):
    """The country page's section: terrorism incidents and deaths per year, per GTD source."""
    try:
        frame = tq.terrorism(ds, iso3)
    except tq.MigrationQueryError:
        return None
    frame = frame[frame["incidents"].fillna(0) > 0]
    if frame.empty:
        return None
    cells = frame.set_index(["year", "source"])
    rows = []
    for year in sorted(frame["year"].unique(), reverse=True)[:15]:
        row = {"year": int(year)}
        for source in tq.SOURCES:
            for measure in ("incidents", "killed"):
                value = cells[measure].get((year, source))
                row[f"{source}:{measure}"] = None if value is None or pd.isna(value) else float(value)
        rows.append(row)
    present = [s for s in tq.SOURCES if s in set(frame["source"])]
    with_deaths = [s for s in present if frame.loc[frame["source"] == s, "killed"].notna().any()]
    return ("terrorism/_country.html", {"iso3": iso3, "rows": rows, "sources": present, "with_deaths": with_deaths,
                                        "labels": "; ".join(gettext(SOURCE_LABELS[s]) for s in present)})
