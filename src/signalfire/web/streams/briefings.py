"""Briefings from the dashboard: ``/briefing/{iso3}.pdf`` and ``.html`` (``?period=YYYY-MM&lang=en|pl``; the
period defaults to the month of the newest event), linked from every country page.  The PDF is rendered in a
worker process (:func:`signalfire.reports.briefing_render.pdf`), so the server does not keep the PDF engine's
memory; one briefing is rendered at a time."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

router = APIRouter()
_rendering = threading.Semaphore(1)
PERIOD = Query("", pattern=r"^(\d{4}-\d{2})?$", description="The month, YYYY-MM (default: the newest event's)")
LANG = Query("en", pattern="^(en|pl)$")
SCREEN = ('<meta name="viewport" content="width=device-width, initial-scale=1">'
          '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">'
          '<link rel="stylesheet" href="/static/css/briefings.css" media="screen">')


def _briefing(request: Request, iso3: str, period: str):
    from signalfire.reports.briefing import build
    from signalfire.store.queries import QueryError
    ds = request.app.state.ds
    period = period or ds.scalar("SELECT strftime(max(date_start), '%Y-%m') FROM events") or ""
    if not period:
        raise HTTPException(404, "no events in the store: a briefing needs some")
    cur = ds.store.con.cursor()
    try:
        return build(cur, iso3, period)
    except QueryError as exc:
        raise HTTPException(400, str(exc)) from None
    finally:
        cur.close()


@router.get("/briefing/{iso3}.html", response_class=HTMLResponse, include_in_schema=False)
def briefing_html(request: Request, iso3: str, period: str = PERIOD, lang: str = LANG):
    from signalfire.reports.briefing_render import html
    # the A4 page read on a screen: a viewport, the site's icon (no /favicon.ico 404) and a screen stylesheet
    return HTMLResponse(html(_briefing(request, iso3, period), lang).replace("</head>", SCREEN + "</head>", 1))


@router.get("/briefing/{iso3}.pdf", include_in_schema=False)
def briefing_pdf(request: Request, iso3: str, period: str = PERIOD, lang: str = LANG):
    from signalfire.reports.briefing_render import BriefingError, html, pdf
    b = _briefing(request, iso3, period)
    if not _rendering.acquire(timeout=30):
        raise HTTPException(503, "another briefing is being rendered: try again in a minute")
    try:
        with tempfile.TemporaryDirectory(prefix="signalfire-brief-") as tmp:
            out = pdf(html(b, lang), Path(tmp) / "briefing.pdf")
            body = out.read_bytes()
    except BriefingError as exc:
        raise HTTPException(503, str(exc)) from None
    finally:
        _rendering.release()
    name = f"briefing_{b.iso3}_{b.period}_{lang}.pdf"
    return Response(body, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})


def country_panel(ds, iso3: str):
    period = ds.scalar("SELECT strftime(max(date_start), '%Y-%m') FROM events")
    return ("briefings/_country.html", {"period": period}) if period else None
