"""Queries on the cyber stream's tables, shared by the Python API, the REST API, the pages and the briefings.

Functions take a DuckDB connection (or anything whose ``execute(sql, params)`` returns a cursor with ``.df()``);
:class:`CyberQueries` exposes them as methods of :class:`signalfire.warehouse.Warehouse` (``self.con``).

Incidents (``cyber_incidents``) list their sponsor and victim states; per-state rows are ``unnest`` queries here.
ATT&CK (``stix_objects``) is read as a knowledge base: groups are ``intrusion-set`` objects, their techniques and
software the targets of their ``uses`` relationships (revoked objects and relationships left out).

**Which incidents name an ATT&CK group**: an incident's ``threat_actor`` text (CFR's "Affiliations") and its
name are normalised (lower case, every run of non-alphanumerics a space, a letter run followed by a digit run
joined, so "APT 28" and "apt28" are one word); an incident names a group when the group's name or one of its
aliases (``aliases`` / ``x_mitre_aliases``; normalised alike, 4 characters or more) occurs as whole words.
Nothing is matched fuzzily.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from signalfire.geo.countries import resolve

TYPES = ("espionage", "sabotage", "ddos", "defacement", "data_destruction", "financial_theft", "doxing")
ROLES = ("any", "sponsor", "victim")
INCIDENT_COLUMNS = ("source, source_id, name, date_start, date_end, type, type_raw, sponsor_iso3, victim_iso3, "
                    "sectors, threat_actor, attribution_confidence, response, severity, norms, urls, description")


class CyberQueryError(ValueError):
    """A bad argument (unknown country, type, role, date): the message says which and what is valid."""


def _df(con, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def iso3(country: str | None) -> str | None:
    if country is None or str(country).strip() == "":
        return None
    text = str(country).strip()
    found = resolve(text.upper(), "iso3") or resolve(text.upper(), "iso2") or resolve(text)
    if found is None:
        raise CyberQueryError(f"unknown country {text!r}: give an ISO3 code (e.g. POL) or a country name")
    return found.iso3


SOURCES = ("cfr-cyber", "dcid")     # the adapters that write cyber_incidents (sources/cyber/)


def _where(country=None, role="any", since=None, until=None, type=None, source=None) -> tuple[str, list]:
    clauses, params = [], []
    if role not in ROLES:
        raise CyberQueryError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    code = iso3(country)
    if code:
        parts = {"sponsor": "list_contains(sponsor_iso3, ?)", "victim": "list_contains(victim_iso3, ?)"}
        chosen = [parts[role]] if role != "any" else list(parts.values())
        clauses.append("(" + " OR ".join(chosen) + ")")
        params += [code] * len(chosen)
    for bound, op in ((since, ">="), (until, "<=")):
        if bound not in (None, ""):
            try:
                day = pd.Timestamp(str(bound))
            except ValueError:
                raise CyberQueryError(f"not a date: {bound!r} (use YYYY, YYYY-MM or YYYY-MM-DD)") from None
            if op == "<=" and len(str(bound)) == 4:
                day = pd.Timestamp(f"{bound}-12-31")
            elif op == "<=" and len(str(bound)) == 7:
                day = day + pd.offsets.MonthEnd(0)
            clauses.append(f"date_start {op} ?")
            params.append(day.date())
    if type not in (None, ""):
        kinds = [type] if isinstance(type, str) else list(type)
        unknown = [k for k in kinds if k not in TYPES]
        if unknown:
            raise CyberQueryError(f"unknown type {unknown[0]!r}; expected one of {', '.join(TYPES)}")
        clauses.append(f"type IN ({', '.join('?' * len(kinds))})")
        params += kinds
    if source not in (None, ""):
        if source not in SOURCES:        # a mistyped source had answered "0 incidents"
            raise CyberQueryError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
        clauses.append("source = ?")
        params.append(source)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def cyber_incidents(con, country: str | None = None, role: str = "any", since=None, until=None, type=None,
                    source: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """Incidents, newest first; ``country`` with ``role`` (sponsor, victim or any) filters by state."""
    where, params = _where(country, role, since, until, type, source)
    tail = ""
    if limit is not None:
        if int(limit) < 0:
            raise CyberQueryError("limit must be 0 or more")
        tail = f" LIMIT {int(limit)}"
    return _df(con, f"SELECT {INCIDENT_COLUMNS} FROM cyber_incidents{where} "
                    f"ORDER BY date_start DESC NULLS LAST, source, source_id{tail}", params)


def count_incidents(con, country: str | None = None, role: str = "any", since=None, until=None, type=None,
                    source: str | None = None) -> int:
    """How many incidents match the filters (those :func:`cyber_incidents` returns without a limit), dated or
    not: the one count of incidents the API's ``total`` and the pages' headlines give."""
    where, params = _where(country, role, since, until, type, source)
    return int(_df(con, f"SELECT count(*) AS n FROM cyber_incidents{where}", params)["n"].iloc[0])


def incidents_timeline(con, country: str | None = None, role: str = "any", since=None, until=None, type=None,
                       source: str | None = None, undated: bool = False) -> pd.DataFrame:
    """Incidents per year and type.  Undated incidents (no start date) have no year: left out, or with
    ``undated`` a row per type with ``year`` NULL (after the years), so the rows add up to
    :func:`count_incidents` for the same filters.  A ``since``/``until`` filter leaves undated incidents out."""
    where, params = _where(country, role, since, until, type, source)
    if not undated:
        where = (where + " AND " if where else " WHERE ") + "date_start IS NOT NULL"
    frame = _df(con, f"SELECT year(date_start) AS year, coalesce(type, 'unknown') AS type, count(*) AS incidents "
                     f"FROM cyber_incidents{where} GROUP BY ALL ORDER BY year NULLS LAST, type", params)
    if undated:
        frame["year"] = frame["year"].astype("Int64")      # a whole year, or <NA> for the undated
    return frame


def sponsor_victim_matrix(con, since=None, until=None, type=None, source: str | None = None,
                          country: str | None = None) -> pd.DataFrame:
    """Incidents per (sponsor state, victim state) pair; an incident with two victims counts for each pair."""
    where, params = _where(country, "any", since, until, type, source)
    return _df(con, f"""SELECT sponsor, victim, count(*) AS incidents FROM (
            SELECT unnest(sponsor_iso3) AS sponsor, victim_iso3 FROM cyber_incidents{where})
        CROSS JOIN unnest(victim_iso3) AS v(victim)
        GROUP BY ALL ORDER BY incidents DESC, sponsor, victim""", params)


def victims_by_country(con, since=None, until=None, type=None, source: str | None = None) -> pd.DataFrame:
    """Incidents per victim state (an incident counts once for each state it names)."""
    where, params = _where(None, "any", since, until, type, source)
    return _df(con, f"""SELECT victim AS country_iso3, count(*) AS incidents,
            min(date_start) AS first, max(date_start) AS last
        FROM (SELECT unnest(victim_iso3) AS victim, date_start FROM cyber_incidents{where})
        GROUP BY ALL ORDER BY incidents DESC, country_iso3""", params)


def country_incidents(con, country: str, since=None, until=None) -> dict[str, pd.DataFrame]:
    """A state's incidents as sponsor and as victim."""
    return {role: cyber_incidents(con, country, role, since, until) for role in ("sponsor", "victim")}


