"""Queries on the treaties stream's tables, shared by the Python API, the REST API, the pages and the briefings.

Functions take a DuckDB connection; :class:`TreatiesQueries` exposes them as methods of
:class:`signalfire.warehouse.Warehouse` (``self.con`` is the store's connection).

A state's status under an instrument is worked out from every source's actions in ``treaty_actions``: where the
documented overrides (``source = treaty-overrides``) give an action, its date replaces the producers' date for
that action (the producers' rows stay stored and are shown with the validation flags).  Status, in order:
``withdrawn`` (a withdrawal on or after its consent), ``signatory`` (signed, or its ratification withdrawn),
``party`` (ratified, acceded, ... or the instrument in force for it: manytreaties has entry-into-force dates
without a ratification date for some, e.g. CCW Protocol II), ``member`` (an informal regime), ``ended`` (the state's participation ended,
e.g. a state that ceased to exist), else ``none``.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from signalfire.store.queries import QueryError

CONSENT = ("ratification", "accession", "acceptance", "approval", "succession")
OVERRIDES = "treaty-overrides"
STATUSES = ("party", "signatory", "member", "withdrawn", "ended", "none")

# Effective actions: an override's action replaces the producers' dates for the same (state, instrument, action).
_EFFECTIVE = f"""
effective AS (
    SELECT a.* FROM treaty_actions a
    WHERE a.state_iso3 IS NOT NULL AND (a.source = '{OVERRIDES}' OR NOT EXISTS (
        SELECT 1 FROM treaty_actions o WHERE o.source = '{OVERRIDES}' AND o.state_iso3 = a.state_iso3
        AND o.instrument = a.instrument AND o.action = a.action))
)"""

_STATUS = f"""
WITH {_EFFECTIVE},
dates AS (
    SELECT state_iso3, instrument,
        min(action_date) FILTER (WHERE action = 'signature') AS signed,
        min(action_date) FILTER (WHERE action IN {CONSENT}) AS consented,
        min(action_date) FILTER (WHERE action = 'entry_into_force') AS in_force,
        max(action_date) FILTER (WHERE action = 'withdrawal') AS withdrawn,
        max(action_date) FILTER (WHERE action = 'withdrawal_of_ratification') AS ratification_withdrawn,
        max(action_date) FILTER (WHERE action = 'end') AS ended,
        max(as_of_year) FILTER (WHERE action = 'membership') AS member_as_of,
        bool_or(source = '{OVERRIDES}') AS corrected,
        string_agg(DISTINCT source, ', ' ORDER BY source) AS sources
    FROM effective GROUP BY state_iso3, instrument
)
SELECT *, CASE
    WHEN withdrawn IS NOT NULL AND withdrawn >= coalesce(consented, in_force, withdrawn) THEN 'withdrawn'
    WHEN ratification_withdrawn IS NOT NULL AND ratification_withdrawn >= coalesce(consented, in_force)
        THEN 'signatory'
    WHEN ended IS NOT NULL AND ended >= coalesce(consented, in_force, signed, ended) THEN 'ended'
    WHEN consented IS NOT NULL OR in_force IS NOT NULL THEN 'party'
    WHEN signed IS NOT NULL THEN 'signatory'
    WHEN member_as_of IS NOT NULL THEN 'member'
    ELSE 'none' END AS status
