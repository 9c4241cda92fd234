"""Store tables for arms-control and non-proliferation instruments and each state's actions under them.

``TABLES``: adapter-fed tables (name -> columns; every one also gets the trace columns run_id, record_ref, row_hash),
``KEYS``: the columns that identify a record of each, ``KEEP``: which record of a repeated key an ingest keeps
(SQL ORDER BY over the staged columns; default: the first in the file), ``DDL``: other tables of this stream
(CREATE TABLE statements).  Documented in ``docs/schema/treaties.md``.
"""

from __future__ import annotations

# One row per instrument (a treaty, protocol, or an informal regime such as the PSI or the NSG).
TREATY_INSTRUMENTS: dict[str, str] = {
    "instrument": "VARCHAR",      # short name used everywhere: NPT, CWC, BWC, CTBT, PSI, NSG, ...
    "name": "VARCHAR",            # full title
    "kind": "VARCHAR",            # treaty | protocol | regime
    "topic": "VARCHAR",           # nuclear | chemical | biological | conventional | space | environment | export
    "opened": "DATE",             # opened for signature (regimes: founded)
    "in_force": "DATE",           # entry into force (NULL: not in force, or a regime)
    "treaty_ids": "VARCHAR",      # the producers' ids mapped to it (manytreaties treatyID prefixes, manyios igoID)
    "source_url": "VARCHAR",      # where the dates are documented (the depositary's page)
}

# One row per action of a state under an instrument, as recorded by one source.
TREATY_ACTIONS: dict[str, str] = {
    "source": "VARCHAR",          # manytreaties | manyios | treaty-overrides
    "action_id": "VARCHAR",       # upstream|treaty_id|state|action|date: identifies the action within the source
    "upstream": "VARCHAR",        # the producer behind the row (manytreaties: GGO or IEADB; manyios: the igoID)
    "treaty_id": "VARCHAR",       # the producer's id of the instrument (treatyID, igoID)
    "instrument": "VARCHAR",      # short name (see treaty_instruments); the treaty_id where none maps
    "state_iso3": "VARCHAR",
    "state_gw": "INTEGER",
    "action": "VARCHAR",          # signature, ratification, accession, acceptance, approval, succession,
                                  # entry_into_force, withdrawal, withdrawal_of_ratification, end, membership
    "action_date": "DATE",        # NULL where the source gives no date (manyios membership)
    "as_of_year": "INTEGER",      # manyios: the year the membership was observed
    "note": "VARCHAR",            # the producer's comment, or the override's explanation
    "source_url": "VARCHAR",      # overrides: the document that supports the row
}

TABLES: dict[str, dict[str, str]] = {"treaty_instruments": TREATY_INSTRUMENTS, "treaty_actions": TREATY_ACTIONS}
KEYS: dict[str, tuple[str, ...]] = {"treaty_instruments": ("instrument",), "treaty_actions": ("source", "action_id")}
KEEP: dict[str, str] = {}
DDL: list[str] = []
