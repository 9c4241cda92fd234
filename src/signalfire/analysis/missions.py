"""Queries on the missions stream's tables, shared by the Python API, the REST API, the pages and the briefings.

Functions take a DuckDB connection — or anything whose ``execute(sql, params)`` returns a cursor with ``.df()``,
such as the dashboard's read-only ``DataStore`` — and return pandas DataFrames; :class:`MissionsQueries` exposes
them as methods of :class:`signalfire.warehouse.Warehouse` (``self.con`` is the store's connection).

Months are ``YYYY-MM`` text in every result (``month``).  A country's deployments over time come from several
producers whose periods overlap; :func:`deployment_series` keeps them apart by ``source`` and, with
``source="combined"``, takes each month from the first UN source in :data:`PRIORITY` that has it.
"""

from __future__ import annotations

import pandas as pd

# the UN sources of contributions, most detailed first (user-supplied rows are never mixed into these)
PRIORITY = ("un-pko-hub", "ipi-contributions-mission", "ipi-contributions")
USER_SOURCES = ("missions-user", "missions-user-contributions")
STACK_ORDER = ("troops", "staff_officers", "experts", "individual_police", "formed_police", "police")
MONTH = "printf('%04d-%02d', year, month)"


# Bara & Hultman record only the type of a non-UN mission's organisation (regional / international); the deploying
# organisation is read from the acronym where it names it (EUFOR, EUPOL, NATO …, ISAF, CIS JPKF, ECOMOG, AMISOM).
ORGANISATION_BY_ACRONYM = (
    (r"^(EU|EUFOR|EUPOL|EUTM|EUCAP|EULEX|EUMAM|EUPAT|EUAM)\b", "EU"), (r"^WEU", "WEU"),
    (r"^(NATO|ISAF|RSM|IFOR|SFOR|KFOR)\b", "NATO"), (r"^CIS\b", "CIS"), (r"^(ECOMOG|ECOMIL|ECOMIB|ECOWAS)\b", "ECOWAS"),
    (r"^(AMIS|AMISOM|AMIB|MISCA)\b", "AU"), (r"^OAU\b", "OAU"),
)


def organisation_of(acronym: str, recorded: str | None) -> str | None:
    """The deploying organisation of a non-UN mission from its acronym (see ORGANISATION_BY_ACRONYM), else as
    recorded (``regional`` / ``international`` for Bara & Hultman)."""
    import re
    if recorded in ("regional", "international"):
        for pattern, organisation in ORGANISATION_BY_ACRONYM:
            if re.match(pattern, acronym or ""):
                return organisation
    return recorded


class MissionsQueryError(ValueError):
    """A query argument that cannot be answered (unknown country code, bad source name)."""


