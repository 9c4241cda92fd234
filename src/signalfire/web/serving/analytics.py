"""The aggregates behind the pages and the API: choropleth values, top countries, movers, series, map grid.

Everything takes an :class:`~signalfire.store.queries.EventFilter`, so pages, API and downloads filter alike.
Periods default to the twelve months up to the latest event in the store ("as of"), since data releases lag.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import orjson

from signalfire.store.queries import EVENT_ORDER, EventFilter
from signalfire.web.i18n import N_
from signalfire.web.serving import rollup

RAW = {"events": "count(*)", "deaths": "coalesce(sum(fatalities_best), 0)"}
ROLLED = {"events": "coalesce(sum(n), 0)", "deaths": "coalesce(sum(deaths), 0)"}


def _from(ds, flt: EventFilter, rollup: str = "daily") -> tuple[str, dict, dict]:
    """(table name, tables to register, measure expressions): a rollup when it can answer ``flt``."""
    table = ds.rollups.usable(flt, rollup)
    if table is None:
        return "events", {}, RAW
    return rollup, {rollup: table}, ROLLED


def as_of(ds) -> dt.date | None:
    """The date of the latest event in the store (the anchor for default periods and 'last week')."""
    return ds.cached("as_of", lambda: ds.scalar("SELECT max(date_start) FROM events"))


def last_full_month_end(end: dt.date) -> dt.date:
    """``end`` when it is the last day of its month, else the last day of the month before: a month is compared
    with whole months only when the data reach its end (events to 5 April had made April's 3 deaths in Ukraine a
    "sharp decrease" against a 12-month mean of 29)."""
    return end if (end + dt.timedelta(days=1)).month != end.month else end.replace(day=1) - dt.timedelta(days=1)


def default_period(ds, flt: EventFilter) -> EventFilter:
    """The filter with since/until filled in: the year up to the latest event when neither is given."""
    if flt.since or flt.until:
        return flt
    end = as_of(ds)
    if end is None:
        return flt
    return replace(flt, since=end - dt.timedelta(days=365) + dt.timedelta(days=1), until=end)


def _key(flt: EventFilter, *extra):
    return (tuple(flt.countries), tuple(flt.categories), tuple(flt.sources), flt.since, flt.until, flt.bbox, *extra)


def by_country(ds, flt: EventFilter) -> list[dict]:
    """Events and deaths per country for the filter (the choropleth and the top-countries table)."""
    where, params = flt.where()

    def compute():
        name, tables, m = _from(ds, flt)
        return ds.rows(f"""SELECT country_iso3 AS iso3, {m['events']}::BIGINT AS events,
                                  {m['deaths']}::BIGINT AS deaths
                           FROM {name} WHERE {where} AND country_iso3 IS NOT NULL
                           GROUP BY country_iso3 ORDER BY deaths DESC, events DESC""", params, tables=tables)
    return ds.cached(("by_country", _key(flt)), compute)


def movers(ds, flt: EventFilter, measure: str = "deaths", limit: int = 10) -> dict:
    """Countries whose latest month departs most from their own mean over the 12 months before it.

    The latest month is the month of ``flt.until``, or else the last month the events reach to its end
    (:func:`last_full_month_end`).  Returns the month and rows with ``current``, ``baseline`` (12-month mean),
    ``change`` and ``ratio``.
    """
    end = flt.until or as_of(ds)
    if end is None:
        return {"month": None, "rows": []}
    if not flt.until:
        end = last_full_month_end(end)
    month = end.replace(day=1)
    start = (month - dt.timedelta(days=366)).replace(day=1)
    base = replace(flt, since=start, until=end)
    where, params = base.where()

    def compute():
        name, tables, m = _from(ds, base)
        return ds.rows(f"""
            WITH monthly AS (
                SELECT country_iso3, date_trunc('month', date_start)::DATE AS m, {m[measure]} AS v
                FROM {name} WHERE {where} AND country_iso3 IS NOT NULL GROUP BY ALL),
            stats AS (
                SELECT country_iso3,
                       coalesce(sum(v) FILTER (WHERE m = ?), 0) AS current,
                       coalesce(sum(v) FILTER (WHERE m < ?), 0) / 12.0 AS baseline
                FROM monthly GROUP BY country_iso3)
            SELECT country_iso3 AS iso3, current::BIGINT AS current, round(baseline, 1) AS baseline,
                   round(current - baseline, 1) AS change,
                   CASE WHEN baseline > 0 THEN round(current / baseline, 2) END AS ratio
            FROM stats WHERE current > 0 OR baseline > 0
            ORDER BY abs(current - baseline) DESC LIMIT {int(limit)}""", params + [month, month], tables=tables)
    return {"month": month, "measure": measure,
            "rows": ds.cached(("movers", _key(base, measure, month, limit)), compute)}


def monthly_series(ds, flt: EventFilter, by: str = "category") -> list[dict]:
    """Events and deaths per month, split by ``category`` or ``source``."""
    if by not in ("category", "source"):
        raise ValueError("by must be category or source")
    where, params = flt.where()

    def compute():
        name, tables, m = _from(ds, flt)
        rows = ds.rows(f"""SELECT date_trunc('month', date_start)::DATE AS month, {by} AS series,
                                  {m['events']}::BIGINT AS events, {m['deaths']}::BIGINT AS deaths
                           FROM {name} WHERE {where} GROUP BY ALL ORDER BY month, series""", params,
                       tables=tables)
        for r in rows:
            r["month"] = r["month"].isoformat()
        return rows
    return ds.cached(("series", by, _key(flt)), compute)


def _grid(ds, flt: EventFilter, cell: float, limit: int) -> dict:
    """The grid's FeatureCollection, computed (see :func:`grid`)."""
    from signalfire.web.serving.rollup import grid_rows
    rows = grid_rows(ds, flt, cell, limit)     # from the cell rollups when they can answer
    if rows is None:
        where, params = flt.where()
        rows = ds.rows(f"""SELECT round(longitude / {cell}) * {cell} AS lon,
                                  round(latitude / {cell}) * {cell} AS lat,
                                  count(*) AS n, coalesce(sum(fatalities_best), 0)::BIGINT AS deaths
                           FROM events WHERE {where} AND latitude IS NOT NULL AND longitude IS NOT NULL
                           GROUP BY ALL ORDER BY n DESC, lon, lat LIMIT {int(limit)}""", params)
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": {"type": "Point",
                                                          "coordinates": [round(r["lon"], 4), round(r["lat"], 4)]},
                          "properties": {"n": r["n"], "deaths": r["deaths"]}} for r in rows]}


