"""Queries on the context stream's tables, shared by the Python API, the REST API, the pages and the briefings.

Functions take a DuckDB connection — or anything whose ``execute(sql, params)`` returns a cursor with ``.df()``,
such as the dashboard's read-only ``DataStore`` — and return pandas DataFrames; :class:`ContextQueries` exposes
them as methods of :class:`signalfire.warehouse.Warehouse` (``self.con`` is the store's connection).

Military expenditure is SIPRI's (``country_year``, source ``sipri-milex``), capabilities COW NMC's (``cow-nmc``),
alliances ATOP's (``dyad_year``, source ``atop``: a partner is an ally in a year when any obligation is 1) and
leaders Archigos's (``leaders``).
"""

from __future__ import annotations

import pandas as pd

from signalfire.analysis.crises import CrisesQueryError, iso3_of

MILEX_MEASURES = ("milex_constant_usd_m", "milex_current_usd_m", "milex_share_gdp", "milex_per_capita_usd",
                  "milex_share_govt")
NMC_MEASURES = ("milex", "milper", "irst", "pec", "tpop", "upop", "cinc")
ATOP_MEASURES = ("atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul")


class ContextQueryError(CrisesQueryError):
    """A query argument that cannot be answered."""


def _df(con, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def _country(country: str) -> str:
    iso = iso3_of(country)
    if iso is None:
        raise ContextQueryError("a country is needed (an ISO 3166 alpha-3 code such as POL)")
    return iso


def _wide(con, source: str, iso: str, measures: tuple[str, ...]) -> pd.DataFrame:
    cols = ", ".join(f"max(value) FILTER (WHERE measure = '{m}') AS {m}" for m in measures)
    return _df(con, f"SELECT year, {cols} FROM country_year WHERE source = ? AND country_iso3 = ? "
                    "GROUP BY year ORDER BY year", [source, iso])


def military_expenditure(con, country: str) -> pd.DataFrame:
    """SIPRI military expenditure by year: constant and current US$ m., share of GDP and of government spending
    (fractions), per capita (current US$); NULL where SIPRI has no figure."""
    return _wide(con, "sipri-milex", _country(country), MILEX_MEASURES)


def milex_base(con) -> str | None:
    """The SIPRI edition loaded (years and the constant-price base year), from the last ingest run."""
    frame = _df(con, "SELECT source_version FROM ingest_runs WHERE source = 'sipri-milex' AND status = 'loaded' "
                     "ORDER BY run_id DESC LIMIT 1")
    return None if frame.empty else frame.iloc[0, 0]


def capabilities(con, country: str) -> pd.DataFrame:
    """COW National Material Capabilities by year (units as COW publishes them: thousands)."""
    return _wide(con, "cow-nmc", _country(country), NMC_MEASURES)


def allies(con, country: str, year: int | None = None) -> pd.DataFrame:
    """The country's ATOP allies in ``year`` (default: the last year ATOP has for it), one row per partner with
    the obligations (1: an alliance obliges the country to the partner so)."""
    iso = _country(country)
    if year is None:
        last = _df(con, "SELECT max(year) AS y FROM dyad_year WHERE source = 'atop' AND country_a_iso3 = ?", [iso])
        year = last.iloc[0, 0]
        if pd.isna(year):
            return pd.DataFrame(columns=["year", "partner_iso3", *ATOP_MEASURES])
    cols = ", ".join(f"max(value) FILTER (WHERE measure = '{m}') AS {m}" for m in ATOP_MEASURES)
    frame = _df(con, f"SELECT year, country_b_iso3 AS partner_iso3, {cols} FROM dyad_year "
                     "WHERE source = 'atop' AND country_a_iso3 = ? AND year = ? GROUP BY ALL", [iso, int(year)])
    frame = frame[frame[list(ATOP_MEASURES)].fillna(0).sum(axis=1) > 0]
    return frame.sort_values(["atop_defense", "partner_iso3"], ascending=[False, True]).reset_index(drop=True)


def allies_count(con, country: str) -> pd.DataFrame:
    """By year: how many partners the country has any ATOP obligation to, and how many a defence one."""
    return _df(con, """
        SELECT year, count(DISTINCT partner) FILTER (WHERE any_obligation) AS allies,
               count(DISTINCT partner) FILTER (WHERE defense) AS defence_allies
        FROM (SELECT year, country_b_iso3 AS partner, bool_or(value = 1) AS any_obligation,
                     bool_or(measure = 'atop_defense' AND value = 1) AS defense
              FROM dyad_year WHERE source = 'atop' AND country_a_iso3 = ? GROUP BY ALL)
        GROUP BY year ORDER BY year""", [_country(country)])


def leaders(con, country: str, since=None) -> pd.DataFrame:
    """Archigos spells of the country's leaders, oldest first (``since``: spells ending in or after that year)."""
    iso = _country(country)
    params: list = [iso]
    extra = ""
    if since is not None and str(since).strip():
        try:
            params.append(int(str(since)[:4]))
        except ValueError:
            raise ContextQueryError(f"since must be a year such as 1989, not {since!r}") from None
        extra = " AND year(end_date) >= ?"
    return _df(con, "SELECT spell_id, leader_id, leader, country_iso3, born_year, gender, start_date, end_date, "
                    f"entry, exit, exit_code FROM leaders WHERE country_iso3 = ?{extra} ORDER BY start_date, spell_id",
               params)


ARMS_MEASURES = ("arms_imports_tiv", "arms_imports_world_share", "arms_exports_tiv", "arms_exports_world_share",
                 "arms_net_exports_tiv")
COMPANY_COLUMNS = ("year, rank, rank_previous, company, country, country_iso3, arms_revenue_usd_m, "
                   "arms_revenue_previous_usd_m, total_revenue_usd_m, arms_share, arms_revenue_constant_usd_m, notes")


def _last_version(con, source: str) -> str | None:
    frame = _df(con, "SELECT source_version FROM ingest_runs WHERE source = ? AND status = 'loaded' "
                     "ORDER BY run_id DESC LIMIT 1", [source])
    return None if frame.empty else frame.iloc[0, 0]


def arms_transfers(con, country: str) -> pd.DataFrame:
    """SIPRI arms imports and exports (TIV) of a country per period: ``period`` (e.g. 2020-2023, from the loaded
    edition's periods; ``year`` is its last year), TIV sums, shares of the world total (fractions), net exports."""
    frame = _wide(con, "sipri-arms-transfers", _country(country), ARMS_MEASURES)
    spans = {}
    for part in (_last_version(con, "sipri-arms-transfers") or "").split(";")[0].split(","):
        first, _, last = part.strip().partition("-")
        if first.isdigit() and last.isdigit():
            spans[int(last)] = f"{first}-{last}"
    frame.insert(1, "period", [spans.get(int(y), str(y)) for y in frame["year"]])
    return frame


def arms_companies(con, country: str | None = None, year: int | None = None) -> pd.DataFrame:
    """SIPRI Top 100 arms-producing companies: a country's companies in every year (``country``), or one year's
    list (``year``; default with no country: the last year loaded), by year and rank.  US$ m., current prices;
    ``arms_revenue_constant_usd_m`` at the constant prices of the loaded edition (``arms_companies_base``)."""
    where, params = [], []
    iso = iso3_of(country) if country is not None else None
    if iso is not None:
        where.append("country_iso3 = ?")
        params.append(iso)
    if year is None and iso is None:
        year = _df(con, "SELECT max(year) AS y FROM arms_company_year").iloc[0, 0]
        year = None if pd.isna(year) else int(year)
    if year is not None:
        where.append("year = ?")
        params.append(int(year))
    sql = f"SELECT {COMPANY_COLUMNS} FROM arms_company_year"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return _df(con, sql + " ORDER BY year DESC, rank", params)


def arms_companies_base(con) -> str | None:
    """The Top 100 edition's constant-price base (e.g. ``constant 2023 US$``), from the last ingest run."""
    return _last_version(con, "sipri-top100")


class ContextQueries:
    """The context stream's methods of ``signalfire.open(...)``."""

    def military_expenditure(self, country: str) -> pd.DataFrame:
        """SIPRI military expenditure of a country by year."""
        return military_expenditure(self.con, country)

    def capabilities(self, country: str) -> pd.DataFrame:
        """COW National Material Capabilities of a country by year."""
        return capabilities(self.con, country)

    def allies(self, country: str, year: int | None = None) -> pd.DataFrame:
        """ATOP allies of a country in a year (default: the last year ATOP covers)."""
        return allies(self.con, country, year)

    def allies_count(self, country: str) -> pd.DataFrame:
        return allies_count(self.con, country)

    def leaders(self, country: str, since=None) -> pd.DataFrame:
        """Archigos leaders of a country."""
        return leaders(self.con, country, since=since)

    def arms_transfers(self, country: str) -> pd.DataFrame:
        """SIPRI arms imports/exports (TIV) of a country per period."""
        return arms_transfers(self.con, country)

    def arms_companies(self, country: str | None = None, year: int | None = None) -> pd.DataFrame:
        """SIPRI Top 100 arms-producing companies (of a country, or of a year)."""
        return arms_companies(self.con, country, year)
