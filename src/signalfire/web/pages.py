"""Server-rendered pages: Overview, Country, Neighbourhood watch, Data, Privacy and cookies, API docs.

Filters (period, category, source, country, measure) live in the URL query so a view can be shared; maps and
charts fetch the same filters from the JSON API.  Templates are autoescaped: source text is never markup.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from signalfire.store.queries import EventFilter
from signalfire.web import i18n, pages_analysis, privacy, streams
from signalfire.web.rendering import _context, _names, _request_language, render
from signalfire.web.serving import analytics, trends
from signalfire.web.static_files import packed_response

router = APIRouter(dependencies=[Depends(_request_language)])

DEFAULT_HOME = "POL"
PAGE_SIZE = 25


def _filters(request: Request) -> dict:
    q = request.query_params
    return {k: q.get(k, "").strip() for k in ("since", "until", "category", "source", "country", "measure")}


def choice(value: str | None, allowed: tuple[str, ...], name: str, default: str) -> str:
    """A page parameter with a fixed set of values: ``default`` when not given, else one of ``allowed`` or a 400
    saying which (a mistyped ``measure=deth`` had shown the default page as if it were the one asked for)."""
    value = (value or "").strip()
    if not value:
        return default
    if value not in allowed:
        raise HTTPException(400, f"{name}: {value[:40]!r} is not one of {', '.join(allowed)}")
    return value


def _flt(f: dict, country: str | None = None) -> EventFilter:
    return EventFilter.parse(country if country is not None else (f["country"] or None), f["category"] or None,
                             f["source"] or None, f["since"] or None, f["until"] or None)


def _query(f: dict, **extra) -> str:
    items = {k: v for k, v in {**f, **extra}.items() if v not in (None, "")}
    return urlencode(items)


def _bounds(iso3: str):
    from signalfire.web.geometry import bounds
    return bounds(iso3)


def _period(ds, f: dict) -> tuple[dict, EventFilter]:
    """Fill in the default period (the year to the latest event) into the URL filters."""
    flt = analytics.default_period(ds, _flt(f))
    f = dict(f)
    f["since"] = f["since"] or (flt.since.isoformat() if flt.since else "")
    f["until"] = f["until"] or (flt.until.isoformat() if flt.until else "")
    return f, flt


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def overview(request: Request):
    ds = request.app.state.ds
    f, flt = _period(ds, _filters(request))
    measure = f["measure"] = choice(f["measure"], ("deaths", "events"), "measure", "deaths")
    asked = choice(request.query_params.get("layer"), ("cm", "events"), "layer", "")
    # the three parts' queries at once (a cold overview of a 50 M-event store: each part 20-45 ms)
    movers = analytics.alongside(analytics.movers, ds, replace(flt, since=None), measure=measure, limit=10)
    latest = analytics.alongside(analytics.latest_events, ds, flt, limit=15)
    rows = analytics.by_country(ds, flt)
    top = sorted(rows, key=lambda r: (r[measure], r["events"]), reverse=True)[:12]
    movers, latest = movers.result(), latest.result()
    totals = {"events": sum(r["events"] for r in rows), "deaths": sum(r["deaths"] for r in rows),
              "countries": len(rows)}
    from signalfire.web.pages_analysis import overview_map
    cmap = overview_map(ds, request.query_params.get("m", ""))
    # event filters (category, source) apply to the events layer: choosing one shows it unless a layer is asked for
    asked = asked or ("events" if f["category"] or f["source"] else "cm")
    layer = "cm" if cmap and asked != "events" else "events"
    from signalfire.web.geometry import label_points, map_placement  # tooltips' points; the events picture
    points = {r["iso3"]: label_points()[r["iso3"]] for r in rows if r["iso3"] in label_points()}
    return render("overview.html", _context(request, "overview", f=f, q=_query(f), top=top, movers=movers,
                                            latest=latest, totals=totals, measure=measure, cmap=cmap, layer=layer,
                                            map_points=points if layer == "events" else None,
                                            picture_style=map_placement(None), data_version=ds.version,
                                            q_layer=_query({k: v for k, v in f.items() if k != "layer"})))


@router.get("/map/events.svg", include_in_schema=False)
def events_picture(request: Request):
    """The overview's events layer as a picture, for the same filters as the page (``<img>`` until MapLibre has
    drawn the map; the map without JavaScript)."""
    ds = request.app.state.ds
    f, flt = _period(ds, _filters(request))
    measure = f["measure"] if f["measure"] in ("events", "deaths") else "deaths"
    return packed_response(request, *pages_analysis.events_picture_gzip(ds, flt, measure), "image/svg+xml")


@router.get("/country/{iso3}", response_class=HTMLResponse, include_in_schema=False)
def country(request: Request, iso3: str, page: int = 1):
    ds = request.app.state.ds
    iso3 = iso3.upper()
    names = _names()
    if iso3 not in names and not ds.scalar("SELECT count(*) FROM events WHERE country_iso3 = ?", [iso3]):
        raise HTTPException(404, f"unknown country {iso3!r}: use an ISO 3166 alpha-3 code such as UKR")
    f = _filters(request)
    f["country"] = iso3
    flt = _flt(f, iso3)
    page = max(1, min(page, 2000))
    total = analytics.count_events(ds, flt)
    events = analytics.latest_events(ds, flt, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    revisions = analytics.revisions_count(ds, events)
    summary = analytics.country_summary(ds, flt)
    conflicts = ds.rows("""SELECT conflict_id, min(year) AS first_year, max(year) AS last_year,
                                  arg_max(side_a, year) AS side_a, arg_max(side_b, year) AS side_b,
                                  arg_max(incompatibility, year) AS incompatibility,
                                  max(intensity_level) AS max_intensity, arg_max(type_of_conflict, year) AS type,
                                  arg_max(version, year) AS version
                           FROM conflicts WHERE list_contains(string_split(location_iso3, ','), ?)
                           GROUP BY conflict_id ORDER BY last_year DESC, conflict_id""", [iso3])
    from signalfire.geo.borders import land_borders
    from signalfire.web.forecasts import country_forecasts
    from signalfire.web.geometry import bounds
    from signalfire.web.pages_analysis import country_coverage, events_coverage
    return render("country.html", _context(
        request, "country", iso3=iso3, name=names.get(iso3, iso3), f=f, q=_query(f), events=events,
        total=total, page=page, pages=max(1, -(-total // PAGE_SIZE)), revisions=revisions, summary=summary,
        conflicts=conflicts, neighbours=sorted(land_borders().get(iso3, set())), bounds=bounds(iso3),
        forecasts=country_forecasts(ds, iso3), q_nocountry=_query({**f, "country": ""}),
        forecast_job=getattr(ds, "forecast_job", None), panels=streams.country_panels(ds, iso3),
        cm=country_coverage(ds, iso3), ev_coverage=events_coverage(ds, iso3)))


@router.get("/neighbourhood", response_class=HTMLResponse, include_in_schema=False)
def neighbourhood_page(request: Request, home: str = "", distance_km: float = 200, basis: str = "",
                       sort: str = "deaths"):
    from signalfire.geo.borders import land_borders, neighbourhood
    ds = request.app.state.ds
    names = _names()
    remembered = request.cookies.get("sf_home", "") if privacy.allows(request, "preferences") else ""
    home = (home or remembered or DEFAULT_HOME).upper()
    if home not in names:
        raise HTTPException(404, f"unknown home country {home!r}: use an ISO 3166 alpha-3 code such as POL")
    if not 0 <= distance_km <= 2000:       # the API's limits (the page had clamped -5 to 0 without a word)
        raise HTTPException(400, f"distance_km: {distance_km:g} is not from 0 to 2000 km")
    basis = choice(basis, ("cm", "events"), "basis", "")
    sort = choice(sort, tuple(trends.SORTS), "sort", "deaths")
    ring = neighbourhood(home, distance_km=distance_km)
    land = land_borders().get(home, set())
    f, flt = _period(ds, _filters(request))
    f["country"] = ""
    members = [home, *ring]
    ring_flt = replace(flt, countries=members)
    counts = {r["iso3"]: r for r in analytics.by_country(ds, ring_flt)}
    change = analytics.week_change(ds, members, replace(flt, since=None, until=None))
    latest = analytics.latest_events(ds, ring_flt, limit=15)
    from signalfire.web.pages_analysis import neighbourhood_answer
    answer = neighbourhood_answer(ds, home, ring, basis, sort, request.query_params.get("m", ""))
    response = render("neighbourhood.html", _context(
        request, "neighbourhood", answer=answer, base_q=_query({**f, "home": home, "distance_km": int(distance_km),
                                                                "basis": answer["basis"]}),
        home=home, distance_km=int(distance_km), ring=ring, land=land, f=f,
        q=_query(f), ring_q=_query({**f, "country": ",".join(members)}), counts=counts, change=change,
        latest=latest, remembered=bool(remembered), bounds=_bounds(home), can_remember=privacy.allows(request, "preferences")))
    if privacy.allows(request, "preferences") and request.query_params.get("home"):
        response.set_cookie("sf_home", home, max_age=privacy.MAX_AGE, samesite="lax", httponly=True)
    return response


@router.get("/data", response_class=HTMLResponse, include_in_schema=False)
def data_page(request: Request, page: int = 1):
    ds = request.app.state.ds
    page = max(1, min(page, 2000))
    sources = analytics.sources_summary(ds)
    tables = ds.rows("""SELECT 'conflicts' AS tbl, count(*) AS n FROM conflicts
                        UNION ALL SELECT 'country_month', count(*) FROM country_month
                        UNION ALL SELECT 'country_year', count(*) FROM country_year
                        UNION ALL SELECT 'event_revisions', count(*) FROM event_revisions""")
    runs = ds.rows("SELECT * EXCLUDE (file_path) FROM ingest_runs ORDER BY run_id DESC LIMIT 100")
    from signalfire.web.pages_analysis import _basename, loaded_sources
    for r in runs:
        r["file_name"] = _basename(r["file_name"])   # file names only: never the server's folders
    qtotal = ds.scalar("SELECT count(*) FROM quarantine")
    quarantine = ds.rows(f"""SELECT run_id, file_name, record_ref, column_name, reason, left(raw, 300) AS raw
                             FROM quarantine ORDER BY run_id DESC, record_ref
                             LIMIT {PAGE_SIZE} OFFSET {(page - 1) * PAGE_SIZE}""")
    from signalfire.sources import MODULES, get
    licences = {}
    for name in {r["adapter"] for r in runs}:
        try:
            licences[name] = get(name).licence if name in MODULES else ""
        except Exception:  # noqa: BLE001 - a broken adapter module must not take the Data page down
            licences[name] = ""
    return render("data.html", _context(request, "data", sources=sources, tables=tables, runs=runs,
                                        loaded=loaded_sources(ds),
                                        quarantine=quarantine, qtotal=qtotal, page=page,
                                        pages=max(1, -(-qtotal // PAGE_SIZE)), licences=licences))


@router.get("/privacy", response_class=HTMLResponse, include_in_schema=False)
def privacy_page(request: Request):
    return render("privacy.html", _context(request, "privacy", purposes=privacy.PURPOSES,
                                           notice_version=privacy.NOTICE_VERSION))


@router.post("/privacy/consent", include_in_schema=False)
def record_consent(request: Request, decision: str = Form(...), preferences: str = Form(""),
                   next: str = Form("/")):
    # a choice counts only if made on this site's own pages: another site must not record "accept" for a visitor
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(403, "a consent choice can only be made on this site's own pages")
    purposes = ["preferences"] if preferences.strip().lower() in ("1", "on", "true", "yes") else []
    try:
        entry = request.app.state.consent.record(decision, purposes,
                                                 consent_id=request.cookies.get(privacy.COOKIE))
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(privacy.COOKIE, entry["consent_id"], max_age=privacy.MAX_AGE, samesite="lax",
                        httponly=True)
    if "preferences" not in entry["purposes"]:
        response.delete_cookie("sf_home")
        response.delete_cookie(i18n.COOKIE)
    return response


@router.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request):
    return render("api_docs.html", _context(request, "api"))


TOP = 20


def _top_rows(rows: list[dict], metric: str) -> list[dict]:
    """The top countries by either metric (the page re-sorts them when the map switches), ``metric`` first."""
    keys = {m: (lambda r, m=m: (r[m], r["p_ge25"] + r["mean"])) for m in ("p_ge25", "mean")}
    other = "mean" if metric == "p_ge25" else "p_ge25"
    chosen = sorted(rows, key=keys[metric], reverse=True)
    shown = {r["iso3"] for r in chosen[:TOP]}
    extra = [r for r in sorted(rows, key=keys[other], reverse=True)[:TOP] if r["iso3"] not in shown]
    return [{**r, "shown": i < TOP} for i, r in enumerate(chosen[:TOP] + extra)]


def _views_beside(ds, fc, run: dict, month_id: int) -> dict:
    """VIEWS's published point forecast per country for the month, when a run of it covers the month."""
    if run["model"] == fc.VIEWS:
        return {}
    try:
        views = fc.pick_run(ds, model=fc.VIEWS)
        fc.resolve_month(ds, views, fc.month_label(month_id))
    except (fc.ForecastLookupError, ValueError):
        return {}
    return {"run": views, "values": {r["iso3"]: r["q50"] for r in fc.month_values(ds, views, month_id)}}


