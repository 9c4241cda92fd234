"""Queries on the unga stream's tables, shared by the Python API, the REST API, the pages and the briefings.

Functions take a DuckDB connection; :class:`UngaQueries` exposes them as methods of
:class:`signalfire.warehouse.Warehouse` (``self.con`` is the store's connection).

Voting agreement of two states over a set of roll calls, counting only the roll calls where both voted yes, no or
abstain (absences are not in the data, so they are excluded):

* ``identical``: the share of those votes that were the same;
* ``coincidence``: the US State Department's voting coincidence index as the issue defines it: the same vote
  scores 1, one state abstaining while the other votes yes or no scores 0.5, opposite votes score 0; the mean.

Both are computed in DuckDB per home country on demand (a join of its ~6,000 votes with the other states' votes
on the same roll calls: well under a second), not materialised.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from signalfire.store.queries import QueryError

ISSUES = {"me": "Palestinian conflict", "nu": "Nuclear weapons and nuclear material",
          "di": "Arms control and disarmament", "hr": "Human rights", "co": "Colonialism",
          "ec": "Economic development"}
MAX_TOKENS = 8
SCORE = ("CASE WHEN a.vote = b.vote THEN 1.0 WHEN a.vote = 'abstain' OR b.vote = 'abstain' THEN 0.5 "
         "ELSE 0.0 END")


def _has(con, table: str) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]).fetchone()[0] > 0


def _state(country: str) -> str:
    from signalfire.geo.countries import resolve
    text = str(country or "").strip()
    found = resolve(text, "iso3") or resolve(text, "name")
    if found is None:
        raise QueryError(f"unknown country {country!r}; give an ISO3 code such as POL")
    return found.iso3


def _issue(issue: str | None) -> str | None:
    if issue in (None, ""):
        return None
    code = str(issue).strip().lower()
    if code not in ISSUES:
        raise QueryError(f"unknown issue {issue!r}; known: " + ", ".join(f"{k} ({v})" for k, v in ISSUES.items()))
    return code


def _whole(value, name: str, least: int, most: int) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise QueryError(f"{name}: {value!r} is not a whole number") from None
    if not least <= number <= most:
        raise QueryError(f"{name}: {value!r} is out of range ({least}–{most})")
    return number


def tokens(search: str | None) -> list[str]:
    """The words of a search (letters and digits; at most MAX_TOKENS), lower case."""
    words = [w.lower() for w in re.findall(r"[^\W_]+", str(search or ""))]
    return words[:MAX_TOKENS]


def last_session(con) -> int | None:
    return con.execute("SELECT max(session) FROM unga_roll_calls").fetchone()[0]


def sessions(con) -> pd.DataFrame:
    """Each session: first and last vote date, roll calls."""
    return con.execute("""SELECT session, min(vote_date) AS first_vote, max(vote_date) AS last_vote,
        count(*) AS roll_calls FROM unga_roll_calls GROUP BY session ORDER BY session""").df()


def _roll_call_filter(session=None, year=None, issue=None, alias: str = "r") -> tuple[str, list]:
    where, params = [], []
    if session is not None:
        where.append(f"{alias}.session = ?")
        params.append(session)
    if year is not None:
        where.append(f"year({alias}.vote_date) = ?")
        params.append(year)
    if issue is not None:
        where.append(f"{alias}.rcid IN (SELECT rcid FROM unga_roll_call_issues WHERE issue_code = ?)")
        params.append(issue)
    return (" AND ".join(where) or "TRUE"), params


def resolutions(con, search: str | None = None, session=None, year=None, issue: str | None = None,
                country: str | None = None, limit: int = 50, offset: int = 0) -> pd.DataFrame:
    """Roll calls matching every word of ``search`` (in the title, description or symbol; case-insensitive),
    newest first, with their issue codes, tallies (yes, no, abstain) and, with ``country``, that state's vote."""
    session = _whole(session, "session", 1, 200)
    year = _whole(year, "year", 1946, 2100)
    issue = _issue(issue)
    limit = _whole(limit, "limit", 1, 10_000)
    offset = _whole(offset, "offset", 0, 10**9) or 0
    where, params = _roll_call_filter(session, year, issue)
    for word in tokens(search):
        where += " AND (r.short || ' ' || coalesce(r.descr, '') || ' ' || coalesce(r.unres, '')) ILIKE ?"
        params.append("%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    iso3 = _state(country) if country else None
    sql = f"""
        WITH hits AS (SELECT * FROM unga_roll_calls r WHERE {where}),
        tally AS (
            SELECT v.rcid, count(*) FILTER (WHERE vote = 'yes') AS yes, count(*) FILTER (WHERE vote = 'no') AS no,
                count(*) FILTER (WHERE vote = 'abstain') AS abstain
            FROM unga_votes v WHERE v.rcid IN (SELECT rcid FROM hits) GROUP BY v.rcid),
        codes AS (SELECT rcid, string_agg(issue_code, ',' ORDER BY issue_code) AS issues FROM unga_roll_call_issues
                  WHERE rcid IN (SELECT rcid FROM hits) GROUP BY rcid)
        SELECT h.rcid, h.session, h.vote_date, h.unres, h.short, h.descr, h.importantvote, h.amend, h.para,
            coalesce(c.issues, '') AS issues, coalesce(t.yes, 0) AS yes, coalesce(t.no, 0) AS no,
            coalesce(t.abstain, 0) AS abstain,
            {"(SELECT vote FROM unga_votes x WHERE x.rcid = h.rcid AND x.country_iso3 = ?)" if iso3 else "NULL"}
            AS country_vote
        FROM hits h LEFT JOIN tally t USING (rcid) LEFT JOIN codes c USING (rcid)
        ORDER BY h.vote_date DESC, h.rcid DESC LIMIT ? OFFSET ?"""
    return con.execute(sql, [*params, *([iso3] if iso3 else []), limit, offset]).df()


def roll_call(con, rcid) -> dict | None:
    rcid = _whole(rcid, "rcid", 1, 2**31 - 1)
    rows = con.execute("""SELECT r.*, (SELECT string_agg(issue_code, ',' ORDER BY issue_code)
        FROM unga_roll_call_issues i WHERE i.rcid = r.rcid) AS issues FROM unga_roll_calls r WHERE rcid = ?""",
                       [rcid]).df()
    if rows.empty:
        return None
    return rows.drop(columns=["run_id", "record_ref", "row_hash"], errors="ignore").iloc[0].to_dict()


def votes(con, rcid) -> pd.DataFrame:
    """Each state's vote on one roll call (yes, no, abstain), by state name."""
    rcid = _whole(rcid, "rcid", 1, 2**31 - 1)
    frame = con.execute("""SELECT rcid, country_iso3, country_name, vote FROM unga_votes WHERE rcid = ?
        ORDER BY country_name""", [rcid]).df()
    return frame


def _period(con, session, year) -> tuple[int | None, int | None]:
    session = _whole(session, "session", 1, 200)
    year = _whole(year, "year", 1946, 2100)
    if session is None and year is None:
        session = last_session(con)
    return session, year


def vote_agreement(con, country: str, session=None, year=None, issue: str | None = None,
                   min_votes=None) -> pd.DataFrame:
    """Every other state's agreement with ``country`` over a session (default: the last) or a calendar year,
    optionally on one issue code: votes in common, identical share and coincidence index, closest first.

    Partners with fewer than ``min_votes`` votes in common are left out; by default half the roll calls the
    country voted in (a state that attended a handful of votes is not anyone's "closest" or "most distant")."""
    iso3 = _state(country)
    session, year = _period(con, session, year)
    issue = _issue(issue)
    min_votes = _whole(min_votes, "min_votes", 0, 10**6)
    where, params = _roll_call_filter(session, year, issue)
    frame = con.execute(f"""
        WITH rc AS (SELECT rcid FROM unga_roll_calls r WHERE {where}),
        a AS (SELECT rcid, vote FROM unga_votes WHERE country_iso3 = ? AND rcid IN (SELECT rcid FROM rc))
        SELECT b.country_iso3 AS partner_iso3, any_value(b.country_name) AS partner, count(*) AS votes,
            avg(CASE WHEN a.vote = b.vote THEN 1.0 ELSE 0.0 END) AS identical, avg({SCORE}) AS coincidence
        FROM a JOIN unga_votes b ON b.rcid = a.rcid AND b.country_iso3 <> ?
        GROUP BY b.country_iso3
        HAVING count(*) >= coalesce(?, ceil((SELECT count(*) FROM a) / 2.0))
        ORDER BY coincidence DESC, identical DESC, partner_iso3""", [*params, iso3, iso3, min_votes]).df()
    frame.insert(0, "country_iso3", iso3)
    frame.insert(1, "session", session)
    frame.insert(2, "year", year)
    frame.insert(3, "issue", issue)
    return frame


def agreement_over_time(con, country: str, partner: str, issue: str | None = None) -> pd.DataFrame:
    """Agreement of two states in every session both voted in (optionally on one issue code)."""
    a_iso3, b_iso3 = _state(country), _state(partner)
    issue = _issue(issue)
    where, params = _roll_call_filter(None, None, issue)
    return con.execute(f"""
        SELECT r.session, min(r.vote_date) AS first_vote, count(*) AS votes,
            avg(CASE WHEN a.vote = b.vote THEN 1.0 ELSE 0.0 END) AS identical, avg({SCORE}) AS coincidence
        FROM unga_votes a JOIN unga_votes b ON b.rcid = a.rcid JOIN unga_roll_calls r ON r.rcid = a.rcid
        WHERE a.country_iso3 = ? AND b.country_iso3 = ? AND {where}
        GROUP BY r.session ORDER BY r.session""", [a_iso3, b_iso3, *params]).df()


def agreement_by_issue(con, country: str, partner: str, session=None, year=None) -> pd.DataFrame:
    """Agreement of two states per issue code (and overall) over a session (default: the last) or a year."""
    a_iso3, b_iso3 = _state(country), _state(partner)
    session, year = _period(con, session, year)
    where, params = _roll_call_filter(session, year, None)
    return con.execute(f"""
        WITH pairs AS (
            SELECT a.rcid, a.vote AS va, b.vote AS vb FROM unga_votes a JOIN unga_votes b ON b.rcid = a.rcid
            JOIN unga_roll_calls r ON r.rcid = a.rcid
            WHERE a.country_iso3 = ? AND b.country_iso3 = ? AND {where}),
        scored AS (SELECT rcid, CASE WHEN va = vb THEN 1.0 ELSE 0.0 END AS same,
            CASE WHEN va = vb THEN 1.0 WHEN va = 'abstain' OR vb = 'abstain' THEN 0.5 ELSE 0.0 END AS score
            FROM pairs)
        SELECT 'all' AS issue_code, 'All roll calls' AS issue, count(*) AS votes, avg(same) AS identical,
            avg(score) AS coincidence FROM scored
        UNION ALL
        SELECT i.issue_code, any_value(i.issue), count(*), avg(same), avg(score)
        FROM scored s JOIN unga_roll_call_issues i USING (rcid) GROUP BY i.issue_code
        ORDER BY issue_code""", [a_iso3, b_iso3, *params]).df()


@lru_cache(maxsize=1)
def _unsc() -> pd.DataFrame:
    from signalfire.sources.diplomacy.reference import UNSC_ELECTED, read_reference
    table = read_reference(UNSC_ELECTED)
    table["first_year"] = table["first_year"].astype(int)
    table["last_year"] = table["last_year"].astype(int)
    return table


def unsc_terms(country: str | None = None) -> pd.DataFrame:
    """Elected Security Council terms (the shipped reference table; complete for 1989–2026), of one state or all."""
    table = _unsc()
    if country:
        table = table[table["state_iso3"] == _state(country)]
    return table.sort_values(["first_year", "state_iso3"]).reset_index(drop=True)


def unsc_members(year) -> pd.DataFrame:
    """The ten elected members sitting in a year."""
    year = _whole(year, "year", 1989, 2026)
    table = _unsc()
    return table[(table["first_year"] <= year) & (table["last_year"] >= year)].sort_values("name").reset_index(
        drop=True)


class UngaQueries:
    """The unga stream's methods of ``signalfire.open(...)``."""

    def resolutions(self, search: str | None = None, session=None, year=None, issue: str | None = None,
                    country: str | None = None, limit: int = 50, offset: int = 0):
        """Roll calls matching every word of ``search``, with tallies and (with ``country``) that state's vote."""
        return resolutions(self.con, search, session, year, issue, country, limit, offset)

    def votes(self, rcid):
        """Each state's vote on one roll call."""
        return votes(self.con, rcid)

    def vote_agreement(self, country: str, session=None, year=None, issue: str | None = None, min_votes=None):
        """Agreement of every other state with ``country`` (identical share, coincidence index), closest first;
        partners with fewer than ``min_votes`` votes in common (default: half the country's) left out."""
        return vote_agreement(self.con, country, session, year, issue, min_votes)

    def agreement_over_time(self, country: str, partner: str, issue: str | None = None):
        """Agreement of two states per session."""
        return agreement_over_time(self.con, country, partner, issue)

    def agreement_by_issue(self, country: str, partner: str, session=None, year=None):
        """Agreement of two states per issue code in a session or year."""
        return agreement_by_issue(self.con, country, partner, session, year)

    def unsc_terms(self, country: str | None = None):
        """Elected UN Security Council terms (shipped reference table)."""
        return unsc_terms(country)
