"""A briefing on a country and its neighbourhood for one month, in the field's model (CrisisWatch's marks, ACLED's
regional overview): a one-line bottom line, the month's figures with their change, a map, trend charts, the
forecast with its uncertainty, the month's alerts, the country's engagement and the sources used.

:func:`build` gathers the figures from the store; :mod:`.briefing_render` turns them into HTML and an A4 PDF.

The change of a country's deaths in the month against the mean of the six months before, as CrisisWatch marks a
situation: **deteriorated** when at least 1.5 times that mean and at least 10 more deaths, **improved** when at most
two thirds of it and at least 10 fewer, otherwise **unchanged**.

**Coverage.** A figure is given only for a country and month the store's data cover; a month they do not reach is
said to be outside them, never reported as 0 (nor its change as "unchanged").  The coverage of the event source is
read from the events themselves, per loaded file (ingest run): the months from its first to its last event, for
every country when the file has events in at least :data:`EXCERPT_COUNTRIES` countries, else only for the countries
it has events in (a country excerpt such as the demo's Ukraine file says nothing of Syria).  Country-month totals
(``country_month``, measure ``ged_sb_best``, e.g. VIEWS's aggregation of UCDP GED) cover the country-months they
have rows for.  The month's figures come from one basis for the whole table, so that they compare: the event source
when it covers at least as many of the countries in the month as the country-month totals do, else the
country-month totals (named as such: state-based deaths, no event counts); a country the basis does not cover is
shown as not covered, and its change (and the six months' mean) is given only when the basis covers all six months
before.

**Periods the store cannot speak of** are refused with a QueryError (the CLI's one-line error, exit 2; the web's
400): a month that has not begun (after today's), and a month before the first month of the store's event and
country-month data (e.g. 1800-01), for which nothing at all can be reported.  A past month after the data (e.g.
2026-06 with the demo's data, which end in 2023) gives a briefing that says where the data end and gives no figures
(its engagement section and the latest forecast still say what the store holds).
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field
from datetime import date

from signalfire.analysis.panel import month_shift
from signalfire.store.queries import QueryError

BASELINE_MONTHS = 6
WORSE, BETTER, MIN_CHANGE = 1.5, 2 / 3, 10
TREND_MONTHS = 24
EXCERPT_COUNTRIES = 10    # an event file with events in fewer countries covers only those (a country excerpt)
CM_MEASURE = "ged_sb_best"


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
    # what the data cover (see the module's docstring): basis ("events", "country_month" or None), the event
    # source's span and the countries it misses in the month, the same for the country-month totals ("cm")
    coverage: dict = field(default_factory=dict)


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


def event_coverage(con, source: str | None) -> list[dict]:
    """The event source's spans in the store, one per loaded file (ingest run): {first, last (YYYY-MM),
    countries (None: every country; else the set of countries a country excerpt covers)}, by first month."""
    if source is None:
        return []
    rows = con.execute("""SELECT strftime(min(date_start), '%Y-%m'), strftime(max(date_start), '%Y-%m'),
                                 list(DISTINCT country_iso3) FILTER (WHERE country_iso3 IS NOT NULL)
                          FROM events WHERE source = ? AND date_start IS NOT NULL
                          GROUP BY run_id ORDER BY 1, 2""", [source]).fetchall()
    return [{"first": a, "last": b, "countries": None if len(c or []) >= EXCERPT_COUNTRIES else frozenset(c or [])}
            for a, b, c in rows]


def covers(spans: list[dict], iso3: str, month: str) -> bool:
    """Whether an event file in ``spans`` covers ``iso3`` in ``month`` (YYYY-MM)."""
    return any(s["first"] <= month <= s["last"] and (s["countries"] is None or iso3 in s["countries"])
               for s in spans)


def _cm_source(con) -> dict | None:
    """The country-month totals of deaths used (the source with the most countries, as the dashboard's map):
    {source, first, last (YYYY-MM)}; None when none are loaded."""
    import duckdb
    span = "printf('%04d-%02d', {f}(year * 100 + month) // 100, {f}(year * 100 + month) % 100)"
    try:
        row = con.execute(f"""SELECT source, {span.format(f="min")}, {span.format(f="max")} FROM country_month
                              WHERE measure = ? AND country_iso3 IS NOT NULL AND value IS NOT NULL GROUP BY source
                              ORDER BY count(DISTINCT country_iso3) DESC, source LIMIT 1""", [CM_MEASURE]).fetchone()
    except duckdb.CatalogException:          # a store made before the table existed
        return None
    return None if row is None else {"source": row[0], "first": row[1], "last": row[2]}


def _cm_values(con, cm: dict, countries: list[str], first: str, last: str) -> dict:
    rows = con.execute(f"""SELECT country_iso3, printf('%04d-%02d', year, month), max(value) FROM country_month
                           WHERE source = ? AND measure = ? AND value IS NOT NULL
                             AND country_iso3 IN ({', '.join('?' * len(countries))})
                             AND year * 100 + month BETWEEN ? AND ? GROUP BY 1, 2""",
                       [cm["source"], CM_MEASURE, *countries, int(first.replace("-", "")),
                        int(last.replace("-", ""))]).fetchall()
    return {(r[0], r[1]): float(r[2]) for r in rows}


def _position(period: str, first: str | None, last: str | None) -> str | None:
    if first is None:
        return None
    return "before" if period < first else "after" if period > last else "within"


def check_period(period: str, source: str | None, spans: list[dict], cm: dict | None) -> None:
    """QueryError for a month a briefing cannot speak of: one not begun yet, or one before all the store's event
    and country-month data."""
    today = date.today()
    if period > f"{today.year:04d}-{today.month:02d}":
        raise QueryError(f"period {period}: that month has not begun (today is {today.isoformat()}); a briefing "
                         "reports a past or the current month")
    held = []
    if spans:
        held.append((f"{source} events", min(x["first"] for x in spans), max(x["last"] for x in spans)))
    if cm:
        held.append((f"{cm['source']} country-month totals", cm["first"], cm["last"]))
    if held and period < min(first for _, first, _ in held):
        raise QueryError(f"period {period}: the store's conflict data begin in {min(first for _, first, _ in held)} "
                         f"({'; '.join(f'{name} {a} to {b}' for name, a, b in held)}); there is nothing to report "
                         "for an earlier month")


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


def _subject_countries(subject: str | None) -> set[str] | None:
    """The ISO3 codes of a firing's subject, as the rules read it (``ring:POL`` is Poland's land neighbours), None
    for a rule over every country; a subject no longer read (an unknown country) covers none."""
    from signalfire.alerts import AlertError
    from signalfire.alerts.rules import subject_countries
    try:
        codes = subject_countries(subject)
    except AlertError:
        return set()
    return None if codes is None else set(codes)


def _alerts(con, countries: list[str], period: str) -> list[dict]:
    """The month's firings about the briefing's countries: a firing whose subject names one of them, or a rule over
    every country whose evidence counts one of them (a Syria briefing had listed Ukraine's alerts)."""
    rows = con.execute("""SELECT f.level, f.title, f.subject, f.period, CAST(f.fired_at AS VARCHAR), r.name,
                                 f.evidence
                          FROM alert_firings f LEFT JOIN alert_rules r USING (rule_id)
                          WHERE f.period = ? OR strftime(f.fired_at, '%Y-%m') = ?
                          ORDER BY f.level DESC, f.fired_at""", [period, period]).fetchall()
    keys = ("level", "title", "subject", "period", "fired_at", "rule")
    wanted, out = set(countries), []
    for r in rows:
        subject = _subject_countries(r[2])
        if subject is None:
            try:
                subject = set((json.loads(r[6] or "{}") or {}).get("by_country") or {})
            except (ValueError, AttributeError):
                subject = set()
        if subject & wanted:
            out.append(dict(zip(keys, r[:6])))
    return out


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
    spans = event_coverage(con, source)
    cm = _cm_source(con)
    check_period(period, source, spans, cm)
    first = month_shift(period, -(TREND_MONTHS - 1))
    data = _monthly(con, countries, source, first, period)
    cm_data = _cm_values(con, cm, countries, first, period) if cm else {}
    missing = [c for c in countries if not covers(spans, c, period)]           # by the event source
    cm_missing = [c for c in countries if (c, period) not in cm_data] if cm else list(countries)
    covered_ev, covered_cm = len(countries) - len(missing), len(countries) - len(cm_missing)
    basis = ("events" if covered_ev and covered_ev >= covered_cm else "country_month" if covered_cm else None)

    def figure(c: str, m: str, on: str | None = basis) -> tuple[float, int | None] | None:
        """(deaths, events) of a country and month on a basis (the briefing's); None when it does not cover them."""
        if on == "events":
            return data.get((c, m), (0.0, 0)) if covers(spans, c, m) else None
        if on == "country_month" and (c, m) in cm_data:
            return cm_data[(c, m)], None
        return None
    months = [month_shift(first, k) for k in range(TREND_MONTHS)]
    # the trend on the month's basis; when nothing covers the month, on the basis covering more of the 24 months
    trend_basis = basis or max(("events", "country_month"), key=lambda on: (
        sum(figure(c, m, on) is not None for c in countries for m in months), on == "events"))
    monthly = []
    for c in countries:
        for m in months:
            deaths, events = figure(c, m, trend_basis) or (None, None)
            monthly.append({"country": c, "name": names.get(c, c), "month": m, "deaths": deaths, "events": events,
                            "covered": deaths is not None})
    rows = []
    for c in countries:
        f = figure(c, period)
        before = [figure(c, month_shift(period, -k)) for k in range(1, BASELINE_MONTHS + 1)]
        deaths, events = f or (None, None)
        baseline = sum(x[0] for x in before) / BASELINE_MONTHS if f and None not in before else None
        rows.append({"iso3": c, "name": names.get(c, c), "deaths": deaths, "events": events, "baseline": baseline,
                     "change": None if baseline is None else change_class(deaths, baseline), "home": c == iso3,
                     "covered": f is not None})
    with_figures = [r for r in rows if r["covered"]]
    worst = max(with_figures, key=lambda r: (r["deaths"], r["events"] or 0), default=None)
    ring = [r for r in rows if not r["home"]]
    ring_complete = bool(ring) and all(r["baseline"] is not None for r in ring)
    ring_deaths = sum(r["deaths"] for r in ring) if ring_complete else None
    ring_baseline = sum(r["baseline"] for r in ring) if ring_complete else None
    bottom = {"worst": worst if worst and (worst["deaths"] or worst["events"]) else None, "ring_deaths": ring_deaths,
              "ring_baseline": ring_baseline,
              "ring_change": change_class(ring_deaths, ring_baseline) if ring_complete else None,
              "home": rows[0], "complete": len(with_figures) == len(rows)}
    coverage = {"basis": basis, "trend_basis": trend_basis, "source": source,
                "first": min((x["first"] for x in spans), default=None),
                "last": max((x["last"] for x in spans), default=None), "missing": missing,
                "cm": cm and {**cm, "missing": cm_missing, "position": _position(period, cm["first"], cm["last"])},
                "gaps": any(not m["covered"] for m in monthly)}
    coverage["position"] = _position(period, coverage["first"], coverage["last"])
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
                    sources=_sources(con, {"events", *(["country_month"] if forecast or basis == "country_month"
                                                       else []), *briefing_engagement.tables_used(engaged)}),
                    coverage=coverage)