def grid(ds, flt: EventFilter, cell_deg: float = 0.1, limit: int = 20000) -> dict:
    """Events binned on a lon/lat grid as a GeoJSON FeatureCollection of points (count, deaths per cell).

    Maps cluster these points in the browser, so a country with millions of events still costs a few
    thousand features.
    """
    return ds.cached(("grid", float(cell_deg), limit, _key(flt)), lambda: _grid(ds, flt, float(cell_deg), limit))


def grid_json(ds, flt: EventFilter, cell_deg: float = 0.1, limit: int = 20000) -> bytes:
    """:func:`grid` as JSON bytes, serialised once per data version and filter and cached as such (up to 20,000
    features: FastAPI's encoder took 0.3-0.5 s of CPU per answer for a large country at 5 M events)."""
    return ds.cached(("grid-json", float(cell_deg), limit, _key(flt)),
                     lambda: orjson.dumps(_grid(ds, flt, float(cell_deg), limit), default=float))


LATEST_COLUMNS = ["source", "source_id", "source_version", "category", "subtype", "date_start", "country_iso3",
                  "admin1", "place", "latitude", "longitude", "actor1", "actor2", "fatalities_best",
                  "description", "source_reference", "run_id", "record_ref"]


def page_query(flt: EventFilter, columns: list[str], limit: int, offset: int, ds) -> tuple[str, list]:
    """SQL for one page of events, newest first, that stays fast on millions of rows.

    A narrow first query finds the date of the page's last row (a top-N over one column); the page query then
    also filters ``date_start >= that date``, so only the rows on or after it are read in full and sorted.
    The result is the same page as the plain ORDER BY … LIMIT … OFFSET.
    """
    from signalfire.web.serving.rollup import page_cutoff
    where, params = flt.where()
    known, cutoff = page_cutoff(ds, flt, int(offset) + int(limit))     # from the per-day rollup when it can
    if not known:
        cutoff = ds.scalar(f"SELECT date_start FROM events WHERE {where} ORDER BY date_start DESC "
                           f"LIMIT 1 OFFSET {int(offset) + int(limit) - 1}", params)
    extra, extra_params = ("", []) if cutoff is None else (" AND date_start >= ?", [cutoff])
    sql = (f"SELECT {', '.join(columns)} FROM events WHERE {where}{extra} "
           f"ORDER BY {EVENT_ORDER} LIMIT {int(limit)} OFFSET {int(offset)}")
    return sql, params + extra_params


