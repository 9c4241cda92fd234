"""Queries on the migration stream's tables, shared by the Python API, the REST API, the pages and the briefings.

Functions take a DuckDB connection — or anything whose ``execute(sql, params)`` returns a cursor with ``.df()``,
such as the dashboard's read-only ``DataStore`` — and return pandas DataFrames; :class:`MigrationQueries` exposes
them as methods of :class:`signalfire.warehouse.Warehouse` (``self.con`` is the store's connection).

Countries are ISO 3166 alpha-3 codes or names (one, or a list); the producers' non-country codes (``UNK``,
``XXA``, ``EU27`` …) are accepted as they are.  ``years`` is one year, a ``(first, last)`` pair (inclusive) or
a list.  Origin is ``country_a``, asylum/destination ``country_b`` of ``dyad_year``.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from signalfire.sources.migration.common import NON_COUNTRIES

POPULATION_MEASURES = ("refugees", "asylum_seekers", "returned_refugees", "idps", "returned_idps", "stateless",
                       "ooc", "oip", "hst")
IOM_SOURCES = ("iom-mmp", "iom-mmp-gdidata")   # the producer's download first
# people in need of international protection, as the pages count them: refugees, asylum-seekers, others in need
POPULATION_STOCK = ("refugees", "asylum_seekers", "oip")


class MigrationQueryError(ValueError):
    """A query argument that cannot be answered (unknown country, bad period)."""


def _df(con, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def codes(countries) -> list[str] | None:
    """ISO3 codes for a country, a list of countries, or None (any)."""
    if countries is None or (isinstance(countries, str) and not countries.strip()):
        return None
    from signalfire.geo.countries import resolve
    items = [countries] if isinstance(countries, str) else list(countries)
    out = []
    for item in items:
        text = str(item).strip()
        if text.upper() in NON_COUNTRIES:
            out.append(text.upper())
            continue
        found = resolve(text.upper(), "iso3") or resolve(text, "name")
        if found is None:
            raise MigrationQueryError(f"unknown country {text!r}: use an ISO 3166 alpha-3 code such as POL")
        out.append(found.iso3)
    return out


def year_range(years) -> tuple[int, int] | list[int] | None:
    if years is None:
        return None
    if isinstance(years, int):
        return (years, years)
    if isinstance(years, tuple) and len(years) == 2:
        first, last = years
        first, last = int(first if first is not None else 1900), int(last if last is not None else 2100)
        if first > last:
            raise MigrationQueryError(f"years: {first} is after {last}")
        return (first, last)
    if isinstance(years, Iterable):
        return sorted({int(y) for y in years})
    raise MigrationQueryError(f"years: expected a year, a (first, last) pair or a list, not {years!r}")


def _where(origin, asylum, years, column_a="country_a_iso3", column_b="country_b_iso3") -> tuple[list, list]:
    where, params = [], []
    for column, value in ((column_a, codes(origin)), (column_b, codes(asylum))):
        if value:
            where.append(f"{column} IN ({', '.join('?' * len(value))})")
            params += value
    span = year_range(years)
    if isinstance(span, tuple):
        where.append("year BETWEEN ? AND ?")
        params += list(span)
    elif span:
        where.append(f"year IN ({', '.join('?' * len(span))})")
        params += span
    return where, params


def dyad_values(con, source: str, origin=None, asylum=None, years=None, measures=None,
                prefix: bool = False) -> pd.DataFrame:
    """``dyad_year`` rows of one source as (origin, asylum, year, measure, value); ``prefix``: measures are
    matched as ``measure.…`` and summed under the bare name (the UNHCR asylum tables' coded measures)."""
    where, params = _where(origin, asylum, years)
    where.insert(0, "source = ?")
    params.insert(0, source)
    name = "split_part(measure, '.', 1)" if prefix else "measure"
    if measures:
        measures = [measures] if isinstance(measures, str) else list(measures)
        where.append(f"{name} IN ({', '.join('?' * len(measures))})")
        params += measures
    return _df(con, f"""
        SELECT country_a_iso3 AS origin, country_b_iso3 AS asylum, year, {name} AS measure, sum(value) AS value
        FROM dyad_year WHERE {' AND '.join(where)}
        GROUP BY ALL ORDER BY year, origin, asylum, measure""", params)


def refugees(con, origin=None, asylum=None, years=None, measures=("refugees", "asylum_seekers", "oip")
             ) -> pd.DataFrame:
    """UNHCR end-year population (stocks) per origin × asylum × year, one column per measure."""
    long = dyad_values(con, "unhcr-population", origin, asylum, years, measures)
    return _wide(long, list(measures) if not isinstance(measures, str) else [measures])


def flows(con, origin=None, asylum=None, years=None) -> pd.DataFrame:
    """UNHCR flows: people newly displaced across a border in the year, per origin × asylum × year."""
    long = dyad_values(con, "unhcr-flows", origin, asylum, years)
    return _wide(long, ["refugees", "asylum_seekers", "refugee_like", "oip"])


def asylum_applications(con, origin=None, asylum=None, years=None, source: str = "unhcr") -> pd.DataFrame:
    """Asylum applications per origin × asylum × year: UNHCR's (all procedures and levels, persons and cases
    summed as UNHCR's Refugee Data Finder does) or Eurostat's first-time applicants (``source='eurostat'``)."""
    if source == "eurostat":
        long = dyad_values(con, "eurostat-asylum", origin, asylum, years)
        long = long[long["asylum"] != "EU27"]
        frame = long.groupby(["origin", "asylum", "year"], as_index=False)["value"].sum()
    elif source == "unhcr":
        frame = dyad_values(con, "unhcr-asylum-applications", origin, asylum, years, "applied", prefix=True)
        frame = frame.drop(columns="measure")
    else:
        raise MigrationQueryError(f"source: 'unhcr' or 'eurostat', not {source!r}")
    return frame.rename(columns={"value": "applications"})


def by_year(frame: pd.DataFrame, columns: list[str], by: str = "year") -> pd.DataFrame:
    """Sum a per-dyad frame over the other side: one row per ``by`` (and year)."""
    keys = [by] if by == "year" else [by, "year"]
    present = [c for c in columns if c in frame.columns]
    return frame.groupby(keys, as_index=False)[present].sum() if len(frame) else frame.head(0)


def _wide(long: pd.DataFrame, measures: list[str]) -> pd.DataFrame:
    keys = ["origin", "asylum", "year"]
    if long.empty:
        return pd.DataFrame(columns=keys + measures)
    wide = long.pivot_table(index=keys, columns="measure", values="value", aggfunc="sum").reset_index()
    wide.columns.name = None
    for m in measures:
        if m not in wide.columns:
            wide[m] = float("nan")
    return wide[keys + measures + [c for c in wide.columns if c not in keys and c not in measures]]


def frontex_routes(con, routes=None, years=None, nationality=None, by: str = "route") -> pd.DataFrame:
    """Frontex detections per month: by ``route`` (route, month, detections), ``nationality`` (route, nationality,
    month, detections) or ``year`` (route, year, detections)."""
    where, params = ["source = 'frontex'", "measure = 'detections'"], []
    if routes:
        routes = [routes] if isinstance(routes, str) else list(routes)
        where.append(f"route IN ({', '.join('?' * len(routes))})")
        params += routes
    nat = codes(nationality)
    if nat:
        where.append(f"nationality_iso3 IN ({', '.join('?' * len(nat))})")
        params += nat
    span = year_range(years)
    if isinstance(span, tuple):
        where.append("year(month) BETWEEN ? AND ?")
        params += list(span)
    elif span:
        where.append(f"year(month) IN ({', '.join('?' * len(span))})")
        params += span
    groups = {"route": "route, strftime(month, '%Y-%m') AS month",
              "nationality": "route, nationality_iso3 AS nationality, strftime(month, '%Y-%m') AS month",
              "year": "route, year(month) AS year"}
    if by not in groups:
        raise MigrationQueryError(f"by: one of {', '.join(groups)}, not {by!r}")
    return _df(con, f"""SELECT {groups[by]}, sum(value) AS detections FROM route_month
        WHERE {' AND '.join(where)} GROUP BY ALL ORDER BY ALL""", params)


def route_names(con) -> list[str]:
    return _df(con, "SELECT DISTINCT route FROM route_month WHERE source = 'frontex' ORDER BY 1")["route"].tolist()


def iom_source(con) -> str | None:
    """The IOM source to read: the producer's download when loaded, else the tidy re-publication."""
    have = set(_df(con, "SELECT DISTINCT source FROM migrant_incidents")["source"])
    return next((s for s in IOM_SOURCES if s in have), None)


def missing_migrants(con, years=None, routes=None, country=None, bbox=None, source: str | None = None,
                     limit: int | None = None) -> pd.DataFrame:
    """IOM Missing Migrants incidents (one source: the producer's download when loaded), newest first.
    ``bbox`` is (west, south, east, north)."""
    source = source or iom_source(con)
    if source is None:
        return _df(con, "SELECT * EXCLUDE (run_id, row_hash) FROM migrant_incidents LIMIT 0")
    where, params = ["source = ?"], [source]
    span = year_range(years)
    if isinstance(span, tuple):
        where.append("year(date) BETWEEN ? AND ?")
        params += list(span)
    elif span:
        where.append(f"year(date) IN ({', '.join('?' * len(span))})")
        params += span
    if routes:
        routes = [routes] if isinstance(routes, str) else list(routes)
        where.append(f"route IN ({', '.join('?' * len(routes))})")
        params += routes
    iso = codes(country)
    if iso:
        where.append(f"country_iso3 IN ({', '.join('?' * len(iso))})")
        params += iso
    if bbox is not None:
        west, south, east, north = (float(v) for v in bbox)
        where.append("longitude BETWEEN ? AND ? AND latitude BETWEEN ? AND ?")
        params += [west, east, south, north]
    tail = f" LIMIT {int(limit)}" if limit else ""
    return _df(con, f"""SELECT source, incident_id, incident_type, date, region, route, country_iso3, location,
        latitude, longitude, dead, missing, survivors, cause, origin, information_source, url
        FROM migrant_incidents WHERE {' AND '.join(where)} ORDER BY date DESC, incident_id{tail}""", params)


def missing_by_route(con, years=None, source: str | None = None) -> pd.DataFrame:
    """Dead and missing per route and year (IOM)."""
    source = source or iom_source(con)
    where, params = ["source = ?"], [source]
    span = year_range(years)
    if isinstance(span, tuple):
        where.append("year(date) BETWEEN ? AND ?")
        params += list(span)
    return _df(con, f"""SELECT coalesce(route, 'no route given') AS route, year(date) AS year, count(*) AS incidents,
        sum(coalesce(dead, 0)) AS dead, sum(coalesce(missing, 0)) AS missing FROM migrant_incidents
        WHERE {' AND '.join(where)} GROUP BY ALL ORDER BY year, route""", params)


def internal_displacement(con, country=None, years=None) -> pd.DataFrame:
    """IDMC internal displacements per country, year and cause."""
    where, params = ["source = 'idmc'"], []
    iso = codes(country)
    if iso:
        where.append(f"country_iso3 IN ({', '.join('?' * len(iso))})")
        params += iso
    span = year_range(years)
    if isinstance(span, tuple):
        where.append("year BETWEEN ? AND ?")
        params += list(span)
    return _df(con, f"""SELECT country_iso3, year, replace(measure, 'new_displacements_', '') AS cause, value AS
        displacements FROM country_year WHERE {' AND '.join(where)} ORDER BY year, country_iso3, cause""", params)


def country_series(con, country) -> pd.DataFrame:
    """A country's displacement per year, for a timeline beside conflict deaths: ``hosted`` (people in need of
    protection in the country, all origins), ``abroad`` (from the country, in all countries of asylum),
    ``asylum_applications`` (lodged in the country; UNHCR) and ``internal_displacements`` (IDMC, all causes).
    Columns: year, measure, source, value."""
    iso = codes(country)
    if not iso or len(iso) != 1:
        raise MigrationQueryError("country: one country, e.g. POL")
    marks = ", ".join("?" * len(POPULATION_STOCK))
    return _df(con, f"""
        SELECT year, 'hosted' AS measure, source, sum(value) AS value FROM dyad_year
        WHERE source = 'unhcr-population' AND country_b_iso3 = ? AND measure IN ({marks}) GROUP BY ALL
        UNION ALL
        SELECT year, 'abroad', source, sum(value) FROM dyad_year
        WHERE source = 'unhcr-population' AND country_a_iso3 = ? AND measure IN ({marks}) GROUP BY ALL
        UNION ALL
        SELECT year, 'asylum_applications', source, sum(value) FROM dyad_year
        WHERE source = 'unhcr-asylum-applications' AND country_b_iso3 = ? GROUP BY ALL
        UNION ALL
        SELECT year, 'internal_displacements', source, sum(value) FROM country_year
        WHERE source = 'idmc' AND country_iso3 = ? GROUP BY ALL
        ORDER BY measure, year""", [iso[0], *POPULATION_STOCK, iso[0], *POPULATION_STOCK, iso[0], iso[0]])


class MigrationQueries:
    """The migration stream's methods of ``signalfire.open(...)``."""

    def refugees(self, origin=None, asylum=None, years=None, measures=("refugees", "asylum_seekers", "oip")):
        """UNHCR population per origin × asylum × year: ``wh.refugees(origin="UKR", asylum="POL", years=(2022,
        2023))``."""
        return refugees(self.con, origin, asylum, years, measures)

    def flows(self, origin=None, asylum=None, years=None):
        """UNHCR flows (newly displaced across a border) per origin × asylum × year."""
        return flows(self.con, origin, asylum, years)

    def asylum_applications(self, origin=None, asylum=None, years=None, source: str = "unhcr"):
        """Asylum applications per origin × asylum × year (UNHCR, or Eurostat with ``source='eurostat'``)."""
        return asylum_applications(self.con, origin, asylum, years, source)

    def frontex_routes(self, routes=None, years=None, nationality=None, by: str = "route"):
        """Frontex detections per route and month (``by='nationality'`` or ``'year'`` for other cuts)."""
        return frontex_routes(self.con, routes, years, nationality, by)

    def missing_migrants(self, years=None, routes=None, country=None, bbox=None, source=None, limit=None):
        """IOM Missing Migrants incidents with coordinates, dead and missing."""
        return missing_migrants(self.con, years, routes, country, bbox, source, limit)

    def internal_displacement(self, country=None, years=None):
        """IDMC internal displacements per country, year and cause."""
        return internal_displacement(self.con, country, years)

    def displacement_series(self, country):
        """A country's displacement per year (hosted, abroad, asylum applications, internal displacements)."""
        return country_series(self.con, country)
