"""The analysts' answers: what the Overview map, Neighbourhood watch and the Country page show from the complete
country-month series, and the pages that only read: a record's provenance, multi-country comparison, the
sub-national (admin1) view and the actor search.

Routes here are included in :mod:`signalfire.web.pages`' router; the context helpers are called by its routes.
Both render through :mod:`signalfire.web.rendering` (this module imports nothing of ``pages``).
"""

from __future__ import annotations

from urllib.parse import urlencode

import duckdb
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from signalfire.analysis.panel import month_label, parse_month
from signalfire.web.geometry import class_breaks, fit_bounds, map_picture, map_placement, step_colour
from signalfire.web.i18n import N_, gettext
from signalfire.web.rendering import _local_names, page_context, render
from signalfire.web.serving import country_month as cm
from signalfire.web.serving import trends
from signalfire.web.static_files import packed_response

router = APIRouter()

MAP_MONTHS = 36          # months the overview map's slider covers
TREND_MONTHS = 24        # months in the neighbourhood's and the compare page's charts
MAX_COMPARE = 8


def _names() -> dict[str, str]:
    from signalfire.geo.borders import country_names
    return country_names()


def _shown_names() -> dict[str, str]:
    """Country names in the request's language, for what a page shows (lookups of typed names use _names)."""
    from signalfire.web.i18n import current
    return _local_names(current.get())


def _month_arg(text: str, first: int, last: int) -> int:
    """A month from the URL (YYYY-MM or a VIEWS month id), clamped to [first, last]; the last by default."""
    text = (text or "").strip()
    if not text:
        return last
    try:
        mid = int(text) if text.isdigit() else parse_month(text)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    return max(first, min(last, mid))


# -- Overview: the world map of the complete series, month by month -----------------------------------------------
def overview_map(ds, month: str = "") -> dict | None:
    """The country-month layer of the overview map: the month shown, the slider's months, every month's values
    (embedded as JSON for the map; no fetch per slider step) and the month's top countries."""
    from signalfire.web.geometry import label_points
    cov = cm.coverage(ds)
    if cov is None:
        return None
    last = cov["last"]
    first = max(cov["first"], last - MAP_MONTHS + 1)
    mid = _month_arg(month, first, last)
    values = cm.series(ds, None, first, last)
    names = _shown_names()
    points = label_points()
    month_rows = sorted(((iso3, v[mid - first]) for iso3, v in values.items()), key=lambda r: (-r[1], r[0]))
    payload = {"first": first, "months": [month_label(m) for m in range(first, last + 1)],
               "source": cov["label"], "measure": "deaths",
               "values": {k: [round(x) for x in v] for k, v in values.items()},
               "names": {k: names.get(k, k) for k in values}, "points": {k: points[k] for k in values if k in points}}
    return {"coverage": cov, "month_id": mid, "month": month_label(mid), "first": first, "last": last,
            "payload": payload, "top": [{"iso3": k, "value": v} for k, v in month_rows[:12]],
            "picture": {"url": f"/map/overview.svg?m={month_label(mid)}&v={ds.version}",
                        "style": map_placement(fit_bounds(payload["points"].values()))},
            "total": sum(v for _, v in month_rows), "active": sum(1 for _, v in month_rows if v > 0),
            "countries": len(month_rows)}


def _packed(svg: bytes) -> tuple[bytes, bytes]:
    import gzip
    return svg, gzip.compress(svg, compresslevel=9, mtime=0)


def map_picture_gzip(ds, month: str = "") -> tuple[bytes, bytes] | None:
    """The overview map of ``month`` drawn on the server (SVG, and gzipped), as maps.mjs's cmChoropleth colours
    it: one scale for every month of the slider, the month's value, grey where the series has none.  Once per data
    version and month."""
    data = overview_map(ds, month)
    if data is None:
        return None

    def compute():
        payload, index = data["payload"], data["month_id"] - data["first"]
        stops = class_breaks(x for v in payload["values"].values() for x in v)
        return _packed(map_picture({k: step_colour(v[index], stops) for k, v in payload["values"].items()}))
    return ds.cached(("map-picture", data["month_id"]), compute)


