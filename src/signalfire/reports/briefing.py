"""A briefing on a country and its neighbourhood for one month, in the field's model (CrisisWatch's marks, ACLED's
regional overview): a one-line bottom line, the month's figures with their change, a map, trend charts, the
forecast with its uncertainty, the month's alerts, the country's engagement and the sources used.

:func:`build` gathers the figures from the store; :mod:`.briefing_render` turns them into HTML and an A4 PDF.

The change of a country's deaths in the month against the mean of the six months before, as CrisisWatch marks a
situation: **deteriorated** when at least 1.5 times that mean and at least 10 more deaths, **improved** when at most
two thirds of it and at least 10 fewer, otherwise **unchanged**.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from signalfire.analysis.panel import month_shift
from signalfire.store.queries import QueryError

BASELINE_MONTHS = 6
WORSE, BETTER, MIN_CHANGE = 1.5, 2 / 3, 10
TREND_MONTHS = 24


@dataclass
class Briefing:
    iso3: str
    name: str
    period: str                       # YYYY-MM
    source: str | None                # the event source counted (one, so that no event is counted twice)
    countries: list[dict]             # the country first, then its land neighbours: figures and change
    bottom_line: dict
    monthly: list[dict]               # country, month, deaths, events: the trend charts' data
    events: list[dict]                # the month's events with coordinates: the map
    forecast: dict | None
    alerts: list[dict]
    engagement: dict
    sources: list[dict]
    generated: str = field(default_factory=lambda: date.today().isoformat())


def parse_period(text: str) -> tuple[date, date]:
    """``YYYY-MM`` → the month's first and last day; QueryError otherwise."""
    try:
        year, month = (int(x) for x in str(text).split("-"))
        if not (1800 <= year <= 2200 and 1 <= month <= 12) or len(str(text)) != 7:
            raise ValueError
    except ValueError:
        raise QueryError(f"period: {str(text)[:40]!r} is not a month written YYYY-MM, e.g. 2024-06") from None
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def change_class(value: float, baseline: float) -> str:
    if value >= WORSE * baseline and value - baseline >= MIN_CHANGE:
        return "deteriorated"
    if value <= BETTER * baseline and baseline - value >= MIN_CHANGE:
        return "improved"
    return "unchanged"


def _event_source(con) -> str | None:
    """UCDP GED where loaded (the reference for deaths), else the source with the most events; None if none."""
    sources = [r[0] for r in con.execute("SELECT source FROM events GROUP BY source ORDER BY count(*) DESC")
               .fetchall()]
    return "ucdp-ged" if "ucdp-ged" in sources else (sources[0] if sources else None)


def _monthly(con, countries: list[str], source: str | None, first: str, last: str) -> dict:
    rows = con.execute(f"""SELECT country_iso3, strftime(date_start, '%Y-%m') AS month,
                                  sum(coalesce(fatalities_best, 0)) AS deaths, count(*) AS events
                           FROM events WHERE country_iso3 IN ({', '.join('?' * len(countries))})
                             AND source IS NOT DISTINCT FROM coalesce(?, source)
                             AND date_start BETWEEN CAST(? AS DATE) AND last_day(CAST(? AS DATE))
                           GROUP BY 1, 2""", [*countries, source, first + "-01", last + "-01"]).fetchall()
    return {(r[0], r[1]): (float(r[2]), int(r[3])) for r in rows}


def _forecast(con, countries: list[str], period: str) -> dict | None:
    """Our newest forecast whose months include the month after the period: per country the mean, the 90%
    interval and P(≥25 deaths) of that month, and the months after it for the fan chart."""
    run = con.execute("""SELECT run_id, cutoff, model_version FROM forecast_runs WHERE model = 'qgbm'
                         ORDER BY run_id DESC LIMIT 1""").fetchone()
    if run is None:
        return None
    rows = con.execute(f"""SELECT country_iso3, printf('%04d-%02d', (month_id - 1) // 12 + 1980,
                                  (month_id - 1) % 12 + 1) AS month, mean, q05, q50, q95, p_ge25
                           FROM forecasts WHERE run_id = ? AND country_iso3 IN ({', '.join('?' * len(countries))})
                           ORDER BY country_iso3, month_id""", [run[0], *countries]).fetchall()
    series = [dict(zip(("country", "month", "mean", "q05", "q50", "q95", "p_ge25"), r)) for r in rows]
    if not series:
        return None
    first = series[0]["month"]
    return {"run_id": run[0], "cutoff": run[1], "model_version": run[2], "first_month": first,
            "next": [s for s in series if s["month"] == first], "series": series,
            "period_gap": period != run[1]}