def stix_objects(con, type: str | None = None, name: str | None = None, limit: int | None = 1000,
                 include_revoked: bool = False) -> pd.DataFrame:
    """Stored STIX objects (newest version of each id), with the object's JSON text."""
    clauses, params = [], []
    if type:
        clauses.append("type = ?")
        params.append(type)
    if name:
        clauses.append("lower(name) = lower(?)")
        params.append(name)
    if not include_revoked:
        clauses.append("NOT coalesce(revoked, false)")
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    tail = f" LIMIT {int(limit)}" if limit is not None else ""
    return _df(con, f"""SELECT id, type, spec_version, created, modified, name, external_id, aliases, tlp,
            created_by_ref, relationship_type, source_ref, target_ref, object
        FROM stix_objects{where} QUALIFY row_number() OVER (PARTITION BY id ORDER BY version DESC) = 1
        ORDER BY type, name, id{tail}""", params)


# -- ATT&CK groups --------------------------------------------------------------------------------------------

def normalise_actor(text: str | None) -> str:
    words = re.sub(r"[^0-9a-z]+", " ", str(text or "").lower()).strip()
    return re.sub(r"\b([a-z]+) (\d+)\b", r"\1\2", words)


def groups(con) -> pd.DataFrame:
    """ATT&CK groups (intrusion sets): id, name, external id (G0007), aliases."""
    return _df(con, """SELECT id, name, external_id, aliases FROM stix_objects WHERE type = 'intrusion-set'
        AND NOT coalesce(revoked, false)
        QUALIFY row_number() OVER (PARTITION BY id ORDER BY version DESC) = 1 ORDER BY name""")


@lru_cache(maxsize=8)
def _matcher(names: tuple[tuple[str, tuple[str, ...]], ...]):
    index: dict[str, str] = {}
    for group, aliases in names:
        for alias in (group, *aliases):
            key = normalise_actor(alias)
            if len(key) >= 4:
                index.setdefault(key, group)
    if not index:
        return None, index
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(index, key=len, reverse=True)) + r")\b")
    return pattern, index