def events_picture_gzip(ds, flt, measure: str) -> tuple[bytes, bytes]:
    """The overview's events layer drawn on the server, as maps.mjs's choropleth colours it from the same
    per-country rows (``/api/v1/countries/summary``): breaks over the countries' ``measure``, countries without
    events the pale 'zero'.  Once per data version, filter and measure."""
    from signalfire.web.geometry import ZERO
    from signalfire.web.serving import analytics

    def compute():
        rows = analytics.by_country(ds, flt)
        stops = class_breaks(r[measure] for r in rows)
        return _packed(map_picture({r["iso3"]: step_colour(r[measure], stops) for r in rows}, missing=ZERO))
    return ds.cached(("events-picture", analytics._key(flt), measure), compute)


@router.get("/map/overview.svg", include_in_schema=False)
def overview_picture(request: Request, m: str = ""):
    """The overview's map as a picture (``<img>`` in the page until MapLibre has drawn the map; the map without
    JavaScript).  Its URL names the data version (``v``), so a day's caching never shows an older version's."""
    pictures = map_picture_gzip(request.app.state.ds, m)
    if pictures is None:
        raise HTTPException(404, "no country-month series is loaded")
    return packed_response(request, *pictures, "image/svg+xml")


# -- Neighbourhood watch: which neighbour is worst, and is it rising? -------------------------------------------
def neighbourhood_answer(ds, home: str, ring: list[str], basis: str = "", sort: str = "deaths",
                         month: str = "") -> dict:
    """Per-country monthly series for home + ring from the complete country-month source (``basis`` 'cm'), or
    from the loaded events ('events'), with change class, trend, sparklines, and the chart's JSON."""
    names = _shown_names()
    members = [home, *ring]
    cov = cm.coverage(ds)
    basis = basis if basis in ("cm", "events") else ("cm" if cov else "events")
    if basis == "cm" and cov is None:
        basis = "events"
    if basis == "cm":
        last = _month_arg(month, cov["first"], cov["last"])
        first = last - TREND_MONTHS + 1
        values = cm.series(ds, members, first, last)
        values = {c: values.get(c, [0.0] * TREND_MONTHS) for c in members}
        source, what = cov["label"], "deaths"
    else:
        ev_last = cm.events_last_month(ds)
        if ev_last is None:
            return {"basis": basis, "rows": [], "month": None}
        last = _month_arg(month, 1, ev_last)
        first = last - TREND_MONTHS + 1
        values = cm.events_series(ds, members, first, last, measure="deaths")
        source, what = gettext(N_("events loaded (UCDP GED and other event sources; partial where only excerpts are "
                                  "loaded)")), "deaths"
    rows = trends.answer_rows(values, members, names, month_label(first), month_label(last), what, sort)
    worst = next((r for r in sorted(rows, key=lambda r: -r["last"]) if r["iso3"] != home and r["last"] > 0), None)
    lines = [{"month": f"{month_label(m)}-01", "country": names.get(c, c), "value": values[c][m - first]}
             for c in members for m in range(first, last + 1)]
    return {"basis": basis, "source": source, "what": what, "rows": rows, "worst": worst,
            "month": month_label(last), "first_month": month_label(first), "sort": sort,
            "rule": trends.RULE, "lines": lines, "has_cm": cov is not None,
            "any": any(r["total"] > 0 for r in rows)}


# -- Country page: the complete series beside the events loaded ---------------------------------------------------
def country_coverage(ds, iso3: str) -> dict | None:
    """The country's country-month series (last 36 months to the source's last month), its latest month, the
    12-month total and the chart's JSON; None without country-month data."""
    cov = cm.coverage(ds)
    if cov is None:
        return None
    last = cov["last"]
    first = last - MAP_MONTHS + 1
    values = cm.series(ds, [iso3], first, last).get(iso3)
    if values is None:
        return {"coverage": cov, "values": None}
    name = _shown_names().get(iso3, iso3)
    points = [{"month": f"{month_label(first + i)}-01", "country": name, "value": v} for i, v in enumerate(values)]
    return {"coverage": cov, "values": values, "latest": values[-1], "year_total": sum(values[-12:]),
            "peak": max(values), "peak_month": month_label(first + values.index(max(values))),
            "first_month": month_label(first), "month": month_label(last), "points": points,
            "change": trends.change_class(values)}


