"""Country-month deaths: the complete coverage behind the world map, the neighbourhood answer and comparisons.

Event-level files are often excerpts (the demo holds a 1,000-event world sample and Ukraine only), so a map or a
ranking drawn from ``events`` alone would tell a false story.  The ``country_month`` table holds whole-world series
(e.g. VIEWS's aggregation of *all* UCDP GED state-based deaths, source ``views-cm``, measure ``ged_sb_best``):
these functions read them, name their source, and fall back to events (saying so) where none are loaded.
"""

from __future__ import annotations

from signalfire.analysis.panel import month_label
from signalfire.web.i18n import N_, gettext

MEASURE = "ged_sb_best"
LABELS = {"views-cm": N_("VIEWS country-month (UCDP GED state-based deaths)")}
MEASURE_LABELS = {"ged_sb_best": N_("state-based conflict deaths (UCDP GED best estimate)")}


def coverage(ds) -> dict | None:
    """The country-month series used: {source, measure, label, first, last (month ids), first_label,
    last_label, countries}, or None when no country-month deaths are loaded.  The labels are in the request's
    language (the cached values are English)."""
    cov = _coverage(ds)
    if cov is None:
        return None
    return {**cov, "label": gettext(cov["label"]), "measure_label": gettext(cov["measure_label"])}


def _coverage(ds) -> dict | None:
    def compute():
        if not ds.has_table("country_month"):
            return None
        rows = ds.rows("""SELECT source, measure, min((year - 1980) * 12 + month) AS first,
                                 max((year - 1980) * 12 + month) AS last, count(DISTINCT country_iso3) AS countries
                          FROM country_month WHERE measure = ? AND country_iso3 IS NOT NULL
                          GROUP BY source, measure ORDER BY countries DESC, source LIMIT 1""", [MEASURE])
        if not rows:
            return None
        r = rows[0]
        return {**r, "label": LABELS.get(r["source"], f"{r['source']} country-month"),
                "measure_label": MEASURE_LABELS.get(r["measure"], r["measure"]),
                "first_label": month_label(r["first"]), "last_label": month_label(r["last"])}
    return ds.cached("cm_coverage", compute)


def _all_months(ds) -> dict[str, tuple[int, list[float | None]]]:
    """Every country's whole series once per data version: {iso3: (first month id with a row, [value or None
    (no row) for each month from there to its last row])}.  Each period's map is then a slice of it (one query of
    the table per period cost 0.2 s of CPU); {} when no country-month deaths are loaded."""
    cov = _coverage(ds)
    if cov is None:
        return {}

    def compute():
        rows = ds.rows("""SELECT country_iso3, (year - 1980) * 12 + month AS mid, max(value) AS v
                          FROM country_month WHERE source = ? AND measure = ? AND country_iso3 IS NOT NULL
                          GROUP BY ALL ORDER BY country_iso3, mid""", [cov["source"], MEASURE])
        spans: dict[str, list[tuple[int, float]]] = {}
        for r in rows:
            spans.setdefault(r["country_iso3"], []).append((int(r["mid"]), float(r["v"] or 0)))
        out = {}
        for iso3, points in spans.items():
            start = points[0][0]
            values: list[float | None] = [None] * (points[-1][0] - start + 1)
            for mid, v in points:
                values[mid - start] = v
            out[iso3] = (start, values)
        return out
    return ds.cached("cm_all_months", compute)


def series(ds, countries: list[str] | None, first: int, last: int) -> dict[str, list[float]]:
    """{iso3: [value for each month first..last]} (0 for a month the source has no row for), for ``countries``
    (all when None); a country appears when it has at least one row in the period."""
    cov = _coverage(ds)
    if cov is None or last < first:
        return {}
    whole = _all_months(ds)
    out: dict[str, list[float]] = {}
    for iso3 in (whole if countries is None else dict.fromkeys(countries)):
        if iso3 not in whole:
            continue
        start, values = whole[iso3]
        part = [values[m - start] if 0 <= m - start < len(values) else None for m in range(first, last + 1)]
        if any(v is not None for v in part):
            out[iso3] = [v or 0.0 for v in part]
    return out


def events_series(ds, countries: list[str], first: int, last: int, measure: str = "deaths",
                  categories: list[str] | None = None, sources: list[str] | None = None) -> dict[str, list[float]]:
    """The same shape from the loaded events (``measure`` deaths or events), for where no country-month data
    exist or the user asks for the events."""
    import datetime as dt
    from dataclasses import replace

    from signalfire.store.queries import EventFilter
    from signalfire.web.serving.analytics import _from

    if not countries or last < first:
        return {}
    start = dt.date(1980 + (first - 1) // 12, (first - 1) % 12 + 1, 1)
    y, m = 1980 + (last - 1) // 12, (last - 1) % 12 + 1
    end = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
    flt = replace(EventFilter(), countries=list(countries), categories=list(categories or []),
                  sources=list(sources or []), since=start, until=end)
    where, params = flt.where()

    def compute():
        name, tables, exprs = _from(ds, flt)
        rows = ds.rows(f"""SELECT country_iso3 AS iso3, year(date_start) AS y, month(date_start) AS m,
                                  {exprs[measure]}::DOUBLE AS v
                           FROM {name} WHERE {where} GROUP BY ALL""", params, tables=tables)
        out = {c: [0.0] * (last - first + 1) for c in countries}
        for r in rows:
            mid = (r["y"] - 1980) * 12 + r["m"]
            if r["iso3"] in out and first <= mid <= last:
                out[r["iso3"]][mid - first] = float(r["v"] or 0)
        return out
    return ds.cached(("ev_series", tuple(countries), first, last, measure, tuple(flt.categories),
                      tuple(flt.sources)), compute)


def events_last_month(ds) -> int | None:
    """The month id of the last month the loaded events reach to its end (the latest event's month when that is
    the month's last day, else the month before: a part-month is no month to compare or to end a trend on)."""
    from signalfire.web.serving.analytics import as_of, last_full_month_end
    end = as_of(ds)
    if end is None:
        return None
    end = last_full_month_end(end)
    return (end.year - 1980) * 12 + end.month


def month_totals(ds, mid: int) -> list[dict]:
    """[{iso3, value}] for one month of the country-month source, largest first (the world map's table)."""
    values = series(ds, None, mid, mid)
    return sorted(({"iso3": k, "value": v[0]} for k, v in values.items()), key=lambda r: (-r["value"], r["iso3"]))
