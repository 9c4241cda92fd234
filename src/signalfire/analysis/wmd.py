"""Queries on the WMD stream's tables (missile tests, enrichment and reprocessing facilities), shared by the Python
API, the REST API and the pages.

Functions take a DuckDB connection — or anything whose ``execute(sql, params)`` returns a cursor with ``.df()``,
such as the dashboard's read-only ``DataStore`` — and return pandas DataFrames; :class:`WmdQueries` exposes them
as methods of :class:`signalfire.warehouse.Warehouse`.
"""

from __future__ import annotations

import pandas as pd

from signalfire.analysis.crises import CrisesQueryError, iso3_of

TEST_COLUMNS = ("test_id, country_iso3, launch_date, missile_name, missile_type, launch_authority, facility_name, "
                "facility_location, facility_latitude, facility_longitude, landing_location, apogee_km, "
                "distance_travelled_km, test_confirmed, test_successful, in_operational_use, additional_information, "
                "sources")
FACILITY_COLUMNS = ("facility_id, country_iso3, country_name, facility_name, enr_type, size, construction_start, "
                    "construction_end, operation_start, operation_end, operation2_start, operation2_end, "
                    "facility_ambiguity, covert, iaea, regional, military, military_ambiguity, multinational, "
                    "foreign_assistance, foreign_assistance_ambiguity")


class WmdQueryError(CrisesQueryError):
    """A query argument that cannot be answered."""


def _df(con, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def _filter(country: str | None, column: str = "country_iso3") -> tuple[str, list]:
    iso = iso3_of(country)
    return ("", []) if iso is None else (f" AND {column} = ?", [iso])


def missile_tests_by_year(con, country: str | None = None) -> pd.DataFrame:
    """Tests per testing state and year: all, successful, failed, outcome unknown (``test_successful`` NULL)."""
    where, params = _filter(country)
    return _df(con, f"""
        SELECT country_iso3, year(launch_date) AS year, count(*) AS tests,
               count(*) FILTER (WHERE test_successful) AS successful,
               count(*) FILTER (WHERE NOT test_successful) AS failed,
               count(*) FILTER (WHERE test_successful IS NULL) AS unknown
        FROM missile_tests WHERE true{where} GROUP BY ALL ORDER BY country_iso3, year""", params)


def missile_tests(con, country: str | None = None, year: int | None = None) -> pd.DataFrame:
    """The tests themselves, newest first (``country``: the testing state; ``year``: of the launch)."""
    where, params = _filter(country)
    if year is not None:
        where += " AND year(launch_date) = ?"
        params.append(int(year))
    return _df(con, f"SELECT {TEST_COLUMNS} FROM missile_tests WHERE true{where} "
                    "ORDER BY launch_date DESC, test_id", params)


def nuclear_facilities(con, country: str | None = None) -> pd.DataFrame:
    """Enrichment and reprocessing facilities (Nuclear Latency), by country and first operation."""
    where, params = _filter(country)
    return _df(con, f"SELECT {FACILITY_COLUMNS} FROM nuclear_facilities WHERE true{where} "
                    "ORDER BY country_iso3, operation_start NULLS LAST, facility_name", params)


def facilities_by_country(con) -> pd.DataFrame:
    """Per country: facilities, of which enrichment / reprocessing, and how many were operating at the last end
    year coded (no ``operation_end``/``operation2_end`` after a start)."""
    return _df(con, """
        SELECT country_iso3, count(*) AS facilities,
               count(*) FILTER (WHERE enr_type = 'reprocessing') AS reprocessing,
               count(*) FILTER (WHERE enr_type <> 'reprocessing') AS enrichment,
               count(*) FILTER (WHERE operation_start IS NOT NULL AND operation_end IS NULL
                                OR operation2_start IS NOT NULL AND operation2_end IS NULL) AS open_ended
        FROM nuclear_facilities GROUP BY ALL ORDER BY facilities DESC, country_iso3""")


class WmdQueries:
    """The WMD stream's methods of ``signalfire.open(...)``."""

    def missile_tests_by_year(self, country: str | None = None) -> pd.DataFrame:
        """CNS/NTI missile tests per testing state and year."""
        return missile_tests_by_year(self.con, country)

    def missile_tests(self, country: str | None = None, year: int | None = None) -> pd.DataFrame:
        """CNS/NTI missile tests, newest first."""
        return missile_tests(self.con, country, year)

    def nuclear_facilities(self, country: str | None = None) -> pd.DataFrame:
        """Nuclear Latency enrichment and reprocessing facilities."""
        return nuclear_facilities(self.con, country)

    def facilities_by_country(self) -> pd.DataFrame:
        return facilities_by_country(self.con)