def events_coverage(ds, iso3: str) -> dict:
    """What event-level data is loaded for the country: per source, events, deaths, first and last date."""
    from signalfire.store.queries import EventFilter
    from signalfire.web.serving.analytics import _from
    name, tables, m = _from(ds, EventFilter(countries=[iso3]))     # the per-day rollup when the server has it
    return {"sources": ds.rows(f"""SELECT source, {m['events']}::BIGINT AS events, {m['deaths']}::BIGINT AS deaths,
                                          min(date_start) AS first, max(date_start) AS last FROM {name}
                                   WHERE country_iso3 = ? GROUP BY source ORDER BY source""", [iso3], tables=tables)}


# -- Provenance ---------------------------------------------------------------------------------------------------
@router.get("/events/{source}/{source_id:path}", response_class=HTMLResponse, include_in_schema=False)
def provenance_page(request: Request, source: str, source_id: str):
    """One record's provenance, readable: what it says, the file and line it came from, the ingest run and the
    file's hash, the row's hash and every earlier version (ids may contain '/')."""
    ds = request.app.state.ds
    current = ds.rows("SELECT * FROM events WHERE source = ? AND source_id = ?", [source, source_id])
    if not current:
        raise HTTPException(404, f"no event {source}/{source_id} in the store")
    event = current[0]
    revisions = ds.rows("SELECT * FROM event_revisions WHERE source = ? AND source_id = ? "
                        "ORDER BY superseded_at DESC", [source, source_id])
    runs = {r["run_id"]: r for r in ds.rows(
        "SELECT run_id, adapter, adapter_version, file_name, file_sha256, finished_at, source_version, status "
        "FROM ingest_runs WHERE run_id IN (SELECT unnest(?::INTEGER[]))",
        [[event["run_id"], *[r["run_id"] for r in revisions], *[r["superseded_by_run"] for r in revisions]]])}
    for run in runs.values():
        run["file_name"] = _basename(run["file_name"])
    skip = {"run_id", "record_ref", "row_hash", "superseded_by_run", "superseded_at"}
    fields = [(k, v) for k, v in event.items() if k not in skip and v not in (None, "")]
    changed = []
    for rev in revisions:
        changed.append({"rev": rev, "run": runs.get(rev["run_id"]),
                        "diff": [k for k in event if k not in skip and rev.get(k) != event.get(k)]})
    from urllib.parse import quote
    api = f"/api/v1/events/{quote(source, safe='')}/{quote(source_id, safe='/')}"
    return render("provenance.html", page_context(
        request, "", event=event, fields=fields, run=runs.get(event["run_id"]), revisions=changed, api=api))


def _basename(name) -> str:
    """A file's name without the server's folders (pages never show server paths)."""
    return str(name or "").replace("\\", "/").rsplit("/", 1)[-1]


# -- Multi-country comparison -------------------------------------------------------------------------------------
def _resolve_countries(text: str, names: dict[str, str]) -> tuple[list[str], list[str]]:
    """Codes or names (comma-separated) → ISO3 codes, and the entries not understood."""
    by_name = {v.lower(): k for k, v in names.items()}
    codes, unknown = [], []
    for part in [p.strip() for p in (text or "").split(",") if p.strip()]:
        code = part.upper() if part.upper() in names else by_name.get(part.lower())
        if code is None:
            unknown.append(part)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


@router.get("/compare", response_class=HTMLResponse, include_in_schema=False)
def compare_page(request: Request, countries: str = "POL,UKR,BLR,RUS", add: str = "", basis: str = "",
                 months: int = TREND_MONTHS):
    """Several countries' monthly deaths on one chart, one line each, with their change class and trend."""
    ds = request.app.state.ds
    names = _names()
    codes, unknown = _resolve_countries(",".join(p for p in (countries, add) if p), names)
    codes = codes[:MAX_COMPARE]
    months = max(6, min(int(months), 240))
    cov = cm.coverage(ds)
    basis = basis if basis in ("cm", "events") else ("cm" if cov else "events")
    if basis == "cm" and cov is None:
        basis = "events"
    last = cov["last"] if basis == "cm" else cm.events_last_month(ds)
    rows, lines, source, first = [], [], None, None
    if last is not None and codes:
        first = last - months + 1
        if basis == "cm":
            values = cm.series(ds, codes, first, last)
            values = {c: values.get(c, [0.0] * months) for c in codes}
            source = cov["label"]
        else:
            values = cm.events_series(ds, codes, first, last, measure="deaths")
            source = gettext(N_("events loaded (partial where only excerpts are loaded)"))
        names = _shown_names()
        rows = trends.answer_rows(values, codes, names, month_label(first), month_label(last), "deaths", "name")
        rows = sorted(rows, key=lambda r: codes.index(r["iso3"]))
        lines = [{"month": f"{month_label(m)}-01", "country": names.get(c, c), "value": values[c][m - first]}
                 for c in codes for m in range(first, last + 1)]
    return render("compare.html", page_context(
        request, "compare", codes=codes, unknown=unknown, basis=basis, months=months, rows=rows,
        lines=lines, source=source, has_cm=cov is not None,
        first_month=month_label(first) if first else None, last_month=month_label(last) if last else None,
        countries_text=",".join(codes), remove_links={c: urlencode({"countries": ",".join(x for x in codes if x != c),
                                                                     "basis": basis, "months": months})
                                                      for c in codes}))