def _alerts(con, countries: list[str], period: str) -> list[dict]:
    rows = con.execute("""SELECT f.level, f.title, f.subject, f.period, CAST(f.fired_at AS VARCHAR), r.name
                          FROM alert_firings f LEFT JOIN alert_rules r USING (rule_id)
                          WHERE f.period = ? OR strftime(f.fired_at, '%Y-%m') = ?
                          ORDER BY f.level DESC, f.fired_at""", [period, period]).fetchall()
    keys = ("level", "title", "subject", "period", "fired_at", "rule")
    return [dict(zip(keys, r)) for r in rows]


def _sources(con, tables_used: set[str]) -> list[dict]:
    from signalfire.sources import get
    from signalfire.sources.base import SourceError
    rows = con.execute("""SELECT adapter, target_table, string_agg(DISTINCT file_name, ', ' ORDER BY file_name),
                                 string_agg(DISTINCT source_version, ', ' ORDER BY source_version), max(run_id)
                          FROM ingest_runs WHERE status = 'loaded' GROUP BY 1, 2 ORDER BY 1""").fetchall()
    out = []
    for adapter, table, files, versions, last_run in rows:
        if table not in tables_used:
            continue
        try:
            licence = get(adapter).licence
        except SourceError:
            licence = ""
        out.append({"adapter": adapter, "files": files, "versions": versions or "", "run": last_run,
                    "licence": licence})
    return out


def build(con, iso3: str, period: str) -> Briefing:
    """The figures of a briefing on ``iso3`` and its land neighbours for the month ``period`` (YYYY-MM)."""
    from signalfire.geo.borders import country_names, land_borders
    from signalfire.geo.countries import resolve
    found = resolve(str(iso3).strip())
    if found is None:
        raise QueryError(f"country: {str(iso3)[:40]!r} is not a country code or name (e.g. POL)")
    iso3 = found.iso3
    parse_period(period)
    names = country_names()
    ring = sorted(land_borders().get(iso3, set()))
    countries = [iso3, *ring]
    source = _event_source(con)
    first = month_shift(period, -(TREND_MONTHS - 1))
    data = _monthly(con, countries, source, first, period)
    months = [month_shift(first, k) for k in range(TREND_MONTHS)]
    monthly = [{"country": c, "name": names.get(c, c), "month": m, "deaths": data.get((c, m), (0, 0))[0],
                "events": data.get((c, m), (0, 0))[1]} for c in countries for m in months]
    rows = []
    for c in countries:
        deaths, events = data.get((c, period), (0.0, 0))
        before = [data.get((c, month_shift(period, -k)), (0.0, 0))[0] for k in range(1, BASELINE_MONTHS + 1)]
        baseline = sum(before) / BASELINE_MONTHS
        rows.append({"iso3": c, "name": names.get(c, c), "deaths": deaths, "events": events,
                     "baseline": baseline, "change": change_class(deaths, baseline), "home": c == iso3})
    worst = max(rows, key=lambda r: (r["deaths"], r["events"]))
    ring_deaths = sum(r["deaths"] for r in rows if not r["home"])
    ring_baseline = sum(r["baseline"] for r in rows if not r["home"])
    bottom = {"worst": worst if worst["deaths"] or worst["events"] else None, "ring_deaths": ring_deaths,
              "ring_baseline": ring_baseline, "ring_change": change_class(ring_deaths, ring_baseline),
              "home": rows[0]}
    start, end = parse_period(period)
    events = [dict(zip(("country", "date", "lat", "lon", "deaths", "place"), r)) for r in con.execute(
        f"""SELECT country_iso3, CAST(date_start AS VARCHAR), latitude, longitude, coalesce(fatalities_best, 0),
                   place FROM events WHERE country_iso3 IN ({', '.join('?' * len(countries))})
              AND source IS NOT DISTINCT FROM coalesce(?, source) AND date_start BETWEEN ? AND ?
              AND latitude IS NOT NULL AND longitude IS NOT NULL ORDER BY fatalities_best DESC NULLS LAST LIMIT 2000""",
        [*countries, source, start, end]).fetchall()]
    forecast = _forecast(con, countries, period)
    from signalfire.reports import briefing_engagement
    engaged = briefing_engagement.engagement(con, iso3, period)
    return Briefing(iso3=iso3, name=names.get(iso3, iso3), period=period, source=source, countries=rows,
                    bottom_line=bottom, monthly=monthly, events=events, forecast=forecast,
                    alerts=_alerts(con, countries, period), engagement=engaged,
                    sources=_sources(con, {"events", *(["country_month"] if forecast else []),
                                           *briefing_engagement.tables_used(engaged)}))