FROM dates"""

# Validation rules: each row names the state, instrument, rule and what it found.
_FLAGS = f"""
WITH up AS (SELECT * FROM treaty_actions WHERE source <> '{OVERRIDES}' AND state_iso3 IS NOT NULL),
per_row AS (
    SELECT state_iso3, instrument, upstream,
        min(action_date) FILTER (WHERE action = 'signature') AS signed,
        min(action_date) FILTER (WHERE action IN {CONSENT}) AS consented
    FROM up GROUP BY state_iso3, instrument, upstream
),
flags AS (
    SELECT state_iso3, instrument, 'signature_after_ratification' AS rule,
        'signature ' || signed || ' is after the ratification ' || consented || ' (' || upstream || ')' AS detail
    FROM per_row WHERE signed > consented
    UNION ALL
    SELECT o.state_iso3, o.instrument, 'withdrawal_not_recorded',
        replace(o.action, '_', ' ') || ' of ' || o.action_date || ' is not in the source data'
    FROM treaty_actions o WHERE o.source = '{OVERRIDES}'
        AND o.action IN ('withdrawal', 'withdrawal_of_ratification')
        AND NOT EXISTS (SELECT 1 FROM up WHERE up.state_iso3 = o.state_iso3 AND up.instrument = o.instrument
                        AND up.action = o.action)
    UNION ALL
    SELECT a.state_iso3, a.instrument, 'sources_disagree',
        'ratification ' || a.consented || ' (' || a.upstream || ') vs ' || b.consented || ' (' || b.upstream || ')'
    FROM per_row a JOIN per_row b ON a.state_iso3 = b.state_iso3 AND a.instrument = b.instrument
        AND a.upstream < b.upstream
    WHERE a.consented <> b.consented
    UNION ALL
    SELECT o.state_iso3, o.instrument, 'override_differs',
        'source: ' || replace(up.action, '_', ' ') || ' ' || up.action_date || ' (' || up.upstream || '); override: '
        || coalesce(CAST(o.action_date AS VARCHAR), 'none')
    FROM treaty_actions o JOIN up ON up.state_iso3 = o.state_iso3 AND up.instrument = o.instrument
        AND up.action = o.action
    WHERE o.source = '{OVERRIDES}' AND up.action_date IS DISTINCT FROM o.action_date
    UNION ALL
    SELECT up.state_iso3, up.instrument, 'before_opened',
        replace(up.action, '_', ' ') || ' ' || up.action_date || ' is before the instrument opened for signature '
        || i.opened || ' (' || up.upstream || ')'
    FROM up JOIN treaty_instruments i USING (instrument)
    WHERE up.action IN ('signature', {", ".join(f"'{c}'" for c in CONSENT)}) AND up.action_date < i.opened
)
SELECT f.*, (SELECT string_agg(DISTINCT o.source_url, ' ') FROM treaty_actions o WHERE o.source = '{OVERRIDES}'
             AND o.state_iso3 = f.state_iso3 AND o.instrument = f.instrument) AS corrected_by