# -- Sub-national view --------------------------------------------------------------------------------------------
@router.get("/country/{iso3}/admin1", response_class=HTMLResponse, include_in_schema=False)
def admin1_page(request: Request, iso3: str, since: str = "", until: str = "", category: str = "",
                source: str = ""):
    """Events and deaths by first-level administrative unit (as the event source names it) for a country."""
    from signalfire.store.queries import EventFilter, QueryError
    ds = request.app.state.ds
    iso3 = iso3.upper()
    names = _names()
    if iso3 not in names:
        raise HTTPException(404, f"unknown country {iso3!r}: use an ISO 3166 alpha-3 code such as UKR")
    try:
        flt = EventFilter.parse(iso3, category or None, source or None, since or None, until or None)
    except (QueryError, ValueError) as exc:
        raise HTTPException(400, str(exc)) from None
    where, params = flt.where()
    rows = ds.rows(f"""SELECT coalesce(nullif(trim(admin1), ''), '(not given)') AS admin1, count(*) AS events,
                              coalesce(sum(fatalities_best), 0)::BIGINT AS deaths,
                              min(date_start) AS first, max(date_start) AS last
                       FROM events WHERE {where} GROUP BY 1 ORDER BY deaths DESC, events DESC, admin1""", params)
    unnamed = gettext(N_("(not given)"))                # events whose source names no region, in the page's language
    rows = [{**r, "admin1": unnamed} if r["admin1"] == "(not given)" else r for r in rows]
    f = {"since": since, "until": until, "category": category, "source": source}
    bars = [{"admin1": r["admin1"], "deaths": r["deaths"], "events": r["events"]} for r in rows[:25]]
    return render("admin1.html", page_context(
        request, "country", iso3=iso3, name=names[iso3], rows=rows, f=f, bars=bars,
        coverage=events_coverage(ds, iso3), total_events=sum(r["events"] for r in rows),
        total_deaths=sum(r["deaths"] for r in rows)))


# -- Actors -------------------------------------------------------------------------------------------------------
@router.get("/actors", response_class=HTMLResponse, include_in_schema=False)
def actors_page(request: Request, actor: str = ""):
    """Type-ahead search of the actors named in the events (a datalist of the most frequent), and one actor's
    events, deaths, countries and latest events."""
    from signalfire.web.serving import analytics
    ds = request.app.state.ds
    actor = actor.strip()[:200]
    known = ds.cached("actor_list", lambda: [r["actor"] for r in ds.rows(
        """SELECT actor, count(*) AS n FROM (SELECT actor1 AS actor FROM events UNION ALL
                                             SELECT actor2 FROM events) WHERE actor IS NOT NULL AND actor <> ''
           GROUP BY actor ORDER BY n DESC, actor LIMIT 2000""")])
    summary, by_country, latest, matches = None, [], [], []
    if actor:
        matches = ds.rows("""SELECT actor, count(*) AS n FROM (SELECT actor1 AS actor FROM events UNION ALL
                                                               SELECT actor2 FROM events)
                             WHERE actor ILIKE ? GROUP BY actor ORDER BY n DESC, actor LIMIT 20""",
                          [f"%{actor}%"])
        exact = next((m["actor"] for m in matches if m["actor"].lower() == actor.lower()), None)
        if exact:
            actor = exact
            summary = ds.rows("""SELECT count(*) AS events, coalesce(sum(fatalities_best), 0)::BIGINT AS deaths,
                                        min(date_start) AS first, max(date_start) AS last
                                 FROM events WHERE actor1 = ? OR actor2 = ?""", [actor, actor])[0]
            by_country = ds.rows("""SELECT country_iso3 AS iso3, count(*) AS events,
                                           coalesce(sum(fatalities_best), 0)::BIGINT AS deaths
                                    FROM events WHERE actor1 = ? OR actor2 = ? GROUP BY 1
                                    ORDER BY deaths DESC, events DESC""", [actor, actor])
            cols = ", ".join(analytics.LATEST_COLUMNS)
            latest = ds.rows(f"SELECT {cols} FROM events WHERE actor1 = ? OR actor2 = ? "
                             "ORDER BY date_start DESC, source, source_id LIMIT 15", [actor, actor])
    return render("actors.html", page_context(request, "actors", actor=actor, known=known, matches=matches,
                                              summary=summary, by_country=by_country, latest=latest))


