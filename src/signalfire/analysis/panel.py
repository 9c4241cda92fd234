"""The country-month panel: UCDP state-based deaths per country and month.

Built from ingested GED events (sum of ``fatalities_best`` of state-based events, by the month of
``date_start``) and from imported VIEWS country-month files (``country_month`` rows with measure
``ged_sb_best``); where both cover a country-month the imported VIEWS value is used, since it includes the
UCDP Candidate events VIEWS aggregates.  Month ids follow VIEWS: 1 = January 1980.

The aggregation is one SQL statement over the store, so the same query runs on any SQL engine.
"""

from __future__ import annotations

import re

import pandas as pd

from signalfire.store.queries import QueryError


def month_id(year: int, month: int) -> int:
    """VIEWS month id: 1 = January 1980."""
    return (year - 1980) * 12 + month


def month_id_sql(year: str, month: str) -> str:
    """:func:`month_id` as a SQL expression of the given year and month expressions."""
    return f"({year} - 1980) * 12 + {month}"


def month_label(mid: int) -> str:
    """A VIEWS month id as ``YYYY-MM``."""
    mid = int(mid)
    return f"{(mid - 1) // 12 + 1980:04d}-{(mid - 1) % 12 + 1:02d}"


def month_shift(period: str, months: int) -> str:
    """``YYYY-MM`` moved by ``months`` (negative: back), as ``YYYY-MM``."""
    year, month = int(period[:4]), int(period[5:7]) + months
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return f"{year:04d}-{month:02d}"


def parse_month(text: str) -> int:
    """``YYYY-MM`` → VIEWS month id; ValueError with a clear message otherwise."""
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
    if not m or not 1 <= int(m.group(2)) <= 12 or not 1980 <= int(m.group(1)) <= 2179:
        raise ValueError(f"not a month: {text!r} (use YYYY-MM, from 1980-01, e.g. 2024-01)")
    return month_id(int(m.group(1)), int(m.group(2)))


MEASURES = ("ged_sb_best",)   # what the panel can build: GED events give state-based deaths, and only that


def check_measure(measure) -> str:
    """``measure`` if the panel can build it, else QueryError naming the valid ones (an unknown measure must not
    pass for the default one)."""
    if measure not in MEASURES:
        raise QueryError(f"measure: unknown {measure!r}; the country-month panel has {', '.join(MEASURES)}")
    return measure


def country_month_panel(con, measure: str = "ged_sb_best") -> pd.DataFrame:
    check_measure(measure)
    month = month_id_sql("coalesce(i.year, e.year)", "coalesce(i.month, e.month)")
    return con.execute(f"""
        WITH from_events AS (
            SELECT country_iso3, any_value(country_gw) AS country_gw,
                   year(date_start) AS year, month(date_start) AS month,
                   sum(coalesce(fatalities_best, 0))::DOUBLE AS value
            FROM events
            WHERE source = 'ucdp-ged' AND subtype = 'state_based' AND country_iso3 IS NOT NULL
            GROUP BY ALL),
        imported AS (
            SELECT country_iso3, any_value(country_gw) AS country_gw, year, month, max(value) AS value
            FROM country_month WHERE measure = ?
            GROUP BY country_iso3, year, month)
        SELECT coalesce(i.country_iso3, e.country_iso3) AS country_iso3,
               coalesce(i.country_gw, e.country_gw) AS country_gw,
               coalesce(i.year, e.year) AS year, coalesce(i.month, e.month) AS month,
               {month} AS month_id,
               coalesce(i.value, e.value) AS value,
               CASE WHEN i.value IS NOT NULL THEN 'views-cm' ELSE 'ucdp-ged' END AS origin
        FROM imported i FULL OUTER JOIN from_events e
          ON i.country_iso3 = e.country_iso3 AND i.year = e.year AND i.month = e.month
        ORDER BY country_iso3, month_id""", [measure]).df()


def last_month_id(con, measure: str = "ged_sb_best") -> int | None:
    """The last month with data in the store (imported country-month rows or GED state-based events)."""
    check_measure(measure)
    row = con.execute(f"""
        SELECT max(m) FROM (
            SELECT max(month_id) AS m FROM country_month WHERE measure = ?
            UNION ALL
            SELECT max({month_id_sql('year(date_start)', 'month(date_start)')}) FROM events
            WHERE source = 'ucdp-ged' AND subtype = 'state_based')""", [measure]).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def panel_matrix(con, iso3: list[str], first: int, last: int, measure: str = "ged_sb_best"):
    """Deaths as a (countries × months) float array for the given ISO3 codes (rows, in order) and month ids
    ``first`` … ``last`` (columns); country-months with no record are 0 (UCDP records deaths, not their absence)."""
    import numpy as np
    frame = country_month_panel(con, measure)
    frame = frame[(frame["month_id"] >= first) & (frame["month_id"] <= last) & frame["country_iso3"].isin(iso3)]
    out = np.zeros((len(iso3), last - first + 1))
    row = {c: i for i, c in enumerate(iso3)}
    out[frame["country_iso3"].map(row).to_numpy(int), frame["month_id"].to_numpy(int) - first] = \
        frame["value"].to_numpy(float)
    return out