FROM flags f"""


def _has(con, table: str) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]).fetchone()[0] > 0


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    from signalfire.geo.countries import all_countries
    return {c.iso3: c.name for c in all_countries()}


@lru_cache(maxsize=1)
def current_states() -> pd.DataFrame:
    """The states that exist today (a Gleditsch–Ward code, valid to 9999-12-31 in the shipped code table): the
    universe of "who has not joined X"."""
    from signalfire.geo.countries import reference
    ref = reference()
    now = ref[ref["gw"].notna() & (ref["valid_to"] >= pd.Timestamp("2262-01-01"))]
    return (now[["iso3", "name"]].drop_duplicates("iso3").rename(columns={"iso3": "state_iso3", "name": "state"})
            .sort_values("state").reset_index(drop=True))


@lru_cache(maxsize=1)
def state_groups() -> pd.DataFrame:
    """Regions (UN M49) and alliances (NATO, EU) per state: the shipped ``state_groups.csv``."""
    from signalfire.sources.diplomacy.reference import STATE_GROUPS, read_reference
    return read_reference(STATE_GROUPS)


@lru_cache(maxsize=1)
def ctbt_annex2() -> frozenset[str]:
    from signalfire.sources.diplomacy.reference import CTBT_ANNEX2, read_reference
    return frozenset(read_reference(CTBT_ANNEX2)["state_iso3"])


def group_names() -> dict[str, list[str]]:
    groups = state_groups()
    return {kind: sorted(groups.loc[groups["group_type"] == kind, "group"].unique())
            for kind in ("region", "alliance")}


def members_of(group: str, year: int | None = None) -> set[str]:
    """ISO3 codes of a region or alliance (current members unless ``year`` is given)."""
    groups = state_groups()
    rows = groups[groups["group"].str.lower() == str(group).strip().lower()]
    if rows.empty:
        known = ", ".join(sorted(groups["group"].unique()))
        raise QueryError(f"unknown region or alliance {group!r}; known: {known}")
    joined = pd.to_numeric(rows["joined"], errors="coerce")
    left = pd.to_numeric(rows["left"], errors="coerce")
    when = year if year is not None else 9999
    keep = (joined.isna() | (joined <= when)) & (left.isna() | (left > when))
    return set(rows.loc[keep, "state_iso3"])


def instruments(con) -> pd.DataFrame:
    """The instruments with data: identity, dates, and how many states are parties / signatories / members."""
    if not _has(con, "treaty_instruments"):
        return pd.DataFrame()
    return con.execute(f"""
        WITH s AS ({_STATUS})
        SELECT i.instrument, i.name, i.kind, i.topic, i.opened, i.in_force, i.source_url,
            count(*) FILTER (WHERE s.status = 'party') AS parties,
            count(*) FILTER (WHERE s.status = 'signatory') AS signatories,
            count(*) FILTER (WHERE s.status = 'member') AS members,
            count(*) FILTER (WHERE s.status = 'withdrawn') AS withdrawn
        FROM treaty_instruments i JOIN s USING (instrument)
        GROUP BY ALL ORDER BY i.kind DESC, i.opened NULLS LAST, i.instrument""").df()


def _instrument(con, instrument: str) -> str:
    row = con.execute("SELECT instrument FROM treaty_instruments WHERE lower(instrument) = lower(?)",
                      [str(instrument).strip()]).fetchone()
    if row is None:
        known = [r[0] for r in con.execute("SELECT instrument FROM treaty_instruments ORDER BY 1").fetchall()]
        raise QueryError(f"unknown instrument {instrument!r}; known: {', '.join(known)}")
    return row[0]


def _state(iso3: str) -> str:
    from signalfire.geo.countries import resolve
    found = resolve(str(iso3).strip(), "iso3") or resolve(str(iso3).strip(), "name")
    if found is None:
        raise QueryError(f"unknown country {iso3!r}; give an ISO3 code such as POL")
    return found.iso3


def status_table(con) -> pd.DataFrame:
    """Every (state, instrument) with an action: dates and status."""
    return con.execute(_STATUS + " ORDER BY state_iso3, instrument").df()


def treaty_flags(con, country: str | None = None, instrument: str | None = None) -> pd.DataFrame:
    """The validation flags, each with the override URL that corrects it where there is one:
    ``signature_after_ratification`` (a producer's signature date after its ratification date),
    ``withdrawal_not_recorded`` (a withdrawal the overrides document and the producers lack), ``override_differs``
    (an override gives another date, or none, for an action the producers record), ``sources_disagree`` (GGO and
    IEADB give different ratification dates), ``before_opened`` (an action before the instrument opened)."""
    where, params = [], []
    if country:
        where.append("state_iso3 = ?")
        params.append(_state(country))
    if instrument:
        where.append("instrument = ?")
        params.append(_instrument(con, instrument))
    sql = f"SELECT * FROM ({_FLAGS}) {'WHERE ' + ' AND '.join(where) if where else ''} " \
          "ORDER BY state_iso3, instrument, rule, detail"
    return con.execute(sql, params).df()


def treaty_status(con, country: str) -> pd.DataFrame:
    """One row per instrument (those with data): the state's status, dates, sources, and its flags."""
    iso3 = _state(country)
    frame = con.execute(f"""
        WITH s AS ({_STATUS})
        SELECT i.instrument, i.name, i.kind, i.topic, coalesce(s.status, 'none') AS status, s.signed, s.consented,
            s.in_force, s.withdrawn, s.ratification_withdrawn, s.member_as_of, coalesce(s.corrected, false)
            AS corrected, s.sources
        FROM treaty_instruments i LEFT JOIN s ON s.instrument = i.instrument AND s.state_iso3 = ?
        WHERE i.instrument IN (SELECT DISTINCT instrument FROM treaty_actions)
        ORDER BY i.kind DESC, i.opened NULLS LAST, i.instrument""", [iso3]).df()
    flags = treaty_flags(con, iso3)
    text = flags.groupby("instrument")["detail"].agg("; ".join) if len(flags) else pd.Series(dtype=object)
    frame["flags"] = frame["instrument"].map(text).fillna("")
    frame.insert(0, "state_iso3", iso3)
    return frame


def treaty_timeline(con, country: str) -> pd.DataFrame:
    """Every dated action of a state, oldest first, with the source of each."""
    iso3 = _state(country)
    return con.execute("""
        SELECT action_date, instrument, action, source, upstream, treaty_id, note, source_url
        FROM treaty_actions WHERE state_iso3 = ? AND action_date IS NOT NULL
        ORDER BY action_date, instrument, action""", [iso3]).df()


def treaty_matrix(con, instruments: list[str] | str | None = None, region: str | None = None,
                  alliance: str | None = None) -> pd.DataFrame:
    """States × instruments: the status of each current state (rows) under each instrument (columns), for the
    states of a region and/or an alliance."""
    if isinstance(instruments, str):
        instruments = [s for s in instruments.split(",") if s.strip()]
    chosen = [_instrument(con, i) for i in instruments] if instruments else None
    states = current_states()
    for group in (region, alliance):
        if group:
            states = states[states["state_iso3"].isin(members_of(group))]
    status = status_table(con)
    known = instruments_with_data(con)
    cols = chosen or known
    status = status[status["instrument"].isin(cols)]
    wide = status.pivot_table(index="state_iso3", columns="instrument", values="status", aggfunc="first")
    out = states.merge(wide, left_on="state_iso3", right_index=True, how="left")
    for col in cols:
        if col not in out:
            out[col] = None
        out[col] = out[col].fillna("none")
    return out[["state_iso3", "state", *cols]].reset_index(drop=True)


def instruments_with_data(con) -> list[str]:
    return [r[0] for r in con.execute("""
        SELECT i.instrument FROM treaty_instruments i
        WHERE i.instrument IN (SELECT DISTINCT instrument FROM treaty_actions)
        ORDER BY i.kind DESC, i.opened NULLS LAST, i.instrument""").fetchall()]


def not_joined(con, instrument: str) -> pd.DataFrame:
    """The current states that are not parties (members) of an instrument: signatories, withdrawn, none; for the
    CTBT with ``annex2`` (its entry into force needs all 44 Annex 2 states' ratifications)."""
    name = _instrument(con, instrument)
    status = status_table(con)
    status = status[status["instrument"] == name][["state_iso3", "status", "signed", "consented", "withdrawn",
                                                  "ratification_withdrawn"]]
    out = current_states().merge(status, on="state_iso3", how="left")
    out["status"] = out["status"].fillna("none")
    out = out[~out["status"].isin(["party", "member"])].copy()
    if name == "CTBT":
        out["annex2"] = out["state_iso3"].isin(ctbt_annex2())
        out = out.sort_values(["annex2", "state"], ascending=[False, True])
    return out.reset_index(drop=True)


def status_summary(con, country: str) -> dict:
    """Counts by status for a state, and its instruments by status (for the country page)."""
    frame = treaty_status(con, country)
    return {status: frame.loc[frame["status"] == status, "instrument"].tolist() for status in STATUSES}


def nuclear_profile(con, country: str) -> dict:
    """The WMD picture beside the treaties: ν-CLEAR indicators in the state's last year in the data (those true),
    and its nuclear cooperation agreements (Fuhrmann, 1951–2003) as supplier and as recipient, by type."""
    iso3 = _state(country)
    last = con.execute("SELECT max(year) FROM country_year WHERE source = 'v-clear' AND country_iso3 = ?",
                       [iso3]).fetchone()[0]
    capabilities = [] if last is None else [r[0] for r in con.execute(
        "SELECT measure FROM country_year WHERE source = 'v-clear' AND country_iso3 = ? AND year = ? AND value = 1 "
        "ORDER BY measure", [iso3, last]).fetchall()]
    nca = con.execute("""
        SELECT CASE WHEN country_a_iso3 = ? THEN 'supplier' ELSE 'recipient' END AS role,
            substr(measure, 5) AS nca_type, count(*) AS agreements, min(year) AS first_year, max(year) AS last_year
        FROM dyad_year WHERE source = 'nca' AND (country_a_iso3 = ? OR country_b_iso3 = ?)
        GROUP BY ALL ORDER BY role DESC, agreements DESC, nca_type""", [iso3, iso3, iso3]).df()
    return {"country": iso3, "v_clear_year": last, "capabilities": capabilities, "nca": nca}


class TreatiesQueries:
    """The treaties stream's methods of ``signalfire.open(...)``."""

    def treaty_instruments(self):
        """The instruments with data, their dates and counts of parties, signatories, members."""
        return instruments(self.con)

    def treaty_status(self, country: str):
        """A state's status under each instrument (dates, corrections, flags)."""
        return treaty_status(self.con, country)

    def treaty_timeline(self, country: str):
        """Every dated action of a state (all sources), oldest first."""
        return treaty_timeline(self.con, country)

    def treaty_matrix(self, instruments=None, region: str | None = None, alliance: str | None = None):
        """Current states × instruments: status codes, filtered by region (UN M49) and/or alliance (NATO, EU)."""
        return treaty_matrix(self.con, instruments, region, alliance)

    def not_joined(self, instrument: str):
        """Current states that are not parties of an instrument (CTBT: with the Annex 2 column)."""
        return not_joined(self.con, instrument)

    def nuclear_profile(self, country: str):
        """ν-CLEAR capabilities in the last year and nuclear cooperation agreements of a state (a dict)."""
        return nuclear_profile(self.con, country)

    def treaty_flags(self, country: str | None = None, instrument: str | None = None):
        """Validation flags on the producers' data, with the override that corrects each where there is one."""
        return treaty_flags(self.con, country, instrument)
