"""Store tables for peacekeeping and other missions: missions, mission-months, contributions, fatalities, deployment sites.

``TABLES``: adapter-fed tables (name -> columns; every one also gets the trace columns run_id, record_ref, row_hash),
``KEYS``: the columns that identify a record of each, ``KEEP``: which record of a repeated key an ingest keeps
(SQL ORDER BY over the staged columns; default: the first in the file), ``DDL``: other tables of this stream
(CREATE TABLE statements).  Documented in ``docs/schema/missions.md``.

Every key starts with ``source`` (the adapter's source name), so files from different producers describing the same
mission, contributor or month are stored side by side and never overwrite each other.
"""

from __future__ import annotations

TABLES: dict[str, dict[str, str]] = {
    # one row per mission and source: identity (user-supplied missions that no dataset holds)
    "missions": {
        "source": "VARCHAR",
        "mission": "VARCHAR",
        "name": "VARCHAR",
        "organisation": "VARCHAR",
        "host_iso3": "VARCHAR",
        "mandate_start": "DATE",
        "mandate_end": "DATE",
        "user_supplied": "BOOLEAN",
        "source_url": "VARCHAR",
        "note": "VARCHAR",
    },
    # mission-month values in long form: deployed and authorised strength by personnel type, contributors
    "mission_month": {
        "source": "VARCHAR",
        "mission": "VARCHAR",
        "conflict_id": "INTEGER",
        "year": "INTEGER",
        "month": "INTEGER",
        "organisation": "VARCHAR",
        "host_country": "VARCHAR",
        "host_iso3": "VARCHAR",
        "hq": "VARCHAR",
        "hq_latitude": "DOUBLE",
        "hq_longitude": "DOUBLE",
        "measure": "VARCHAR",
        "value": "DOUBLE",
    },
    # contributor x mission x month x personnel type
    "mission_contributions": {
        "source": "VARCHAR",
        "contributor": "VARCHAR",
        "contributor_iso3": "VARCHAR",
        "contributor_gw": "INTEGER",
        "mission": "VARCHAR",
        "year": "INTEGER",
        "month": "INTEGER",
        "reporting_date": "DATE",
        "personnel_type": "VARCHAR",
        "male": "INTEGER",
        "female": "INTEGER",
        "total": "INTEGER",
        "user_supplied": "BOOLEAN",
        "source_url": "VARCHAR",
        "source_record_id": "VARCHAR",
    },
    # peacekeeper fatalities per nationality x mission x month
    "mission_fatalities": {
        "source": "VARCHAR",
        "nationality": "VARCHAR",
        "nationality_iso3": "VARCHAR",
        "nationality_gw": "INTEGER",
        "mission": "VARCHAR",
        "year": "INTEGER",
        "month": "INTEGER",
        "illness": "INTEGER",
        "accident": "INTEGER",
        "malicious": "INTEGER",
        "other_cause": "INTEGER",
        "total": "INTEGER",
        "military": "INTEGER",
        "observers": "INTEGER",
        "police": "INTEGER",
        "local_staff": "INTEGER",
        "international_staff": "INTEGER",
        "other_staff": "INTEGER",
    },
    # deployment sites with coordinates, per contributor (Geo-PKO)
    "mission_sites": {
        "source": "VARCHAR",
        "mission": "VARCHAR",
        "year": "INTEGER",
        "location": "VARCHAR",
        "latitude": "DOUBLE",
        "longitude": "DOUBLE",
        "contributor": "VARCHAR",
        "contributor_iso3": "VARCHAR",
        "troops": "INTEGER",
        "contributors_at_site": "INTEGER",
    },
    # troop types per deployment site in long form (Geo-PKO TTMap and FrontMap): one row per site and column
    "mission_site_types": {
        "source": "VARCHAR",
        "mission": "VARCHAR",
        "year": "INTEGER",
        "location": "VARCHAR",
        "latitude": "DOUBLE",
        "longitude": "DOUBLE",
        "host_country": "VARCHAR",
        "host_iso3": "VARCHAR",
        "site_seq": "INTEGER",
        "measure": "VARCHAR",
        "value": "DOUBLE",
    },
}

KEYS: dict[str, tuple[str, ...]] = {
    "missions": ("source", "mission"),
    "mission_month": ("source", "mission", "conflict_id", "year", "month", "measure"),
    "mission_contributions": ("source", "contributor_iso3", "mission", "year", "month", "personnel_type"),
    "mission_fatalities": ("source", "nationality", "mission", "year", "month"),
    "mission_sites": ("source", "mission", "year", "location", "latitude", "longitude", "contributor"),
    "mission_site_types": ("source", "mission", "year", "location", "latitude", "longitude", "site_seq", "measure"),
}

KEEP: dict[str, str] = {}
DDL: list[str] = []
