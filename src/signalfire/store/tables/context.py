"""Store tables for context per country: military expenditure, capabilities, alliances, leaders.

``TABLES``: adapter-fed tables (name -> columns; every one also gets the trace columns run_id, record_ref, row_hash),
``KEYS``: the columns that identify a record of each, ``KEEP``: which record of a repeated key an ingest keeps
(SQL ORDER BY over the staged columns; default: the first in the file), ``DDL``: other tables of this stream
(CREATE TABLE statements).  Documented in ``docs/schema/context.md``.

Military expenditure (SIPRI) and capabilities (COW NMC) go to the general ``country_year`` table and alliances
(ATOP) to ``dyad_year``, arms transfers (SIPRI TIV) to ``country_year``; leaders and arms companies (SIPRI Top 100),
which have an identity, have tables of their own.
"""

from __future__ import annotations

TABLES: dict[str, dict[str, str]] = {
    "leaders": {                             # Archigos: one row per spell of a leader in office
        "source": "VARCHAR",                 # archigos
        "spell_id": "VARCHAR",               # obsid, e.g. POL-1990
        "leader_id": "VARCHAR",              # leadid (the same person across spells)
        "leader": "VARCHAR",
        "country_iso3": "VARCHAR",
        "country_gw": "INTEGER",
        "born_year": "INTEGER",
        "gender": "VARCHAR",
        "start_date": "DATE",
        "end_date": "DATE",
        "entry": "VARCHAR",                  # how the spell began: Regular, Irregular, Foreign Imposition
        "exit": "VARCHAR",                   # how it ended
        "exit_code": "VARCHAR",
    },
    "arms_company_year": {                   # SIPRI Top 100: one row per company and year
        "source": "VARCHAR",                 # sipri-top100
        "year": "INTEGER",
        "company": "VARCHAR",                # as published, e.g. Lockheed Martin Corp.
        "rank": "INTEGER",
        "rank_previous": "INTEGER",          # NULL: not in the previous year's Top 100 (SIPRI's dash)
        "country": "VARCHAR",                # as published (Trans-European: controlled from several countries)
        "country_iso3": "VARCHAR",
        "arms_revenue_usd_m": "DOUBLE",      # current US$ m.
        "arms_revenue_previous_usd_m": "DOUBLE",
        "total_revenue_usd_m": "DOUBLE",
        "arms_share": "DOUBLE",              # arms revenue / total revenue (fraction)
        "arms_revenue_constant_usd_m": "DOUBLE",  # constant US$ m. of the base year in the run's version
        "notes": "VARCHAR",
    },
}
KEYS: dict[str, tuple[str, ...]] = {"leaders": ("source", "spell_id"),
                                    "arms_company_year": ("source", "year", "company")}
KEEP: dict[str, str] = {}
DDL: list[str] = []