# the recent spans (days up to the filter's end or the latest event) tried for a page the per-day rollup cannot
# place (a bounding box): each is kept when it holds the whole page
PAGE_WINDOWS_DAYS = (31, 366)
# the most events on or after a page's cut-off date for which one query reads the page with all its columns;
# beyond it, the page's keys first, then their columns (50 M store, the page's last day holding 8,111 events:
# 100-115 ms of CPU in one query, 17-21 ms in two; 197,358 events: 140-150 ms, ~45 ms)
PAGE_SORT_ROWS = 1_000
PAGE_KEYS = ["date_start", "source", "source_id"]   # what names a page's events (read before their other columns)


def _page_keys(ds, flt: EventFilter, limit: int, offset: int, since=None) -> list[dict]:
    """(date_start, source, source_id) of the page's events in page order: the page's query over three columns,
    on the rows on or after a date that holds the whole page, so the zone maps of the (date, country) order skip
    the rest: ``since`` (the cut-off date from the per-day rollup) when given; else the newest of
    :data:`PAGE_WINDOWS_DAYS` up to the filter's end (or the latest event) that holds ``offset + limit`` rows;
    else no bound."""
    def keys(bound):
        return _bounded_page(ds, flt, PAGE_KEYS, limit, offset, bound)
    if since is not None:
        return keys(since)
    end = as_of(ds)
    if end is not None and flt.until is not None:
        end = min(end, flt.until)
    for days in PAGE_WINDOWS_DAYS if end is not None else ():
        start = end - dt.timedelta(days=days - 1)
        if flt.since is not None and start <= flt.since:
            break                   # the window would hold the whole period: the plain query
        found = keys(start)
        if len(found) == int(limit):   # at least offset + limit rows on or after start: the page is among them
            return found
    return keys(None)


def _bounded_page(ds, flt: EventFilter, columns: list[str], limit: int, offset: int, since) -> list[dict]:
    """The page's query, reading only the rows on or after ``since`` (None: every row) when the page lies there."""
    where, params = flt.where()
    extra, extra_params = ("", []) if since is None else (" AND date_start >= ?", [since])
    return ds.rows(f"SELECT {', '.join(columns)} FROM events WHERE {where}{extra} ORDER BY {EVENT_ORDER} "
                   f"LIMIT {int(limit)} OFFSET {int(offset)}", params + extra_params)


def event_rows(ds, flt: EventFilter, columns: list[str], limit: int, offset: int = 0) -> list[dict]:
    """One page of events newest first: exactly the rows of ``SELECT columns FROM events WHERE … ORDER BY
    EVENT_ORDER LIMIT limit OFFSET offset``, reading as few rows as it can.

    * A filter the per-day rollup answers: the page's cut-off date and the events on or after it come from the
      rollup (:func:`rollup.page_span`).  Up to :data:`PAGE_SORT_ROWS` of them, one query bounded by that date;
      more (a day of the bench's 50 M store holds 197,358), the page's keys first (:func:`_page_keys`, three
      columns), then the columns of those keys only, joined on (source, source_id) within the keys' own dates
      and the filter.
    * A bounding box (the rollup cannot place its page): the keys from a recent window (:func:`_page_keys`), then
      one query bounded by the page's last date (the separate cut-off scan over every event cost 25-100 ms).

    (source, source_id) names one event; should a key match more than one row, the page is read in one query."""
    known, cutoff, reads = rollup.page_span(ds, flt, int(offset) + int(limit))
    if known and (cutoff is None or reads <= PAGE_SORT_ROWS):
        return _bounded_page(ds, flt, columns, limit, offset, cutoff)
    keys = _page_keys(ds, flt, limit, offset, since=cutoff if known else None)
    if not keys:
        return []
    dates = [k["date_start"] for k in keys]
    if not known or any(d is None for d in dates):
        return _bounded_page(ds, flt, columns, limit, offset, dates[-1])   # (a None date: no bound)
    values = ", ".join("(?, ?)" for _ in keys)
    where, params = flt.where("e")       # (the filter again: fewer rows to join)
    fetched = ds.rows(f"""SELECT k.s AS "__source", k.i AS "__id", {', '.join(f'e.{c}' for c in columns)}
                          FROM events e JOIN (VALUES {values}) k(s, i) ON e.source = k.s AND e.source_id = k.i
                          WHERE e.date_start BETWEEN ? AND ? AND {where}""",
                      [v for k in keys for v in (k["source"], k["source_id"])] + [min(dates), max(dates), *params])
    wanted = [(k["source"], k["source_id"]) for k in keys]
    found: dict = {k: [] for k in wanted}
    for row in fetched:
        found[(row.pop("__source"), row.pop("__id"))].append(row)
    if len(found) != len(wanted) or any(len(v) != 1 for v in found.values()):
        return _bounded_page(ds, flt, columns, limit, offset, cutoff)   # a key not unique, or a row changed since
    return [found[k][0] for k in wanted]


