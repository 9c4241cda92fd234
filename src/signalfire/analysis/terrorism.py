"""Queries on the terrorism stream's tables, shared by the Python API, the REST API, the pages and the briefings.

Functions take a DuckDB connection — or anything whose ``execute(sql, params)`` returns a cursor with ``.df()``,
such as the dashboard's read-only ``DataStore`` — and return pandas DataFrames; :class:`TerrorismQueries` exposes
them as methods of :class:`signalfire.warehouse.Warehouse` (``self.con`` is the store's connection).

Terrorism per country and year comes from three places, kept apart by ``source`` (they overlap and differ in
coverage, so they are never added up): ``gtd`` incidents in ``events`` (category ``terrorism``: counted here,
with ``nkill`` summed where known), and the two GTD country-year aggregates in ``country_year``.  Every row
says its ``source``; ``source=`` keeps one source (or several) and an unknown name is an error naming the valid ones.
"""

from __future__ import annotations

import pandas as pd

from signalfire.analysis.migration import MigrationQueryError, codes, year_range

SOURCES = ("gtd", "gtd-country-year", "gtd-incidents-country-year")
AGGREGATES = ("gtd-country-year", "gtd-incidents-country-year")      # the sources in country_year


def _df(con, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def sources(source=None) -> tuple[str, ...]:
    """The sources asked for, in :data:`SOURCES` order: None, '' or an empty list is all of them; a name,
    comma-separated names or a list of names must each be one of them (else :class:`MigrationQueryError` naming
    the valid ones)."""
    if source is None or (isinstance(source, str) and not source.strip()):
        return SOURCES
    names = [str(item).strip() for item in (source.split(",") if isinstance(source, str) else source)]
    for name in names:
        if name not in SOURCES:
            raise MigrationQueryError(f"unknown source {name!r}; expected one of {', '.join(SOURCES)} "
                                      "(or several, comma-separated)")
    return tuple(s for s in SOURCES if s in names) or SOURCES


def terrorism(con, country=None, years=None, source=None) -> pd.DataFrame:
    """Incidents and deaths per source, country and year: columns source, country_iso3, year, incidents, killed
    (killed NULL where the source has no death counts or none are known).  ``source``: one of :data:`SOURCES`,
    several (comma-separated or a list), or None for all; the sources overlap, so never add rows of two up."""
    iso = codes(country)
    span = year_range(years)
    chosen = sources(source)
    aggregates = [s for s in chosen if s in AGGREGATES]
    where_ev = ["category = 'terrorism'", "source = 'gtd'" if "gtd" in chosen else "false"]
    where_cy = [f"source IN ({', '.join('?' * len(aggregates))})" if aggregates else "false"]
    params_ev, params_cy = [], list(aggregates)
    if iso:
        marks = ", ".join("?" * len(iso))
        where_ev.append(f"country_iso3 IN ({marks})")
        where_cy.append(f"country_iso3 IN ({marks})")
        params_ev += iso
        params_cy += iso
    if isinstance(span, tuple):
        where_ev.append("year(date_start) BETWEEN ? AND ?")
        where_cy.append("year BETWEEN ? AND ?")
        params_ev += list(span)
        params_cy += list(span)
    elif span:
        marks = ", ".join("?" * len(span))
        where_ev.append(f"year(date_start) IN ({marks})")
        where_cy.append(f"year IN ({marks})")
        params_ev += span
        params_cy += span
    return _df(con, f"""
        SELECT source, country_iso3, year(date_start) AS year, count(*)::DOUBLE AS incidents,
               sum(fatalities_best)::DOUBLE AS killed
        FROM events WHERE {' AND '.join(where_ev)} GROUP BY ALL
        UNION ALL
        SELECT source, country_iso3, year, sum(value) FILTER (measure = 'incidents') AS incidents,
               sum(value) FILTER (measure = 'killed') AS killed
        FROM country_year WHERE {' AND '.join(where_cy)} GROUP BY ALL
        ORDER BY source, country_iso3, year""", params_ev + params_cy)


def terrorism_totals(con, countries, years=None, source=None) -> pd.DataFrame:
    """Per country and source: first and last year, incidents and killed summed over the period."""
    frame = terrorism(con, countries, years, source)
    if frame.empty:
        return pd.DataFrame(columns=["country_iso3", "source", "first_year", "last_year", "incidents", "killed"])
    return (frame.groupby(["country_iso3", "source"], as_index=False)
            .agg(first_year=("year", "min"), last_year=("year", "max"), incidents=("incidents", "sum"),
                 killed=("killed", lambda s: s.sum(min_count=1))))


class TerrorismQueries:
    """The terrorism stream's methods of ``signalfire.open(...)``."""

    def terrorism(self, country=None, years=None, source=None):
        """GTD incidents and deaths per source, country and year: ``wh.terrorism("POL")``; ``source`` keeps one
        (``wh.terrorism("POL", source="gtd-incidents-country-year")``)."""
        return terrorism(self.con, country, years, source)


__all__ = ["SOURCES", "MigrationQueryError", "TerrorismQueries", "sources", "terrorism", "terrorism_totals"]
