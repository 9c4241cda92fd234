"""The aggregates behind the pages and the API: choropleth values, top countries, movers, series, map grid.

Everything takes an :class:`~signalfire.store.queries.EventFilter`, so pages, API and downloads filter alike.
Periods default to the twelve months up to the latest event in the store ("as of"), since data releases lag.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace

import orjson

from signalfire.store.queries import EVENT_ORDER, EventFilter
from signalfire.web import rollup
from signalfire.web.i18n import N_

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

    The latest month is the month of ``flt.until`` (or of the latest event).  Returns the month and rows with
    ``current``, ``baseline`` (12-month mean), ``change`` and ``ratio``.
    """
    end = flt.until or as_of(ds)
    if end is None:
        return {"month": None, "rows": []}
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
    from signalfire.web.rollup import grid_rows
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
    from signalfire.web.rollup import page_cutoff
    where, params = flt.where()
    known, cutoff = page_cutoff(ds, flt, int(offset) + int(limit))     # from the per-day rollup when it can
    if not known:
        cutoff = ds.scalar(f"SELECT date_start FROM events WHERE {where} ORDER BY date_start DESC "
                           f"LIMIT 1 OFFSET {int(offset) + int(limit) - 1}", params)
    extra, extra_params = ("", []) if cutoff is None else (" AND date_start >= ?", [cutoff])
    sql = (f"SELECT {', '.join(columns)} FROM events WHERE {where}{extra} "
           f"ORDER BY {EVENT_ORDER} LIMIT {int(limit)} OFFSET {int(offset)}")
    return sql, params + extra_params


def latest_events(ds, flt: EventFilter, limit: int = 20, offset: int = 0) -> list[dict]:
    def compute():
        return ds.rows(*page_query(flt, LATEST_COLUMNS, limit, offset, ds))
    return ds.cached(("latest", limit, offset, _key(flt)), compute)


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


def country_counts(ds) -> dict[str | None, int]:
    """Events per country (ISO3; None for events without one), once per data version."""
    return ds.cached("country_counts", lambda: dict(ds.execute(
        "SELECT country_iso3, count(*) FROM events GROUP BY country_iso3").fetchall()))


def warm(ds) -> None:
    """Compute the aggregates every page needs once per data version (at start and after each ingest) and the
    Data page's per-source spans.  Each step is an optimisation: one that fails (a query stopped by the
    statement timeout) does not stop the others.  The country pages' parts: :func:`warm_countries`."""
    from signalfire.web import country_month
    from signalfire.web.pages_analysis import loaded_sources
    steps = [lambda: [ds.native(t) for t in ds.rollups.tables().values() if t is not None],  # 0.3-1 s each at 5 M
             lambda: as_of(ds), lambda: sources_summary(ds),
             lambda: ds.cached("source_names", lambda: [r[0] for r in ds.execute(
                 "SELECT DISTINCT source FROM events ORDER BY 1").fetchall()]),
             lambda: country_counts(ds),
             lambda: by_country(ds, default_period(ds, EventFilter())),
             lambda: movers(ds, replace(default_period(ds, EventFilter()), since=None), measure="deaths", limit=10),
             lambda: _data_to_parts(ds),                 # the header's "data to" on every page
             lambda: country_month._all_months(ds),      # the overview map's series (0.2 s of CPU at first use)
             lambda: loaded_sources(ds),                 # the Data page's spans: a scan of every event (0.3 s at 5 M)
             lambda: geo_table(ds),
             lambda: rollup.warm_boxes(ds)]            # what chooses a box count's path (see rollup.box_count)
    for step in steps:
        try:
            step()
        except Exception:  # noqa: BLE001, S112 (warming is an optimisation; requests compute on demand)
            continue


COUNTRY_PAGE_EVENTS = 25     # events on a country page (pages.PAGE_SIZE)
# the store size from which the country pages are warmed: below it a first visit's 0.2-0.4 s is the lesser cost
# (the demo has 60 countries with events: warming them all took ~15 s of CPU at every start)
WARM_COUNTRIES_FROM = int(os.environ.get("SIGNALFIRE_WARM_COUNTRIES_FROM", "1000000"))


def warm_countries(ds, min_events: int | None = None, limit: int | None = None) -> None:
    """The cached per-country parts of the country page for every country with events, most events first: its
    streams' panels (0.2-0.4 s of CPU per country, whatever the store's size), its event count, first page of
    events and summary.  What a first visit computed is then ready, as the pages' other aggregates are.  Only
    for a store of at least ``min_events`` events (default :data:`WARM_COUNTRIES_FROM`); ``limit``: the busiest
    countries only.  Stops when the data version changes (a newer ingest's warming takes over)."""
    from signalfire.web import streams
    version = ds.version
    counts = country_counts(ds)
    if sum(counts.values()) < (WARM_COUNTRIES_FROM if min_events is None else min_events):
        return
    for iso3, _ in sorted(((k, v) for k, v in counts.items() if k), key=lambda kv: (-kv[1], kv[0]))[:limit]:
        if ds.version != version:
            return
        flt = EventFilter(countries=[iso3])
        for step, args in ((streams.country_panels, (ds, iso3)), (count_events, (ds, flt)),
                           (latest_events, (ds, flt, COUNTRY_PAGE_EVENTS, 0)), (country_summary, (ds, flt))):
            try:
                step(*args)
            except Exception:  # noqa: BLE001, S112 (warming is an optimisation)
                continue


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