# queries a request runs beside its own (DuckDB releases the GIL; one query alone leaves one of two cores idle part of
# the time); a task run here never waits on another task of this pool, so a full pool only queues
_ALONGSIDE = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sf-alongside")


def alongside(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` started in another thread; ``.result()`` gives its value (or raises its error)."""
    return _ALONGSIDE.submit(fn, *args, **kwargs)


def event_page(ds, flt: EventFilter, columns: list[str], limit: int, offset: int = 0) -> tuple[list[dict], int]:
    """(:func:`event_rows`, :func:`count_events`): the count runs in another thread meanwhile."""
    total = alongside(count_events, ds, flt)
    rows = event_rows(ds, flt, columns, limit, offset)
    return rows, total.result()


def latest_events(ds, flt: EventFilter, limit: int = 20, offset: int = 0) -> list[dict]:
    return ds.cached(("latest", limit, offset, _key(flt)),
                     lambda: event_rows(ds, flt, LATEST_COLUMNS, limit, offset))


def geo_table(ds) -> str | None:
    """``events_geo`` (see :func:`signalfire.store.optimize.build_geo`) while it matches the store (the same event
    count and newest ingest run as when it was written), else None."""
    def compute():
        if not (ds.has_table("events_geo") and ds.has_table("events_geo_meta")):
            return None
        meta = ds.rows("SELECT events, last_run FROM events_geo_meta")
        now = ds.rows("SELECT (SELECT count(*) FROM events) AS events, (SELECT max(run_id) FROM ingest_runs) AS last_run")
        return "events_geo" if meta == now else None
    return ds.cached("geo_table", compute)


def count_events(ds, flt: EventFilter) -> int:
    where, params = flt.where()

    def compute():
        name, tables, m = _from(ds, flt)
        if flt.bbox and (geo := geo_table(ds)):  # a box: the Z-ordered copy, whose zone maps skip the rest
            name = geo
        if flt.bbox and (n := rollup.box_count(ds, flt, name)) is not None:   # the cells inside from the rollup
            return n
        return int(ds.scalar(f"SELECT {m['events']} FROM {name} WHERE {where}", params, tables=tables))
    return ds.cached(("count", _key(flt)), compute)


def revisions_count(ds, events: list[dict]) -> dict[tuple[str, str], int]:
    """How many superseded versions each of these events has (for the provenance column)."""
    if not events:
        return {}
    keys = [(e["source"], e["source_id"]) for e in events]
    values = ", ".join("(?, ?)" for _ in keys)
    rows = ds.rows(f"""SELECT source, source_id, count(*) AS n FROM event_revisions
                       WHERE (source, source_id) IN (SELECT * FROM (VALUES {values}))
                       GROUP BY ALL""", [v for k in keys for v in k])
    return {(r["source"], r["source_id"]): r["n"] for r in rows}


def sources_summary(ds) -> list[dict]:
    return ds.cached("sources", lambda: ds.rows(
        """SELECT source, count(*) AS events, min(date_start) AS first, max(date_start) AS last,
                  count(DISTINCT country_iso3) AS countries, coalesce(sum(fatalities_best), 0)::BIGINT AS deaths,
                  string_agg(DISTINCT source_version, ', ' ORDER BY source_version) AS versions
           FROM events GROUP BY source ORDER BY source"""))


def country_summary(ds, flt: EventFilter) -> dict:
    where, params = flt.where()

    def compute():
        name, tables, m = _from(ds, flt)
        return ds.rows(f"SELECT {m['events']}::BIGINT AS events, {m['deaths']}::BIGINT AS deaths, "
                       f"min(date_start) AS first, max(date_start) AS last FROM {name} WHERE {where}",
                       params, tables=tables)[0]
    return ds.cached(("country_summary", _key(flt)), compute)


def source_names(ds) -> list[str]:
    """The sources of the stored events (the filters' choices on every page), once per data version."""
    return ds.cached("source_names", lambda: [r[0] for r in ds.execute(
        "SELECT DISTINCT source FROM events ORDER BY 1").fetchall()])


def country_counts(ds) -> dict[str | None, int]:
    """Events per country (ISO3; None for events without one), once per data version."""
    return ds.cached("country_counts", lambda: dict(ds.execute(
        "SELECT country_iso3, count(*) FROM events GROUP BY country_iso3").fetchall()))


def week_change(ds, countries: list[str], flt: EventFilter) -> dict:
    """Events and deaths per country in the week up to the latest event vs the week before."""
    end = as_of(ds)
    if end is None or not countries:
        return {"end": end, "rows": []}
    this_start = end - dt.timedelta(days=6)
    prev_start = this_start - dt.timedelta(days=7)
    base = replace(flt, countries=countries, since=prev_start, until=end)
    where, params = base.where()
    rows = ds.rows(f"""SELECT country_iso3 AS iso3,
                              count(*) FILTER (WHERE date_start >= ?) AS events_week,
                              count(*) FILTER (WHERE date_start < ?) AS events_prev,
                              coalesce(sum(fatalities_best) FILTER (WHERE date_start >= ?), 0)::BIGINT AS deaths_week,
                              coalesce(sum(fatalities_best) FILTER (WHERE date_start < ?), 0)::BIGINT AS deaths_prev
                       FROM events WHERE {where} GROUP BY country_iso3 ORDER BY events_week DESC""",
                   [this_start, this_start, this_start, this_start] + params)
    return {"end": end, "start": this_start, "rows": rows}


# what each "data to" date in the header is about, in the page's language
DATA_TO_KINDS = {"events": N_("%(source)s events"), "country-month": N_("%(source)s country-month"),
                 "country-year": N_("%(source)s country-year"), "forecast": N_("%(source)s forecast")}


def _data_to_parts(ds) -> list[tuple[str, str, str]]:
    """[(source or model, kind, ISO date, month or year)] behind :func:`data_to` (cached; language-free)."""
    def compute():
        out = [(r["source"], "events", r["last"].isoformat()) for r in ds.rows(
            "SELECT source, max(date_start) AS last FROM events GROUP BY source ORDER BY source") if r["last"]]
        for table, what, expr in (("country_month", "country-month", "max(year * 100 + month)"),
                                  ("country_year", "country-year", "max(year)")):
            if ds.has_table(table):
                for r in ds.rows(f"SELECT source, {expr} AS last FROM {table} GROUP BY source ORDER BY source"):
                    if r["last"] is not None:
                        last = int(r["last"])
                        out.append((r["source"], what,
                                    f"{last // 100:04d}-{last % 100:02d}" if what == "country-month" else str(last)))
        from signalfire.web.forecasts import runs
        seen = set()
        for run in runs(ds):
            if run["model"] not in seen:
                seen.add(run["model"])
                out.append((run["model"], "forecast", str(run["cutoff"])))
        return out
    return ds.cached("data_to_parts", compute)


def data_to(ds) -> list[tuple[str, str]]:
    """Each stream's own "data to" for the header: events per source (latest event date), each country-month
    source (latest month), each country-year source (latest year) and each forecast model (its newest run's
    cut-off).  [(label, ISO date, month or year)], in that order."""
    return [(f"{source} {kind}", when) for source, kind, when in _data_to_parts(ds)]


def data_to_local(ds, lang: str) -> list[tuple[str, str]]:
    """:func:`data_to` with its labels in ``lang`` (the header's *data to* menu)."""
    from signalfire.web.i18n import catalogue
    words = catalogue(lang)
    return [(words.get(DATA_TO_KINDS[kind], DATA_TO_KINDS[kind]) % {"source": source}, when)
            for source, kind, when in _data_to_parts(ds)]
