"""The aggregates behind the pages and the API: choropleth values, top countries, movers, series, map grid.

Everything takes an :class:`~signalfire.store.queries.EventFilter`, so pages, API and downloads filter alike.
Periods default to the twelve months up to the latest event in the store ("as of"), since data releases lag.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from signalfire.store.queries import EventFilter

MEASURES = {"events": "count(*)", "deaths": "coalesce(sum(fatalities_best), 0)"}


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
        return ds.rows(f"""SELECT country_iso3 AS iso3, count(*) AS events,
                                  coalesce(sum(fatalities_best), 0)::BIGINT AS deaths
                           FROM events WHERE {where} AND country_iso3 IS NOT NULL
                           GROUP BY country_iso3 ORDER BY deaths DESC, events DESC""", params)
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
    agg = MEASURES[measure]

    def compute():
        return ds.rows(f"""
            WITH monthly AS (
                SELECT country_iso3, date_trunc('month', date_start)::DATE AS m, {agg} AS v
                FROM events WHERE {where} AND country_iso3 IS NOT NULL GROUP BY ALL),
            stats AS (
                SELECT country_iso3,
                       coalesce(sum(v) FILTER (WHERE m = ?), 0) AS current,
                       coalesce(sum(v) FILTER (WHERE m < ?), 0) / 12.0 AS baseline
                FROM monthly GROUP BY country_iso3)
            SELECT country_iso3 AS iso3, current::BIGINT AS current, round(baseline, 1) AS baseline,
                   round(current - baseline, 1) AS change,
                   CASE WHEN baseline > 0 THEN round(current / baseline, 2) END AS ratio
            FROM stats WHERE current > 0 OR baseline > 0
            ORDER BY abs(current - baseline) DESC LIMIT {int(limit)}""", params + [month, month])
    return {"month": month, "measure": measure,
            "rows": ds.cached(("movers", _key(base, measure, month, limit)), compute)}


def monthly_series(ds, flt: EventFilter, by: str = "category") -> list[dict]:
    """Events and deaths per month, split by ``category`` or ``source``."""
    if by not in ("category", "source"):
        raise ValueError("by must be category or source")
    where, params = flt.where()

    def compute():
        rows = ds.rows(f"""SELECT date_trunc('month', date_start)::DATE AS month, {by} AS series,
                                  count(*) AS events, coalesce(sum(fatalities_best), 0)::BIGINT AS deaths
                           FROM events WHERE {where} GROUP BY ALL ORDER BY month, series""", params)
        for r in rows:
            r["month"] = r["month"].isoformat()
        return rows
    return ds.cached(("series", by, _key(flt)), compute)


def grid(ds, flt: EventFilter, cell_deg: float = 0.1, limit: int = 20000) -> dict:
    """Events binned on a lon/lat grid as a GeoJSON FeatureCollection of points (count, deaths per cell).

    Maps cluster these points in the browser, so a country with millions of events still costs a few
    thousand features.
    """
    where, params = flt.where()
    cell = float(cell_deg)

    def compute():
        rows = ds.rows(f"""SELECT round(longitude / {cell}) * {cell} AS lon, round(latitude / {cell}) * {cell} AS lat,
                                  count(*) AS n, coalesce(sum(fatalities_best), 0)::BIGINT AS deaths
                           FROM events WHERE {where} AND latitude IS NOT NULL AND longitude IS NOT NULL
                           GROUP BY ALL ORDER BY n DESC LIMIT {int(limit)}""", params)
        return {"type": "FeatureCollection",
                "features": [{"type": "Feature", "geometry": {"type": "Point",
                                                              "coordinates": [round(r["lon"], 4), round(r["lat"], 4)]},
                              "properties": {"n": r["n"], "deaths": r["deaths"]}} for r in rows]}
    return ds.cached(("grid", cell, limit, _key(flt)), compute)


LATEST_COLUMNS = ["source", "source_id", "source_version", "category", "subtype", "date_start", "country_iso3",
                  "admin1", "place", "latitude", "longitude", "actor1", "actor2", "fatalities_best",
                  "description", "source_reference", "run_id", "record_ref"]


def latest_events(ds, flt: EventFilter, limit: int = 20, offset: int = 0) -> list[dict]:
    where, params = flt.where()
    cols = ", ".join(LATEST_COLUMNS)

    def compute():
        return ds.rows(f"SELECT {cols} FROM events WHERE {where} "
                       f"ORDER BY date_start DESC, source, source_id LIMIT {int(limit)} OFFSET {int(offset)}", params)
    return ds.cached(("latest", limit, offset, _key(flt)), compute)


def count_events(ds, flt: EventFilter) -> int:
    where, params = flt.where()
    return ds.cached(("count", _key(flt)), lambda: int(ds.scalar(f"SELECT count(*) FROM events WHERE {where}",
                                                                  params)))


def revisions_count(ds, flt: EventFilter) -> dict[tuple[str, str], int]:
    """How many superseded versions each event of the filter has (for the provenance column)."""
    where, params = flt.where("e")
    rows = ds.rows(f"""SELECT r.source, r.source_id, count(*) AS n FROM event_revisions r
                       JOIN events e USING (source, source_id) WHERE {where} GROUP BY ALL""", params)
    return {(r["source"], r["source_id"]): r["n"] for r in rows}


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