@router.get("/forecasts", response_class=HTMLResponse, include_in_schema=False)
def forecasts_page(request: Request, month: str = "", model: str = "", metric: str = "p_ge25",
                   run_id: int | None = None):
    from signalfire.web import forecasts as fc
    from signalfire.web.forecast_api import lookup_errors
    ds = request.app.state.ds
    metric = choice(metric, ("p_ge25", "mean", "onset"), "metric", "p_ge25")
    ctx = {"runs": fc.runs(ds), "metric": metric, "job": getattr(ds, "forecast_job", None), "run": None,
           "skill": fc.skill()}
    if ctx["runs"]:
        with lookup_errors():
            run = fc.pick_run(ds, model=model or None, run_id=run_id)
            mid = fc.resolve_month(ds, run, month or None)
        rows = fc.month_values(ds, run, mid)
        ctx["views"] = _views_beside(ds, fc, run, mid)
        ctx.update(run=run, previous=fc.previous_run(ds, run), month=fc.month_label(mid),
                   months=fc.months(ds, run["run_id"]), models=sorted({r["model"] for r in ctx["runs"]}),
                   top=_top_rows(rows, "p_ge25" if metric == "onset" else metric),
                   onset=[r for r in fc.onset_risk(ds, run) if r["quiet"]][:TOP],
                   # "more likely than not": above one half (one half itself is not)
                   expected=sum(r["mean"] for r in rows), likely=sum(1 for r in rows if r["p_ge25"] > 0.5))
    return render("forecasts.html", _context(request, "forecasts", **ctx))


# the analysts' pages (provenance, compare, admin1, actors) live in pages_analysis.py, served by this router
router.include_router(pages_analysis.router)