# -- Data page: every loaded source ------------------------------------------------------------------------------
SPANS = {   # table -> (first, last, countries) over the source's rows; a table not here shows its row count only
    "events": ("min(date_start)::VARCHAR", "max(date_start)::VARCHAR", "count(DISTINCT country_iso3)"),
    "country_month": ("min(year * 100 + month)::VARCHAR", "max(year * 100 + month)::VARCHAR",
                      "count(DISTINCT country_iso3)"),
    "country_year": ("min(year)::VARCHAR", "max(year)::VARCHAR", "count(DISTINCT country_iso3)"),
    "dyad_year": ("min(year)::VARCHAR", "max(year)::VARCHAR", "count(DISTINCT country_a_iso3)"),
    "conflicts": ("min(year)::VARCHAR", "max(year)::VARCHAR", "NULL"),
}
NO_SPAN = ("NULL", "NULL", "NULL")


def _month_text(value: str | None) -> str:
    return f"{value[:4]}-{value[4:]}" if value and len(value) == 6 else (value or "")


def loaded_sources(ds) -> list[dict]:
    """One row per adapter that loaded data (from ``ingest_runs``): the table it feeds, the rows now in the store
    from its runs, the span and countries covered, and its files (names only, never server paths).  Computed once
    per data version and ingest run (the spans scan every loaded row: 0.3 s of CPU at 5 M events; a run that
    loaded nothing new changes no data version but does change "last loaded")."""
    newest = ds.scalar("SELECT max(run_id) FROM ingest_runs")
    return ds.cached(("loaded_sources", newest), lambda: _loaded_sources(ds))


def _loaded_sources(ds) -> list[dict]:
    runs = ds.rows("""SELECT adapter, any_value(source) AS source, any_value(target_table) AS tbl,
                             list(run_id ORDER BY run_id) AS run_ids, list(DISTINCT file_name) AS files,
                             max(finished_at) AS last_loaded
                      FROM ingest_runs WHERE status IS DISTINCT FROM 'failed' GROUP BY adapter ORDER BY adapter""")
    out = []
    for r in runs:
        tbl = r["tbl"]
        row = {"adapter": r["adapter"], "source": r["source"], "table": tbl, "rows": None, "first": "", "last": "",
               "countries": None, "files": sorted({_basename(f) for f in r["files"] if f}),
               "last_loaded": r["last_loaded"]}
        if tbl and ds.has_table(tbl):
            first, last, countries = SPANS.get(tbl, NO_SPAN)
            try:
                # named columns: a table without a span had given three columns all named NULL, which the row's
                # dict folded into one (an IndexError, the Data page a 500 once missions or cyber were loaded)
                got = ds.rows(f"SELECT count(*) AS n, {first} AS first_, {last} AS last_, {countries} AS countries "
                              f"FROM {tbl} WHERE run_id IN (SELECT unnest(?::INTEGER[]))", [r["run_ids"]])[0]
                row.update(rows=got["n"], first=got["first_"] or "", last=got["last_"] or "",
                           countries=got["countries"])
                if tbl == "country_month":
                    row.update(first=_month_text(row["first"]), last=_month_text(row["last"]))
            except duckdb.Error:   # a stream's table without run_id: the count is unknown, not wrong
                row["rows"] = None
        out.append(row)
    return out