def incident_groups(con, incidents: pd.DataFrame | None = None) -> pd.DataFrame:
    """(source, source_id, group) for every incident that names an ATT&CK group (rule: module docstring)."""
    table = groups(con)
    names = tuple((g, tuple(a) if a is not None else ()) for g, a in zip(table["name"], table["aliases"]))
    pattern, index = _matcher(names)
    if incidents is None:
        incidents = _df(con, "SELECT source, source_id, name, threat_actor FROM cyber_incidents")
    rows = []
    if pattern is not None:
        for src, sid, name, actor in zip(incidents["source"], incidents["source_id"], incidents["name"],
                                         incidents["threat_actor"]):
            found = {index[m] for m in pattern.findall(f"{normalise_actor(actor)} | {normalise_actor(name)}")}
            rows += [(src, sid, g) for g in sorted(found)]
    return pd.DataFrame(rows, columns=["source", "source_id", "group"])


def attack_group(con, name: str) -> dict:
    """An ATT&CK group by name, alias or id (G0007): its identity, techniques, software and the incidents that
    name it.  Unknown names raise :class:`CyberQueryError`."""
    table = groups(con)
    key = normalise_actor(name)
    hit = table[(table["name"].map(normalise_actor) == key) | (table["external_id"].str.lower() == str(name).lower())
                | table["aliases"].map(lambda a: a is not None and key in {normalise_actor(x) for x in a})]
    if hit.empty:
        raise CyberQueryError(f"no ATT&CK group named {name!r} (ingest an ATT&CK bundle with `signalfire ingest "
                              "stix`, then give a group name, alias or id such as APT28 or G0007)")
    group = hit.iloc[0]
    uses = _df(con, """WITH latest AS (SELECT * FROM stix_objects
            QUALIFY row_number() OVER (PARTITION BY id ORDER BY version DESC) = 1)
        SELECT t.type, t.external_id, t.name, r.object ->> '$.description' AS how,
               json_extract_string(t.object, '$.kill_chain_phases[*].phase_name') AS tactics
        FROM latest r JOIN latest t ON t.id = r.target_ref
        WHERE r.type = 'relationship' AND r.relationship_type = 'uses' AND r.source_ref = ?
          AND NOT coalesce(r.revoked, false) AND NOT coalesce(t.revoked, false)
          AND NOT coalesce(CAST(t.object ->> '$.x_mitre_deprecated' AS BOOLEAN), false)
        ORDER BY t.type, t.external_id""", [group["id"]])
    named = incident_groups(con)
    ids = named[named["group"] == group["name"]]
    incidents = _df(con, f"SELECT {INCIDENT_COLUMNS} FROM cyber_incidents ORDER BY date_start DESC NULLS LAST")
    incidents = incidents.merge(ids[["source", "source_id"]], on=["source", "source_id"])
    return {"group": {"id": group["id"], "name": group["name"], "external_id": group["external_id"],
                      "aliases": list(group["aliases"]) if group["aliases"] is not None else []},
            "techniques": uses[uses["type"] == "attack-pattern"].drop(columns="type").reset_index(drop=True),
            "software": uses[uses["type"].isin(["malware", "tool"])].reset_index(drop=True),
            "incidents": incidents}


class CyberQueries:
    """The cyber stream's methods of ``signalfire.open(...)``."""

    def cyber_incidents(self, country: str | None = None, role: str = "any", since=None, until=None, type=None,
                        source: str | None = None, limit: int | None = None) -> pd.DataFrame:
        return cyber_incidents(self.con, country, role, since, until, type, source, limit)

    def cyber_timeline(self, country: str | None = None, role: str = "any", since=None, until=None, type=None,
                       source: str | None = None, undated: bool = True) -> pd.DataFrame:
        """Incidents per year and type; undated incidents a row per type with ``year`` <NA> (as the REST API's
        ``/cyber/timeline``), so the rows add up to ``len(cyber_incidents(...))``; ``undated=False`` leaves them
        out."""
        return incidents_timeline(self.con, country, role, since, until, type, source, undated)

    def cyber_matrix(self, since=None, until=None, type=None, source: str | None = None) -> pd.DataFrame:
        return sponsor_victim_matrix(self.con, since, until, type, source)

    def cyber_victims(self, since=None, until=None, type=None, source: str | None = None) -> pd.DataFrame:
        return victims_by_country(self.con, since, until, type, source)

    def attack_group(self, name: str) -> dict:
        return attack_group(self.con, name)

    def attack_groups(self) -> pd.DataFrame:
        return groups(self.con)

    def stix_objects(self, type: str | None = None, name: str | None = None, limit: int | None = 1000,
                     include_revoked: bool = False) -> pd.DataFrame:
        return stix_objects(self.con, type, name, limit, include_revoked)