def _df(con, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def _iso3(country: str | None) -> str | None:
    if country is None or str(country).strip() == "":
        return None
    from signalfire.geo.countries import resolve
    text = str(country).strip()
    found = resolve(text.upper(), "iso3") or resolve(text, "name")
    if found is None:
        raise MissionsQueryError(f"unknown country {text!r}: use an ISO 3166 alpha-3 code such as POL")
    return found.iso3


def _sources(con, table: str) -> list[str]:
    return _df(con, f"SELECT DISTINCT source FROM {table} ORDER BY 1")["source"].tolist()


# -- a country's deployments ----------------------------------------------------------------------------------

def deployments(con, country: str | None = "POL", mission: str | None = None, source: str | None = None,
                since: str | None = None, until: str | None = None) -> pd.DataFrame:
    """Contribution rows (contributor x mission x month x personnel type) as stored, newest first."""
    where, params = ["TRUE"], []
    iso = _iso3(country)
    if iso:
        where.append("contributor_iso3 = ?")
        params.append(iso)
    if mission:
        where.append("upper(mission) = upper(?)")
        params.append(mission)
    if source:
        where.append("source = ?")
        params.append(source)
    if since:
        where.append(f"{MONTH} >= ?")
        params.append(since[:7])
    if until:
        where.append(f"{MONTH} <= ?")
        params.append(until[:7])
    return _df(con, f"""SELECT source, contributor_iso3, contributor, mission, {MONTH} AS month, year,
                               month AS month_number, reporting_date, personnel_type, male, female, total,
                               user_supplied, source_url, source_record_id
                        FROM mission_contributions WHERE {' AND '.join(where)}
                        ORDER BY year DESC, month_number DESC, source, mission, personnel_type""", params)


def deployment_series(con, country: str = "POL", source: str | None = "combined") -> pd.DataFrame:
    """A country's personnel per month and personnel type, summed over missions: (month, source, personnel_type,
    total).  ``source``: one producer, ``combined`` (each month from the first UN source in PRIORITY that has
    it) or None (every source, side by side)."""
    iso = _iso3(country) or "POL"
    if source not in (None, "combined"):
        from signalfire.sources import all_adapters
        known = [a.name for a in all_adapters() if a.table == "mission_contributions"]
        if source not in known:     # a mistyped source had answered "no deployments recorded"
            raise MissionsQueryError(f"unknown source {str(source)[:40]!r}; expected combined or one of "
                                     f"{', '.join(known)}")
    rows = _df(con, f"""SELECT {MONTH} AS month, source, personnel_type, sum(total)::BIGINT AS total
                        FROM mission_contributions WHERE contributor_iso3 = ? AND NOT coalesce(user_supplied, FALSE)
                        GROUP BY ALL ORDER BY month, source, personnel_type""", [iso])
    if source == "combined":
        rank = {s: i for i, s in enumerate(PRIORITY)}
        rows = rows[rows["source"].isin(rank)]
        best = rows.assign(r=rows["source"].map(rank)).groupby("month")["r"].transform("min")
        rows = rows[rows["source"].map(rank) == best]
    elif source:
        rows = rows[rows["source"] == source]
    order = {t: i for i, t in enumerate(STACK_ORDER)}
    rows = rows.assign(o=rows["personnel_type"].map(order)).sort_values(["month", "source", "o"])
    return rows.drop(columns="o").reset_index(drop=True)


def deployments_by_year(con, country: str = "POL", source: str | None = "combined") -> pd.DataFrame:
    """Per year: January's personnel by type (0 where none), January's total, and the year's peak month and
    its total — from :func:`deployment_series`."""
    series = deployment_series(con, country, source)
    if series.empty:
        return pd.DataFrame(columns=["year", *STACK_ORDER, "january_total", "peak_month", "peak_total"])
    monthly = series.groupby("month")["total"].sum()
    years = monthly.index.str[:4].astype(int)
    peak = monthly.groupby(years).agg(["idxmax", "max"]).rename(columns={"idxmax": "peak_month", "max": "peak_total"})
    january = series[series["month"].str.endswith("-01")]
    wide = january.pivot_table(index=january["month"].str[:4].astype(int), columns="personnel_type",
                               values="total", aggfunc="sum", fill_value=0)
    types = [t for t in STACK_ORDER if t in set(series["personnel_type"])]
    wide = wide.reindex(columns=types, fill_value=0)
    wide["january_total"] = wide.sum(axis=1)
    out = peak.join(wide, how="left")
    out.index.name = "year"
    out = out.reset_index()
    for column in [*types, "january_total"]:
        out[column] = out[column].astype("Int64")
    return out[["year", *types, "january_total", "peak_month", "peak_total"]]


def country_missions(con, country: str = "POL") -> pd.DataFrame:
    """The missions a country served in (mission split sources only): first and last month, the latest month's
    personnel, sources, and whether it is user-supplied."""
    iso = _iso3(country) or "POL"
    return _df(con, f"""
        WITH m AS (SELECT source, mission, {MONTH} AS month, sum(total) AS total, bool_or(user_supplied) AS user_supplied,
                          any_value(source_url) AS source_url
                   FROM mission_contributions WHERE contributor_iso3 = ? AND mission <> 'ALL' GROUP BY ALL)
        SELECT mission, min(month) AS first_month, max(month) AS last_month,
               arg_max(total, month)::BIGINT AS latest_total, string_agg(DISTINCT source, ', ') AS sources,
               bool_or(user_supplied) AS user_supplied, arg_max(source_url, month) AS source_url
        FROM m GROUP BY mission ORDER BY last_month DESC, latest_total DESC, mission""", [iso])


# -- missions -------------------------------------------------------------------------------------------------

def missions(con, organisation: str | None = None, host: str | None = None, active_in: int | None = None,
             search: str | None = None, only: list[str] | None = None) -> pd.DataFrame:
    """Every mission known to the store: from the strength tables, contributions, sites and fatalities, and the
    user-supplied ``missions`` rows (name, mandate, source URL) beside them.  ``only``: these acronyms."""
    iso = _iso3(host) if host else None
    if iso:
        hosted = _df(con, """SELECT DISTINCT upper(trim(mission)) AS m FROM mission_month WHERE host_iso3 = ?
                             UNION SELECT upper(mission) FROM missions
                             WHERE list_contains(string_split(host_iso3, ';'), ?)""", [iso, iso])["m"].tolist()
        only = [m for m in hosted if only is None or m in {o.upper() for o in only}]
    keep, params = "TRUE", []
    if only is not None:
        keep, params = "list_contains(?::VARCHAR[], upper(trim(mission)))", [[o.upper() for o in only]] * 5
    frame = _df(con, f"""
        WITH seen AS (
            SELECT mission, organisation, host_iso3, {MONTH} AS month, source FROM mission_month WHERE {keep}
            UNION ALL SELECT mission, NULL, NULL, {MONTH}, source FROM mission_contributions
                      WHERE mission <> 'ALL' AND {keep}
            UNION ALL SELECT mission, 'UN', NULL, printf('%04d-12', year), source FROM mission_sites WHERE {keep}
            UNION ALL SELECT mission, 'UN', NULL, {MONTH}, source FROM mission_fatalities WHERE {keep}),
        data AS (
            SELECT trim(mission) AS mission, mode(organisation) AS organisation,
                   string_agg(DISTINCT host_iso3, ';' ORDER BY host_iso3) AS host_iso3,
                   min(month) AS first_month, max(month) AS last_month,
                   string_agg(DISTINCT source, ', ' ORDER BY source) AS sources
            FROM seen GROUP BY 1),
        users AS (
            SELECT mission, any_value(name) AS name, any_value(organisation) AS organisation,
                   any_value(host_iso3) AS host_iso3, min(mandate_start) AS mandate_start,
                   max(mandate_end) AS mandate_end, any_value(source_url) AS source_url
            FROM missions WHERE {keep} GROUP BY mission)
        SELECT coalesce(u.mission, d.mission) AS mission, u.name,
               coalesce(u.organisation, d.organisation, 'UN') AS organisation,
               coalesce(u.host_iso3, d.host_iso3) AS host_iso3,
               strftime(u.mandate_start, '%Y-%m-%d') AS mandate_start,
               strftime(u.mandate_end, '%Y-%m-%d') AS mandate_end,
               coalesce(d.first_month, strftime(u.mandate_start, '%Y-%m')) AS first_month,
               coalesce(d.last_month, strftime(u.mandate_end, '%Y-%m')) AS last_month,
               concat_ws(', ', d.sources, CASE WHEN u.mission IS NOT NULL THEN 'missions-user' END) AS sources,
               u.mission IS NOT NULL AS user_supplied, u.source_url
        FROM data d FULL OUTER JOIN users u ON upper(u.mission) = upper(d.mission)
        ORDER BY last_month DESC NULLS LAST, mission""", params)
    frame["organisation"] = [organisation_of(m, o) for m, o in zip(frame["mission"], frame["organisation"])]
    if organisation:
        frame = frame[frame["organisation"].str.lower() == organisation.lower()]
    if iso:
        frame = frame[frame["host_iso3"].fillna("").str.split(";").map(lambda codes: iso in codes)]
    if active_in:
        year = str(int(active_in))
        frame = frame[(frame["first_month"].fillna("9999") <= f"{year}-12")
                      & (frame["last_month"].fillna("0000") >= f"{year}-01")]
    if search:
        text = search.lower()
        frame = frame[frame["mission"].str.lower().str.contains(text, regex=False)
                      | frame["name"].fillna("").str.lower().str.contains(text, regex=False)]
    return frame.reset_index(drop=True)


def mission(con, acronym: str) -> pd.DataFrame:
    """One mission's row of :func:`missions` (empty when the store does not know it)."""
    frame = missions(con, only=[acronym.strip()])
    return frame[frame["mission"].str.upper() == acronym.strip().upper()].reset_index(drop=True)


def mission_strength(con, acronym: str, source: str | None = None) -> pd.DataFrame:
    """A mission's values per month in long form: (month, source, conflict_id, measure, value)."""
    params = [acronym.strip()]
    extra = ""
    if source:
        extra = " AND source = ?"
        params.append(source)
    return _df(con, f"""SELECT {MONTH} AS month, source, conflict_id, measure, value FROM mission_month
                        WHERE upper(trim(mission)) = upper(?){extra}
                        ORDER BY month, source, conflict_id, measure""", params)


def mission_contributors(con, acronym: str, month: str | None = None, source: str | None = None) -> pd.DataFrame:
    """Who contributed to a mission in a month (default: the latest month of the newest source that has it):
    contributor, personnel type, male, female, total."""
    params: list = [acronym.strip()]
    extra = ""
    if source:
        extra += " AND source = ?"
        params.append(source)
    if month:
        extra += f" AND {MONTH} = ?"
        params.append(month[:7])
    else:
        extra += f""" AND ({MONTH}, source) = (SELECT ({MONTH}, source) FROM mission_contributions
                      WHERE upper(mission) = upper(?) ORDER BY year DESC, month DESC, source LIMIT 1)"""
        params.append(acronym.strip())
    return _df(con, f"""
        WITH c AS (SELECT source, {MONTH} AS month, contributor_iso3, any_value(contributor) AS contributor,
                          personnel_type, sum(male)::BIGINT AS male, sum(female)::BIGINT AS female,
                          sum(total)::BIGINT AS total, bool_or(user_supplied) AS user_supplied
                   FROM mission_contributions WHERE upper(mission) = upper(?){extra} GROUP BY ALL)
        SELECT * FROM c ORDER BY sum(total) OVER (PARTITION BY contributor_iso3) DESC, contributor_iso3,
                                 personnel_type""", params)


# -- sites and fatalities -------------------------------------------------------------------------------------

def deployment_sites(con, country: str | None = "POL", mission: str | None = None,
                     year: int | None = None) -> pd.DataFrame:
    """Geo-PKO deployment locations (with coordinates) of a contributor, a mission and/or a year."""
    where, params = ["TRUE"], []
    iso = _iso3(country)
    if iso:
        where.append("contributor_iso3 = ?")
        params.append(iso)
    if mission:
        where.append("upper(mission) = upper(?)")
        params.append(mission)
    if year:
        where.append("year = ?")
        params.append(int(year))
    return _df(con, f"""SELECT source, mission, year, location, latitude, longitude, contributor, contributor_iso3,
                               troops, contributors_at_site FROM mission_sites WHERE {' AND '.join(where)}
                        ORDER BY year DESC, mission, location, contributor""", params)


def pko_fatalities(con, country: str | None = None, mission: str | None = None, since: int | None = None,
                   until: int | None = None, by: str | None = None) -> pd.DataFrame:
    """Peacekeeper deaths: the stored rows, or summed ``by`` ``year``, ``mission`` or ``nationality``."""
    where, params = ["TRUE"], []
    iso = _iso3(country)
    if iso:
        where.append("nationality_iso3 = ?")
        params.append(iso)
    if mission:
        where.append("upper(mission) = upper(?)")
        params.append(mission)
    if since:
        where.append("year >= ?")
        params.append(int(since))
    if until:
        where.append("year <= ?")
        params.append(int(until))
    counts = ("illness", "accident", "malicious", "other_cause", "total", "military", "observers", "police",
              "local_staff", "international_staff", "other_staff")
    if by:
        groups = {"year": "year", "mission": "mission", "nationality": "nationality_iso3, nationality"}
        if by not in groups:
            raise MissionsQueryError(f"by must be one of {', '.join(groups)}, not {by!r}")
        sums = ", ".join(f"sum({c})::BIGINT AS {c}" for c in counts)
        order = "year" if by == "year" else "total DESC"
        return _df(con, f"""SELECT {groups[by]}, {sums} FROM mission_fatalities WHERE {' AND '.join(where)}
                            GROUP BY ALL ORDER BY {order}""", params)
    return _df(con, f"""SELECT source, nationality, nationality_iso3, mission, {MONTH} AS month, year,
                               {', '.join(counts)} FROM mission_fatalities WHERE {' AND '.join(where)}
                        ORDER BY year DESC, month DESC, mission, nationality""", params)


SITE_TYPE_MEASURES = {
    "geopko-ttmap": ("Infantry", "eng", "med", "sig", "av", "riv", "maint", "trans"),
    "geopko-frontmap": ("Infantry", "NoTroops", "Reserve", "hq", "UNPOL", "Med", "Av", "UNMO", "ave.no.troops"),
}


def _site_type_source(source: str) -> tuple[str, ...]:
    if source not in SITE_TYPE_MEASURES:
        raise MissionsQueryError(f"source must be one of {', '.join(SITE_TYPE_MEASURES)}, not {source!r}")
    return SITE_TYPE_MEASURES[source]


def site_types(con, mission: str | None = None, year: int | None = None, source: str = "geopko-ttmap",
               missions_in: list[str] | None = None) -> pd.DataFrame:
    """Geo-PKO troop types per deployment site, one row per site (and ``site_seq``) with a column per published
    measure (TTMap: ``Infantry`` troops and ``eng``…``trans`` unit-maps; FrontMap: troops, HQ, police, …)."""
    measures = _site_type_source(source)
    where, params = ["source = ?"], [source]
    if mission:
        where.append("upper(mission) = upper(?)")
        params.append(mission)
    if missions_in is not None:
        where.append("list_contains(?, mission)")
        params.append(list(missions_in))
    if year:
        where.append("year = ?")
        params.append(int(year))
    cols = ", ".join(f'max(value) FILTER (WHERE measure = \'{m}\') AS "{m}"' for m in measures)
    return _df(con, f"""SELECT mission, year, location, latitude, longitude, any_value(host_country) AS host_country,
                               site_seq, {cols}
                        FROM mission_site_types WHERE {' AND '.join(where)}
                        GROUP BY mission, year, location, latitude, longitude, site_seq
                        ORDER BY year DESC, mission, location, site_seq""", params)


def troop_types_by_year(con, mission: str, source: str = "geopko-ttmap") -> pd.DataFrame:
    """A mission's troop types per year, summed over its sites: ``sites`` and each measure's sum."""
    measures = _site_type_source(source)
    sums = ", ".join(f'sum(value) FILTER (WHERE measure = \'{m}\') AS "{m}"' for m in measures)
    return _df(con, f"""SELECT mission, year, count(DISTINCT (location, latitude, longitude)) AS sites, {sums}
                        FROM mission_site_types WHERE source = ? AND upper(mission) = upper(?)
                        GROUP BY mission, year ORDER BY year""", [source, mission])


def engagement(con, country: str = "POL") -> dict:
    """A country's engagement for its page and the API: the latest month of deployments by type, the missions it
    served in and the missions it hosted."""
    iso = _iso3(country) or "POL"
    series = deployment_series(con, iso, "combined")
    latest = None
    if not series.empty:
        month = series["month"].max()
        last = series[series["month"] == month]
        latest = {"month": month, "source": last["source"].iloc[0], "total": int(last["total"].sum()),
                  "by_type": {r.personnel_type: int(r.total) for r in last.itertuples()}}
    served = country_missions(con, iso)
    hosted = missions(con, host=iso)
    deaths = pko_fatalities(con, country=iso, by="year")
    return {"country": iso, "latest": latest, "served": served, "hosted": hosted,
            "fatalities": int(deaths["total"].sum()) if len(deaths) else 0}


class MissionsQueries:
    """The missions stream's methods of ``signalfire.open(...)``."""

    def deployments(self, country: str | None = "POL", mission: str | None = None, source: str | None = None,
                    since: str | None = None, until: str | None = None) -> pd.DataFrame:
        return deployments(self.con, country, mission, source, since, until)

    def deployment_series(self, country: str = "POL", source: str | None = "combined") -> pd.DataFrame:
        return deployment_series(self.con, country, source)

    def deployments_by_year(self, country: str = "POL", source: str | None = "combined") -> pd.DataFrame:
        return deployments_by_year(self.con, country, source)

    def country_missions(self, country: str = "POL") -> pd.DataFrame:
        return country_missions(self.con, country)

    def missions(self, organisation: str | None = None, host: str | None = None, active_in: int | None = None,
                 search: str | None = None) -> pd.DataFrame:
        return missions(self.con, organisation, host, active_in, search)

    def mission(self, acronym: str) -> pd.DataFrame:
        return mission(self.con, acronym)

    def mission_strength(self, acronym: str, source: str | None = None) -> pd.DataFrame:
        return mission_strength(self.con, acronym, source)

    def mission_contributors(self, acronym: str, month: str | None = None, source: str | None = None) -> pd.DataFrame:
        return mission_contributors(self.con, acronym, month, source)

    def deployment_sites(self, country: str | None = "POL", mission: str | None = None,
                         year: int | None = None) -> pd.DataFrame:
        return deployment_sites(self.con, country, mission, year)

    def pko_fatalities(self, country: str | None = None, mission: str | None = None, since: int | None = None,
                       until: int | None = None, by: str | None = None) -> pd.DataFrame:
        return pko_fatalities(self.con, country, mission, since, until, by)

    def engagement(self, country: str = "POL") -> dict:
        return engagement(self.con, country)

    def site_types(self, mission: str | None = None, year: int | None = None,
                   source: str = "geopko-ttmap") -> pd.DataFrame:
        """Geo-PKO troop types per deployment site (TTMap, or FrontMap with ``source="geopko-frontmap"``)."""
        return site_types(self.con, mission, year, source)

    def troop_types_by_year(self, mission: str, source: str = "geopko-ttmap") -> pd.DataFrame:
        """A mission's Geo-PKO troop types per year, summed over its sites."""
        return troop_types_by_year(self.con, mission, source)
