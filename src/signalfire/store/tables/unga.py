"""Store tables for UN General Assembly roll-call votes (resolutions, votes) and Security Council terms.

``TABLES``: adapter-fed tables (name -> columns; every one also gets the trace columns run_id, record_ref, row_hash),
``KEYS``: the columns that identify a record of each, ``KEEP``: which record of a repeated key an ingest keeps
(SQL ORDER BY over the staged columns; default: the first in the file), ``DDL``: other tables of this stream
(CREATE TABLE statements).  Documented in ``docs/schema/unga.md``.

Security Council elected terms are a small reference table shipped with the package
(``sources/diplomacy/data/unsc_elected_members.csv``), read by ``analysis/unga.py``, not a store table.
"""

from __future__ import annotations

# One row per roll call (a recorded vote on a resolution, an amendment or a paragraph).
UNGA_ROLL_CALLS: dict[str, str] = {
    "rcid": "INTEGER",            # Voeten's roll-call id
    "session": "INTEGER",         # General Assembly session (1 = 1946)
    "importantvote": "BOOLEAN",   # flagged important by the US State Department (NULL: not coded)
    "vote_date": "DATE",
    "unres": "VARCHAR",           # resolution symbol as published (A/RES/74/40, R/73/45, ...)
    "amend": "BOOLEAN",           # a vote on an amendment (NULL: not coded)
    "para": "BOOLEAN",            # a vote on a paragraph (NULL: not coded)
    "short": "VARCHAR",           # short title
    "descr": "VARCHAR",           # description
}

# One row per (roll call, issue code): Voeten's six issue codes.
UNGA_ROLL_CALL_ISSUES: dict[str, str] = {
    "rcid": "INTEGER",
    "issue_code": "VARCHAR",      # me, nu, di, hr, co, ec
    "issue": "VARCHAR",           # Palestinian conflict, Nuclear weapons and nuclear material, ...
}

# One row per (roll call, state) that voted yes, no or abstained (absences are not in the data).
UNGA_VOTES: dict[str, str] = {
    "rcid": "INTEGER",
    "country_iso3": "VARCHAR",
    "country_gw": "INTEGER",
    "country_name": "VARCHAR",    # as published (e.g. Federal Republic of Germany)
    "country_code": "VARCHAR",    # as published (ISO alpha-2, or historical codes; empty for a few states)
    "vote": "VARCHAR",            # yes | no | abstain
}

TABLES: dict[str, dict[str, str]] = {
    "unga_roll_calls": UNGA_ROLL_CALLS,
    "unga_roll_call_issues": UNGA_ROLL_CALL_ISSUES,
    "unga_votes": UNGA_VOTES,
}
KEYS: dict[str, tuple[str, ...]] = {
    "unga_roll_calls": ("rcid",),
    "unga_roll_call_issues": ("rcid", "issue_code"),
    "unga_votes": ("rcid", "country_iso3"),
}
KEEP: dict[str, str] = {}
DDL: list[str] = []
