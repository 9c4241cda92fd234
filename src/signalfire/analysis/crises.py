"""Queries on the crises stream's tables, shared by the Python API, the REST API, the pages and the briefings.

Functions take a DuckDB connection — or anything whose ``execute(sql, params)`` returns a cursor with ``.df()``,
such as the dashboard's read-only ``DataStore`` — and return pandas DataFrames; :class:`CrisesQueries` exposes
them as methods of :class:`signalfire.warehouse.Warehouse` (``self.con`` is the store's connection).

ICB publishes crises actor by actor (``crisis_actors``): a crisis here is its actors grouped by ``crisis_no``,
beginning at the system trigger date and ending when the last actor's crisis ends; its violence and gravity are
the highest any actor records, and it is mediated when any actor's crisis-management technique was mediation.
"""

from __future__ import annotations

import pandas as pd


class CrisesQueryError(ValueError):
    """A query argument that cannot be answered (unknown country, bad period, no such crisis)."""


def _df(con, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def iso3_of(country: str | None) -> str | None:
    """ISO3 for a code or an English name; None for nothing; an unknown one is a :class:`CrisesQueryError`."""
    if country is None or str(country).strip() == "":
        return None
    from signalfire.geo.countries import resolve
    text = str(country).strip()
    found = resolve(text.upper(), "iso3") or resolve(text, "name")
    if found is None:
        raise CrisesQueryError(f"unknown country {text!r}: use an ISO 3166 alpha-3 code such as POL")
    return found.iso3


def year_of(value, name: str) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        year = int(str(value).strip()[:4])
    except ValueError:
        raise CrisesQueryError(f"{name} must be a year such as 1990, not {value!r}") from None
    if not 1800 <= year <= 2100:
        raise CrisesQueryError(f"{name} must be a year between 1800 and 2100, not {value!r}")
    return year


CRISIS_COLUMNS = ("crisis_no", "crisis_name", "start_date", "end_date", "actors", "actor_iso3", "actor_count",
                  "violence_severity", "violence_severity_label", "gravity", "gravity_label", "mediation",
                  "crisis_management", "outcomes")
CRISES_SQL = """
SELECT crisis_no, any_value(crisis_name) AS crisis_name,
       min(system_trigger_date) AS start_date,
       CASE WHEN bool_or(end_date IS NULL) THEN NULL ELSE max(end_date) END AS end_date,
       string_agg(actor_code, ', ' ORDER BY actor_no) AS actors,
       string_agg(coalesce(country_iso3, ''), ',' ORDER BY actor_no) AS actor_iso3,
       count(*) AS actor_count,
       max(violence_severity) AS violence_severity,
       arg_max(violence_severity_label, violence_severity) AS violence_severity_label,
       max(gravity) AS gravity, arg_max(gravity_label, gravity) AS gravity_label,
       bool_or(mediation) AS mediation,
       string_agg(DISTINCT crisis_management_label, '; ') AS crisis_management,
       string_agg(actor_code || ': ' || coalesce(outcome_label, 'code ' || outcome), '; ' ORDER BY actor_no)
           AS outcomes
FROM crisis_actors GROUP BY crisis_no
"""


def crises(con, country: str | None = None, search: str | None = None, since=None, until=None,
           mediated: bool | None = None) -> pd.DataFrame:
    """ICB crises, newest first: one row per crisis with its actors, dates, severity, gravity and mediation.

    ``country``: crises it was an actor in; ``search``: text in the crisis name or an actor's code;
    ``since``/``until``: years the crisis overlaps; ``mediated``: only (un)mediated ones."""
    iso = iso3_of(country)
    first, last = year_of(since, "since"), year_of(until, "until")
    if first and last and first > last:
        raise CrisesQueryError(f"since {first} is after until {last}")
    where, params = ["TRUE"], []
    if iso:
        where.append("crisis_no IN (SELECT crisis_no FROM crisis_actors WHERE country_iso3 = ?)")
        params.append(iso)
    if search and search.strip():
        where.append("(crisis_name ILIKE ? OR actors ILIKE ?)")
        params += [f"%{search.strip()}%"] * 2
    if first:
        where.append("coalesce(year(end_date), 9999) >= ?")
        params.append(first)
    if last:
        where.append("year(start_date) <= ?")
        params.append(last)
    if mediated is not None:
        where.append("mediation = ?" if mediated else "NOT coalesce(mediation, FALSE)")
        if mediated:
            params.append(True)
    return _df(con, f"SELECT * FROM ({CRISES_SQL}) WHERE {' AND '.join(where)} "
                    "ORDER BY start_date DESC, crisis_no DESC", params)


ACTOR_COLUMNS = ("crisis_no", "actor_no", "actor_code", "country_iso3", "trigger_date", "trigger_precision",
                 "end_date", "end_precision", "trigger_label", "gravity_label", "violence_severity_label",
                 "violence_centrality_label", "crisis_management_label", "mediation", "global_org",
                 "global_org_activity", "regional_org", "regional_org_activity", "outcome", "outcome_label")


def crisis(con, crisis_no: int) -> pd.DataFrame:
    """The actors of one crisis (one row each, crisis columns repeated); an unknown number is an error."""
    frame = _df(con, "SELECT * EXCLUDE (run_id, row_hash) FROM crisis_actors WHERE crisis_no = ? ORDER BY actor_no",
                [int(crisis_no)])
    if frame.empty:
        raise CrisesQueryError(f"no ICB crisis number {crisis_no} in the store")
    return frame


def crisis_dyads(con, crisis_no: int) -> pd.DataFrame:
    return _df(con, "SELECT * EXCLUDE (run_id, row_hash) FROM crisis_dyads WHERE crisis_no = ? "
                    "ORDER BY year, dyad_no", [int(crisis_no)])


def country_crises(con, country: str, since=None) -> pd.DataFrame:
    """The crises a country was an actor in (its own trigger and end dates and outcome), newest first."""
    iso = iso3_of(country)
    first = year_of(since, "since")
    params: list = [iso]
    extra = ""
    if first:
        extra = " AND coalesce(year(a.end_date), 9999) >= ?"
        params.append(first)
    return _df(con, "SELECT a.crisis_no, a.crisis_name, a.actor_code, a.trigger_date, a.end_date, "
                    "a.violence_severity_label, a.gravity_label, a.mediation, a.outcome_label "
                    f"FROM crisis_actors a WHERE a.country_iso3 = ?{extra} ORDER BY a.trigger_date DESC", params)


DISPUTE_COLUMNS = ("dispute_no", "start_year", "start_month", "hostility_level", "hostility_label",
                   "highest_action_label", "fatality_level", "fatality_label", "outcome_label", "settlement_label",
                   "min_duration_days", "max_duration_days", "reciprocated")


def disputes(con, since=None, until=None, hostility: int | None = None, fatal: bool | None = None) -> pd.DataFrame:
    """Militarised interstate disputes (dispute level), newest first; ``hostility``: at least this level (1-5)."""
    first, last = year_of(since, "since"), year_of(until, "until")
    if first and last and first > last:
        raise CrisesQueryError(f"since {first} is after until {last}")
    where, params = ["TRUE"], []
    if first:
        where.append("start_year >= ?")
        params.append(first)
    if last:
        where.append("start_year <= ?")
        params.append(last)
    if hostility is not None:
        if not 1 <= int(hostility) <= 5:
            raise CrisesQueryError("hostility must be a MID hostility level from 1 to 5")
        where.append("hostility_level >= ?")
        params.append(int(hostility))
    if fatal is not None:
        where.append("fatality_level > 0" if fatal else "fatality_level = 0")
    return _df(con, f"SELECT {', '.join(DISPUTE_COLUMNS)}, source FROM disputes WHERE {' AND '.join(where)} "
                    "ORDER BY start_year DESC, start_month DESC NULLS LAST, dispute_no DESC", params)


def dispute(con, dispute_no: int) -> pd.DataFrame:
    frame = _df(con, "SELECT * EXCLUDE (run_id, row_hash) FROM disputes WHERE dispute_no = ?", [int(dispute_no)])
    if frame.empty:
        raise CrisesQueryError(f"no militarised interstate dispute number {dispute_no} in the store")
    return frame


class CrisesQueries:
    """The crises stream's methods of ``signalfire.open(...)``."""

    def crises(self, country: str | None = None, search: str | None = None, since=None, until=None,
               mediated: bool | None = None) -> pd.DataFrame:
        """ICB crises (one row per crisis: actors, dates, severity, gravity, mediation), newest first."""
        return crises(self.con, country=country, search=search, since=since, until=until, mediated=mediated)

    def crisis(self, crisis_no: int) -> pd.DataFrame:
        """One ICB crisis: a row per actor."""
        return crisis(self.con, crisis_no)

    def crisis_dyads(self, crisis_no: int) -> pd.DataFrame:
        return crisis_dyads(self.con, crisis_no)

    def country_crises(self, country: str, since=None) -> pd.DataFrame:
        """The ICB crises a country was an actor in."""
        return country_crises(self.con, country, since=since)

    def disputes(self, since=None, until=None, hostility: int | None = None, fatal: bool | None = None
                 ) -> pd.DataFrame:
        """Militarised interstate disputes (GML MID, dispute level), newest first."""
        return disputes(self.con, since=since, until=until, hostility=hostility, fatal=fatal)

    def dispute(self, dispute_no: int) -> pd.DataFrame:
        return dispute(self.con, dispute_no)
